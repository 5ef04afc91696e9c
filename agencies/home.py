"""What each role's home page shows: that user's own work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator, slugify

from agencies import drafts
from agencies.models import Draft, Notification, Role, User
from agencies.navigation import role_of
from agencies.rules import DEFAULT_TZ
from agencies.selectors import agencies_visible, calendars_for, membership_of, notifications_for, users_visible
from audits.dashboard import dashboard_has, dashboard_headline_scope, value_text
from audits.selectors_rounds import rounds_listed
from audits.snapshots import snapshot_for
from cases.chasers_plans import RESTRICTED_PERSON
from cases.permissions import people_visible, sees_whole_partnership
from cases.selectors.cases import cases_led, children_unheard
from cases.selectors.plans import plan_actions_owned
from referrals import rules
from referrals.models import Referral
from referrals.selectors import (
    agency_checks_inbox,
    agency_checks_requested,
    decisions_unshared,
    escalations_for_respondent,
    referral_children,
    triage_queue_ordered,
)
from strategy_meetings.selectors import (
    meeting_actions_owned,
    meeting_children,
    meetings_awaiting_agency,
    meetings_not_held,
    minutes_received,
)

TASKS_DUE_SHOWN = 10
UNREAD_SHOWN = 5
# How many records each work section lists; its link leads to the rest.
WORK_SHOWN = 5
TIME_LEFT_TAGS = {"overdue": "red", "soon": "orange", "ok": "grey"}
# What counts as shared "recently" with an agency.
RECENT_DAYS = 30
# How much of an action's description its line shows.
ACTION_SHOWN_CHARS = 90
DRAFTS_SHOWN = 5
# What each kind of draft (agencies.drafts.key) is of, for the home page's list.
DRAFT_WHAT = {
    "voice": "Record {name}'s voice",
    "referral": "A referral not yet sent",
    "decision": "The decision on referral {id}",
    "plan": "Changes to plan {id}",
    "plan-new": "A new plan for case {id}",
    "contribution": "Your contribution to strategy meeting {id}",
    "audit-review": "Your review of audited case {id}",
}


@dataclass(frozen=True)
class NotificationRow:
    """A notification as a list shows it: where it leads and whether it is overdue."""

    notification: Notification
    href: str
    overdue: bool

    @property
    def kind_label(self) -> str:
        return self.notification.kind.replace("_", " ").replace("-", " ").capitalize()


def notification_href(notification: Notification) -> str:
    """The notification's own record, or the inbox; never a link off the site."""
    link = notification.link
    if link and link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return reverse("inbox")


def notification_rows(notifications: list[Notification], *, now: datetime) -> list[NotificationRow]:
    return [
        NotificationRow(n, notification_href(n), overdue=n.due_at is not None and n.due_at <= now)
        for n in notifications
    ]


@dataclass(frozen=True)
class HomeLink:
    text: str
    href: str


@dataclass(frozen=True)
class HomeItem:
    """A record waiting for the user: what it is (a link to it), a line about it, and the time left as a tag."""

    text: str
    href: str
    meta: str = ""
    tag: str = ""
    tag_colour: str = "grey"


@dataclass
class HomeSection:
    title: str
    # Said when the section is empty: that nothing is waiting, and what will appear here.
    empty_text: str
    rows: list[NotificationRow] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    links: list[HomeLink] = field(default_factory=list)
    items: list[HomeItem] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def is_empty(self) -> bool:
        return not self.rows and not self.facts and not self.items


@dataclass(frozen=True)
class HeadlineFigure:
    label: str
    value: str
    counts: str


@dataclass
class DashboardPanel:
    """A manager's way to their dashboard (SPEC 8: a manager lands on the dashboard), with its headline
    figures over the last 12 months."""

    href: str
    figures: list[HeadlineFigure]


