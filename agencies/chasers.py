"""The chasers (SPEC 5): rules that find overdue work, and the sweep that tells people about it.

A rule says what is overdue and who is told at each level of its ladder::

    @chase_rule
    class MinutesNotDistributed(ChaseRule):
        name = "minutes_not_distributed"
        subject_type = "strategy_meeting"
        levels = 2
        ladder = ("the chair", "the chair's manager")

        def overdue(self, now, calendars):
            meetings = self.unfinished(StrategyMeeting.objects.filter(...), subject_field="pk")
            for meeting in meetings.values(...):
                yield Overdue(subject_id=..., partnership_id=..., overdue_at=..., summary=..., user_id=chair_id)

        def recipient(self, item, level, people):
            return people.user(item.user_id) if level == 1 else people.line_manager_of(item.user_id)

Each app keeps its rules in its own ``chasers.py``; ``AgenciesConfig.ready`` imports
every app's module, so defining the class is enough to register it.

Level 1 is due at ``overdue_at``; each further level one ``interval`` after the level
before. Every reminder and escalation is a ``Chase`` row, inserted with its
``Notification`` in one transaction; the ``chase_once_per_level`` constraint is what
makes each level go out once, however many sweeps run and however late.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, TypeVar

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Case, CharField, Exists, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Concat

from agencies.models import Chase, Notification, TrainingRecord, User
from agencies.rules import DEFAULT_TZ, WorkingCalendar
from agencies.selectors import ChasePeople, PartnershipCalendars, calendars_for, chase_people

logger = logging.getLogger(__name__)

__all__ = [
    "ChaseRule",
    "ClockHours",
    "Overdue",
    "RuleResult",
    "WorkingDays",
    "chase_rule",
    "chase_rules",
    "chase_run",
]


@dataclass(frozen=True)
class WorkingDays:
    """Each further level this many working days after the one before, on the partnership's calendar."""

    days: int = 1

    def after(self, due_at: datetime, calendar: WorkingCalendar) -> datetime:
        return calendar.add_working_days(due_at, self.days)


@dataclass(frozen=True)
class ClockHours:
    """Each further level this many clock hours after the one before (a child may be at immediate risk)."""

    hours: float

    def after(self, due_at: datetime, calendar: WorkingCalendar) -> datetime:
        return due_at + timedelta(hours=self.hours)


Interval = WorkingDays | ClockHours


@dataclass(frozen=True)
class Overdue:
    """One overdue item, as a rule's query found it.

    ``user_id`` and ``agency_id`` name whom the item concerns (the owner, the invited
    agency) so that the sweep can look up the whole ladder for all items at once;
    ``facts`` carries whatever else the rule's messages need.
    """

    subject_id: int
    partnership_id: int
    overdue_at: datetime
    summary: str
    link: str = ""
    user_id: int | None = None
    agency_id: int | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)


class ChaseRule(ABC):
    name: ClassVar[str]
    subject_type: ClassVar[str]
    levels: ClassVar[int]
    interval: ClassVar[Interval] = WorkingDays(1)
    # Who each level is for, in words, for the message when a level falls through to the next.
    ladder: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterable[Overdue]:
        """What is overdue as of ``now``, in one query.

        The query may be generous (an item whose ``overdue_at`` is still ahead is
        ignored), but must leave out items that are done, and should leave out
        items already chased to the last level (see ``unfinished``).
        """

    @abstractmethod
    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        """Who is told at ``level``, or None when no one is recorded."""

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return f"Reminder: {item.summary}."
        return f"Escalation (level {level} of {self.levels}): {item.summary}."

    def unfinished(self, queryset: QuerySet[Any], *, subject_field: str = "pk") -> QuerySet[Any]:
        """``queryset`` without the subjects already chased to the last level (uses chase_once_per_level)."""
        last_sent = Chase.objects.filter(
            subject_type=self.subject_type, subject_id=OuterRef(subject_field), rule=self.name, level=self.levels
        )
        return queryset.exclude(Exists(last_sent))

    def on_sent(self, sent: Sequence[tuple[int, int]], now: datetime) -> None:
        """What happens besides telling someone, for the (subject id, level) pairs this sweep sent.

        Called in the sweep's transaction, once per level (the chase rows are what make it once):
        for example, an escalation stage left unanswered opens the next stage.
        """
        return None

    def level_name(self, level: int) -> str:
        return self.ladder[level - 1] if len(self.ladder) >= level else f"level {level}"


