"""Writes at the front door: intake, triage, checks, decisions, feedback and escalations (referrals/services.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agencies.models import Notification
from agencies.rules import DEFAULT_TZ
from cases.models import Case, InformationShare, Person, RestrictedAccess
from cases.permissions import record_share_with
from cases.services.people import StaleRecord
from referrals import services
from referrals.models import AgencyCheck, Decision, Escalation, EscalationStage, Referral
from referrals.permissions import referrals_visible
from strategy_meetings.models import StrategyMeeting
from tests.conftest import World

FRIDAY_BEFORE_BANK_HOLIDAY = datetime(2026, 8, 28, 16, 0, tzinfo=DEFAULT_TZ)


def child(w: World, given: str = "Mia", born: date = date(2018, 1, 1), share_with=None) -> Person:
    person = Person.objects.create(partnership=w.north, given_name=given, family_name="Ashdown", date_of_birth=born,
                                   search_name=f"{given} ashdown".lower())
    if share_with is not None:
        record_share_with(record=person, agency=share_with, what="Known to the agency", by=None)
    return person


def refer(w: World, *children: Person, by=None, **extra) -> Referral:
    by = by or w.mw
    values: dict[str, Any] = {
        "received_at": timezone.now() - timedelta(hours=1),
        "referrer_agency": by.membership.agency if by is not w.mw else w.police,
        "concerns": "Police attended a domestic-abuse incident; the children were present.",
        "consent": "given",
    }
    values.update(extra)
    return services.referral_create(by=by, children=list(children), **values)


def decided(w: World, referral: Referral, outcome: str = "child_and_family_assessment") -> Decision:
    return services.referral_decide(referral=referral, by=w.mm, outcome=outcome, rationale="Cumulative harm.")


# -- Intake -------------------------------------------------------------------------------------------------


def test_the_decision_is_due_one_working_day_after_receipt_on_the_calendar(world):
    referral = refer(world, child(world), received_at=FRIDAY_BEFORE_BANK_HOLIDAY)
    assert referral.decision_due_at == datetime(2026, 9, 1, 16, 0, tzinfo=DEFAULT_TZ)
    assert referral.status == Referral.Status.AWAITING_DECISION


def test_a_child_referred_in_the_last_twelve_months_is_a_repeat(world):
    mia, leo = child(world), child(world, "Leo", date(2020, 5, 5))
    refer(world, mia, received_at=timezone.now() - timedelta(days=300))
    refer(world, leo, received_at=timezone.now() - timedelta(days=400))
    referral = refer(world, mia, leo)
    assert {row.child_id: row.repeat for row in referral.children.all()} == {mia.pk: True, leo.pk: False}


def test_without_consent_the_reason_is_required_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as error:
        refer(world, child(world), consent="not_sought", consent_reason=" ")
    assert "consent_reason" in error.value.message_dict
    assert not Referral.objects.exists()


def test_bad_input_is_reported_field_by_field(world):
    adult = child(world, "Kerry", date(1990, 1, 1))
    with pytest.raises(ValidationError) as error:
        refer(world, adult, concerns="", urgency="soon", categories=["gossip"],
              received_at=timezone.now() + timedelta(days=1))
    assert set(error.value.message_dict) == {"children", "concerns", "urgency", "categories", "received_at"}
    assert "Kerry Ashdown is not a child" in error.value.message_dict["children"][0]


def test_a_partner_refers_for_its_own_agency_only_and_only_children_it_may_see(world):
    unseen = child(world)
    with pytest.raises(ValidationError) as error:
        refer(world, unseen, by=world.hv, referrer_agency=world.police)
    assert set(error.value.message_dict) == {"referrer_agency", "children"}


def test_a_referral_with_a_new_child_records_the_child_for_the_referrer(world):
    referral = refer(world, by=world.hv, new_children=[services.NewChild("Ava", "Stone", date(2025, 12, 1))],
                     consent="not_sought", consent_reason="Asking would increase the risk to the mother.")
    ava = referral.children.get().child
    assert (ava.full_name, ava.partnership_id) == ("Ava Stone", world.north.pk)
    # The referrer sees the referral it made; the MASH holds an information-sharing record with the consent status.
    assert referrals_visible(world.hv).filter(pk=referral.pk).exists()
    assert not referrals_visible(world.te).filter(pk=referral.pk).exists()
    share = InformationShare.objects.get(record_type="referral", record_id=referral.pk)
    assert (share.agency, share.consent, share.reason_without_consent) == (
        world.csc, "not_sought", "Asking would increase the risk to the mother.")
    assert referral.referrer_name == world.hv.display_name


def test_an_immediate_referral_tells_the_mash_manager(world):
    referral = refer(world, child(world), urgency="immediate")
    note = Notification.objects.get(recipient=world.mm, kind="referral_immediate")
    assert (note.subject_type, note.subject_id, note.due_at) == ("referral", referral.pk, referral.decision_due_at)


def test_auditors_and_administrators_do_not_refer(world):
    for user in (world.au, world.ad):
        with pytest.raises(PermissionDenied):
            refer(world, child(world), by=user, referrer_agency=world.csc)


# -- Triage -------------------------------------------------------------------------------------------------


def test_rating_needs_the_version_read_and_mash_staff(world):
    referral = refer(world, child(world))
    read = referral.version
    rated = services.referral_rate(referral=referral, by=world.mw, rag="red", version=read)
    assert (rated.rag, rated.rag_by, rated.version) == ("red", world.mw, read + 1)
    with pytest.raises(StaleRecord):
        services.referral_rate(referral=referral, by=world.mm, rag="green", version=read)
    with pytest.raises(PermissionDenied):
        services.referral_rate(referral=referral, by=world.sw, rag="green")
    assert Referral.objects.get(pk=referral.pk).rag == "red"


def test_allocation_is_to_mash_staff_of_the_partnership(world):
    referral = refer(world, child(world))
    assert services.referral_allocate(referral=referral, by=world.mm, to=world.mw).allocated_to == world.mw
    with pytest.raises(ValidationError) as error:
        services.referral_allocate(referral=referral, by=world.mm, to=world.sw)
    assert "allocated_to" in error.value.message_dict


# -- Agency checks ------------------------------------------------------------------------------------------


def test_a_check_without_consent_needs_a_managers_authorisation(world):
    referral = refer(world, child(world), consent="refused", consent_reason="Asking would put the child at risk.")
    with pytest.raises(ValidationError) as error:
        services.agency_check_request(referral=referral, by=world.mw, agency=world.school)
    assert "authorised_by" in error.value.message_dict
    assert not referrals_visible(world.te).filter(pk=referral.pk).exists()
    check = services.agency_check_request(referral=referral, by=world.mw, agency=world.school, authorised_by=world.mm)
    share = InformationShare.objects.get(record_type="referral", record_id=referral.pk, agency=world.school)
    assert (share.authorised_by, share.consent, share.reason_without_consent) == (
        world.mm, "refused", "Asking would put the child at risk.")
    assert referrals_visible(world.te).filter(pk=referral.pk).exists()
    # The school's staff see the request in their inbox, with its due time.
    note = Notification.objects.get(recipient=world.te, kind="agency_check")
    assert (note.link, note.due_at) == (f"/checks/{check.pk}/", check.due_at)


def test_a_manager_asking_authorises_it_themselves(world):
    referral = refer(world, child(world), consent="not_sought", consent_reason="Risk of significant harm.")
    check = services.agency_check_request(referral=referral, by=world.mm, agency=world.health_visiting)
    assert check.authorised_by == world.mm


def test_a_red_referral_check_is_due_in_four_working_hours(world):
    referral = refer(world, child(world))
    services.referral_rate(referral=referral, by=world.mw, rag="red")
    check = services.agency_check_request(referral=referral, by=world.mw, agency=world.school)
    from agencies.selectors import calendar_for
    assert check.due_at == calendar_for(world.north).add_working_hours(check.requested_at, 4)


def test_one_open_check_per_agency_and_never_to_childrens_social_care(world):
    referral = refer(world, child(world))
    services.agency_check_request(referral=referral, by=world.mw, agency=world.school)
    for agency in (world.school, world.csc):
        with pytest.raises(ValidationError) as error:
            services.agency_check_request(referral=referral, by=world.mw, agency=agency)
        assert "agency" in error.value.message_dict


def test_only_the_addressed_agency_answers_and_only_once(world):
    referral = refer(world, child(world))
    check = services.agency_check_request(referral=referral, by=world.mw, agency=world.school)
    with pytest.raises(PermissionDenied):
        services.agency_check_answer(check=check, by=world.hv, information="Nothing")
    with pytest.raises(ValidationError):
        services.agency_check_answer(check=check, by=world.te, information="  ")
    answered = services.agency_check_answer(check=check, by=world.te, information="Attendance 71%; seemed withdrawn.")
    assert (answered.answered_by, answered.information) == (world.te, "Attendance 71%; seemed withdrawn.")
    assert Notification.objects.filter(recipient=world.mw, kind="agency_check_answered").exists()
    with pytest.raises(ValidationError):
        services.agency_check_answer(check=check, by=world.te, information="Again")


# -- Decisions ----------------------------------------------------------------------------------------------


def test_a_strategy_discussion_convenes_a_meeting_due_in_24_hours(world):
    mia, leo = child(world), child(world, "Leo", date(2020, 5, 5))
    referral = refer(world, mia, leo)
    decision = decided(world, referral, "strategy_discussion")
    meeting = StrategyMeeting.objects.get(referral=referral)
    assert meeting.due_by == decision.decided_at + timedelta(hours=24)
    assert set(meeting.children.values_list("child_id", flat=True)) == {mia.pk, leo.pk}
    assert {case.status for case in decision.cases.all()} == {Case.Status.ASSESSMENT}
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.DECIDED


def test_only_a_mash_or_senior_manager_decides_and_only_once(world):
    referral = refer(world, child(world))
    for user in (world.mw, world.sw, world.tm, world.ad, world.po):
        with pytest.raises(PermissionDenied):
            services.referral_decide(referral=referral, by=user, outcome="early_help", rationale="Support")
    with pytest.raises(ValidationError) as error:
        services.referral_decide(referral=referral, by=world.mm, outcome="early_help", rationale=" ")
    assert "rationale" in error.value.message_dict
    services.referral_decide(referral=referral, by=world.sm, outcome="early_help", rationale="Family support.")
    with pytest.raises(ValidationError, match="already been decided"):
        decided(world, referral)


def test_already_open_links_the_open_case_and_needs_one(world):
    mia = child(world)
    with pytest.raises(ValidationError, match="has no open case"):
        decided(world, refer(world, mia), "already_open")
    case = Case.objects.create(partnership=world.north, child=mia, status=Case.Status.CHILD_IN_NEED,
                               opened_on=date(2026, 1, 5))
    decision = decided(world, refer(world, mia), "already_open")
    assert list(decision.cases.all()) == [case]
    assert Case.objects.get(pk=case.pk).status == Case.Status.CHILD_IN_NEED


def test_no_further_action_closes_a_contact_and_is_refused_for_an_open_child_in_need_case(world):
    mia, leo = child(world), child(world, "Leo", date(2020, 5, 5))
    contact = Case.objects.create(partnership=world.north, child=mia, status=Case.Status.CONTACT,
                                  opened_on=date(2026, 11, 1))
    decided(world, refer(world, mia), "no_further_action")
    contact.refresh_from_db()
    assert (contact.status, contact.closure_reason) == (Case.Status.CLOSED, "RC8")
    Case.objects.create(partnership=world.north, child=leo, status=Case.Status.CHILD_IN_NEED,
                        opened_on=date(2026, 1, 5))
    with pytest.raises(ValidationError, match="already has an open case"):
        decided(world, refer(world, leo), "no_further_action")


# -- Feedback -----------------------------------------------------------------------------------------------


def test_feedback_follows_the_decision(world):
    referral = refer(world, child(world))
    with pytest.raises(ValidationError, match="no decision"):
        services.referral_feedback_record(referral=referral, by=world.mw, method="phone")
    decision = decided(world, referral)
    with pytest.raises(ValidationError) as error:
        services.referral_feedback_record(referral=referral, by=world.mw, method="pigeon",
                                          shared_at=decision.decided_at - timedelta(minutes=5))
    assert set(error.value.message_dict) == {"method", "shared_at"}
    feedback = services.referral_feedback_record(referral=referral, by=world.mw, method="phone")
    assert (feedback.shared_by, Referral.objects.get(pk=referral.pk).status) == (world.mw, Referral.Status.FED_BACK)
    with pytest.raises(ValidationError, match="already been recorded"):
        services.referral_feedback_record(referral=referral, by=world.mm, method="letter")


# -- Escalations --------------------------------------------------------------------------------------------


def test_the_referrer_challenges_and_the_stages_climb(world):
    referral = refer(world, child(world, share_with=world.police), by=world.po)
    with pytest.raises(ValidationError, match="no decision"):
        services.escalation_raise(referral=referral, by=world.po, reason="Too early")
    decided(world, referral, "no_further_action")
    with pytest.raises(PermissionDenied):
        services.escalation_raise(referral=referral, by=world.hv, reason="Not involved")
    escalation = services.escalation_raise(referral=referral, by=world.po, reason="Third call-out in a month.")
    stage1 = escalation.stages.get()
    assert (stage1.number, stage1.respondent) == (1, world.mm)
    with pytest.raises(ValidationError, match="already open"):
        services.escalation_raise(referral=referral, by=world.po, reason="Again")
    with pytest.raises(PermissionDenied):
        services.escalation_respond(escalation=escalation, by=world.po, outcome="resolved", response="Self-answered")
    services.escalation_respond(escalation=escalation, by=world.mm, outcome="escalate", response="Decision stands.")
    stage2 = escalation.stages.get(number=2)
    # The decision maker's line manager answers stage 2.
    assert stage2.respondent == world.sm
    resolved = services.escalation_respond(escalation=escalation, by=world.sm, outcome="resolved",
                                           response="Agreed: a child and family assessment.")
    assert (resolved.status, resolved.closed_at is not None) == (Escalation.Status.RESOLVED, True)
    assert Notification.objects.filter(recipient=world.po, kind="escalation_response").count() == 2


def test_an_agency_asked_for_a_check_may_challenge_too(world):
    referral = refer(world, child(world))
    services.agency_check_request(referral=referral, by=world.mw, agency=world.school)
    decided(world, referral, "advice_signposting")
    assert services.escalation_raise(referral=referral, by=world.te, reason="We see daily neglect.").stage == 1


def test_an_unanswered_stage_climbs_once_when_its_deadline_passes(world):
    referral = refer(world, child(world, share_with=world.police), by=world.po)
    decided(world, referral, "no_further_action")
    escalation = services.escalation_raise(referral=referral, by=world.po, reason="Third call-out in a month.")
    stage1 = escalation.stages.get()
    assert services.escalation_stages_climb(stage_ids=[stage1.pk], now=stage1.due_at - timedelta(minutes=1)) == []
    opened = services.escalation_stages_climb(stage_ids=[stage1.pk], now=stage1.due_at)
    assert [stage.number for stage in opened] == [2]
    assert services.escalation_stages_climb(stage_ids=[stage1.pk], now=stage1.due_at + timedelta(hours=1)) == []
    stage1.refresh_from_db()
    assert stage1.outcome == EscalationStage.Outcome.TIMED_OUT
    assert Escalation.objects.get(pk=escalation.pk).stage == 2


def test_the_partnership_stage_is_the_last(world):
    referral = refer(world, child(world, share_with=world.police), by=world.po)
    decided(world, referral, "no_further_action")
    escalation = services.escalation_raise(referral=referral, by=world.po, reason="Third call-out in a month.")
    for _ in range(3):
        services.escalation_respond(escalation=escalation, by=world.sm, outcome="escalate", response="Up it goes.")
    with pytest.raises(ValidationError) as error:
        services.escalation_respond(escalation=escalation, by=world.sm, outcome="escalate", response="Further?")
    assert "outcome" in error.value.message_dict
    last = escalation.stages.get(number=4)
    assert services.escalation_stages_climb(stage_ids=[last.pk], now=last.due_at + timedelta(days=1)) == []
    assert AgencyCheck.objects.count() == 0


def test_merging_a_duplicate_child_brings_its_referrals_and_meetings_along(world):
    from cases.services.people import person_merge

    keep, duplicate = child(world), child(world, "Mia")
    referral = refer(world, duplicate)
    decided(world, referral, "strategy_discussion")
    person_merge(keep=keep, duplicate=duplicate, by=world.mm)
    assert referral.children.get().child_id == keep.pk
    assert StrategyMeeting.objects.get(referral=referral).children.get().child_id == keep.pk
    # Referred again: a repeat, because the merged record's referral now counts.
    assert refer(world, keep).children.get().repeat


# -- What each agency may learn -----------------------------------------------------------------------------


def test_a_partner_sees_only_what_it_may_of_the_children_and_of_other_agencies_disagreements(world):
    from referrals.selectors import RESTRICTED_CHILD, referral_detail

    mia = child(world, share_with=world.police)
    hidden = child(world, "Rosa", date(2019, 6, 6))
    Person.objects.filter(pk=hidden.pk).update(restricted=True)
    RestrictedAccess.objects.create(partnership=world.north, person=hidden, user=world.mw)
    leo = child(world, "Leo", date(2020, 5, 5))
    Case.objects.create(partnership=world.north, child=leo, status=Case.Status.CHILD_PROTECTION,
                        opened_on=date(2026, 1, 5))
    referral = refer(world, mia, hidden, leo)
    services.agency_check_request(referral=referral, by=world.mw, agency=world.school)
    decided(world, referral, "strategy_discussion")
    services.escalation_raise(referral=referral, by=world.te, reason="The school sees daily neglect.")
    # The MASH sees the protection plan; the police, who may not open Leo's record, do not.
    by_id = {c.person_id: c for c in referral_detail(user=world.mm, referral_id=referral.pk).children}
    assert "protection_plan" in by_id[leo.pk].flags
    police_view = referral_detail(user=world.po, referral_id=referral.pk)
    seen = {c.person_id: c for c in police_view.children}
    assert seen[leo.pk].flags == () and seen[leo.pk].case_status == ""
    assert (seen[hidden.pk].name, seen[hidden.pk].date_of_birth) == (RESTRICTED_CHILD, None)
    assert seen[mia.pk].name == "Mia Ashdown"
    # The police do not see the school's disagreement; the school does.
    assert police_view.escalations == []
    assert len(referral_detail(user=world.te, referral_id=referral.pk).escalations) == 1
    # A decided referral no longer counts down.
    assert police_view.time_left is None


def test_a_partner_agencys_manager_may_not_read_a_referrals_history(world):
    from django.core.exceptions import PermissionDenied as Denied

    from referrals.permissions import referral_history_check
    from tests.factories import UserFactory

    police_manager = UserFactory.create(username="po.manager", agency=world.police, role="team_manager",
                                        partnership=world.north)
    referral = refer(world, child(world, share_with=world.police), by=world.po)
    services.agency_check_request(referral=referral, by=world.mw, agency=world.school)
    with pytest.raises(Denied):
        referral_history_check(police_manager, referral.pk)
    assert referral_history_check(world.mm, referral.pk).startswith(f"Referral {referral.pk}")


def test_the_decision_maker_does_not_answer_the_stages_above_their_own(world):
    referral = refer(world, child(world, share_with=world.police), by=world.po)
    decided(world, referral, "no_further_action")
    escalation = services.escalation_raise(referral=referral, by=world.po, reason="Third call-out in a month.")
    services.escalation_respond(escalation=escalation, by=world.mm, outcome="escalate", response="It stands.")
    with pytest.raises(PermissionDenied):
        services.escalation_respond(escalation=escalation, by=world.mm, outcome="resolved", response="Settled.")


def test_an_answer_to_a_stage_that_has_climbed_meanwhile_is_refused(world):
    referral = refer(world, child(world, share_with=world.police), by=world.po)
    decided(world, referral, "no_further_action")
    escalation = services.escalation_raise(referral=referral, by=world.po, reason="Third call-out in a month.")
    stage1 = escalation.stages.get()
    services.escalation_stages_climb(stage_ids=[stage1.pk], now=stage1.due_at)
    with pytest.raises(ValidationError, match="moved to stage 2"):
        services.escalation_respond(escalation=escalation, by=world.sm, outcome="resolved", response="Late answer.",
                                    stage_number=1)
    assert escalation.stages.get(number=2).outcome == ""


def test_dates_before_2000_and_adults_entered_as_new_children_are_refused(world):
    for received in (datetime(1, 1, 3, 12, tzinfo=DEFAULT_TZ), datetime(1999, 12, 31, 12, tzinfo=DEFAULT_TZ)):
        with pytest.raises(ValidationError) as error:
            refer(world, child(world), received_at=received)
        assert set(error.value.message_dict) == {"received_at"}
    with pytest.raises(ValidationError) as error:
        refer(world, new_children=[services.NewChild("Dean", "Ashdown", date(1980, 1, 1))])
    assert set(error.value.message_dict) == {"new_children.0.date_of_birth"}
    assert not Person.objects.filter(given_name="Dean").exists()


def test_an_unrated_immediate_referral_gets_the_red_check_clock_and_its_lawful_basis(world):
    from agencies.selectors import calendar_for

    referral = refer(world, child(world), urgency="immediate", lawful_basis="vital_interests")
    check = services.agency_check_request(referral=referral, by=world.mw, agency=world.school)
    assert check.due_at == calendar_for(world.north).add_working_hours(check.requested_at, 4)
    share = InformationShare.objects.get(record_type="referral", record_id=referral.pk, agency=world.school)
    assert share.lawful_basis == "vital_interests"


def test_the_manager_named_as_authorising_a_share_without_consent_is_told(world):
    referral = refer(world, child(world), consent="refused", consent_reason="Asking would put the child at risk.")
    services.agency_check_request(referral=referral, by=world.mw, agency=world.school, authorised_by=world.tm)
    note = Notification.objects.get(recipient=world.tm, kind="consent_override")
    assert "naming you as the manager who authorised it" in note.message


def test_the_database_orders_the_queue_by_the_same_risk_rule(world):
    from referrals.rules import risk_rank
    from referrals.selectors import risk_order

    made: list[int] = []
    for rag in ("", "red", "amber", "green"):
        for urgency in ("immediate", "urgent", "standard"):
            referral = refer(world, child(world, f"C{len(made)}"), urgency=urgency)
            if rag:
                services.referral_rate(referral=referral, by=world.mw, rag=rag)
            made.append(referral.pk)
    ranked = Referral.objects.filter(pk__in=made).annotate(risk=risk_order()).values_list("risk", "rag", "urgency")
    assert all(risk == risk_rank(rag=rag, urgency=urgency) for risk, rag, urgency in ranked)


def test_an_agency_asked_for_a_check_sees_neither_the_feedback_nor_the_strategy_meeting(world):
    from referrals.selectors import referral_detail

    referral = refer(world, child(world, share_with=world.police), by=world.po)
    services.agency_check_request(referral=referral, by=world.mw, agency=world.school)
    decided(world, referral, "strategy_discussion")
    services.referral_feedback_record(referral=referral, by=world.mw, method="phone", note="Spoke to PC Hale.")
    school = referral_detail(user=world.te, referral_id=referral.pk)
    assert (school.feedback, school.feedback_due_at, school.strategy_meeting) == (None, None, None)
    police = referral_detail(user=world.po, referral_id=referral.pk)
    assert police.feedback is not None and police.strategy_meeting is None
    assert referral_detail(user=world.mw, referral_id=referral.pk).strategy_meeting is not None


def test_a_partner_follows_only_its_own_agencys_challenges(world):
    from referrals.permissions import escalations_visible

    referral = refer(world, child(world, share_with=world.police), by=world.po)
    services.agency_check_request(referral=referral, by=world.mw, agency=world.school)
    decided(world, referral, "no_further_action")
    schools = services.escalation_raise(referral=referral, by=world.te, reason="Daily neglect seen at school.")
    assert not escalations_visible(world.po).filter(pk=schools.pk).exists()
    assert escalations_visible(world.te).filter(pk=schools.pk).exists()
    assert escalations_visible(world.mm).filter(pk=schools.pk).exists()


def test_a_restricted_child_is_not_named_in_the_immediate_referral_notice(world):
    hidden = child(world, "Secretia")
    Person.objects.filter(pk=hidden.pk).update(restricted=True)
    RestrictedAccess.objects.create(partnership=world.north, person=hidden, user=world.mw)
    refer(world, Person.objects.get(pk=hidden.pk), urgency="immediate")
    note = Notification.objects.get(recipient=world.mm, kind="referral_immediate")
    assert "Secretia" not in note.message and "a child whose record is restricted" in note.message