@dataclass
class HomePage:
    heading: str
    caption: str
    intro: str
    sections: list[HomeSection]
    tasks_due: HomeSection
    unread: HomeSection
    dashboard: DashboardPanel | None = None
    drafts: HomeSection | None = None


ROLE_INTRO = {
    Role.PRACTITIONER: "Checks and records shared with your agency, and actions you own.",
    Role.MASH_PRACTITIONER: "Referrals waiting for triage and the agency checks you asked for.",
    Role.MASH_MANAGER: "Decisions waiting for you, unshared decisions and children to review.",
    Role.SOCIAL_WORKER: "Your children, their visits and voice records, and actions due.",
    Role.TEAM_MANAGER: "Your team's work, what waits for your sign-off, and what is overdue.",
    Role.SENIOR_MANAGER: "Escalations that have reached you and the partnership's performance.",
    Role.AUDITOR: "The audit rounds you are part of.",
    Role.ADMIN: "Partnerships, agencies and users.",
}

MEETINGS_NOT_HELD = (
    "Strategy meetings not yet held",
    "Every strategy meeting has been held or recorded as not needed. Meetings still to be held will appear here,"
    " soonest due first, with the time left to hold them.",
)

# (title, what the empty section says). Later features fill these sections with their own records.
ROLE_SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    Role.MASH_PRACTITIONER: (
        (
            "Referrals waiting for triage",
            "No referrals are waiting for triage. New contacts and referrals will appear here, most urgent first,"
            " with the time left to decide.",
        ),
        (
            "Agency checks you requested",
            "You have no open agency checks. Checks you ask partner agencies for will appear here with their"
            " answers and the time left.",
        ),
    ),
    Role.MASH_MANAGER: (
        (
            "Decisions waiting for you",
            "No referrals are waiting for your decision. Triaged referrals will appear here, most urgent first.",
        ),
        MEETINGS_NOT_HELD,
        (
            "Decisions not yet fed back",
            "Every decision has been fed back. Decisions not yet sent to the person who referred will appear here.",
        ),
        (
            "Children flagged escalating to review",
            "No children are flagged for review. Children whose incidents show an escalating pattern will appear"
            " here for you to review.",
        ),
    ),
    Role.SOCIAL_WORKER: (
        ("Your children", "No children are allocated to you. Children allocated to you will appear here."),
        (
            "Visits and voice records due",
            "No visits or voice records are due. Children due a visit, or whose voice has not been recorded"
            " recently, will appear here.",
        ),
        ("Actions due", "You have no actions due. Plan and meeting actions you own will appear here, soonest first."),
    ),
    Role.TEAM_MANAGER: (
        ("Your team's work", "Your team has no allocated work. Children and cases your team holds will appear here."),
        (
            "Waiting for your sign-off",
            "Nothing is waiting for your sign-off. Decisions, plans and assessments sent to you will appear here.",
        ),
        MEETINGS_NOT_HELD,
        (
            "Overdue",
            "Nothing is overdue. Your team's visits, actions and meetings past their due date will appear here.",
        ),
    ),
    Role.SENIOR_MANAGER: (
        (
            "Escalations that have reached you",
            "No escalations have reached you. Professional disagreements and chases escalated to you will appear"
            " here.",
        ),
        (
            "Partnership performance",
            "There are no performance figures yet. The partnership's measures and their trends will appear here.",
        ),
    ),
    Role.PRACTITIONER: (
        (
            "Requests for information to your agency",
            "There are no requests for information to {agency}. Agency checks and meeting invitations addressed to"
            " your agency will appear here.",
        ),
        (
            "Records shared with your agency recently",
            "Nothing has been shared with {agency} recently. Referrals, incidents and meetings shared with your"
            " agency will appear here.",
        ),
        ("Your actions", "You have no actions. Plan and meeting actions you own will appear here, soonest first."),
    ),
    Role.AUDITOR: (
        (
            "Your audit rounds",
            "You are not part of an audit round. Audit rounds you join, with the cases sampled for you, will appear"
            " here.",
        ),
    ),
    Role.ADMIN: (),
}


