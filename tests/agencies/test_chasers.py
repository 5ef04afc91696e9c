"""SPEC 5: the chase engine, proved end to end with the training_expired rule."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agencies import chasers, services
from agencies.chasers import chase_rules, chase_run
from agencies.models import Chase, ClosureDay, Notification, Role, TrainingRecord, User
from agencies.rules import DEFAULT_TZ
from agencies.selectors import ChasePeople
from agencies.services import notification_send, notifications_deliver, training_record_create
from tests.factories import UserFactory

RULE = "training_expired"


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DEFAULT_TZ)


def expire(user, on: date, course: str = TrainingRecord.Course.SAFEGUARDING_L2) -> TrainingRecord:
    return training_record_create(
        user=user, course=course, completed_on=on.replace(year=on.year - 3), expires_on=on
    )


def sweep(now: datetime) -> chasers.RuleResult:
    (result,) = chase_run(now=now, rules=[RULE])
    return result


def sent(record: TrainingRecord) -> list[tuple[int, str, datetime | None]]:
    """(level, recipient, due at) of every notification about the record, by level."""
    return [
        (n.level, n.recipient.username, n.due_at)
        for n in Notification.objects.filter(kind=RULE, subject_id=record.pk).select_related("recipient")
        .order_by("level")
    ]


# Thursday 6 March 2025 expiry: overdue from Friday 09:00; then Monday and Tuesday (a weekend between).
EXPIRY = date(2025, 3, 6)
LEVEL_1 = london(2025, 3, 7, 9, 0)
LEVEL_2 = london(2025, 3, 10, 9, 0)
LEVEL_3 = london(2025, 3, 11, 9, 0)


def test_the_rule_is_registered():
    rule = next(rule for rule in chase_rules() if rule.name == RULE)
    assert (rule.subject_type, rule.levels) == ("training_record", 3)


def test_nothing_is_sent_before_the_working_day_after_expiry(world):
    record = expire(world.sw, EXPIRY)
    for moment in (london(2025, 3, 6, 23, 59), london(2025, 3, 7, 8, 59)):
        assert sweep(moment).reminders == 0
    assert sent(record) == []


def test_the_ladder_climbs_one_working_day_at_a_time(world):
    record = expire(world.sw, EXPIRY)

    result = sweep(LEVEL_1)
    assert (result.reminders, result.escalations) == (1, 0)
    assert sent(record) == [(1, "sw", LEVEL_1)]
    notification = Notification.objects.get(subject_id=record.pk)
    assert notification.subject_type == "training_record"
    assert notification.message == (
        "Your Safeguarding children level 2 training expired on 6 March 2025. Please book a refresher course."
    )
    assert notification.chase is not None and notification.chase.recipient == world.sw

    # Not over the weekend: level 2 is Monday morning, to the line manager.
    assert sweep(london(2025, 3, 10, 8, 59)).escalations == 0
    assert sweep(LEVEL_2).escalations == 1
    assert sent(record)[1] == (2, "tm", LEVEL_2)
    assert "Escalation (level 2 of 3)" in Notification.objects.get(subject_id=record.pk, level=2).message
    assert world.sw.get_full_name() in Notification.objects.get(subject_id=record.pk, level=2).message

    assert sweep(LEVEL_3).escalations == 1
    assert sent(record) == [(1, "sw", LEVEL_1), (2, "tm", LEVEL_2), (3, "sm", LEVEL_3)]

    # The top of the ladder: nothing more, however long it stays expired.
    assert sweep(london(2025, 6, 1, 12, 0)).escalations == 0
    assert Chase.objects.filter(rule=RULE).count() == 3


def test_bank_holidays_and_partnership_closures_are_not_working_days(world):
    # Thursday before Easter 2025: Good Friday and Easter Monday are bank holidays;
    # the partnership also closes on the Wednesday after.
    ClosureDay.objects.create(partnership=world.north, date=date(2025, 4, 23), reason="Staff training day")
    record = expire(world.sw, date(2025, 4, 17))
    for moment in (london(2025, 4, 18, 12, 0), london(2025, 4, 21, 12, 0), london(2025, 4, 22, 8, 59)):
        assert sweep(moment).reminders == 0
    assert sweep(london(2025, 4, 22, 9, 0)).reminders == 1
    assert sweep(london(2025, 4, 23, 12, 0)).escalations == 0
    assert sweep(london(2025, 4, 24, 9, 0)).escalations == 1
    assert sweep(london(2025, 4, 25, 9, 0)).escalations == 1
    assert [due for _, _, due in sent(record)] == [
        london(2025, 4, 22, 9, 0), london(2025, 4, 24, 9, 0), london(2025, 4, 25, 9, 0)
    ]


def test_no_line_manager_sends_level_two_to_the_level_three_recipient(world):
    assert world.hv.membership.line_manager is None
    record = expire(world.hv, EXPIRY)
    sweep(LEVEL_1)
    sweep(LEVEL_2)
    assert sent(record) == [(1, "hv", LEVEL_1), (2, "sm", LEVEL_2)]
    assert Notification.objects.get(subject_id=record.pk, level=2).message.endswith(
        "No one is recorded as their line manager, so this comes to you as the senior manager of"
        " children's social care."
    )
    sweep(LEVEL_3)
    assert sent(record)[2] == (3, "sm", LEVEL_3)


def test_a_line_manager_who_has_left_counts_as_none(world):
    world.tm.is_active = False
    world.tm.save(update_fields=["is_active"])
    record = expire(world.sw, EXPIRY)
    sweep(LEVEL_2)
    assert sent(record) == [(1, "sw", LEVEL_1), (2, "sm", LEVEL_2)]


def test_with_no_one_on_the_ladder_an_admin_is_told(world):
    # The senior manager's own training: no line manager, and the escalation never goes back to them.
    record = expire(world.sm, EXPIRY)
    sweep(LEVEL_3)
    assert sent(record) == [(1, "sm", LEVEL_1), (2, "ad", LEVEL_2), (3, "ad", LEVEL_3)]
    assert "as an administrator of the partnership" in Notification.objects.get(subject_id=record.pk, level=3).message


def test_with_no_one_at_all_nothing_is_lost(world):
    # South has no senior manager and no admin: the levels wait, unsent, until someone can be told.
    record = expire(world.out, EXPIRY)
    result = sweep(LEVEL_2)
    assert (result.reminders, result.escalations, result.unrouted) == (1, 0, 1)
    admin = UserFactory(username="south-admin", agency=world.south_csc, role=Role.ADMIN)
    result = sweep(LEVEL_2)
    assert (result.escalations, result.unrouted) == (1, 0)
    assert sent(record) == [(1, "out", LEVEL_1), (2, admin.username, LEVEL_2)]


def test_renewal_stops_the_chase(world):
    record = expire(world.sw, EXPIRY)
    sweep(LEVEL_1)
    training_record_create(
        user=world.sw, course=record.course, completed_on=date(2025, 3, 7), expires_on=date(2028, 3, 7)
    )
    assert sweep(LEVEL_3).escalations == 0
    assert sent(record) == [(1, "sw", LEVEL_1)]


def test_only_the_latest_record_of_each_held_course_counts(world):
    expire(world.sw, date(2020, 1, 1))  # superseded long ago
    training_record_create(
        user=world.sw, course=TrainingRecord.Course.SAFEGUARDING_L2, completed_on=date(2024, 1, 1),
        expires_on=date(2027, 1, 1),
    )
    dash = expire(world.sw, EXPIRY, course=TrainingRecord.Course.DASH)
    level_3 = expire(world.sw, EXPIRY, course=TrainingRecord.Course.SAFEGUARDING_L3)
    # hv holds no record at all: not tracked by this rule.
    assert sweep(LEVEL_1).reminders == 2
    assert set(Notification.objects.values_list("subject_id", flat=True)) == {dash.pk, level_3.pk}


def test_someone_who_has_left_is_not_chased(world):
    expire(world.sw, EXPIRY)
    world.sw.is_active = False
    world.sw.save(update_fields=["is_active"])
    assert sweep(LEVEL_3).reminders == 0


def test_sweeping_many_times_sends_each_level_once(world):
    record = expire(world.sw, EXPIRY)
    for moment in (LEVEL_1, LEVEL_2, LEVEL_3):
        for _ in range(5):
            sweep(moment)
    assert [level for level, _, _ in sent(record)] == [1, 2, 3]
    assert list(Chase.objects.filter(subject_id=record.pk).order_by("level").values_list("level", flat=True)) == [
        1, 2, 3
    ]


def test_after_an_outage_every_due_level_goes_out_once(world):
    record = expire(world.sw, EXPIRY)
    # The first sweep runs three working days late (Wednesday): all three levels are due.
    result = sweep(london(2025, 3, 12, 10, 0))
    assert (result.reminders, result.escalations) == (1, 2)
    assert sent(record) == [(1, "sw", LEVEL_1), (2, "tm", LEVEL_2), (3, "sm", LEVEL_3)]
    result = sweep(london(2025, 3, 12, 10, 5))
    assert (result.reminders, result.escalations) == (0, 0)


def test_an_outage_part_way_sends_only_what_has_fallen_due(world):
    record = expire(world.sw, EXPIRY)
    assert (sweep(LEVEL_2).reminders, Chase.objects.count()) == (1, 2)
    assert [level for level, _, _ in sent(record)] == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_level_once(world, monkeypatch):
    records = [expire(user, EXPIRY) for user in (world.sw, world.hv, world.mw)]
    # Both sweeps have read what was sent and decided what to send before either inserts.
    barrier = threading.Barrier(2, timeout=20)
    insert = chasers._chases_insert

    def insert_together(*args, **kwargs):
        barrier.wait()
        return insert(*args, **kwargs)

    monkeypatch.setattr(chasers, "_chases_insert", insert_together)

    def run(moment: datetime, results: list[chasers.RuleResult], errors: list[BaseException]) -> None:
        try:
            results.append(sweep(moment))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            barrier.abort()
        finally:
            connections.close_all()

    for moment in (LEVEL_1, LEVEL_2, LEVEL_3):
        results: list[chasers.RuleResult] = []
        errors: list[BaseException] = []
        threads = [threading.Thread(target=run, args=(moment, results, errors)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
        # One sweep sent the level for every record; the other found them taken and sent nothing.
        assert sorted(r.reminders + r.escalations for r in results) == [0, len(records)]
        barrier.reset()

    for record in records:
        assert Chase.objects.filter(subject_id=record.pk).count() == 3
        assert [level for level, _, _ in sent(record)] == [1, 2, 3]


def test_the_reminder_is_in_the_inbox_badge_and_api(world, client_for):
    expire(world.sw, EXPIRY)
    sweep(LEVEL_1)

    response = client_for(world.sw).get("/inbox/")
    assert response.status_code == 200
    assert "Your Safeguarding children level 2 training expired on 6 March 2025" in response.content.decode()
    assert response.context["unread_count"]() == 1

    api = APIClient()
    api.force_authenticate(world.sw)
    (item,) = api.get("/api/v1/notifications/").json()["results"]
    assert {"id", "kind", "subject_type", "subject_id", "message", "level", "created_at", "read_at"} <= set(item)
    assert (item["kind"], item["subject_type"], item["level"], item["read_at"]) == (
        RULE, "training_record", 1, None
    )
    assert client_for(world.tm).get("/inbox/").context["unread_count"]() == 0


def test_each_notification_is_emailed_once(world, mailoutbox):
    world.hv.email = ""
    world.hv.save(update_fields=["email"])
    expire(world.sw, EXPIRY)
    expire(world.hv, EXPIRY)
    sweep(LEVEL_1)
    assert notifications_deliver() == 1  # hv has no address: marked, not e-mailed
    assert [m.to for m in mailoutbox] == [[world.sw.email]]
    assert "Please book a refresher course." in mailoutbox[0].body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()

    sweep(LEVEL_2)
    assert notifications_deliver() == 2  # tm, and sm for hv (who has no line manager)
    assert notifications_deliver() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.sw.email, world.tm.email, world.sm.email])
    assert mailoutbox[1].subject.startswith("Escalation (level 2)")


def test_a_sweep_makes_the_same_queries_for_one_item_as_for_twenty(world):
    expire(world.sw, EXPIRY)
    with CaptureQueriesContext(connection) as one:
        assert sweep(LEVEL_1).reminders == 1
    for n in range(20):
        expire(UserFactory(username=f"staff{n}", agency=world.csc, line_manager=world.tm), EXPIRY)
    with CaptureQueriesContext(connection) as twenty:
        assert sweep(LEVEL_2).reminders == 20
    # Closure days; the rule's overdue query; chases already sent; the users with their line
    # managers; the role holders; the chase insert; the notification insert (and the savepoint pair).
    assert len(one) == len(twenty) == 9, [q["sql"][:80] for q in twenty.captured_queries]


def test_a_sweep_with_nothing_overdue_makes_the_queries_of_one_with_everything_already_sent(world):
    quiet = [q["sql"] for q in _captured(lambda: sweep(LEVEL_1))]
    expire(world.sw, EXPIRY)
    assert sweep(LEVEL_1).reminders == 1
    settled = [q["sql"] for q in _captured(lambda: sweep(LEVEL_1))]
    # The overdue listing and the levels already sent, whether or not anything is overdue: the count of a
    # sweep with nothing new to send is the same on an empty partnership as on a full one.
    assert len(quiet) == len(settled) == 5, settled
    assert any("agencies_chase" in sql for sql in quiet)


def _captured(run) -> list[dict]:
    with CaptureQueriesContext(connection) as queries:
        run()
    return queries.captured_queries


class UrgentRule(chasers.ChaseRule):
    """A rule of the clock-hours kind (as the strategy-meeting rule will be), about made-up subjects."""

    name = "test_urgent"
    subject_type = "test_subject"
    levels = 3
    interval = chasers.ClockHours(4)
    ladder = ("the chair", "their line manager", "the senior manager of children's social care")

    def __init__(self, items: list[chasers.Overdue]) -> None:
        self.items = items

    def overdue(self, now, calendars):
        return [item for item in self.items if item.overdue_at <= now]

    def recipient(self, item: chasers.Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            return people.user(item.user_id)
        if level == 2:
            return people.line_manager_of(item.user_id)
        return people.csc_senior_manager(item.partnership_id)


def test_a_clock_hours_rule_climbs_every_four_hours_whatever_the_day(world, monkeypatch):
    saturday = london(2025, 3, 8, 10, 0)
    items = [
        chasers.Overdue(subject_id=7, partnership_id=world.north.pk, overdue_at=saturday, summary="meeting 7 is late",
                        user_id=world.mm.pk),
        # The chair has no line manager: level 2 goes to the senior manager.
        chasers.Overdue(subject_id=8, partnership_id=world.north.pk, overdue_at=saturday, summary="meeting 8 is late",
                        user_id=world.sm.pk),
    ]
    monkeypatch.setitem(chasers._registry, UrgentRule.name, UrgentRule(items))

    def run(now: datetime) -> tuple[int, int]:
        (result,) = chase_run(now=now, rules=[UrgentRule.name])
        return result.reminders, result.escalations

    assert run(london(2025, 3, 8, 13, 59)) == (2, 0)
    assert run(london(2025, 3, 8, 14, 0)) == (0, 2)
    assert run(london(2025, 3, 8, 18, 0)) == (0, 2)
    assert run(london(2025, 3, 9, 18, 0)) == (0, 0)
    rows = Notification.objects.filter(kind=UrgentRule.name).order_by("subject_id", "level")
    assert [(n.subject_id, n.level, n.recipient.username, n.due_at) for n in rows] == [
        (7, 1, "mm", saturday), (7, 2, "sm", london(2025, 3, 8, 14)), (7, 3, "sm", london(2025, 3, 8, 18)),
        (8, 1, "sm", saturday), (8, 2, "sm", london(2025, 3, 8, 14)), (8, 3, "sm", london(2025, 3, 8, 18)),
    ]
    assert rows[1].message == "Escalation (level 2 of 3): meeting 7 is late."
    assert "No one is recorded as their line manager" in rows[4].message


def test_chase_run_refuses_a_naive_now(world):
    with pytest.raises(ValueError, match="timezone-aware"):
        chase_run(now=datetime(2025, 3, 7, 9, 0))  # noqa: DTZ001 (the point of the test)


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_email_each_notification_once(world, mailoutbox, monkeypatch):
    people = [world.sw, world.tm, world.sm, world.mm]
    for user in people:
        notification_send(recipient=user, kind="test", message=f"For {user.username}")
    # Each delivery claims two and, while holding them, waits for the other: without SKIP LOCKED
    # the second would wait on the first's rows and the barrier would break.
    barrier = threading.Barrier(2, timeout=10)
    build = services._notification_email

    def build_together(notification: Notification):
        barrier.wait()
        return build(notification)

    monkeypatch.setattr(services, "_notification_email", build_together)
    sent: list[int] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            sent.append(notifications_deliver(limit=2))
        except BaseException as error:
            errors.append(error)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert sent == [2, 2]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(user.email for user in people)
    assert notifications_deliver() == 0
