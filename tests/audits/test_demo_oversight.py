"""SPEC 9, the oversight story: the demo's improvement plan with a red action, its audit round half-way, training
compliance below target, and a year of history with timescales both met and missed, counted from the records."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from agencies.chasers import chase_run
from agencies.models import Partnership, TrainingRecord, User
from agencies.rules import DEFAULT_TZ
from agencies.selectors import calendar_for
from agencies.training import staff_in_scope, staff_with_compliance
from audits.demo import ROUND_SEED
from audits.models import (
    AuditAnswer,
    AuditCase,
    AuditQuestion,
    AuditReview,
    AuditRound,
    ImprovementAction,
    ImprovementPlan,
    ProgressUpdate,
    Rag,
)
from audits.sampling import sample_draw
from cases.models import Case, ChildVoice, EncompassNotice, MaracReferral, PersonFlag
from cases.selectors.cases import children_unheard
from referrals.models import AgencyCheck, Decision, Escalation, EscalationStage, Referral, ReferralChild
from referrals.rules import feedback_due_at
from strategy_meetings.models import Invitation, StrategyMeeting

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[datetime]:
    """The demo seeded once for the module (it is the slowest thing the tests do), rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["tests.hashers.QuickArgon2PasswordHasher"]):
        with transaction.atomic():
            before = timezone.now()
            call_command("seed_demo", stdout=io.StringIO())
            yield before
            transaction.set_rollback(True)


def _local(at: datetime) -> date:
    return at.astimezone(DEFAULT_TZ).date()


def _month(at: datetime) -> date:
    return _local(at).replace(day=1)


def _both(flags: list[bool]) -> bool:
    return any(flags) and not all(flags)


T = TypeVar("T")


def _set(value: T | None) -> T:
    assert value is not None
    return value


class _Held:
    """A held meeting's times, each one set."""

    def __init__(self, meeting: StrategyMeeting) -> None:
        self.outcome = meeting.outcome
        self.due_by = meeting.due_by
        self.held_at = _set(meeting.held_at)
        self.minutes_at = _set(meeting.minutes_distributed_at)
        self.conference_due = meeting.icpc_due_by
        self.conference_at = meeting.icpc_at


# -- The improvement plan ------------------------------------------------------------------------------------


def test_the_plan_has_the_five_themes_a_red_overdue_action_and_quarterly_evidence(seeded):
    today = timezone.localdate()
    plan = ImprovementPlan.objects.get(title="Safeguarding partnership improvement plan")
    assert plan.status == ImprovementPlan.Status.ACTIVE
    assert today - relativedelta(months=5, days=3) <= plan.starts_on <= today - relativedelta(months=5) + timedelta(3)
    assert [theme.title for theme in plan.themes.all()] == [
        "Priority action: strategy meetings", "Front door", "Practice and workforce", "Leadership",
        "Voice of the child",
    ]
    actions = list(ImprovementAction.objects.filter(theme__plan=plan).select_related("owner_agency"))
    assert {action.timescale_months for action in actions} == {3, 6, 9, 12}
    assert all(action.due_on == plan.starts_on + relativedelta(months=action.timescale_months) for action in actions)
    assert len({action.owner_agency.kind for action in actions}) >= 2
    assert all(action.expected_impact for action in actions)
    overdue_red = [a for a in actions if a.rag == Rag.RED and a.status == "open" and a.due_on < today]
    assert len(overdue_red) == 1 and "strategy meeting" in overdue_red[0].description
    done = [action for action in actions if action.status == ImprovementAction.Status.DONE]
    assert len(done) == 1 and done[0].done_at is not None
    assert {Rag.GREEN, Rag.AMBER} <= {action.rag for action in actions}
    # Quarterly progress with evidence: the plan's first quarter and the next, each action's RAG its latest.
    updates = ProgressUpdate.objects.filter(action__theme__plan=plan)
    assert updates.count() >= len(actions) and all(update.evidence for update in updates)
    assert len(set(updates.values_list("quarter_starts_on", flat=True))) == 2
    for action in actions:
        latest = action.updates.order_by("-quarter_starts_on").first()
        if latest is not None:
            assert action.rag == latest.rag


# -- The audit round -----------------------------------------------------------------------------------------


