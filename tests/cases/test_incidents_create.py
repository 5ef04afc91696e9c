"""incident_create: validation first, then sharing, Operation Encompass, cumulative risk and MARAC (SPEC 3.2, 6)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from agencies.models import Notification, Role
from cases.models import (
    DashAssessment,
    EncompassNotice,
    Incident,
    IncidentChild,
    IncidentParty,
    InformationShare,
    MaracReferral,
    PersonFlag,
)
from cases.permissions import encompass_notices_visible, incidents_visible, people_visible
from cases.selectors.incidents import child_incident_counts
from cases.services import incidents as service
from cases.services.incidents import ChildAtIncident, DashInput, incident_create
from tests.cases.test_incidents_helpers import Family, ashdowns, london, person, record
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def nothing_saved():
    return (
        Incident.objects.count(), IncidentParty.objects.count(), IncidentChild.objects.count(),
        DashAssessment.objects.count(), EncompassNotice.objects.count(), InformationShare.objects.count(),
        Notification.objects.count(),
    ) == (0, 0, 0, 0, 0, 0, 0)


def test_an_incident_with_its_dash_score_and_level(world):
    family = ashdowns(world)
    incident = record(world, family, london(2026, 3, 4, 22, 15), yes=11)
    assert incident.risk_level == "medium"
    assert incident.dash.score == 11 and incident.dash.level == "medium"
    assert incident.dash.answered_by == world.po
    assert incident.created_by == world.po
    assert set(incident.parties.values_list("person_id", "role")) == {
        (family.mother.pk, "victim"), (family.father.pk, "perpetrator")
    }
    assert incident.children.count() == 2


def test_the_partnerships_bands_set_the_level(world):
    world.north.dash_medium_from = 5
    world.north.dash_high_from = 8
    world.north.save()
    family = ashdowns(world)
    assert record(world, family, london(2026, 3, 4, 22), yes=8).risk_level == "high"


def test_judgement_raises_the_level_and_a_lower_one_is_refused_with_nothing_saved(world):
    family = ashdowns(world)
    raised = record(world, family, london(2026, 3, 4, 22), yes=2, judgement="high")
    assert (raised.dash.level, raised.risk_level) == ("standard", "high")
    with pytest.raises(ValidationError) as refused:
        record(world, family, london(2026, 3, 5, 22), yes=15, judgement="medium")
    assert "cannot make it medium" in refused.value.message_dict["dash.professional_judgement_level"][0]
    assert Incident.objects.count() == 1


def test_every_error_at_once_per_field_and_nothing_saved(world):
    family = ashdowns(world)
    adult_as_child = person(world.north, "Tom", "Old", date(2000, 1, 1))
    with pytest.raises(ValidationError) as refused:
        incident_create(
            partnership=world.north,
            by=world.po,
            occurred_at=london(2031, 1, 1),
            reported_by=world.csc,
            victims=[family.mother],
            perpetrators=[family.mother],
            children=[
                ChildAtIncident(adult_as_child),
                ChildAtIncident(family.ellie, seen=False, spoken_to=True),
                ChildAtIncident(family.ellie),
            ],
            dash=DashInput(answers={"q1": "yes", "q40": "yes", "q2": "perhaps"}),
        )
    errors = refused.value.message_dict
    assert errors["occurred_at"] == ["The incident cannot be in the future."]
    assert errors["reported_by"] == ["You may only record incidents reported by your own agency."]
    assert errors["perpetrators"] == ["Kerry Ashdown cannot be both victim and alleged perpetrator."]
    assert any(m.startswith("Tom Old was 18 or over") for m in errors["children"])
    assert "Ellie Ashdown: a child spoken to must also be recorded as seen." in errors["children"]
    assert "Ellie Ashdown is listed twice." in errors["children"]
    assert len(errors["dash.answers"]) == 2
    assert nothing_saved()


def test_a_child_must_be_under_18_on_the_day(world):
    family = ashdowns(world)
    nearly = person(world.north, "Jade", "Ashdown", date(2008, 3, 5))
    with pytest.raises(ValidationError) as refused:
        record(world, family, london(2026, 3, 5, 1), children=(ChildAtIncident(nearly),))
    assert refused.value.message_dict["children"][0].startswith("Jade Ashdown was 18 or over")
    # The evening before her 18th birthday she was still a child.
    record(world, family, london(2026, 3, 4, 23), children=(ChildAtIncident(nearly),))


def test_reference_is_unique_per_reporting_agency(world):
    family = ashdowns(world)
    record(world, family, london(2026, 3, 4, 22), reference="GMP/1234")
    with pytest.raises(ValidationError) as refused:
        record(world, family, london(2026, 3, 6, 22), reference="GMP/1234")
    assert refused.value.message_dict["reference"] == [
        "Shire Police has already recorded an incident with reference GMP/1234."
    ]
    # Another agency may use the same reference.
    record(world, family, london(2026, 3, 6, 22), reference="GMP/1234", by=world.hv)
    assert Incident.objects.count() == 2


def test_people_of_another_partnership_are_refused_unless_visible(world):
    family = ashdowns(world)
    southerner = person(world.south, "Sam", "South", date(2015, 1, 1))
    with pytest.raises(ValidationError) as refused:
        record(world, family, london(2026, 3, 4, 22), children=(ChildAtIncident(southerner),))
    assert refused.value.message_dict["children"] == [f"Person {southerner.pk} is not known to you."]
    assert nothing_saved()


def test_auditors_and_admins_may_not_record(world):
    family = ashdowns(world)
    for user in (world.au, world.ad):
        with pytest.raises(PermissionDenied):
            record(world, family, london(2026, 3, 4, 22), by=user)


def test_sharing_grants_each_with_an_information_sharing_record(world):
    family = ashdowns(world)
    incident = record(world, family, london(2026, 3, 4, 22))
    # Police: view and change on the incident, view on its people.
    assert incidents_visible(world.po).filter(pk=incident.pk).exists()
    assert set(people_visible(world.po).values_list("pk", flat=True)) == {
        family.mother.pk, family.father.pk, family.ellie.pk, family.baby.pk
    }
    # Health visiting: both children have it recorded, so the incident and the children, not the adults.
    assert incidents_visible(world.hv).filter(pk=incident.pk).exists()
    assert set(people_visible(world.hv).values_list("pk", flat=True)) == {family.ellie.pk, family.baby.pk}
    # Children's social care by rule; adult mental health, the school and the other partnership: nothing.
    assert incidents_visible(world.sw).filter(pk=incident.pk).exists()
    for user in (world.mh, world.te, world.out, world.au):
        assert not incidents_visible(user).filter(pk=incident.pk).exists()
        assert not people_visible(user).exists()
    shares = set(InformationShare.objects.values_list("record_type", "record_id", "agency_id"))
    assert shares == {
        ("incident", incident.pk, world.police.pk),
        *{("person", p.pk, world.police.pk) for p in (family.mother, family.father, family.ellie, family.baby)},
        ("incident", incident.pk, world.health_visiting.pk),
        ("person", family.ellie.pk, world.health_visiting.pk),
        ("person", family.baby.pk, world.health_visiting.pk),
    }
    assert InformationShare.objects.count() == len(shares)
    share = InformationShare.objects.filter(agency=world.health_visiting, record_type="incident").get()
    assert (share.lawful_basis, share.what, share.created_by) == ("public_task", "Domestic-abuse notification",
                                                                  world.po)


def test_a_gp_practice_recorded_for_a_child_is_notified(world):
    gp = AgencyFactory.create(name="Riverside Medical Practice", kind="health", health_kind="gp",
                              partnerships=[world.north])
    doctor = UserFactory.create(username="gp", agency=gp)
    family = ashdowns(world)
    family.ellie.gp_practice = gp
    family.ellie.save()
    incident = record(world, family, london(2026, 3, 4, 22))
    assert incidents_visible(doctor).filter(pk=incident.pk).exists()
    assert list(people_visible(doctor)) == [family.ellie]


def test_operation_encompass_notice_for_the_school_age_child_only(world):
    teacher_manager = UserFactory.create(username="dsl", agency=world.school, role=Role.TEAM_MANAGER)
    family = ashdowns(world)
    # Wednesday 22:15: due 08:30 Thursday.
    incident = record(world, family, london(2026, 3, 4, 22, 15), reference="DA/77")
    notice = EncompassNotice.objects.get()
    assert notice.child == family.ellie  # the baby is not of school age
    assert (notice.school, notice.present, notice.spoken_to, notice.police_reference) == (
        world.school, True, True, "DA/77"
    )
    assert notice.due_by == london(2026, 3, 5, 8, 30)
    assert notice.sent_at is not None
    assert notice.incident == incident
    told = Notification.objects.filter(kind="encompass_notice")
    assert {n.recipient.username for n in told} == {"te", teacher_manager.username}
    assert {n.link for n in told} == {f"/encompass/{notice.pk}/"}
    assert list(encompass_notices_visible(world.te)) == [notice]


def test_a_notice_without_a_school_waits_unsent_and_friday_night_is_due_monday(world):
    family = ashdowns(world)
    family.ellie.school = None
    family.ellie.save()
    record(world, family, london(2026, 3, 6, 23, 30))
    notice = EncompassNotice.objects.get()
    assert (notice.school, notice.sent_at) == (None, None)
    assert notice.due_by == london(2026, 3, 9, 8, 30)
    assert not Notification.objects.filter(kind="encompass_notice").exists()
    assert not encompass_notices_visible(world.te).exists()


def test_a_child_neither_resident_nor_present_gets_no_notice(world):
    family = ashdowns(world)
    record(world, family, london(2026, 3, 4, 22), children=(ChildAtIncident(family.ellie, resident=False),))
    assert not EncompassNotice.objects.exists()


def test_three_incidents_in_12_months_flag_the_children_escalating_and_tell_the_mash_manager(world):
    family = ashdowns(world)
    record(world, family, london(2025, 1, 15, 21))  # outside the 12 months before the last one below
    record(world, family, london(2025, 12, 1, 21))
    second = record(world, family, london(2026, 2, 1, 21))
    assert not PersonFlag.objects.exists()
    assert set(IncidentChild.objects.filter(incident=second).values_list("child_id", flat=True))
    third = record(world, family, london(2026, 3, 1, 21))
    flags = {f.person_id: f for f in PersonFlag.objects.filter(kind="escalating")}
    assert set(flags) == {family.ellie.pk, family.baby.pk}
    flag = flags[family.ellie.pk]
    assert flag.incident_count == 3 and flag.reviewed_at is None
    assert "3 domestic-abuse incidents in the 12 months" in flag.reason
    assert "Between Kerry Ashdown and Dean Ashdown: 3." in flag.reason
    told = Notification.objects.filter(kind="escalating_review")
    assert {(n.recipient.username, n.subject_id) for n in told} == {("mm", f.pk) for f in flags.values()}
    note = told.get(subject_id=flag.pk)
    assert note.link == f"/people/{family.ellie.pk}/"
    assert note.due_at is not None and note.due_at > note.created_at
    assert third.risk_level == "standard"

    fourth = record(world, family, london(2026, 3, 20, 21), by=world.hv)  # any agency counts
    flag.refresh_from_db()
    assert flag.incident_count == 4 and flag.version == 2
    assert PersonFlag.objects.filter(kind="escalating").count() == 2
    assert Notification.objects.filter(kind="escalating_review").count() == 2  # not raised again
    assert fourth.pk


def test_a_high_risk_incident_creates_a_marac_task_and_tells_the_line_manager(world):
    sergeant = UserFactory.create(username="sergeant", agency=world.police, role=Role.TEAM_MANAGER,
                                  partnership=world.north)
    constable = UserFactory.create(username="pc", agency=world.police, role=Role.PRACTITIONER, partnership=world.north,
                            line_manager=sergeant)
    family = ashdowns(world)
    incident = record(world, family, london(2026, 3, 4, 22), yes=15, by=constable)
    referral = MaracReferral.objects.get()
    assert (referral.victim, referral.incident, referral.referred_at, referral.repeat) == (
        family.mother, incident, None, False
    )
    told = Notification.objects.get(kind="marac_referral_due")
    assert told.recipient == sergeant
    assert "refer Kerry Ashdown to the MARAC" in told.message
    assert not PersonFlag.objects.filter(kind="repeat_marac").exists()


def test_without_a_line_manager_the_agency_managers_are_told(world):
    sergeant = UserFactory.create(username="sergeant", agency=world.police, role=Role.TEAM_MANAGER,
                                  partnership=world.north)
    family = ashdowns(world)
    record(world, family, london(2026, 3, 4, 22), yes=15)
    assert list(Notification.objects.filter(kind="marac_referral_due").values_list("recipient", flat=True)) == [
        sergeant.pk
    ]


def test_an_incident_within_12_months_of_a_marac_referral_is_a_repeat_whatever_its_level(world):
    family = ashdowns(world)
    record(world, family, london(2025, 6, 1, 22), yes=16)
    record(world, family, london(2026, 5, 1, 22), yes=2)
    referrals = list(MaracReferral.objects.order_by("incident__occurred_at"))
    assert [r.repeat for r in referrals] == [False, True]
    flag = PersonFlag.objects.get(kind="repeat_marac")
    assert flag.person == family.mother
    # A third within 12 months keeps the one flag.
    record(world, family, london(2026, 6, 1, 22), yes=1)
    assert PersonFlag.objects.filter(kind="repeat_marac").count() == 1
    assert MaracReferral.objects.filter(repeat=True).count() == 2


def test_an_incident_more_than_12_months_after_the_referral_is_not_a_repeat(world):
    family = ashdowns(world)
    record(world, family, london(2025, 1, 1, 22), yes=16)
    record(world, family, london(2026, 1, 3, 22), yes=2)
    assert MaracReferral.objects.count() == 1
    assert not PersonFlag.objects.filter(kind="repeat_marac").exists()


def test_the_query_count_is_fixed_whatever_the_number_of_children(world):
    small = ashdowns(world)
    large = Family(
        mother=person(world.north, "Gina", "Bell", date(1990, 1, 1)),
        father=person(world.north, "Ray", "Bell", date(1988, 1, 1)),
        ellie=small.ellie, baby=small.baby,
    )
    many = [person(world.north, f"Child{i}", "Bell", date(2015, 1, 1 + i), school=world.school,
                   health_visiting=world.health_visiting) for i in range(8)]
    counts = []
    for family, children in (
        (small, (ChildAtIncident(small.ellie, present=True),)),
        (large, tuple(ChildAtIncident(c) for c in many)),
    ):
        with CaptureQueriesContext(connection) as queries:
            record(world, family, london(2026, 3, 4, 22), yes=15, children=children)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 30, counts


@pytest.mark.django_db(transaction=True)
def test_two_incidents_for_one_child_at_once_still_count_each_other(world, monkeypatch):
    """Without the lock each would count only itself and the earlier one, and the third incident would flag no one."""
    family = ashdowns(world)
    only_ellie = (ChildAtIncident(family.ellie, present=True),)
    record(world, family, london(2026, 1, 10, 22), children=only_ellie)
    barrier = threading.Barrier(2, timeout=20)
    lock = service._people_lock

    def lock_together(person_ids):
        barrier.wait()
        return lock(person_ids)

    monkeypatch.setattr(service, "_people_lock", lock_together)
    errors: list[BaseException] = []

    def run(day: int) -> None:
        try:
            record(world, family, london(2026, 2, day, 22), children=only_ellie)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(day,)) for day in (10, 11)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    flag = PersonFlag.objects.get(person=family.ellie, kind="escalating")
    assert flag.incident_count == 3
    assert Notification.objects.filter(kind="escalating_review", subject_id=flag.pk).count() == 1


def test_an_older_incident_entered_late_completes_the_pattern(world):
    family = ashdowns(world)
    only_ellie = (ChildAtIncident(family.ellie, present=True),)
    record(world, family, london(2026, 1, 10, 22), children=only_ellie)
    record(world, family, london(2026, 3, 10, 22), children=only_ellie)
    late = record(world, family, london(2026, 2, 10, 22), children=only_ellie)  # entered after March's
    flag = PersonFlag.objects.get(person=family.ellie, kind="escalating")
    assert flag.incident_count == 3
    assert "in the 12 months to 10 March 2026" in flag.reason
    # The page still counts the 12 months up to the incident itself.
    assert child_incident_counts([family.ellie.pk], late.occurred_at) == {family.ellie.pk: 2}