def _partnership_setup(user: User) -> HomeSection:
    agencies = agencies_visible(user=user).count()
    users = users_visible(user=user).count()
    section = HomeSection(
        title="Partnership set-up",
        empty_text="You are not set up in a partnership yet. Agencies and users of your partnership will appear here.",
        links=[HomeLink("API documentation", reverse("api-docs"))],
    )
    if agencies or users:
        section.facts = [("Agencies", str(agencies)), ("Users", str(users))]
    return section


# -- The front door's sections (SPEC 3.3) --------------------------------------------------------------------


def _names(children: list[str]) -> str:
    if len(children) <= 1:
        return "".join(children) or "No children recorded"
    return f"{', '.join(children[:-1])} and {children[-1]}"


def _time_left_item(text: str, href: str, meta: str, due_at: datetime, now: datetime) -> HomeItem:
    left = rules.time_left(due_at, now)
    return HomeItem(text=text, href=href, meta=meta, tag=left.text, tag_colour=TIME_LEFT_TAGS[left.state])


def _referral_href(referral_id: int) -> str:
    return reverse("referral-detail", args=[referral_id])


def _queue_items(user: User, now: datetime) -> list[HomeItem]:
    """The top of the triage queue, riskiest and least time left first: two queries (the referrals, with their
    agency; their children), three when any child is there (which of them the user may open)."""
    referrals = list(triage_queue_ordered(user=user)[:WORK_SHOWN])
    children = referral_children(user=user, referral_ids=[r.pk for r in referrals])
    return [
        _time_left_item(_names([c.name for c in children.get(r.pk, [])]), _referral_href(r.pk),
                        _queue_meta(r), r.decision_due_at, now)
        for r in referrals
    ]


def _queue_meta(referral: Referral) -> str:
    urgency = {"immediate": "immediate", "urgent": "urgent"}.get(referral.urgency, "")
    parts = [f"Referral {referral.pk} from {referral.referrer_agency.name}"]
    if urgency:
        parts.append(urgency)
    if referral.rag:
        parts.append(f"rated {referral.get_rag_display().lower()}")
    return ", ".join(parts)


def _checks_requested_items(user: User, now: datetime) -> list[HomeItem]:
    """Open checks the user asked for, soonest due: one query."""
    return [
        _time_left_item(f"{check.agency.name}: referral {check.referral_id}", _referral_href(check.referral_id),
                        f"Asked {timezone.localtime(check.requested_at):%d %b %Y, %H:%M}", check.due_at, now)
        for check in agency_checks_requested(user=user)[:WORK_SHOWN]
    ]


def _unshared_items(user: User, now: datetime) -> list[HomeItem]:
    """Decisions the referrer has not been told about, oldest first: one query, and one for the calendars."""
    referrals = list(decisions_unshared(user=user)[:WORK_SHOWN])
    calendars = calendars_for(partnership_ids={r.partnership_id for r in referrals}) if referrals else {}
    items = []
    for referral in referrals:
        decision = referral.decision
        items.append(_time_left_item(
            f"Referral {referral.pk} from {referral.referrer_agency.name}", _referral_href(referral.pk),
            f"{decision.get_outcome_display()}, decided by {decision.decided_by.display_name}"
            f" on {timezone.localtime(decision.decided_at):%d %b %Y}. Tell the referrer.",
            rules.feedback_due_at(decision.decided_at, calendars[referral.partnership_id]), now))
    return items


def _agency_checks_due(user: User, now: datetime) -> list[tuple[datetime, HomeItem]]:
    """Checks addressed to the user's agency not yet answered, soonest due: one query, and the children's two."""
    checks = list(agency_checks_inbox(user=user).filter(answered_at__isnull=True)[:WORK_SHOWN])
    children = referral_children(user=user, referral_ids=list({c.referral_id for c in checks}))
    return [
        (check.due_at, _time_left_item(
            _names([c.name for c in children.get(check.referral_id, [])]), reverse("check-answer", args=[check.pk]),
            f"The MASH asked on {timezone.localtime(check.requested_at):%d %b %Y, %H:%M}"
            f" (referral {check.referral_id})", check.due_at, now))
        for check in checks
    ]