def test_the_round_of_ten_is_half_way_and_draws_the_same_ten_again(seeded):
    audit_round = AuditRound.objects.get()
    today = timezone.localdate()
    assert (audit_round.theme, audit_round.sample_size, audit_round.seed) == ("Domestic abuse", 10, ROUND_SEED)
    assert audit_round.status == AuditRound.Status.OPEN and audit_round.closed_at is None
    assert today + timedelta(days=14) <= audit_round.closes_on <= today + timedelta(days=28)
    assert seeded - timedelta(days=28) <= audit_round.drawn_at <= seeded - timedelta(days=14)
    assert list(audit_round.auditors.values_list("username", flat=True)) == ["auditor"]
    sampled = list(AuditCase.objects.filter(round=audit_round).order_by("position").values_list("case_id", flat=True))
    assert len(sampled) == 10
    assert sample_draw(partnership_id=audit_round.partnership_id, seed=audit_round.seed, size=10,
                       drawn_at=audit_round.drawn_at) == sampled

    reviews = list(AuditReview.objects.filter(audit_case__round=audit_round).select_related("agency", "audit_case"))
    reviewed = {review.audit_case_id for review in reviews}
    assert len(reviewed) == 5
    assert all(review.agency.kind == "childrens_social_care" and review.reviewer.username == "auditor"
               for review in reviews)
    assert audit_round.created_by is not None and audit_round.created_by.username == "senior.manager"
    for review in reviews:
        answered = set(AuditAnswer.objects.filter(review=review).values_list("question", flat=True))
        assert answered == set(AuditQuestion.values) and review.grade
    moderated = AuditCase.objects.filter(round=audit_round).exclude(moderated_grade="")
    assert moderated.count() == 3
    assert all(case.findings and case.learning_points and case.moderated_at for case in moderated)
    raised = ImprovementAction.objects.get(audit_round=audit_round)
    assert raised.audit_case is not None and raised.audit_case.round_id == audit_round.pk
    assert raised.theme.plan.title == "Safeguarding partnership improvement plan"


# -- Training ------------------------------------------------------------------------------------------------


def test_training_compliance_is_below_target_with_some_expiring_and_some_expired(seeded):
    partnership = Partnership.objects.get(code="NSP")
    today = timezone.localdate()
    staff = staff_with_compliance(staff_in_scope(partnership_id=partnership.pk), as_of=today)
    compliant, total = staff.filter(compliant=True).count(), staff.count()
    assert total == 40
    assert 0.55 <= compliant / total <= 0.65 < partnership.training_target_percent / 100
    records = TrainingRecord.objects.filter(user__membership__partnership=partnership)
    expiring = records.filter(expires_on__gt=today, expires_on__lte=today + timedelta(days=30))
    assert expiring.count() >= 3
    assert records.filter(expires_on__lte=today).count() >= 3


# -- A year of history ---------------------------------------------------------------------------------------


def test_referral_decisions_and_feedback_span_a_year_met_and_missed_and_improving(seeded):
    partnership = Partnership.objects.get(code="NSP")
    calendar = calendar_for(partnership)
    decisions = list(Decision.objects.select_related("referral"))
    months = {_month(d.referral.received_at) for d in decisions}
    assert len(months) >= 12
    assert min(d.referral.received_at for d in decisions) <= seeded - timedelta(days=330)
    assert all(d.decided_at > d.referral.received_at for d in decisions)

    on_time: dict[date, list[bool]] = {}
    for decision in decisions:
        on_time.setdefault(_month(decision.referral.received_at), []).append(
            decision.decided_at <= decision.referral.decision_due_at)
    ordered = [on_time[month] for month in sorted(on_time)]
    assert sum(_both(flags) for flags in ordered) >= 10
    first = [flag for flags in ordered[1:4] for flag in flags]
    last = [flag for flags in ordered[-4:-1] for flag in flags]
    assert sum(first) / len(first) <= 0.7 < 0.8 <= sum(last) / len(last)

    fed_back_in_time = [
        hasattr(d.referral, "feedback") and d.referral.feedback.shared_at <= feedback_due_at(d.decided_at, calendar)
        for d in Decision.objects.select_related("referral__feedback")
    ]
    assert 0.5 <= sum(fed_back_in_time) / len(fed_back_in_time) <= 0.7
    never = Referral.objects.filter(status=Referral.Status.DECIDED, decision__decided_at__lt=seeded - timedelta(30))
    assert 2 <= never.count() <= 5
    assert ReferralChild.objects.filter(repeat=True).count() >= 10


