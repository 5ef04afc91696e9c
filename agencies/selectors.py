"""Every read of agencies' data that a user makes."""

from __future__ import annotations

from django.db.models import QuerySet

from agencies.models import Agency, Membership, Notification, Partnership, User


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first (notification_inbox_idx)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def membership_of(user: User) -> Membership | None:
    return getattr(user, "membership", None)


def partnerships_of(user: User) -> QuerySet[Partnership]:
    """The partnerships whose records a user may see at all."""
    membership = membership_of(user)
    if user.is_superuser and membership is None:
        return Partnership.objects.all()
    if membership is None:
        return Partnership.objects.none()
    return Partnership.objects.filter(pk=membership.partnership_id)


def agencies_visible(*, user: User) -> QuerySet[Agency]:
    """Agencies serving the partnerships the user works in."""
    return (
        Agency.objects.filter(partnerships__in=partnerships_of(user))
        .distinct()
        .prefetch_related("partnerships")
        .order_by("name")
    )


def users_visible(*, user: User) -> QuerySet[User]:
    """Users working in the partnerships the user works in."""
    return (
        User.objects.filter(membership__partnership__in=partnerships_of(user))
        .select_related("membership")
        .order_by("username")
    )
