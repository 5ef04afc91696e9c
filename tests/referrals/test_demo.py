"""SPEC 9: the demo's front door: a morning's triage queue, the chased health-visitor referral, and the rest."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Chase, Notification, User
from audits.demo_history import history_referrals
from referrals.models import AgencyCheck, Escalation, Referral
from referrals.selectors import triage_queue
from strategy_meetings.models import StrategyMeeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(capsys) -> None:
    call_command("seed_demo")
    capsys.readouterr()


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_the_mash_worker_has_a_mornings_queue_with_two_past_their_deadline(seeded):
    queue = triage_queue(user=user("mash.worker"))
    assert (queue.size, queue.overdue, len(queue.rows)) == (30, 2, 30)
    assert {row.time_left.state for row in queue.rows if row.referral.decision_due_at <= timezone.now()} == {
        "overdue"
    }
    rags = [row.referral.rag for row in queue.rows]
    assert {"red", "amber", "green", ""} <= set(rags)
    assert 0 < sum(row.referral.allocated_to_id is not None for row in queue.rows) < 30
    assert {row.referral.urgency for row in queue.rows} == set(Referral.Urgency.values)
    assert len({row.referral.referrer_agency_id for row in queue.rows}) >= 12
    # Siblings referred separately sit together, the second under the first.
    names = [[child.name for child in row.children] for row in queue.rows]
    for first, second in (("Mia Ashdown", "Leo Ashdown"), ("Ellie Novak", "Jakub Novak"),
                          ("Amira Hussain", "Zain Hussain")):
        rows = [index for index, children in enumerate(names) if first in children or second in children]
        assert len(rows) == 2 and rows[1] == rows[0] + 1
        assert queue.rows[rows[0]].group_size == 2 and not queue.rows[rows[1]].group_start
    flags = {child.name: child.flags for row in queue.rows for child in row.children}
    assert "escalating" in flags["Mia Ashdown"]
    assert "repeat_referral" in flags["Noah Bennett"]
    assert "protection_plan" in flags["Ruby Price"]


def test_agency_checks_one_answered_one_overdue(seeded):
    # The morning's checks (the year of history behind the dashboards has its own, all answered).
    checks = AgencyCheck.objects.exclude(referral__in=history_referrals()).select_related("agency")
    answered = checks.filter(answered_at__isnull=False)
    assert [check.agency.name for check in answered] == ["Northshire Adult Mental Health"]
    overdue = checks.filter(answered_at__isnull=True, due_at__lt=timezone.now())
    assert [check.agency.name for check in overdue] == ["Northshire Youth Justice Service"]
    assert checks.count() == 3


def test_the_health_visitor_referral_is_chased_at_level_2(seeded):
    olivia = Referral.objects.get(children__child__given_name="Olivia", children__child__family_name="Grant")
    assert olivia.status == Referral.Status.DECIDED
    assert olivia.referrer_agency.name == "Northshire Health Visiting"
    assert list(Chase.objects.filter(rule="decision_not_fed_back", subject_id=olivia.pk).order_by("level")
                .values_list("level", "recipient__username")) == [(1, "mash.manager"), (2, "senior.manager")]
    inbox = Notification.objects.get(recipient=user("senior.manager"), kind="decision_not_fed_back",
                                     link=f"/referrals/{olivia.pk}/")
    assert inbox.level == 2 and "Olivia Grant" in inbox.message and inbox.link == f"/referrals/{olivia.pk}/"
    assert Notification.objects.filter(recipient=user("mash.manager"), kind="decision_not_fed_back").exists()
    # Nothing else of the morning's was fed back late (the history's decisions never fed back were chased then).
    morning = Chase.objects.filter(rule="decision_not_fed_back").exclude(
        subject_id__in=[olivia.pk, *history_referrals().values_list("pk", flat=True)])
    assert morning.count() == 0


def test_the_other_decisions_a_strategy_meeting_and_an_escalation_at_stage_2(seeded):
    history = history_referrals()
    assert Referral.objects.filter(status=Referral.Status.FED_BACK).exclude(pk__in=history).count() == 2
    # The Morris children's meeting, convened by this morning's decision (the meetings' own demo adds others).
    meeting = StrategyMeeting.objects.exclude(referral__in=history).get(referral__isnull=False)
    assert meeting.due_by > timezone.now()
    assert meeting.referral is not None and meeting.referral.decision.outcome == "strategy_discussion"
    escalation = Escalation.objects.exclude(referral__in=history).get()
    assert (escalation.stage, escalation.status) == (2, Escalation.Status.OPEN)
    assert list(escalation.stages.values_list("number", "outcome")) == [(1, "timed_out"), (2, "")]
    stage_2 = escalation.stages.get(number=2)
    assert stage_2.respondent == user("senior.manager") and stage_2.due_at > timezone.now()
    assert Notification.objects.filter(recipient=user("senior.manager"), kind="escalation",
                                       link=f"/escalations/{escalation.pk}/").exists()


def test_seeding_again_adds_nothing(seeded):
    counts = (Referral.objects.count(), Notification.objects.count(), Chase.objects.count())
    call_command("seed_demo")
    assert (Referral.objects.count(), Notification.objects.count(), Chase.objects.count()) == counts