_registry: dict[str, ChaseRule] = {}

R = TypeVar("R", bound=type[ChaseRule])


def chase_rule(cls: R) -> R:
    """Register a rule class (a class decorator)."""
    rule = cls()
    for attribute in ("name", "subject_type", "levels"):
        if not hasattr(rule, attribute):
            raise ImproperlyConfigured(f"Chase rule {cls.__qualname__} has no {attribute}")
    if rule.levels < 1:
        raise ImproperlyConfigured(f"Chase rule {rule.name} needs at least one level")
    existing = _registry.get(rule.name)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise ImproperlyConfigured(f"Two chase rules are named {rule.name!r}")
    _registry[rule.name] = rule
    return cls


def chase_rules() -> list[ChaseRule]:
    return [_registry[name] for name in sorted(_registry)]


@dataclass
class RuleResult:
    rule: str
    reminders: int = 0
    escalations: int = 0
    unrouted: int = 0  # levels due with no one at all to tell, not even an admin; retried next sweep
    failed: bool = False


@dataclass(frozen=True)
class _Send:
    subject_id: int
    level: int
    due_at: datetime
    recipient_id: int
    partnership_id: int
    message: str
    link: str


def chase_run(*, now: datetime, rules: Sequence[str] | None = None) -> list[RuleResult]:
    """Send every reminder and escalation due at ``now`` that has not been sent; one result per rule.

    A rule that fails is logged and reported, and the other rules still run.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    selected = chase_rules()
    if rules is not None:
        unknown = set(rules) - {rule.name for rule in selected}
        if unknown:
            raise ValueError(f"Unknown chase rule(s): {', '.join(sorted(unknown))}")
        selected = [rule for rule in selected if rule.name in rules]
    calendars = calendars_for()
    results = []
    for rule in selected:
        try:
            with transaction.atomic():
                results.append(_rule_run(rule, now=now, calendars=calendars))
        except Exception:
            logger.exception("Chase rule %s failed", rule.name)
            results.append(RuleResult(rule.name, failed=True))
    return results


def _level_due_times(rule: ChaseRule, item: Overdue, calendar: WorkingCalendar) -> Iterator[tuple[int, datetime]]:
    due_at = item.overdue_at
    for level in range(1, rule.levels + 1):
        yield level, due_at
        if level < rule.levels:
            due_at = rule.interval.after(due_at, calendar)


def _rule_run(rule: ChaseRule, *, now: datetime, calendars: PartnershipCalendars) -> RuleResult:
    result = RuleResult(rule.name)
    items = {item.subject_id: item for item in rule.overdue(now, calendars)}
    # Asked even with nothing overdue: a sweep's queries then depend on which rules have work to send,
    # never on how much the partnership holds.
    sent = _levels_sent(rule, list(items))
    due: list[tuple[Overdue, int, datetime]] = []
    for item in items.values():
        for level, due_at in _level_due_times(rule, item, calendars[item.partnership_id]):
            if due_at > now:
                break
            if (item.subject_id, level) not in sent:
                due.append((item, level, due_at))
    if not due:
        return result
    people = chase_people(
        user_ids={item.user_id for item, _, _ in due if item.user_id is not None},
        agency_ids={item.agency_id for item, _, _ in due if item.agency_id is not None},
        partnership_ids={item.partnership_id for item, _, _ in due},
    )
    sends = []
    for item, level, due_at in due:
        send = _send_for(rule, item, level, due_at, people)
        if send is None:
            result.unrouted += 1
            logger.warning(
                "%s level %s for %s %s: no one to tell, not even an admin of partnership %s",
                rule.name, level, rule.subject_type, item.subject_id, item.partnership_id,
            )
        else:
            sends.append(send)
    inserted = _chases_insert(rule, sends, now=now)
    rule.on_sent(inserted, now)
    for _, level in inserted:
        if level == 1:
            result.reminders += 1
        else:
            result.escalations += 1
    return result


def _levels_sent(rule: ChaseRule, subject_ids: list[int]) -> set[tuple[int, int]]:
    # One array parameter rather than IN (...): the list may be longer than a statement's parameter limit.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT subject_id, level FROM agencies_chase"
            " WHERE rule = %s AND subject_type = %s AND subject_id = ANY(%s::bigint[])",
            [rule.name, rule.subject_type, subject_ids],
        )
        return {(subject_id, level) for subject_id, level in cursor.fetchall()}


def _send_for(rule: ChaseRule, item: Overdue, level: int, due_at: datetime, people: ChasePeople) -> _Send | None:
    """Whom ``level`` goes to: its own recipient, else the next level's (SPEC 5), else an admin."""
    message = rule.message(item, level)
    for rung in range(level, rule.levels + 1):
        recipient = rule.recipient(item, rung, people)
        if recipient is not None:
            if rung != level:
                message += (
                    f" No one is recorded as {rule.level_name(level)}, so this comes to you as"
                    f" {rule.level_name(rung)}."
                )
            break
    else:
        recipient = people.partnership_admin(item.partnership_id)
        if recipient is None:
            return None
        message += (
            " No one on this item's escalation ladder can be told, so this comes to you as an administrator"
            " of the partnership: please record the missing line manager or senior manager."
        )
    return _Send(item.subject_id, level, due_at, recipient.pk, item.partnership_id, message, item.link)


