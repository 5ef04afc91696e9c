"""Every write to people, households and relationships (SPEC 3.2), and breaking glass on a restricted record (SPEC 6).

Each service checks everything before it writes anything, and reports what is wrong field by
field (``ValidationError`` with a dict); changes are logged by the database's triggers, and
what they cannot see (a merge, breaking glass) by ``access_record`` in the same transaction.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Partnership, Role, User
from agencies.roles import MANAGERS
from agencies.selectors import membership_of
from agencies.services import notification_send
from audits.services import access_record
from cases.models import (
    BreakGlass,
    Case,
    ChildVoice,
    EncompassNotice,
    Household,
    HouseholdMember,
    IncidentChild,
    IncidentParty,
    InformationShare,
    MaracReferral,
    Person,
    PersonAddress,
    PersonFlag,
    PersonGroupObjectPermission,
    PersonUserObjectPermission,
    PlanAction,
    PlanDistribution,
    Relationship,
    RestrictedAccess,
)
from cases.permissions import (
    BREAK_GLASS_LASTS,
    household_get_for,
    people_known_to,
    people_visible,
    record_share_with,
    sees_whole_partnership,
)
from cases.rules.people import name_fold, name_key, nhs_number_normalise, nhs_number_valid
from config.errors import ErrorDict, error_add

# The fields of a person a user may set and change; restriction and merging have their own services.
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "date_of_birth_estimated",
    "expected_date_of_birth",
    "sex",
    "ethnicity",
    "religion",
    "first_language",
    "interpreter_needed",
    "disabilities",
    "nhs_number",
    "upn",
    "school",
    "gp_practice",
    "health_visiting",
)
_TEXT_FIELDS = ("given_name", "family_name", "religion", "first_language", "disabilities")
_AGENCY_FIELDS = {
    "school": (
        Agency.Kind.EDUCATION, "", "The school must be a school or education provider serving this partnership."
    ),
    "gp_practice": (
        Agency.Kind.HEALTH, Agency.HealthKind.GP, "The GP practice must be a GP practice serving this partnership."
    ),
    "health_visiting": (
        Agency.Kind.HEALTH,
        Agency.HealthKind.HEALTH_VISITING,
        "The health visiting service must be one serving this partnership.",
    ),
}
# A pregnancy is known of for at most about 34 weeks before the birth; ten months leaves room.
_EXPECTED_DOB_AHEAD = timedelta(days=304)
_OLDEST = timedelta(days=366 * 120)
_UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
_CARING = (Relationship.Kind.PARENT, Relationship.Kind.STEP_PARENT, Relationship.Kind.CARER)
# "A is the partner of B" says the same as "B is the partner of A"; "parent of" does not.
_SYMMETRIC = (
    Relationship.Kind.PARTNER,
    Relationship.Kind.EX_PARTNER,
    Relationship.Kind.SIBLING,
    Relationship.Kind.OTHER_FAMILY,
    Relationship.Kind.OTHER,
)
BREAK_GLASS_REASON_MIN = 10


class StaleRecord(ValidationError):
    """The record changed since the user read it; nothing was saved."""

    MESSAGE = "Someone else changed this record since you opened it; your changes were not saved"

    def __init__(self) -> None:
        super().__init__({NON_FIELD_ERRORS: [self.MESSAGE]})


def records_may_create(user: User) -> bool:
    """Whether a user may record people and households: anyone working in a partnership but an auditor."""
    membership = membership_of(user)
    return membership is not None and membership.role != Role.AUDITOR


def person_may_merge(user: User) -> bool:
    """Merging is a children's social care manager's decision: MASH, team and senior managers."""
    membership = membership_of(user)
    return (
        membership is not None
        and membership.agency.kind == Agency.Kind.CHILDRENS_SOCIAL_CARE
        and membership.role in MANAGERS
    )


def _require_may_create(user: User, partnership: Partnership) -> None:
    if not records_may_create(user):
        raise PermissionDenied("Only practitioners and managers working in a partnership may record people.")
    membership = membership_of(user)
    assert membership is not None  # noqa: S101 - records_may_create says so
    if not membership.agency.partnerships.filter(pk=partnership.pk).exists():
        raise PermissionDenied("Your agency does not work in this partnership.")


def _person_normalise(values: dict[str, Any]) -> dict[str, Any]:
    """Tidy what people type: surrounding spaces, NHS numbers with spaces, lower-case UPNs, blank aliases."""
    tidy = dict(values)
    for name in _TEXT_FIELDS:
        if name in tidy:
            tidy[name] = (tidy[name] or "").strip()
    if "nhs_number" in tidy:
        tidy["nhs_number"] = nhs_number_normalise(tidy["nhs_number"])
    if "upn" in tidy:
        tidy["upn"] = (tidy["upn"] or "").strip().upper()
    if "ethnicity" in tidy:
        tidy["ethnicity"] = (tidy["ethnicity"] or "").strip().upper()
    if "other_names" in tidy:
        seen: list[str] = []
        for alias in tidy["other_names"] or ():
            alias = " ".join(str(alias).split())
            if alias and alias not in seen:
                seen.append(alias)
        tidy["other_names"] = seen
    return tidy


def _person_errors(person: Person, *, changed: Iterable[str]) -> ErrorDict:
    """What is wrong with a person about to be saved; ``changed`` names the fields being set."""
    changed = set(changed)
    errors: ErrorDict = {}
    today = timezone.localdate()
    dob, expected = person.date_of_birth, person.expected_date_of_birth
    if dob is not None:
        if dob > today:
            error_add(errors, "date_of_birth", "The date of birth must be today or in the past.")
        elif "date_of_birth" in changed and dob < today - _OLDEST:
            error_add(errors, "date_of_birth", "The date of birth is more than 120 years ago.")
    if expected is not None:
        if dob is not None:
            error_add(errors, "expected_date_of_birth",
                 "An expected date of birth is only for an unborn child; this person has a date of birth.")
        elif "expected_date_of_birth" in changed and expected > today + _EXPECTED_DOB_AHEAD:
            error_add(errors, "expected_date_of_birth", "The expected date of birth must be within the next 10 months.")
    if person.date_of_birth_estimated and dob is None:
        error_add(errors, "date_of_birth_estimated", "Give the estimated date of birth as well.")
    if person.nhs_number and not nhs_number_valid(person.nhs_number):
        error_add(errors, "nhs_number", "Enter a real NHS number: 10 digits, the last of which is a check digit.")
    if person.upn and not _UPN.match(person.upn):
        error_add(errors, "upn", "A unique pupil number is 13 characters: a letter, 11 digits, then a digit or letter.")
    if not name_fold(person.given_name) and person.given_name:
        error_add(errors, "given_name", "Enter a name with at least one letter or digit.")
    if not name_fold(person.family_name) and person.family_name:
        error_add(errors, "family_name", "Enter a name with at least one letter or digit.")
    errors.update(_agency_errors(person, changed=changed))
    try:
        person.full_clean(exclude=["partnership", "created_by", "merged_into", *_AGENCY_FIELDS, *errors])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                error_add(errors, field, message)
    return errors


def _agency_errors(person: Person, *, changed: set[str]) -> ErrorDict:
    """School, GP practice and health visiting must be agencies of the right kind serving the person's partnership."""
    errors: ErrorDict = {}
    chosen: dict[str, Agency] = {}
    for field, (kind, health_kind, message) in _AGENCY_FIELDS.items():
        agency = getattr(person, field)
        if agency is None or field not in changed:
            continue
        if agency.kind != kind or (health_kind and agency.health_kind != health_kind):
            error_add(errors, field, message)
        else:
            chosen[field] = agency
    if chosen:
        serving = set(
            Agency.partnerships.through.objects.filter(
                agency_id__in=[a.pk for a in chosen.values()], partnership_id=person.partnership_id
            ).values_list("agency_id", flat=True)
        )
        for field, agency in chosen.items():
            if agency.pk not in serving:
                error_add(errors, field, _AGENCY_FIELDS[field][2])
    return errors