def _meeting_href(meeting_id: int) -> str:
    return reverse("meeting-detail", args=[meeting_id])


def _meetings_awaiting_due(user: User, now: datetime) -> list[tuple[datetime, HomeItem]]:
    """Open strategy meetings the user's agency is invited to and has not been heard at, soonest first: one
    query, and the children's two."""
    meetings = list(meetings_awaiting_agency(user=user)[:WORK_SHOWN])
    children = meeting_children(user=user, meeting_ids=[m.pk for m in meetings])
    items = []
    for meeting in meetings:
        when = (f"on {timezone.localtime(meeting.scheduled_for):%d %b %Y, %H:%M}" if meeting.scheduled_for
                else f"due by {timezone.localtime(meeting.due_by):%d %b %Y, %H:%M}, not yet scheduled")
        # The selector's annotation: whether the agency's invitation is a required one.
        asked = "is required" if getattr(meeting, "required", False) else "is invited"
        moment = meeting.scheduled_for or meeting.due_by
        items.append((moment, _time_left_item(
            _names([c.name for c in children.get(meeting.pk, [])]), _meeting_href(meeting.pk),
            f"Strategy meeting {when}: your agency {asked}. Send what your agency knows.",
            moment, now)))
    return items


def _requests_items(user: User, now: datetime) -> list[HomeItem]:
    """Agency checks and strategy meeting invitations waiting for the user's agency, soonest due first."""
    waiting = sorted(_agency_checks_due(user, now) + _meetings_awaiting_due(user, now), key=lambda pair: pair[0])
    return [item for _, item in waiting[:WORK_SHOWN]]


def _minutes_items(user: User, now: datetime) -> list[HomeItem]:
    """Strategy meeting minutes distributed to the user's agency in the last 30 days, newest first: one query,
    and the children's two."""
    received = list(minutes_received(user=user, since=now - timedelta(days=RECENT_DAYS))[:WORK_SHOWN])
    children = meeting_children(user=user, meeting_ids=list({d.meeting_id for d in received}))
    return [
        HomeItem(text=_names([c.name for c in children.get(d.meeting_id, [])]), href=_meeting_href(d.meeting_id),
                 meta=f"Minutes received {timezone.localtime(d.distributed_at):%d %b %Y}")
        for d in received
    ]


