"""Every write to partnerships, agencies, users and notifications."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Membership, Notification, Partnership, Role, Team, TrainingRecord, User
from agencies.roles import role_group_name

logger = logging.getLogger(__name__)


@transaction.atomic
def partnership_create(*, name: str, code: str) -> Partnership:
    partnership = Partnership(name=name.strip(), code=code.strip().upper())
    partnership.full_clean()
    partnership.save()
    return partnership


@transaction.atomic
def agency_create(
    *,
    name: str,
    kind: str,
    partnerships: Iterable[Partnership],
    health_kind: str = "",
    referral_source_code: str = "",
) -> Agency:
    partnerships = list(partnerships)
    if not partnerships:
        raise ValidationError({"partnerships": ["An agency serves at least one partnership."]})
    if kind != Agency.Kind.HEALTH and health_kind:
        raise ValidationError({"health_kind": ["Only a health agency has a health sub-kind."]})
    group = Group.objects.create(name=f"agency:{name.strip()}")
    agency = Agency(
        name=name.strip(), kind=kind, health_kind=health_kind, referral_source_code=referral_source_code, group=group
    )
    agency.full_clean()
    agency.save()
    agency.partnerships.set(partnerships)
    return agency


@transaction.atomic
def team_create(*, agency: Agency, name: str) -> Team:
    team = Team(agency=agency, name=name.strip())
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    agency: Agency,
    role: str,
    partnership: Partnership | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    line_manager: User | None = None,
    teams: Iterable[Team] = (),
    password_hashed: bool = False,
) -> User:
    """A user with their membership: agency, role, line manager, and the matching groups.

    With ``password_hashed``, ``password`` is a hash already made by ``make_password`` (the demo hashes its one
    shared password once rather than once per user); otherwise it is checked against the password rules.
    """
    served = list(agency.partnerships.all())
    if partnership is None:
        if len(served) != 1:
            raise ValidationError({"partnership": ["Say which partnership this user works in."]})
        partnership = served[0]
    elif partnership not in served:
        raise ValidationError({"partnership": ["The agency does not serve this partnership."]})
    if line_manager is not None and line_manager.membership.partnership_id != partnership.pk:
        raise ValidationError({"line_manager": ["The line manager must work in the same partnership."]})
    if role not in Role.values:
        raise ValidationError({"role": [f"Unknown role {role!r}."]})
    user = User(username=username.strip(), email=email, first_name=first_name, last_name=last_name)
    if password_hashed:
        user.password = password
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    membership = Membership(user=user, agency=agency, partnership=partnership, role=role, line_manager=line_manager)
    membership.full_clean()
    membership.save()
    membership.teams.set(teams)
    user.groups.set([agency.group, Group.objects.get(name=role_group_name(role))])
    return user


def notification_send(
    *,
    recipient: User,
    kind: str,
    message: str,
    subject_type: str = "",
    subject_id: int | None = None,
    link: str = "",
    level: int = 0,
) -> Notification:
    """Tell a user something in their inbox; the e-mail follows from the delivery sweep."""
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        message=message,
        subject_type=subject_type,
        subject_id=subject_id,
        link=link,
        level=level,
    )


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when ids is None)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=list(ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def training_record_create(*, user: User, course: str, completed_on: date, expires_on: date) -> TrainingRecord:
    """Record that a user completed a course; a newer record for the same course supersedes older ones."""
    record = TrainingRecord(user=user, course=course, completed_on=completed_on, expires_on=expires_on)
    record.full_clean()
    record.save()
    return record


def _notification_email(notification: Notification) -> EmailMessage:
    if notification.level == 1:
        subject = "Reminder: overdue safeguarding work"
    elif notification.level >= 2:
        subject = f"Escalation (level {notification.level}): overdue safeguarding work"
    else:
        subject = "New safeguarding notification"
    link = f"{settings.SITE_URL}{notification.link or '/inbox/'}"
    body = f"{notification.message}\n\n{link}\n\nThis message is also in your inbox: {settings.SITE_URL}/inbox/\n"
    return EmailMessage(subject=subject, body=body, to=[notification.recipient.email])


def notifications_deliver(*, limit: int = 500) -> int:
    """E-mail up to ``limit`` notifications not yet e-mailed; returns how many e-mails went out.

    Rows are claimed with FOR UPDATE SKIP LOCKED, so two deliverers at once take
    different notifications, and marked ``emailed_at`` in the same transaction, so a
    second run finds nothing. A recipient without an address (or who has left) is
    marked without an e-mail; a failed send stays unmarked and is retried next time.
    """
    sent = 0
    with transaction.atomic():
        batch = list(
            Notification.objects.filter(emailed_at__isnull=True)
            .select_related("recipient")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("created_at")[:limit]  # notification_unsent_idx
        )
        if not batch:
            return 0
        done: list[int] = []
        with get_connection() as mail:
            for notification in batch:
                recipient = notification.recipient
                if recipient.email and recipient.is_active:
                    try:
                        mail.send_messages([_notification_email(notification)])
                    except Exception:
                        logger.exception("E-mail of notification %s failed; it will be retried", notification.pk)
                        continue
                    sent += 1
                done.append(notification.pk)
        Notification.objects.filter(pk__in=done).update(emailed_at=timezone.now())
    return sent


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Switch a user's account off: they cannot sign in, and every session they have open ends on its next request
    (the sign-in backend refuses an inactive user); their API tokens stop working too."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def membership_role_change(*, user: User, role: str) -> Membership:
    """Give a user a new role, with the role group that carries its permissions. Every session they have open ends
    (agencies.middleware.TwoFactorMiddleware compares the role with the one they signed in with), so what they
    may see is worked out afresh when they sign in again, two-factor authentication included."""
    if role not in Role.values:
        raise ValidationError({"role": [f"Unknown role {role!r}."]})
    membership = Membership.objects.select_for_update().get(user=user)
    if membership.role == role:
        return membership
    old_group = Group.objects.get(name=role_group_name(membership.role))
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role", "updated_at"])
    user.groups.remove(old_group)
    user.groups.add(Group.objects.get(name=role_group_name(role)))
    return membership