def _household_may_change(by: User, household: Household) -> bool:
    try:
        household_get_for(by, household.pk, write=True)
    except (Http404, PermissionDenied):
        return False
    return True


def _share_with_own_agency(*, record: Person | Household, by: User, what: str) -> None:
    """Non-CSC agencies see only what is shared with them, so what they record is shared with them at once."""
    membership = membership_of(by)
    if membership is None or sees_whole_partnership(by):
        return
    record_share_with(record=record, agency=membership.agency, what=what, by=by, perms=("view", "change"))


@transaction.atomic
def person_create(
    *,
    partnership: Partnership,
    by: User,
    given_name: str,
    family_name: str,
    date_of_birth: date | None = None,
    expected_date_of_birth: date | None = None,
    date_of_birth_estimated: bool = False,
    sex: str = Person.Sex.UNKNOWN,
    ethnicity: str = "",
    religion: str = "",
    first_language: str = "",
    interpreter_needed: bool | None = None,
    disabilities: str = "",
    nhs_number: str = "",
    upn: str = "",
    school: Agency | None = None,
    gp_practice: Agency | None = None,
    health_visiting: Agency | None = None,
    other_names: Sequence[str] = (),
    household: Household | None = None,
) -> Person:
    """Record a child, an unborn child or an adult; optionally in a household.

    A person recorded by an agency other than children's social care is shared with that
    agency (view and change), with an information-sharing record, so its staff can find it again.
    """
    _require_may_create(by, partnership)
    values = _person_normalise({
        "given_name": given_name, "family_name": family_name, "other_names": list(other_names),
        "date_of_birth": date_of_birth, "date_of_birth_estimated": date_of_birth_estimated,
        "expected_date_of_birth": expected_date_of_birth, "sex": sex, "ethnicity": ethnicity,
        "religion": religion, "first_language": first_language, "interpreter_needed": interpreter_needed,
        "disabilities": disabilities, "nhs_number": nhs_number, "upn": upn, "school": school,
        "gp_practice": gp_practice, "health_visiting": health_visiting,
    })
    person = Person(partnership=partnership, created_by=by, **values)
    errors = _person_errors(person, changed=PERSON_FIELDS)
    if household is not None:
        if household.partnership_id != partnership.pk:
            error_add(errors, "household", "The household is in another partnership.")
        elif not _household_may_change(by, household):
            error_add(errors, "household", "You may not change this household.")
    if errors:
        raise ValidationError(errors)
    person.search_name = name_key(person.given_name, person.family_name, person.other_names)
    person.save()
    if household is not None:
        HouseholdMember.objects.create(
            partnership=partnership, created_by=by, household=household, person=person, joined_on=timezone.localdate()
        )
    _share_with_own_agency(record=person, by=by, what="Person record created by the agency")
    return person