def test_agency_checks_meetings_conferences_and_assessments_are_met_and_missed(seeded):
    partnership = Partnership.objects.get(code="NSP")
    calendar = calendar_for(partnership)
    checks: dict[str, list[bool]] = {}
    for check in AgencyCheck.objects.filter(answered_at__isnull=False).select_related("agency"):
        checks.setdefault(check.agency.name, []).append(_set(check.answered_at) <= check.due_at)
    for agency in ("Northshire Police", "Riverside Medical Practice", "Northgate Primary School"):
        assert _both(checks[agency]), agency
    assert sum(checks["Northshire Police"]) / len(checks["Northshire Police"]) > 0.8
    assert sum(checks["Riverside Medical Practice"]) / len(checks["Riverside Medical Practice"]) < 0.5

    held = [_Held(m) for m in StrategyMeeting.objects.filter(status=StrategyMeeting.Status.HELD)]
    assert len({_month(meeting.held_at) for meeting in held}) >= 6
    assert all(meeting.outcome for meeting in held)
    assert _both([meeting.held_at <= meeting.due_by for meeting in held])
    assert _both([meeting.minutes_at <= calendar.add_working_days(meeting.held_at, 1) for meeting in held])
    conferences = [meeting for meeting in held if meeting.conference_due is not None]
    assert all(meeting.conference_at is not None for meeting in conferences)
    assert _both([_local(_set(m.conference_at)) <= _set(m.conference_due) for m in conferences])
    not_held = StrategyMeeting.objects.filter(status=StrategyMeeting.Status.CONSIDERED_NOT_HELD)
    assert not_held.count() >= 2 and all(meeting.not_held_rationale for meeting in not_held)
    responses = set(Invitation.objects.filter(meeting__status="held").values_list("response", flat=True))
    assert {"attended", "sent_information", "apologies"} <= responses

    assessed = Case.objects.filter(assessment_completed_on__isnull=False).values_list(
        "assessment_started_on", "assessment_completed_on")
    within = [
        _set(completed) <= calendar.add_working_days(datetime.combine(_set(started), time(12), DEFAULT_TZ), 45).date()
        for started, completed in assessed
    ]
    assert len(within) >= 10 and _both(within)
    assert Case.objects.filter(status=Case.Status.CLOSED).exists()


def test_voices_incidents_marac_encompass_and_escalations(seeded):
    now = timezone.now()
    open_cases = Case.objects.exclude(status=Case.Status.CLOSED).select_related("child")
    heard = [ChildVoice.objects.filter(child=case.child, recorded_at__gt=now - timedelta(weeks=6)).exists()
             for case in open_cases]
    assert _both(heard) and sum(heard) / len(heard) >= 0.6
    under_fives = ChildVoice.objects.filter(child__date_of_birth__gt=timezone.localdate() - relativedelta(years=5))
    assert {"observation", "play"} <= set(under_fives.values_list("method", flat=True))

    notices = list(EncompassNotice.objects.filter(sent_at__isnull=False))
    assert _both([_set(notice.sent_at) <= notice.due_by for notice in notices])
    assert MaracReferral.objects.filter(repeat=True).exists() and MaracReferral.objects.filter(repeat=False).exists()
    assert PersonFlag.objects.filter(kind=PersonFlag.Kind.ESCALATING, reviewed_at__isnull=False).exists()

    stages = set(EscalationStage.objects.exclude(outcome="").values_list("number", "outcome"))
    assert {(1, "resolved"), (1, "escalate"), (1, "timed_out"), (2, "resolved"), (4, "resolved")} <= stages
    assert {Escalation.Status.RESOLVED, Escalation.Status.CONCLUDED, Escalation.Status.OPEN} == set(
        Escalation.objects.values_list("status", flat=True))


def test_the_history_leaves_no_old_work_open(seeded):
    month_ago = timezone.now() - timedelta(days=30)
    assert not Referral.objects.filter(status=Referral.Status.AWAITING_DECISION, received_at__lt=month_ago).exists()
    assert not AgencyCheck.objects.filter(answered_at__isnull=True, requested_at__lt=month_ago).exists()
    assert not StrategyMeeting.objects.filter(status__in=["due", "scheduled"], due_by__lt=month_ago).exists()
    assert not StrategyMeeting.objects.filter(status="held", minutes_distributed_at__isnull=True).exists()
    assert not EncompassNotice.objects.filter(sent_at__isnull=True, due_by__lt=month_ago).exists()
    # A sweep now sends nothing about the history's referrals, checks, meetings, notices or escalations; of the
    # children's voices, only the two children last heard over six weeks ago (each reminded, then escalated).
    results = chase_run(now=timezone.now())
    assert not any(result.failed for result in results)
    sent = {result.rule: result.reminders + result.escalations for result in results}
    quiet = ("decision_not_fed_back", "operation_encompass", "minutes_not_distributed", "conference_date_not_set",
             "invited_agency_silent", "meeting_action_overdue", "strategy_meeting_not_held",
             "escalation_stage_unanswered", "escalating_child_unreviewed", "plan_action_overdue")
    assert [rule for rule in quiet if sent.get(rule)] == []
    assert sent.get("agency_check_unanswered", 0) <= 1 and sent.get("child_voice_overdue", 0) <= 4
    # The social worker's home still shows the lived-experience story's unheard children among the first five.
    social_worker = User.objects.get(username="social.worker")
    unheard = [case.child.full_name for case, _ in children_unheard(user=social_worker, now=timezone.now())][:5]
    assert "Liam Brennan" in unheard and "Ruby Price" in unheard
    assert Referral.objects.filter(status=Referral.Status.DECIDED).count() <= 5


def test_seeding_again_changes_none_of_it(seeded):
    counts = (Referral.objects.count(), AuditRound.objects.count(), ImprovementAction.objects.count(),
              TrainingRecord.objects.count(), ChildVoice.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Referral.objects.count(), AuditRound.objects.count(), ImprovementAction.objects.count(),
            TrainingRecord.objects.count(), ChildVoice.objects.count()) == counts