def _end_of(day: date) -> datetime:
    """A date's deadline: overdue from the start of the day after it."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=DEFAULT_TZ)


def _actions_items(user: User, now: datetime) -> list[HomeItem]:
    """Open strategy meeting and plan actions the user (or their agency, with no one named) owns, soonest due
    first: a query for each, and the meetings' children's two."""
    meeting_actions = list(meeting_actions_owned(user=user)[:WORK_SHOWN])
    children = meeting_children(user=user, meeting_ids=list({a.meeting_id for a in meeting_actions}))
    due: list[tuple[date, HomeItem]] = [
        (action.due_by, _time_left_item(
            _names([c.name for c in children.get(action.meeting_id, [])]), _meeting_href(action.meeting_id),
            f"Strategy meeting action for {action.owner_agency.name}, due {action.due_by:%d %b %Y}:"
            f" {_short(action.description)}", _end_of(action.due_by), now))
        for action in meeting_actions
    ]
    for action in plan_actions_owned(user=user)[:WORK_SHOWN]:
        member = action.family_member
        # A restricted person is not named here (the plan's page names them to those who may open them).
        who = action.agency.name if action.agency is not None else (
            "" if member is None else RESTRICTED_PERSON if member.restricted else member.full_name)
        due.append((action.due_by, _time_left_item(
            action.plan.case.child.full_name, reverse("plan-detail", args=[action.plan_id]),
            f"{action.plan.get_kind_display()} action for {who}, due {action.due_by:%d %b %Y}:"
            f" {_short(action.description)}", _end_of(action.due_by), now)))
    return [item for _, item in sorted(due, key=lambda pair: pair[0])[:WORK_SHOWN]]


def _short(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(ACTION_SHOWN_CHARS)


def _children_items(user: User, now: datetime) -> list[HomeItem]:
    """The children whose cases the user leads, by name: one query."""
    return [
        HomeItem(text=case.child.full_name, href=reverse("case-detail", args=[case.pk]),
                 meta=f"{case.get_status_display()}, opened {case.opened_on:%d %b %Y}")
        for case in cases_led(user=user)[:WORK_SHOWN]
    ]


def _voice_due_items(user: User, now: datetime) -> list[HomeItem]:
    """The children of the user's cases not heard for 6 weeks, longest first: two queries."""
    items = []
    for case, voice in children_unheard(user=user, now=now)[:WORK_SHOWN]:
        if voice is None:
            meta, tag = "No record of the child's voice yet", "Never heard"
        else:
            weeks = (now - voice.recorded_at).days // 7
            meta = f"Last heard {timezone.localtime(voice.recorded_at):%d %b %Y} by {voice.practitioner.display_name}"
            tag = f"Not heard for {weeks} weeks"
        items.append(HomeItem(text=case.child.full_name, href=f"{reverse('voice-create')}?child={case.child_id}",
                              meta=meta, tag=tag, tag_colour="red"))
    return items


def _not_held_items(user: User, now: datetime) -> list[HomeItem]:
    """Strategy meetings the user may see that are still to be held, soonest due first: one query (with the
    chair), and the children's two."""
    meetings = list(meetings_not_held(user=user)[:WORK_SHOWN])
    children = meeting_children(user=user, meeting_ids=[m.pk for m in meetings])
    items = []
    for meeting in meetings:
        if meeting.scheduled_for is not None:
            planned = f"scheduled for {timezone.localtime(meeting.scheduled_for):%d %b %Y, %H:%M}"
            if meeting.chair is not None:
                planned += f", chaired by {meeting.chair.display_name}"
        else:
            planned = "not yet scheduled"
        items.append(_time_left_item(
            _names([c.name for c in children.get(meeting.pk, [])]), _meeting_href(meeting.pk),
            f"Strategy meeting {meeting.pk}, {planned}. Threshold met"
            f" {timezone.localtime(meeting.threshold_met_at):%d %b %Y, %H:%M}.", meeting.due_by, now))
    return items


def _escalation_items(user: User, now: datetime) -> list[HomeItem]:
    """Escalation stages waiting for the user's answer, soonest due: one query."""
    return [
        _time_left_item(f"Stage {stage.number} ({rules.STAGE_NAMES[stage.number]}): referral"
                        f" {stage.escalation.referral_id}", reverse("escalation-detail", args=[stage.escalation_id]),
                        f"Raised by {stage.escalation.raised_by_agency.name}", stage.due_at, now)
        for stage in escalations_for_respondent(user=user)[:WORK_SHOWN]
    ]


def _audit_round_items(user: User, now: datetime) -> list[HomeItem]:
    """The audit rounds the auditor is part of, newest first, with their progress: one query."""
    items = []
    for audit_round in rounds_listed(user=user)[:WORK_SHOWN]:
        if audit_round.status == audit_round.Status.OPEN:
            tag, colour = f"Closes {audit_round.closes_on:%d %b %Y}", "blue"
        else:
            tag, colour = "Closed", "grey"
        items.append(HomeItem(
            text=audit_round.theme, href=reverse("audit-round-detail", args=[audit_round.pk]),
            # The selector's annotations: cases drawn and cases moderated.
            meta=f"{getattr(audit_round, 'moderated', 0)} of {getattr(audit_round, 'drawn', 0)} cases moderated",
            tag=tag, tag_colour=colour))
    return items