def _field_value(person: Person, name: str) -> Any:
    """A field's stored value (an agency's id for a foreign key), for comparing before and after."""
    model_field = person._meta.get_field(name)
    return getattr(person, getattr(model_field, "attname", name))


@transaction.atomic
def person_update(*, person: Person, by: User, version: int, **changes: Any) -> Person:
    """Change a person's details, if nobody has changed them since the user read ``version``.

    The save is one conditional UPDATE (``WHERE id = ... AND version = ...``), so of two users
    saving the same version only the first succeeds; the second gets ``StaleRecord`` and
    nothing of theirs is written.
    """
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update cannot change {sorted(unknown)}")
    if person.version != version:
        raise StaleRecord()
    changes = _person_normalise(changes)
    candidate = copy.copy(person)
    for name, value in changes.items():
        setattr(candidate, name, value)
    errors = _person_errors(candidate, changed=changes)
    if errors:
        raise ValidationError(errors)
    updates = {
        name: getattr(candidate, name)
        for name in changes
        if _field_value(candidate, name) != _field_value(person, name)
    }
    current = Person.objects.filter(pk=person.pk, version=version)
    if not updates:
        if not current.exists():
            raise StaleRecord()
        return person
    if updates.keys() & {"given_name", "family_name", "other_names"}:
        updates["search_name"] = name_key(candidate.given_name, candidate.family_name, candidate.other_names)
    if not current.update(**updates, version=F("version") + 1, updated_at=timezone.now()):
        raise StaleRecord()
    person.refresh_from_db()
    return person


