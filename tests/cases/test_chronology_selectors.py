"""A child's chronology: every agency's events in one order, each reader seeing only what they may
(cases/selectors/chronology.py)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, ChildVoice, MaracReferral, Plan, PlanVersion
from cases.permissions import record_share_with
from cases.rules import chronology as rules
from cases.selectors.chronology import ChronologyFilters, chronology, chronology_agencies, chronology_page
from cases.services.incidents import marac_referral_record
from referrals import services as referral_services
from strategy_meetings import services as meeting_services
from tests.cases.lived import lived_family
from tests.cases.test_chronology_helpers import chronicled, days_ago, incident, meeting, school_referral, voice


def kinds(events) -> list[str]:
    return [e.kind for e in events]


def test_a_childs_incidents_referral_meeting_and_voice_in_order_and_the_police_see_only_theirs(world):
    """Must show: incidents from police, a referral from a school, a strategy meeting and a voice record, all of
    them in order; a police user sees only what police may see."""
    c = chronicled(world)
    everything = chronology(user=world.sw, child=c.child)
    main = [e for e in everything if e.kind in {rules.INCIDENT, rules.REFERRAL, rules.STRATEGY_MEETING, rules.VOICE}]
    assert [(e.kind, e.link) for e in main] == [
        (rules.VOICE, f"/voice/{c.voice.pk}/"),
        (rules.STRATEGY_MEETING, f"/strategy-meetings/{c.meeting.pk}/"),
        (rules.REFERRAL, f"/referrals/{c.referral.pk}/"),
        (rules.INCIDENT, f"/incidents/{c.health_incident.pk}/"),
        (rules.INCIDENT, f"/incidents/{c.police_incident.pk}/"),
    ]
    assert [e.at for e in everything] == sorted((e.at for e in everything), reverse=True)
    by_link = {e.link: e for e in everything}
    police = by_link[f"/incidents/{c.police_incident.pk}/"]
    assert police.agency_name == "Shire Police" and police.significance == rules.HIGH
    assert "high risk" in police.summary and "The child was present, seen." in police.summary
    referral = by_link[f"/referrals/{c.referral.pk}/"]
    assert referral.agency_name == "Northgate Primary School" and referral.significance == rules.MEDIUM
    assert referral.summary == "Referral from Northgate Primary School: domestic abuse, emotional abuse."
    assert by_link[f"/voice/{c.voice.pk}/"].significance == rules.LOW
    # The case children's social care opened 90 days ago, on the day (no time).
    opened = [e for e in everything if e.kind == rules.CASE]
    assert len(opened) == 1 and opened[0].date_only and opened[0].summary == "Case opened by children's social care."
    assert opened[0].link == reverse("case-detail", args=[c.family.case_of(c.child).pk])

    seen_by_police = chronology(user=world.po, child=c.child)
    links = {e.link for e in seen_by_police}
    # Their own incident, the meeting they are invited to, the voice record of a child shared with them, and the
    # Operation Encompass notice they sent the school.
    assert f"/incidents/{c.police_incident.pk}/" in links
    assert f"/strategy-meetings/{c.meeting.pk}/" in links
    assert f"/voice/{c.voice.pk}/" in links
    # Not health visiting's incident (nor its notice), the school's referral, or the case.
    assert f"/incidents/{c.health_incident.pk}/" not in links
    assert f"/referrals/{c.referral.pk}/" not in links
    assert rules.CASE not in kinds(seen_by_police)
    assert {e.agency_name for e in seen_by_police if e.kind in (rules.INCIDENT, rules.ENCOMPASS)} == {"Shire Police"}
    assert all("North Health Visiting" not in e.summary for e in seen_by_police)


def test_a_school_sees_an_incident_only_as_its_operation_encompass_notice(world):
    c = chronicled(world)
    record_share_with(record=c.child, agency=world.school, by=world.sw, what="The pupil's record, for the case.")
    seen = chronology(user=world.te, child=c.child)
    assert rules.INCIDENT not in kinds(seen)
    notices = [e for e in seen if e.kind == rules.ENCOMPASS]
    assert len(notices) == 2
    assert all(e.summary.startswith("Operation Encompass: Northgate Primary School told of a domestic-abuse"
                                    " incident on ") and "OK/" not in e.summary for e in notices)
    # The referral the school made is its own to see.
    assert f"/referrals/{c.referral.pk}/" in {e.link for e in seen}


def test_decisions_checks_outcomes_plans_case_changes_and_marac_each_appear(world):
    family = lived_family(world)
    child = family.eldest
    high = incident(world, family, child, days_ago(60), high=True)
    marac = MaracReferral.objects.get(incident=high)
    marac_referral_record(referral=marac, by=world.po, referred_at=days_ago(59))
    referral = school_referral(world, child, days_ago(50))
    check = referral_services.agency_check_request(referral=referral, by=world.mw, agency=world.health_visiting,
                                                   question="What do you know of the family?")
    referral_services.agency_check_answer(check=check, by=world.hv, information="The baby's weight is falling.")
    referral_services.referral_decide(referral=referral, by=world.mm, outcome="already_open",
                                      rationale="The children's cases are open; the social worker is told.")
    held = meeting(world, child, days_ago(40))
    meeting_services.meeting_hold(meeting=held, by=world.mm, held_at=days_ago(39), attendance={},
                                  outcome="section_47_joint", missing_agency_reason="Health could not attend.")
    case = family.case_of(child)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CHILD_PROTECTION)
    plan = Plan.objects.create(partnership=world.north, case=case, kind=Plan.Kind.CHILD_PROTECTION,
                               what_must_change="The children are safe at home.", starts_on=timezone.localdate())
    PlanVersion.objects.create(partnership=world.north, plan=plan, number=2, content={},
                               change_note="Contact with the mother's partner supervised.")

    events = chronology(user=world.sw, child=child)
    found = {(e.kind, e.summary) for e in events}
    assert (rules.DECISION, "MASH decision on the referral: already open to children's social care.") in found
    assert (rules.AGENCY_CHECK, "North Health Visiting answered the MASH's check on the referral.") in found
    assert (rules.STRATEGY_MEETING, "Strategy meeting held. Outcome: section 47 enquiry (joint with police).") in found
    assert (rules.CASE, "Case status changed from child in need to child protection.") in found
    assert (rules.PLAN, "Child protection plan started.") in found
    assert (rules.PLAN, "Child protection plan changed (version 2): Contact with the mother's partner supervised.") \
        in found
    assert {e.link for e in events if e.kind == rules.PLAN} == {reverse("plan-detail", args=[plan.pk])}
    marac_events = [e for e in events if e.kind == rules.MARAC]
    assert len(marac_events) == 1 and marac_events[0].link == f"/incidents/{high.pk}/"
    significant = {e.summary for e in events if e.significance == rules.HIGH}
    assert "Case status changed from child in need to child protection." in significant
    assert "Strategy meeting held. Outcome: section 47 enquiry (joint with police)." in significant

    # Health visiting answered the check, so sees it; it sees no referral it was not asked about.
    seen_by_hv = chronology(user=world.hv, child=child)
    assert rules.AGENCY_CHECK in kinds(seen_by_hv)
    assert rules.DECISION in kinds(seen_by_hv)
    # The police were not asked: neither the referral nor the check; and no plan of a case they are not in.
    seen_by_police = chronology(user=world.po, child=child)
    assert not {rules.REFERRAL, rules.DECISION, rules.AGENCY_CHECK, rules.PLAN, rules.CASE} & set(kinds(seen_by_police))
    assert rules.MARAC in kinds(seen_by_police)


def test_filters_by_agency_kind_and_period(world):
    c = chronicled(world)
    police = chronology(user=world.sw, child=c.child, agency_id=world.police.pk)
    assert police and {e.agency_name for e in police} == {"Shire Police"}
    voice_and_meetings = chronology(user=world.sw, child=c.child, kinds=[rules.VOICE, rules.STRATEGY_MEETING])
    assert kinds(voice_and_meetings) == [rules.VOICE, rules.STRATEGY_MEETING]
    today = timezone.localdate()
    period = chronology(user=world.sw, child=c.child, since=today - timedelta(days=32),
                        until=today - timedelta(days=15))
    assert [e.link for e in period] == [f"/strategy-meetings/{c.meeting.pk}/", f"/referrals/{c.referral.pk}/"]
    # The period's days are whole: an event on the last day is in.
    on_the_day = chronology(user=world.sw, child=c.child, since=today - timedelta(days=10),
                            until=today - timedelta(days=10))
    assert [e.link for e in on_the_day] == [f"/voice/{c.voice.pk}/"]
    assert chronology(user=world.sw, child=c.child, kinds=["no-such-kind"]) == []
    assert [name for _, name in chronology_agencies(user=world.sw, child=c.child)] == [
        "North Children's Services", "North Health Visiting", "Northgate Primary School", "Shire Police"]
    assert [name for _, name in chronology_agencies(user=world.po, child=c.child)] == [
        "North Children's Services", "Shire Police"]


def _voices(w, family, child, n: int) -> None:
    ChildVoice.objects.bulk_create(
        ChildVoice(partnership=w.north, created_by=w.sw, child=child, case=family.case_of(child),
                   recorded_at=days_ago(100 + i), practitioner=w.sw, agency=w.csc, method="observation",
                   observations="Played quietly with the blocks.")
        for i in range(n)
    )


def test_the_query_count_does_not_grow_with_the_number_of_events(world, django_assert_num_queries):
    """Must show: one query however many events (every source in one UNION ALL)."""
    family = lived_family(world)
    few, many = family.eldest, family.middle
    voice(world, family, few, days_ago(1))
    for i in range(3):
        incident(world, family, many, days_ago(10 + i))
    school_referral(world, many, days_ago(20))
    meeting(world, many, days_ago(30))
    _voices(world, family, many, 60)

    with django_assert_num_queries(1):  # the events, all sources at once, with their total
        small = chronology_page(user=world.sw, child=few, filters=ChronologyFilters())
    with django_assert_num_queries(1):
        large = chronology_page(user=world.sw, child=many, filters=ChronologyFilters())
    assert small.total == 2  # the voice record and the case opened
    assert large.total == 3 + 3 + 1 + 1 + 60 + 1  # incidents, their notices, referral, meeting, voices, case
    assert len(large.events) == 50 and large.num_pages == 2
    with django_assert_num_queries(1):
        chronology(user=world.po, child=many)


def test_pages_follow_on_and_a_page_past_the_end_shows_the_last(world):
    family = lived_family(world)
    child = family.eldest
    _voices(world, family, child, 120)
    first = chronology_page(user=world.sw, child=child, filters=ChronologyFilters(), page=1)
    second = chronology_page(user=world.sw, child=child, filters=ChronologyFilters(), page=2)
    third = chronology_page(user=world.sw, child=child, filters=ChronologyFilters(), page=3)
    assert first.total == second.total == third.total == 121
    assert [len(p.events) for p in (first, second, third)] == [50, 50, 21]
    assert first.events[-1].at >= second.events[0].at >= second.events[-1].at >= third.events[0].at
    with CaptureQueriesContext(connection) as queries:
        past = chronology_page(user=world.sw, child=child, filters=ChronologyFilters(), page=9)
    assert past.number == 3 and past.events == third.events
    assert len(queries) == 3  # the empty page, the total, the last page
    nothing = chronology_page(user=world.sw, child=child, filters=ChronologyFilters(kinds=frozenset({"plan"})),
                              page=4)
    assert (nothing.total, nothing.number, nothing.events) == (0, 1, [])
