"""What each role's home page shows: that user's own work."""

from __future__ import annotations

from dataclasses import dataclass, field

from agencies.models import Notification, Role, User
from agencies.selectors import membership_of, notifications_for


@dataclass
class HomeSection:
    title: str
    empty_text: str
    items: list[Notification] = field(default_factory=list)


# Later features add their own sections to these lists (the queue, cases, meetings, audits).
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


def home_sections(*, user: User) -> dict[str, object]:
    membership = membership_of(user)
    role = membership.role if membership else Role.ADMIN
    unread = list(notifications_for(user=user).filter(read_at__isnull=True)[:5])
    return {
        "role": Role(role).label,
        "intro": ROLE_INTRO[Role(role)],
        "notifications": HomeSection(
            title="Unread notifications", empty_text="You have no unread notifications.", items=unread
        ),
    }