def _postcode_normalise(value: str) -> str:
    compact = re.sub(r"\s+", "", (value or "").upper())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _members_errors(*, partnership_id: int, by: User, people: Sequence[Person], field: str) -> ErrorDict:
    errors: ErrorDict = {}
    ids = [p.pk for p in people]
    if len(set(ids)) != len(ids):
        error_add(errors, field, "A person is listed twice.")
    if any(p.partnership_id != partnership_id for p in people):
        error_add(errors, field, "Everyone in a household must be in the household's partnership.")
    elif ids and people_visible(by).filter(pk__in=ids).count() != len(set(ids)):
        error_add(errors, field, "You may only add people whose records you can open.")
    return errors


@transaction.atomic
def household_create(
    *, partnership: Partnership, by: User, address: str, postcode: str = "", members: Sequence[Person] = ()
) -> Household:
    """A household at an address, with its current members."""
    _require_may_create(by, partnership)
    members = list(members)
    household = Household(
        partnership=partnership, created_by=by, address=(address or "").strip(), postcode=_postcode_normalise(postcode)
    )
    errors = _members_errors(partnership_id=partnership.pk, by=by, people=members, field="members")
    if household.postcode and not _POSTCODE.match(household.postcode):
        error_add(errors, "postcode", "Enter a real postcode, like SW1A 1AA.")
    try:
        household.full_clean(exclude=["partnership", "created_by", *errors])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    household.save()
    today = timezone.localdate()
    HouseholdMember.objects.bulk_create(
        HouseholdMember(partnership=partnership, created_by=by, household=household, person=person, joined_on=today)
        for person in members
    )
    _share_with_own_agency(record=household, by=by, what="Household record created by the agency")
    return household


@transaction.atomic
def household_member_add(
    *, household: Household, person: Person, by: User, joined_on: date | None = None
) -> HouseholdMember:
    """Record that someone now lives in a household."""
    if not _household_may_change(by, household):
        raise PermissionDenied("You may not change this household.")
    errors = _members_errors(partnership_id=household.partnership_id, by=by, people=[person], field="person")
    if not errors and household.memberships.filter(person=person, left_on__isnull=True).exists():
        error_add(errors, "person", "This person already lives in this household.")
    if joined_on is not None and joined_on > timezone.localdate():
        error_add(errors, "joined_on", "The date they joined must be today or in the past.")
    if errors:
        raise ValidationError(errors)
    return HouseholdMember.objects.create(
        partnership_id=household.partnership_id, created_by=by, household=household, person=person,
        joined_on=joined_on or timezone.localdate(),
    )


@transaction.atomic
def household_member_remove(
    *, household: Household, person: Person, by: User, left_on: date | None = None
) -> HouseholdMember:
    """Record that someone no longer lives in a household; the membership stays, with the date they left."""
    if not _household_may_change(by, household):
        raise PermissionDenied("You may not change this household.")
    left_on = left_on or timezone.localdate()
    membership = (
        household.memberships.select_for_update().filter(person=person, left_on__isnull=True).first()
    )
    if membership is None:
        raise ValidationError({"person": ["This person does not live in this household now."]})
    if left_on > timezone.localdate() or (membership.joined_on is not None and left_on < membership.joined_on):
        raise ValidationError({"left_on": ["The date they left must be between the date they joined and today."]})
    HouseholdMember.objects.filter(pk=membership.pk).update(
        left_on=left_on, version=F("version") + 1, updated_at=timezone.now()
    )
    membership.refresh_from_db()
    return membership


