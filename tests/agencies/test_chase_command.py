"""API.md "Commands": ``manage.py chase [--now ISO-8601]``."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from agencies.chasers import chase_rules
from agencies.models import Chase, Notification, TrainingRecord
from agencies.services import training_record_create

pytestmark = pytest.mark.django_db


def chase(*args: str) -> list[str]:
    out = StringIO()
    call_command("chase", *args, stdout=out)
    return out.getvalue().splitlines()


def lines_by_rule(lines: list[str]) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in lines)


@pytest.fixture
def expired(world) -> TrainingRecord:
    # Thursday 6 March 2025: overdue Friday 09:00, escalated Monday and Tuesday 09:00.
    return training_record_create(
        user=world.sw, course=TrainingRecord.Course.DASH, completed_on=date(2022, 3, 6), expires_on=date(2025, 3, 6)
    )


def test_one_line_per_rule_with_its_counts(expired, mailoutbox):
    lines = chase("--now", "2025-03-07T09:30:00+00:00")
    assert set(lines_by_rule(lines)) == {rule.name for rule in chase_rules()}
    assert len(lines) == len(chase_rules())
    assert "training_expired: 1 reminder, 0 escalations" in lines
    # The command e-mails what it sent.
    assert [m.to for m in mailoutbox] == [[expired.user.email]]

    assert "training_expired: 0 reminders, 0 escalations" in chase("--now", "2025-03-07T09:35:00+00:00")
    assert len(mailoutbox) == 1


def test_a_late_run_sends_every_level_that_fell_due_once(expired):
    assert "training_expired: 1 reminder, 2 escalations" in chase("--now", "2025-03-12T10:00:00Z")
    assert "training_expired: 0 reminders, 0 escalations" in chase("--now", "2025-03-12T10:00:00Z")
    assert Chase.objects.count() == Notification.objects.count() == 3


def test_rule_option_runs_only_that_rule(expired):
    assert chase("--now", "2025-03-10T09:00:00+00:00", "--rule", "training_expired") == [
        "training_expired: 1 reminder, 1 escalation"
    ]


def test_without_now_it_runs_as_at_the_present(world):
    assert "training_expired: 0 reminders, 0 escalations" in chase()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2025-03-07T09:30:00", "no time zone offset"),
        ("2025-03-07", "no time zone offset"),
        ("yesterday", "not an ISO-8601"),
        ("2025-13-07T09:30:00Z", "not an ISO-8601"),
    ],
)
def test_a_bad_now_is_a_clear_error(world, value, says):
    with pytest.raises(CommandError, match=says):
        chase("--now", value)
    assert not Chase.objects.exists()


def test_an_unknown_rule_is_a_clear_error(world):
    with pytest.raises(CommandError, match="Unknown rule no_such_rule; the rules are: .*training_expired"):
        chase("--rule", "no_such_rule")