MEETINGS_LINK = ("Go to strategy meetings", "meeting-list")

# The sections filled with records, by title; each returns its items, and (text, URL name) of the links to the rest.
SECTION_ITEMS: dict[str, tuple[Callable[[User, datetime], list[HomeItem]], tuple[tuple[str, str], ...]]] = {
    "Referrals waiting for triage": (_queue_items, (("Go to the triage queue", "triage-queue"),)),
    "Agency checks you requested": (_checks_requested_items, ()),
    "Decisions waiting for you": (_queue_items, (("Go to the triage queue", "triage-queue"),)),
    "Decisions not yet fed back": (_unshared_items, ()),
    "Requests for information to your agency": (
        _requests_items, (("Go to your agency's checks", "checks-inbox"), MEETINGS_LINK),
    ),
    "Records shared with your agency recently": (_minutes_items, ()),
    "Your actions": (_actions_items, ()),
    "Actions due": (_actions_items, ()),
    "Your children": (_children_items, ()),
    "Visits and voice records due": (_voice_due_items, ()),
    "Strategy meetings not yet held": (_not_held_items, (MEETINGS_LINK,)),
    "Escalations that have reached you": (_escalation_items, ()),
    "Your audit rounds": (_audit_round_items, (("Go to audit rounds", "audit-round-list"),)),
}


def _section(title: str, empty_text: str, *, user: User, now: datetime) -> HomeSection:
    section = HomeSection(title=title, empty_text=empty_text)
    filler = SECTION_ITEMS.get(title)
    if filler is not None:
        items, links = filler
        section.items = items(user, now)
        section.links = [HomeLink(text, reverse(url_name)) for text, url_name in links]
    return section


# The figures a manager's home page shows from their dashboard.
HEADLINE_MEASURES = ("decisions_in_time", "feedback_given", "meetings_in_time")


def _dashboard_panel(user: User, role: str) -> DashboardPanel | None:
    """Managers' headline figures, from their dashboard's snapshot (``audits.snapshots``). An administrator's
    home is the partnership's set-up; their dashboard is in the navigation."""
    if role == Role.ADMIN:
        return None
    scope = dashboard_headline_scope(user, today=timezone.localdate())
    if scope is None:
        return DashboardPanel(href=reverse("dashboard"), figures=[]) if dashboard_has(user) else None
    snapshot = snapshot_for(scope)
    figures = []
    for key in HEADLINE_MEASURES:
        if key in snapshot.figures:
            figure = snapshot.figures[key]
            counts = (f"{figure.numerator} of {figure.denominator}"
                      if figure.numerator is not None and figure.denominator is not None else "")
            figures.append(HeadlineFigure(figure.label, value_text(figure.unit, figure.value), counts))
    return DashboardPanel(href=reverse("dashboard"), figures=figures)


PERFORMANCE = "Partnership performance"


def _dashboard_in(sections: list[HomeSection], panel: DashboardPanel | None, *,
                  whole_partnership: bool) -> DashboardPanel | None:
    """A senior manager's home has a section for performance: the headline figures go there, rather than in a
    panel of their own. A partner agency's senior manager's figures are their agency's, and the section says so."""
    performance = next((section for section in sections if section.title == PERFORMANCE), None)
    if panel is None or performance is None:
        return panel
    performance.facts = [(figure.label, f"{figure.value} ({figure.counts})" if figure.counts else figure.value)
                         for figure in panel.figures]
    if whole_partnership:
        performance.links = [HomeLink("Go to the partnership dashboard", panel.href)]
    else:
        performance.title = "Your agency's performance"
        performance.links = [HomeLink("Go to your agency's dashboard", panel.href)]
    return None