@transaction.atomic
def relationship_create(
    *, person: Person, other: Person, kind: str, poses_risk: bool = False, by: User
) -> Relationship:
    """Record that ``person`` is the ``kind`` of ``other`` (a parent relationship reads parent -> child)."""
    errors: ErrorDict = {}
    if person.pk == other.pk:
        error_add(errors, "other", "A relationship needs two different people.")
    elif person.partnership_id != other.partnership_id:
        error_add(errors, "other", "Both people must be in the same partnership.")
    else:
        visible = set(people_visible(by).filter(pk__in=[person.pk, other.pk]).values_list("pk", flat=True))
        for field, someone in (("person", person), ("other", other)):
            if someone.pk not in visible:
                error_add(errors, field, "You may only link people whose records you can open.")
    relationship = Relationship(
        partnership_id=person.partnership_id, created_by=by, person=person, other=other, kind=kind,
        poses_risk=poses_risk,
    )
    try:
        relationship.full_clean(exclude=["partnership", "created_by", "person", "other", *errors],
                                validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if not errors:
        same = Q(person=person, other=other, kind=kind)
        if kind in _SYMMETRIC:
            same |= Q(person=other, other=person, kind=kind)
        if Relationship.objects.filter(same).exists():
            error_add(errors, "kind", "This relationship is already recorded.")
    if errors:
        raise ValidationError(errors)
    relationship.save()
    return relationship


def _open_case(person_id: int) -> Q:
    return Q(child_id=person_id) & ~Q(status=Case.Status.CLOSED)


@transaction.atomic
def person_merge(*, keep: Person, duplicate: Person, by: User) -> Person:
    """Merge a duplicate record into the one to keep.

    Everything linked to the duplicate moves to ``keep`` with bulk updates: household
    memberships, address history, relationships, incident links, MARAC referrals, Operation
    Encompass notices, cases, referrals, strategy meetings and flags; the agencies it was shared
    with are given the same grants on ``keep`` (with information-sharing records); its names
    become ``keep``'s other names.
    A link ``keep`` already has (the same household, incident or active flag) stays with the
    duplicate rather than being recorded twice. The duplicate row is kept, pointing at ``keep``,
    so both histories stay in the access log.
    """
    if not person_may_merge(by):
        raise PermissionDenied("Only children's social care managers may merge records.")
    errors: ErrorDict = {}
    if keep.pk == duplicate.pk:
        error_add(errors, "duplicate", "Choose a different record to merge into this one.")
    elif keep.partnership_id != duplicate.partnership_id:
        error_add(errors, "duplicate", "Both records must be in the same partnership.")
    if errors:
        raise ValidationError(errors)
    # Rows locked in id order, so two merges of the same pair cannot interleave.
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk")}
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    if keep.merged_into_id is not None:
        error_add(errors, NON_FIELD_ERRORS, "This record has been merged into another; merge into that one.")
    if duplicate.merged_into_id is not None:
        error_add(errors, "duplicate", "That record has already been merged.")
    elif people_visible(by).filter(pk__in=[keep.pk, duplicate.pk]).count() != 2:
        error_add(errors, "duplicate", "You may only merge records you can open.")
    elif Case.objects.filter(_open_case(keep.pk)).exists() and Case.objects.filter(_open_case(duplicate.pk)).exists():
        error_add(errors, "duplicate", "Both people have an open case. Close one of the cases before merging.")
    if errors:
        raise ValidationError(errors)

    now, today = timezone.now(), timezone.localdate()
    moved = {"version": F("version") + 1, "updated_at": now}
    keep_households = HouseholdMember.objects.filter(person=keep, left_on__isnull=True).values("household_id")
    # The duplicate listed in a household keep also lives in: that listing ends, rather than showing one person twice.
    HouseholdMember.objects.filter(person=duplicate, left_on__isnull=True, household_id__in=keep_households).update(
        left_on=today, **moved
    )
    HouseholdMember.objects.filter(person=duplicate).exclude(household_id__in=keep_households).update(
        person=keep, **moved
    )
    PersonAddress.objects.filter(person=duplicate).update(person=keep, **moved)
    Relationship.objects.filter(person=duplicate).exclude(other=keep).exclude(
        Exists(Relationship.objects.filter(person=keep, other=OuterRef("other"), kind=OuterRef("kind")))
    ).update(person=keep, **moved)
    Relationship.objects.filter(other=duplicate).exclude(person=keep).exclude(
        Exists(Relationship.objects.filter(other=keep, person=OuterRef("person"), kind=OuterRef("kind")))
    ).update(other=keep, **moved)
    IncidentParty.objects.filter(person=duplicate).exclude(
        Exists(IncidentParty.objects.filter(person=keep, incident=OuterRef("incident"), role=OuterRef("role")))
    ).update(person=keep, **moved)
    IncidentChild.objects.filter(child=duplicate).exclude(
        Exists(IncidentChild.objects.filter(child=keep, incident=OuterRef("incident")))
    ).update(child=keep, **moved)
    MaracReferral.objects.filter(victim=duplicate).exclude(
        Exists(MaracReferral.objects.filter(victim=keep, incident=OuterRef("incident")))
    ).update(victim=keep, **moved)
    EncompassNotice.objects.filter(child=duplicate).exclude(
        Exists(EncompassNotice.objects.filter(child=keep, incident=OuterRef("incident")))
    ).update(child=keep, **moved)
    Case.objects.filter(child=duplicate).update(child=keep, **moved)
    ChildVoice.objects.filter(child=duplicate).update(child=keep, **moved)
    PlanAction.objects.filter(family_member=duplicate).update(family_member=keep, **moved)
    PlanDistribution.objects.filter(family_member=duplicate).exclude(
        Exists(PlanDistribution.objects.filter(family_member=keep, plan=OuterRef("plan"),
                                               version_number=OuterRef("version_number")))
    ).update(family_member=keep, **moved)
    _front_door_links_move(keep=keep, duplicate=duplicate, moved=moved)
    PersonFlag.objects.filter(person=duplicate).exclude(
        Q(cleared_at__isnull=True)
        & Q(Exists(PersonFlag.objects.filter(person=keep, kind=OuterRef("kind"), cleared_at__isnull=True)))
    ).update(person=keep, **moved)
    _grants_copy(keep=keep, duplicate=duplicate, by=by, now=now)

    aliases = [*keep.other_names]
    for alias in (duplicate.full_name, *duplicate.other_names):
        if alias and alias != keep.full_name and alias not in aliases:
            aliases.append(alias)
    Person.objects.filter(pk=keep.pk).update(
        other_names=aliases,
        search_name=name_key(keep.given_name, keep.family_name, aliases),
        restricted=keep.restricted or duplicate.restricted,
        **moved,
    )
    Person.objects.filter(pk=duplicate.pk).update(merged_into=keep, **moved)
    access_record(user=by, action="update", record_type="person", record_id=keep.pk,
                  partnership_id=keep.partnership_id, fields={"merged": [duplicate.pk, keep.pk]})
    keep.refresh_from_db()
    return keep


def _front_door_links_move(*, keep: Person, duplicate: Person, moved: dict[str, Any]) -> None:
    """The duplicate's referrals and strategy meetings become keep's (unless keep is already on the same one)."""
    # Imported here: referrals and strategy meetings build on cases, not the other way round.
    from referrals.models import ReferralChild
    from strategy_meetings.models import StrategyMeetingChild

    ReferralChild.objects.filter(child=duplicate).exclude(
        Exists(ReferralChild.objects.filter(child=keep, referral=OuterRef("referral")))
    ).update(child=keep, **moved)
    StrategyMeetingChild.objects.filter(child=duplicate).exclude(
        Exists(StrategyMeetingChild.objects.filter(child=keep, meeting=OuterRef("meeting")))
    ).update(child=keep, **moved)


def _grants_copy(*, keep: Person, duplicate: Person, by: User, now: Any) -> None:
    """Whoever could see the duplicate can see the kept record: the same grants, each with its sharing record."""
    group_grants = list(
        PersonGroupObjectPermission.objects.filter(content_object=duplicate).values_list("group_id", "permission_id")
    )
    already = set(
        PersonGroupObjectPermission.objects.filter(content_object=keep).values_list("group_id", "permission_id")
    )
    new_grants = [grant for grant in group_grants if grant not in already]
    PersonGroupObjectPermission.objects.bulk_create(
        PersonGroupObjectPermission(group_id=group_id, permission_id=permission_id, content_object=keep)
        for group_id, permission_id in new_grants
    )
    PersonUserObjectPermission.objects.bulk_create(
        (
            PersonUserObjectPermission(user_id=user_id, permission_id=permission_id, content_object=keep)
            for user_id, permission_id in PersonUserObjectPermission.objects.filter(
                content_object=duplicate
            ).values_list("user_id", "permission_id")
        ),
        ignore_conflicts=True,
    )
    RestrictedAccess.objects.bulk_create(
        (
            RestrictedAccess(partnership_id=keep.partnership_id, created_by=by, person=keep, user_id=user_id)
            for user_id in RestrictedAccess.objects.filter(person=duplicate).values_list("user_id", flat=True)
        ),
        ignore_conflicts=True,
    )
    agencies = Agency.objects.filter(group_id__in={group_id for group_id, _ in new_grants}).order_by("pk")
    InformationShare.objects.bulk_create(
        InformationShare(
            partnership_id=keep.partnership_id, created_by=by, record_type="person", record_id=keep.pk,
            agency=agency, what=f"Person record merged with a duplicate record it had been shared as ({duplicate.pk})",
            shared_at=now,
        )
        for agency in agencies
    )


def _record_managers(person: Person, *, exclude: User) -> list[User]:
    """Who is told when glass is broken: the team manager of the open case's allocated team, else the
    lead professional's line manager, else the partnership's children's social care senior managers
    (then its MASH managers, then its administrators), never nobody when anyone holds those roles."""
    active = User.objects.filter(is_active=True).exclude(pk=exclude.pk).order_by("pk")
    case = (
        Case.objects.filter(_open_case(person.pk)).select_related("lead_professional__membership__line_manager").first()
    )
    if case is not None:
        if case.allocated_team_id is not None:
            team_managers = list(
                active.filter(membership__teams=case.allocated_team_id, membership__role=Role.TEAM_MANAGER)
            )
            if team_managers:
                return team_managers
        lead = case.lead_professional
        line_manager = lead.membership.line_manager if lead is not None and membership_of(lead) else None
        if line_manager is not None and line_manager.is_active and line_manager.pk != exclude.pk:
            return [line_manager]
    in_partnership = active.filter(membership__partnership_id=person.partnership_id)
    for wanted in (
        Q(membership__role=Role.SENIOR_MANAGER, membership__agency__kind=Agency.Kind.CHILDRENS_SOCIAL_CARE),
        Q(membership__role=Role.MASH_MANAGER),
        Q(membership__role=Role.ADMIN),
    ):
        found = list(in_partnership.filter(wanted))
        if found:
            return found
    return []


@transaction.atomic
def person_break_glass(*, person: Person, user: User, reason: str) -> BreakGlass:
    """Open a restricted record by stating why: logged, told to the record's manager, and lasting 8 hours."""
    reason = " ".join((reason or "").split())
    if not people_known_to(user).filter(pk=person.pk).exists():
        raise PermissionDenied("You may not open this record.")
    errors: ErrorDict = {}
    if len(reason) < BREAK_GLASS_REASON_MIN:
        error_add(errors, "reason",
             f"Say why you need to open this record, in at least {BREAK_GLASS_REASON_MIN} characters.")
    if not person.restricted:
        error_add(errors, NON_FIELD_ERRORS, "This record is not restricted; open it in the usual way.")
    elif people_visible(user).filter(pk=person.pk).exists():
        error_add(errors, NON_FIELD_ERRORS, "You may already open this record.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    glass = BreakGlass.objects.create(
        partnership_id=person.partnership_id, created_by=user, person=person, user=user, reason=reason,
        opened_at=now, expires_at=now + BREAK_GLASS_LASTS,
    )
    access_record(user=user, action="break_glass", record_type="person", record_id=person.pk,
                  partnership_id=person.partnership_id, reason=reason)
    membership = membership_of(user)
    who = f"{user.display_name} ({membership.agency.name})" if membership else user.display_name
    for manager in _record_managers(person, exclude=user):
        notification_send(
            recipient=manager, kind="break_glass", subject_type="person", subject_id=person.pk,
            message=f"{who} opened the restricted record of {person.full_name} by breaking glass. Reason: {reason}",
        )
    return glass
