"""The section headings each role's home page shows (the page tests and the browser tests)."""

from agencies.models import Role

ROLE_HEADINGS: dict[str, tuple[str, ...]] = {
    Role.MASH_PRACTITIONER: ("Referrals waiting for triage", "Agency checks you requested"),
    Role.MASH_MANAGER: (
        "Decisions waiting for you",
        "Decisions not yet fed back",
        "Children flagged escalating to review",
        "Strategy meetings not yet held",
    ),
    Role.SOCIAL_WORKER: ("Your children", "Visits and voice records due", "Actions due"),
    Role.TEAM_MANAGER: ("Your team's work", "Waiting for your sign-off", "Overdue", "Strategy meetings not yet held"),
    Role.SENIOR_MANAGER: ("Escalations that have reached you", "Partnership performance"),
    Role.PRACTITIONER: (
        "Requests for information to your agency",
        "Records shared with your agency recently",
        "Your actions",
    ),
    Role.AUDITOR: ("Your audit rounds",),
    Role.ADMIN: ("Partnership set-up",),
}
EVERY_ROLE_HEADINGS = ("Tasks due", "Unread notifications")