def home_sections(*, user: User) -> HomePage:
    """The user's home page: their role's work, then tasks due and unread notifications.

    A fixed number of queries whatever the data: two for the notifications, two more for an administrator,
    and those each section's filler names (``SECTION_ITEMS``). A list of records is one query; the children of
    the records shown add two more (the children; which of them the user may open), none when it is empty:

    - MASH practitioner: the top of the triage queue (1 + 2), the checks they asked for (1).
    - MASH manager: the top of the queue (1 + 2), strategy meetings not yet held (1 + 2), decisions not fed
      back (1, and the calendars when any).
    - Social worker: their meeting actions (1 + 2). Team manager: strategy meetings not yet held (1 + 2).
    - Partner agency practitioner: checks for the agency (1 + 2) and meetings it has not been heard at
      (1 + 2), minutes it received in the last 30 days (1 + 2), its meeting actions (1 + 2).
    - Senior manager: escalation stages waiting for them (1).
    - Managers (not administrators): their dashboard's headline figures (one each of ``HEADLINE_MEASURES``),
      and a team manager's team (1).
    """
    role = role_of(user)
    membership = membership_of(user)
    agency = membership.agency.name if membership is not None else "your agency"
    now = timezone.now()

    sections = [
        _section(title, empty_text.format(agency=agency), user=user, now=now)
        for title, empty_text in ROLE_SECTIONS.get(role, ())
    ]
    if role == Role.ADMIN:
        sections.append(_partnership_setup(user))

    unread = notifications_for(user=user).filter(read_at__isnull=True)
    tasks = list(unread.filter(due_at__isnull=False).order_by("due_at", "id")[:TASKS_DUE_SHOWN])
    latest = list(unread[:UNREAD_SHOWN])
    inbox = HomeLink("Go to your inbox", reverse("inbox"))

    caption = Role(role).label if role else "No role yet"
    if membership is not None:
        caption = f"{caption}, {membership.agency.name}"
    return HomePage(
        heading="Your work",
        caption=caption,
        intro=ROLE_INTRO[Role(role)] if role else "Ask your administrator to give you a role.",
        sections=sections,
        tasks_due=HomeSection(
            title="Tasks due",
            empty_text="You have no tasks due. Reminders with a due date will appear here, soonest first.",
            rows=notification_rows(tasks, now=now),
            links=[inbox],
        ),
        unread=HomeSection(
            title="Unread notifications",
            empty_text="You have no unread notifications.",
            rows=notification_rows(latest, now=now),
            links=[inbox],
        ),
        dashboard=_dashboard_in(sections, _dashboard_panel(user, role),
                                whole_partnership=sees_whole_partnership(user)),
        drafts=_drafts_section(user),
    )


def _drafts_section(user: User) -> HomeSection | None:
    """The forms the user left with a draft (agencies.drafts), newest first; none, no section. One query, and one
    more for the children's names when a draft is of a child's voice (only children the user may still open)."""
    unfinished = list(Draft.objects.filter(author=user).order_by("-saved_at", "-pk")[:DRAFTS_SHOWN])
    if not unfinished:
        return None
    about = [drafts.kind_and_record(draft.key) for draft in unfinished]
    child_ids = {record_id for kind, record_id in about if kind == "voice" and record_id is not None}
    names: dict[int, str] = dict(
        people_visible(user).filter(pk__in=child_ids).values_list("pk", "given_name")) if child_ids else {}
    items = []
    for draft, (kind, record_id) in zip(unfinished, about, strict=True):
        what = DRAFT_WHAT.get(kind, "A form").format(id=record_id, name=names.get(record_id or 0, "a child"))
        saved = timezone.localtime(draft.saved_at)
        local = draft.url.startswith("/") and url_has_allowed_host_and_scheme(draft.url, allowed_hosts=None)
        items.append(HomeItem(what, draft.url if local else reverse("home"),
                              meta=f"Saved at {saved:%H:%M} on {saved:%A} {saved.day} {saved:%B %Y}"))
    return HomeSection(title="Unfinished drafts", empty_text="", items=items)