def _chases_insert(rule: ChaseRule, sends: list[_Send], *, now: datetime) -> list[tuple[int, int]]:
    """Insert the chases and, for those this call inserted, their notifications; returns (subject id, level).

    Raw SQL for ON CONFLICT ... DO NOTHING RETURNING: a concurrent sweep inserting the
    same (subject, rule, level) waits for ours to commit and then inserts nothing, so
    only the sweep whose row landed creates the notification. Rows go in subject order
    so that two sweeps lock the same keys in the same order and cannot deadlock.
    Arrays keep it to one statement and one parameter per column whatever the count.
    """
    if not sends:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO agencies_chase (rule, subject_type, subject_id, level, due_at, sent_at, recipient_id,
                                        partnership_id)
            SELECT %s, %s, t.subject_id, t.level, t.due_at, %s, t.recipient_id, t.partnership_id
              FROM unnest(%s::bigint[], %s::smallint[], %s::timestamptz[], %s::bigint[], %s::bigint[])
                   AS t (subject_id, level, due_at, recipient_id, partnership_id)
             ORDER BY t.subject_id, t.level
            ON CONFLICT ON CONSTRAINT chase_once_per_level DO NOTHING
            RETURNING id, subject_id, level
            """,
            [
                rule.name,
                rule.subject_type,
                now,
                [s.subject_id for s in sends],
                [s.level for s in sends],
                [s.due_at for s in sends],
                [s.recipient_id for s in sends],
                [s.partnership_id for s in sends],
            ],
        )
        inserted = {(subject_id, level): chase_id for chase_id, subject_id, level in cursor.fetchall()}
        notified = [(inserted[(s.subject_id, s.level)], s) for s in sends if (s.subject_id, s.level) in inserted]
        if not notified:
            return []
        cursor.execute(
            f"""
            INSERT INTO {Notification._meta.db_table} (recipient_id, kind, subject_type, subject_id, message, link,
                                                      level, chase_id, due_at, created_at)
            SELECT t.recipient_id, %s, %s, t.subject_id, t.message, t.link, t.level, t.chase_id, t.due_at, %s
              FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::smallint[], %s::bigint[],
                          %s::timestamptz[])
                   AS t (recipient_id, subject_id, message, link, level, chase_id, due_at)
            """,  # noqa: S608 (the table name is the model's, not input)
            [
                rule.name,
                rule.subject_type,
                now,
                [s.recipient_id for _, s in notified],
                [s.subject_id for _, s in notified],
                [s.message for _, s in notified],
                [s.link for _, s in notified],
                [s.level for _, s in notified],
                [chase_id for chase_id, _ in notified],
                [s.due_at for _, s in notified],
            ],
        )
    return [(s.subject_id, s.level) for _, s in notified]


# -- Rules owned by agencies --------------------------------------------------------------------------------


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@chase_rule
class TrainingExpired(ChaseRule):
    """A member of staff's safeguarding training has expired and has not been renewed.

    The latest record of each course a user holds is what counts; a course with no
    record is not chased here (the compliance dashboard reports it). Expiring on a
    day means valid through that day, so the chase starts at the opening of the
    first working day after it, on the user's partnership's calendar.
    """

    name = "training_expired"
    subject_type = "training_record"
    levels = 3
    ladder = ("the member of staff", "their line manager", "the senior manager of children's social care")

    def overdue(self, now: datetime, calendars: PartnershipCalendars) -> Iterator[Overdue]:
        today = now.astimezone(DEFAULT_TZ).date()
        rows = (
            self.unfinished(
                TrainingRecord.objects.filter(
                    expires_on__lt=today, user__is_active=True, user__membership__isnull=False
                ).exclude(training_superseded())  # training_user_course_idx
            )
            .order_by()
            .values_list(
                "pk", "user_id", "course", "expires_on", "user__membership__partnership_id",
                "user__membership__agency_id", "user__first_name", "user__last_name", "user__username",
            )
        )
        courses = dict(TrainingRecord.Course.choices)
        for pk, user_id, course, expires_on, partnership_id, agency_id, first, last, username in rows:
            calendar = calendars[partnership_id]
            overdue_at = datetime.combine(calendar.next_working_day(expires_on), calendar.day_start, calendar.tz)
            course_name = courses.get(course, course)
            yield Overdue(
                subject_id=pk,
                partnership_id=partnership_id,
                overdue_at=overdue_at,
                summary=f"{f'{first} {last}'.strip() or username}'s {course_name} training expired on"
                f" {long_date(expires_on)} and has not been renewed",
                user_id=user_id,
                agency_id=agency_id,
                facts={"course": course_name, "expires_on": expires_on},
            )

    def recipient(self, item: Overdue, level: int, people: ChasePeople) -> User | None:
        if level == 1:
            found = people.user(item.user_id)
        elif level == 2:
            found = people.line_manager_of(item.user_id)
        else:
            found = people.csc_senior_manager(item.partnership_id)
        # An escalation about someone's own training never goes back to them.
        if level > 1 and found is not None and found.pk == item.user_id:
            return None
        return found

    def message(self, item: Overdue, level: int) -> str:
        if level == 1:
            return (
                f"Your {item.facts['course']} training expired on {long_date(item.facts['expires_on'])}."
                " Please book a refresher course."
            )
        return super().message(item, level)


# -- What the rules' messages share -------------------------------------------------------------------------

RESTRICTED_CHILD = "a child whose record is restricted"


def training_superseded() -> Exists:
    """Whether the member of staff has a newer record of the same course than the training record being swept."""
    return Exists(
        TrainingRecord.objects.filter(user_id=OuterRef("user_id"), course=OuterRef("course")).filter(
            Q(expires_on__gt=OuterRef("expires_on")) | Q(expires_on=OuterRef("expires_on"), pk__gt=OuterRef("pk"))
        )
    )


def moment_words(moment: datetime) -> str:
    """A time as a message says it: "3 June 2026 at 14:30", in the partnership's time zone."""
    local = moment.astimezone(DEFAULT_TZ)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def children_names(link_model: type[Model], parent_field: str, parent_ref: str) -> Subquery:
    """The names of the children linked (``link_model`` rows with a ``child``) to the item at ``parent_ref``,
    eldest first, inside a rule's one query. A restricted child is not named: the messages are e-mailed too."""
    return Subquery(
        link_model._default_manager.filter(**{parent_field: OuterRef(parent_ref)})
        .order_by()
        .values(parent_field)
        .annotate(names=ArrayAgg(
            Case(When(child__restricted=True, then=Value(RESTRICTED_CHILD)),
                 default=Concat("child__given_name", Value(" "), "child__family_name"), output_field=CharField()),
            order_by=("child__date_of_birth", "pk"),
        ))
        .values("names")[:1],
        output_field=ArrayField(CharField()),
    )


def names_joined(names: Sequence[str] | None) -> str:
    names = [name.strip() for name in names or () if name and name.strip()]
    if not names:
        return "no named child"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def child_named(child: Any) -> str:
    """A child (a ``cases.Person``) as a message names them: a restricted child is not named."""
    return RESTRICTED_CHILD if child.restricted else str(child.full_name)


def people_named(children: Iterable[Any]) -> str:
    """Children as a message names them (``names_joined`` of ``child_named``)."""
    return names_joined([child_named(child) for child in children])


def other_than(found: User | None, than: int | None) -> User | None:
    """``found``, unless it is the person the item is about: an escalation never goes back to them."""
    return None if found is None or found.pk == than else found
