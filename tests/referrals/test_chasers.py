"""SPEC 5: the front door's chasers on the chase engine: referral decision, decision not fed back, agency check
unanswered, escalation stage unanswered (which opens the next stage on its own)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.chasers import chase_rules, chase_run
from agencies.models import Agency, Chase, Membership, Notification, Role
from agencies.selectors import calendars_for
from referrals import services
from referrals.models import AgencyCheck, Escalation, EscalationStage, Referral
from referrals.services import NewChild
from tests.chase_helpers import chased, london, message, sweep
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db










def the_rule(name: str):
    return next(rule for rule in chase_rules() if rule.name == name)


# Monday 3 March 2025, 10:00: the decision is due on Tuesday at 10:00, and each level a working day later.
RECEIVED = london(2025, 3, 3, 10)
DECISION_DUE = london(2025, 3, 4, 10)


def referral(world, *, children=("Ellie Fox",), received_at: datetime = RECEIVED, by=None, **extra) -> Referral:
    return services.referral_create(
        by=by or world.mw, received_at=received_at, referrer_agency=world.police,
        new_children=[NewChild(name.split()[0], name.split()[1], date_of_birth=date(2018, 5, index + 1))
                      for index, name in enumerate(children)],
        concerns="Police attended a domestic incident; the children were present.",
        categories=["domestic_abuse"], consent="given", referrer_name="PC Jane Hart", **extra,
    )


DECIDED = london(2025, 3, 3, 14)


def decided(world, *, by=None, decided_at: datetime = DECIDED, **extra) -> Referral:
    made = referral(world, **extra)
    services.referral_decide(referral=made, by=by or world.mm, outcome="no_further_action",
                             rationale="Police have safeguarded; no role for children's social care.",
                             decided_at=decided_at)
    made.refresh_from_db()
    return made


def test_the_rules_are_registered():
    assert {(rule.name, rule.subject_type, rule.levels) for rule in chase_rules()} >= {
        ("referral_decision", "referral", 3),
        ("decision_not_fed_back", "referral", 2),
        ("agency_check_unanswered", "agency_check", 2),
        ("escalation_stage_unanswered", "escalation_stage", 1),
    }


# -- referral decision --------------------------------------------------------------------------------------


def test_a_referral_without_a_decision_climbs_from_the_allocated_practitioner_to_the_senior_manager(world):
    made = referral(world, children=("Ellie Fox", "Sam Fox"))
    assert made.decision_due_at == DECISION_DUE
    services.referral_allocate(referral=made, by=world.mm, to=world.mw)
    assert sweep("referral_decision", DECISION_DUE - timedelta(minutes=1)).reminders == 0
    for _ in range(2):
        sweep("referral_decision", DECISION_DUE)
    assert chased("referral_decision") == [(1, "mw")]
    note = Notification.objects.get(kind="referral_decision")
    assert (note.subject_type, note.subject_id, note.link) == ("referral", made.pk, f"/referrals/{made.pk}/")
    assert note.message == (
        "Reminder: the referral about Ellie Fox and Sam Fox from Shire Police, received on 3 March 2025 at 10:00,"
        " needed a decision by 4 March 2025 at 10:00 and is still waiting for one. Please decide it, or ask the"
        " MASH manager to."
    )
    assert sweep("referral_decision", london(2025, 3, 5, 9, 59)).escalations == 0
    sweep("referral_decision", london(2025, 3, 5, 10))
    assert chased("referral_decision") == [(1, "mw"), (2, "mm")]
    assert message("referral_decision", 2).startswith("Escalation (level 2 of 3): the referral about Ellie Fox")
    sweep("referral_decision", london(2025, 3, 6, 10))
    sweep("referral_decision", london(2025, 6, 1, 10))
    assert chased("referral_decision") == [(1, "mw"), (2, "mm"), (3, "sm")]


def test_a_friday_referral_before_a_bank_holiday_is_chased_on_tuesday(world):
    # 16:00 on Friday 23 May 2025; Monday 26 May is the spring bank holiday.
    made = referral(world, received_at=london(2025, 5, 23, 16))
    assert made.decision_due_at == london(2025, 5, 27, 16)
    assert sweep("referral_decision", london(2025, 5, 27, 15, 59)).reminders == 0
    assert sweep("referral_decision", london(2025, 5, 27, 16)).reminders == 1


def test_an_unallocated_referral_goes_to_the_mash_manager_first(world):
    referral(world)
    sweep("referral_decision", DECISION_DUE)
    assert chased("referral_decision") == [(1, "mm")]
    assert message("referral_decision", 1).endswith(
        "No one is recorded as the allocated MASH practitioner, so this comes to you as the MASH manager."
    )


def test_a_decision_stops_the_referral_chase(world):
    made = referral(world)
    sweep("referral_decision", DECISION_DUE)
    services.referral_decide(referral=made, by=world.mm, outcome="no_further_action", rationale="Safeguarded.",
                             decided_at=london(2025, 3, 4, 11))
    assert sweep("referral_decision", london(2025, 3, 7, 10)).escalations == 0
    assert chased("referral_decision") == [(1, "mm")]


# -- decision not fed back ----------------------------------------------------------------------------------

# Decided at 14:00 on Monday 3 March 2025: feedback due Tuesday 14:00, the MASH manager told Wednesday 14:00.
FEEDBACK_DUE = london(2025, 3, 4, 14)
FEEDBACK_LEVEL_2 = london(2025, 3, 5, 14)


def test_an_unshared_decision_reminds_its_maker_then_the_mash_manager_a_working_day_later(world):
    made = decided(world, by=world.sm)
    assert sweep("decision_not_fed_back", FEEDBACK_DUE - timedelta(minutes=1)).reminders == 0
    for _ in range(2):
        chase_run(now=FEEDBACK_DUE)
    assert chased("decision_not_fed_back") == [(1, "sm")]
    note = Notification.objects.get(kind="decision_not_fed_back")
    assert (note.subject_type, note.subject_id, note.link) == ("referral", made.pk, f"/referrals/{made.pk}/")
    assert note.message == (
        "Reminder: the decision on the referral about Ellie Fox (no further action, made on 3 March 2025 at"
        " 14:00) has not been fed back to the referrer, PC Jane Hart of Shire Police. Please tell PC Jane Hart"
        " of Shire Police the outcome and record how you told them."
    )
    assert sweep("decision_not_fed_back", FEEDBACK_LEVEL_2 - timedelta(minutes=1)).escalations == 0
    out = StringIO()
    for _ in range(2):
        chase_run(now=FEEDBACK_LEVEL_2)
        call_command("chase", "--now", FEEDBACK_LEVEL_2.isoformat(), stdout=out)
    assert "decision_not_fed_back: 0 reminders, 0 escalations" in out.getvalue()
    assert chased("decision_not_fed_back") == [(1, "sm"), (2, "mm")]
    assert message("decision_not_fed_back", 2).startswith(
        "Escalation (level 2 of 2): the decision on the referral about Ellie Fox"
    )
    assert Chase.objects.filter(rule="decision_not_fed_back").count() == 2


def test_recording_the_feedback_stops_the_chase(world):
    made = decided(world, by=world.sm)
    chase_run(now=FEEDBACK_DUE)
    services.referral_feedback_record(referral=made, by=world.mw, method="phone")
    call_command("chase", "--now", FEEDBACK_LEVEL_2.isoformat(), stdout=StringIO())
    assert sweep("decision_not_fed_back", london(2025, 4, 1, 9)).escalations == 0
    assert chased("decision_not_fed_back") == [(1, "sm")]


def test_a_decision_fed_back_in_time_is_never_chased(world):
    made = decided(world)
    services.referral_feedback_record(referral=made, by=world.mw, method="secure_email")
    assert sweep("decision_not_fed_back", FEEDBACK_LEVEL_2).reminders == 0
    assert chased("decision_not_fed_back") == []


def test_when_the_mash_manager_decided_their_line_manager_is_told_never_themselves_twice(world):
    head = UserFactory.create(username="head_of_mash", agency=world.csc, role=Role.TEAM_MANAGER,
                              line_manager=world.sm)
    Membership.objects.filter(user=world.mm).update(line_manager=head)
    decided(world, by=world.mm)
    chase_run(now=FEEDBACK_LEVEL_2)
    assert chased("decision_not_fed_back") == [(1, "mm"), (2, "head_of_mash")]


def test_without_a_line_manager_it_falls_through_to_the_senior_manager(world):
    Membership.objects.filter(user=world.mm).update(line_manager=None)
    decided(world, by=world.mm)
    chase_run(now=FEEDBACK_LEVEL_2)
    assert chased("decision_not_fed_back") == [(1, "mm"), (2, "sm")]


# -- agency check unanswered --------------------------------------------------------------------------------

# Due at the close of Tuesday 4 March 2025; a working day on from the close of a day is 09:00 on Thursday.
CHECK_DUE = london(2025, 3, 4, 17)
CHECK_LEVEL_2 = london(2025, 3, 6, 9)


def check_for(world, agency: Agency, *, made: Referral | None = None) -> AgencyCheck:
    made = made or referral(world)
    check = services.agency_check_request(referral=made, by=world.mw, agency=agency, question="Known to you?")
    # The service stamps the request with the real time; the chase is proved on fixed working days.
    AgencyCheck.objects.filter(pk=check.pk).update(requested_at=london(2025, 3, 3, 11), due_at=CHECK_DUE)
    return check


def test_an_unanswered_check_goes_to_the_agency_then_its_manager(world):
    sergeant = UserFactory.create(username="sergeant", agency=world.police, role=Role.TEAM_MANAGER,
                                  partnership=world.north)
    # An officer of the same force working in the other partnership is not this partnership's inbox.
    UserFactory.create(username="south_officer", agency=world.police, partnership=world.south)
    check = check_for(world, world.police)
    assert sweep("agency_check_unanswered", CHECK_DUE - timedelta(minutes=1)).reminders == 0
    for _ in range(2):
        sweep("agency_check_unanswered", CHECK_DUE)
    assert chased("agency_check_unanswered") == [(1, "po")]
    note = Notification.objects.get(kind="agency_check_unanswered")
    assert (note.subject_type, note.subject_id, note.link) == ("agency_check", check.pk, f"/checks/{check.pk}/")
    assert note.message == (
        "Reminder: the MASH asked Shire Police what it knows about Ellie Fox, and the answer was due on 4 March"
        " 2025 at 17:00. Please answer the check, even if your agency holds nothing."
    )
    assert sweep("agency_check_unanswered", CHECK_LEVEL_2 - timedelta(minutes=1)).escalations == 0
    for _ in range(2):
        sweep("agency_check_unanswered", CHECK_LEVEL_2)
    assert chased("agency_check_unanswered") == [(1, "po"), (2, sergeant.username)]
    assert message("agency_check_unanswered", 2) == (
        f"Escalation (level 2 of 2): Shire Police has not answered the MASH's check on the referral about Ellie"
        f" Fox (referral {check.referral_id}), due on 4 March 2025 at 17:00."
    )


def test_an_agency_with_no_practitioner_here_is_chased_through_its_manager(world):
    housing = AgencyFactory.create(name="North Homes", kind=Agency.Kind.HOUSING, partnerships=[world.north])
    UserFactory.create(username="housing_manager", agency=housing, role=Role.TEAM_MANAGER)
    check_for(world, housing)
    sweep("agency_check_unanswered", CHECK_DUE)
    assert chased("agency_check_unanswered") == [(1, "housing_manager")]
    assert message("agency_check_unanswered", 1).endswith(
        "No one is recorded as a practitioner of the agency, so this comes to you as the agency's manager."
    )


def test_answering_the_check_stops_the_chase(world):
    check = check_for(world, world.police)
    sweep("agency_check_unanswered", CHECK_DUE)
    services.agency_check_answer(check=check, by=world.po, information="Two call-outs to the address in 2024.")
    assert sweep("agency_check_unanswered", CHECK_LEVEL_2).escalations == 0
    assert chased("agency_check_unanswered") == [(1, "po")]


# -- escalation stage unanswered ----------------------------------------------------------------------------

# Stage 1 opened on Monday 3 March 2025 at 10:00 and due in 2 working days: Wednesday 5 March, 10:00.
STAGE_1_DUE = london(2025, 3, 5, 10)


def escalation(world) -> Escalation:
    made = decided(world, received_at=london(2025, 2, 27, 10), decided_at=london(2025, 2, 28, 12))
    services.referral_feedback_record(referral=made, by=world.mw, method="phone")
    raised = services.escalation_raise(referral=made, by=world.po, reason="The children are still at risk.")
    # The service stamps the escalation with the real time; its stage's deadline is proved on fixed days.
    Escalation.objects.filter(pk=raised.pk).update(raised_at=london(2025, 3, 3, 10))
    EscalationStage.objects.filter(escalation=raised, number=1).update(opened_at=london(2025, 3, 3, 10),
                                                                      due_at=STAGE_1_DUE)
    return raised


def test_an_unanswered_stage_one_opens_stage_two_on_its_own_at_its_deadline(world):
    raised = escalation(world)
    assert sweep("escalation_stage_unanswered", STAGE_1_DUE - timedelta(minutes=1)).reminders == 0
    assert raised.stages.count() == 1
    for _ in range(2):
        chase_run(now=STAGE_1_DUE)
    call_command("chase", "--now", STAGE_1_DUE.isoformat(), stdout=StringIO())

    stage_1, stage_2 = raised.stages.order_by("number")
    assert (stage_1.outcome, stage_1.responded_at) == (EscalationStage.Outcome.TIMED_OUT, STAGE_1_DUE)
    assert (stage_2.number, stage_2.respondent, stage_2.opened_at) == (2, world.sm, STAGE_1_DUE)
    # 5 working days: Wednesday to the next Wednesday.
    assert stage_2.due_at == london(2025, 3, 12, 10)
    raised.refresh_from_db()
    assert (raised.stage, raised.status) == (2, Escalation.Status.OPEN)
    # The stage-1 respondent is told it moved on; stage 2's respondent is told it is theirs, with its deadline.
    assert chased("escalation_stage_unanswered") == [(1, "mm")]
    note = Notification.objects.get(kind="escalation_stage_unanswered")
    assert note.link == f"/escalations/{raised.pk}/"
    assert note.message == (
        f"Not answered in time: stage 1 (practitioner) of Shire Police's disagreement with the decision on the"
        f" referral about Ellie Fox (referral {raised.referral_id}) was due an answer by 5 March 2025 at 10:00,"
        " so it has moved on its own to stage 2 (line manager)."
    )
    told = Notification.objects.get(kind="escalation", recipient=world.sm)
    assert "stage 2 (line manager) is yours to answer" in told.message
    assert told.due_at == london(2025, 3, 12, 10)

    # Stage 2 climbs in its turn, once.
    assert sweep("escalation_stage_unanswered", london(2025, 3, 12, 9, 59)).reminders == 0
    for _ in range(2):
        sweep("escalation_stage_unanswered", london(2025, 3, 12, 10))
    assert list(raised.stages.values_list("number", "outcome")) == [(1, "timed_out"), (2, "timed_out"), (3, "")]
    assert chased("escalation_stage_unanswered") == [(1, "mm"), (1, "sm")]


def test_an_answered_stage_is_not_chased(world):
    raised = escalation(world)
    services.escalation_respond(escalation=raised, by=world.mm, outcome="resolved",
                                response="Agreed: we will reconsider with the new information.")
    assert sweep("escalation_stage_unanswered", STAGE_1_DUE).reminders == 0
    assert raised.stages.count() == 1


def test_the_partnership_stage_is_reminded_but_does_not_climb(world):
    raised = escalation(world)
    for number, by in ((1, world.mm), (2, world.sm), (3, world.sm)):
        services.escalation_respond(escalation=raised, by=by, outcome="escalate", response=f"Stage {number}: no.")
    stage_4 = EscalationStage.objects.get(escalation=raised, number=4)
    EscalationStage.objects.filter(pk=stage_4.pk).update(due_at=STAGE_1_DUE)
    for _ in range(2):
        sweep("escalation_stage_unanswered", STAGE_1_DUE)
    stage_4.refresh_from_db()
    assert stage_4.outcome == ""
    assert raised.stages.count() == 4
    assert Notification.objects.get(kind="escalation_stage_unanswered").message.endswith(
        "Please record the partnership's final answer."
    )


# -- one query per rule, and sweeps that do not grow with the work ------------------------------------------


@pytest.mark.parametrize(
    ("rule", "make", "now"),
    [
        ("referral_decision", lambda world: referral(world), DECISION_DUE),
        ("decision_not_fed_back", lambda world: decided(world), FEEDBACK_DUE),
        ("agency_check_unanswered", lambda world: check_for(world, world.police), CHECK_DUE),
        ("escalation_stage_unanswered", escalation, STAGE_1_DUE),
    ],
)
def test_each_rule_finds_its_overdue_work_in_one_query(world, django_assert_num_queries, rule, make, now):
    for _ in range(3):
        make(world)
    calendars = calendars_for()
    with django_assert_num_queries(1):
        items = list(the_rule(rule).overdue(now, calendars))
    assert len(items) == 3 and all(item.overdue_at == now for item in items)


@pytest.mark.parametrize(
    ("rule", "make", "now"),
    [
        ("referral_decision", lambda world: referral(world), DECISION_DUE),
        ("decision_not_fed_back", lambda world: decided(world), FEEDBACK_DUE),
        ("agency_check_unanswered", lambda world: check_for(world, world.police), CHECK_DUE),
    ],
)
def test_a_sweep_takes_as_many_queries_for_ten_items_as_for_one(world, rule, make, now):
    def counted() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            result = sweep(rule, now)
        return result.reminders, len(queries)

    make(world)
    one = counted()
    for _ in range(10):
        make(world)
    ten = counted()
    assert (one[0], ten[0]) == (1, 10)
    assert ten[1] == one[1]
