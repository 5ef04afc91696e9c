"""Who may see which people, households and incidents (SPEC 6), and the one way to fetch each for a user.

- Children's social care users see every record of the partnerships their agency serves.
- Any other agency sees a record once it has been shared with that agency (a django-guardian grant
  to the agency's group, made by ``record_share_with`` with an information-sharing record beside it).
- Restricted people are visible only to named users; anyone else who could otherwise see the
  record is told it exists and may open it by breaking glass.
- Cases: children's social care sees its partnerships' cases; another agency sees a case it is involved in.
- The child's voice: whoever may open the child reads their voice records; children's social care casework
  staff, and practitioners and managers of an agency the child is shared with, record them.
- Plans: children's social care, the agencies involved in the case, and an agency owning one of its actions.
- Attachments: as the record they belong to (a voice record, an incident, a strategy meeting, a case).
- Auditors read the cases sampled into their open audit rounds, the sampled children's records and what is
  about those children (voice, plans, incidents, attachments), nothing else, and change nothing.
- Every denial is a 404 when the user may not know the record exists, a 403 when they may.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency, Role, User
from agencies.permissions import record_share, records_visible
from agencies.selectors import membership_of
from audits.permissions import cases_audited_by, children_audited_by, is_auditor
from audits.services import access_record
from cases.models import (
    Attachment,
    BreakGlass,
    Case,
    CaseRecord,
    ChildVoice,
    EncompassNotice,
    Household,
    HouseholdMember,
    Incident,
    IncidentChild,
    InformationShare,
    Person,
    PersonFlag,
    Plan,
    RestrictedAccess,
)

BREAK_GLASS_LASTS = timedelta(hours=8)


class RestrictedRecord(PermissionDenied):
    """The user may know this restricted record exists, but must break glass to open it."""

    def __init__(self, person: Person) -> None:
        super().__init__("This record is restricted.")
        self.person = person


def sees_whole_partnership(user: User) -> bool:
    """Children's social care staff (not auditors) see all the partnership's records."""
    membership = membership_of(user)
    if membership is None:
        return False
    return membership.agency.kind == Agency.Kind.CHILDRENS_SOCIAL_CARE and membership.role != Role.AUDITOR


def served_partnerships(user: User) -> QuerySet[Any]:
    """The partnerships the user's agency serves, as a subquery."""
    membership = membership_of(user)
    links = Agency.partnerships.through.objects.values("partnership_id")
    return links.filter(agency_id=membership.agency_id) if membership is not None else links.none()


def _unlocked(user: User) -> Q:
    """Restricted people this user is named on, or has broken glass for and may still see."""
    named = RestrictedAccess.objects.filter(person=OuterRef("pk"), user=user)
    glass = BreakGlass.objects.filter(person=OuterRef("pk"), user=user, expires_at__gt=timezone.now())
    return Q(restricted=False) | Q(Exists(named)) | Q(Exists(glass))


def people_known_to(user: User) -> QuerySet[Person]:
    """People the user may know exist: restricted ones included, merged duplicates left out."""
    people = Person.objects.filter(merged_into__isnull=True)
    if membership_of(user) is None:
        return people if user.is_superuser else people.none()
    if sees_whole_partnership(user):
        return people.filter(partnership__in=served_partnerships(user))
    if is_auditor(user):
        return people.filter(pk__in=children_audited_by(user))
    return records_visible(user=user, queryset=people)


def people_visible(user: User) -> QuerySet[Person]:
    """People whose records the user may open now (every list of people starts here)."""
    return people_known_to(user).filter(_unlocked(user))


def person_get_for(user: User, person_id: int, *, write: bool = False, log: bool = True) -> Person:
    """The person, or Http404 / RestrictedRecord / PermissionDenied; logs the view."""
    person = people_known_to(user).filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person")
    if person.restricted and not people_visible(user).filter(pk=person.pk).exists():
        raise RestrictedRecord(person)
    if write and not person_may_change(user, person):
        raise PermissionDenied("Your agency may see this record but not change it.")
    if log:
        access_record(user=user, action="view", record_type="person", record_id=person.pk,
                      partnership_id=person.partnership_id)
    return person


def person_may_change(user: User, person: Person) -> bool:
    if sees_whole_partnership(user):
        return True
    if is_auditor(user):
        # An auditor reads; their agency's grants to change what it recorded are not theirs to use.
        return False
    return records_visible(user=user, queryset=Person.objects.filter(pk=person.pk), perm="change").exists()


def person_history_check(user: User, person_id: int) -> str:
    """Whose history a user may read: managers, administrators and auditors (sampled) who may see the person."""
    person = person_get_for(user, person_id, log=False)
    membership = membership_of(user)
    if membership is None or not user.has_perm("audits.view_accesslogentry"):
        raise PermissionDenied("Only managers, auditors and administrators may see a record's history.")
    return f"Person: {person.full_name}"


def households_visible(user: User) -> QuerySet[Household]:
    households = Household.objects.all()
    if membership_of(user) is None:
        return households if user.is_superuser else households.none()
    if sees_whole_partnership(user):
        return households.filter(partnership__in=served_partnerships(user))
    if is_auditor(user):
        # The households of the children sampled into the auditor's open rounds, read only.
        return households.filter(Exists(HouseholdMember.objects.filter(
            household=OuterRef("pk"), person__in=children_audited_by(user))))
    return records_visible(user=user, queryset=households)


def household_may_change(user: User, household: Household) -> bool:
    if sees_whole_partnership(user):
        return True
    if is_auditor(user):
        return False
    return records_visible(user=user, queryset=Household.objects.filter(pk=household.pk), perm="change").exists()


def household_get_for(user: User, household_id: int, *, write: bool = False) -> Household:
    household = households_visible(user).filter(pk=household_id).first()
    if household is None:
        raise Http404("No such household")
    if write and not household_may_change(user, household):
        raise PermissionDenied("Your agency may see this household but not change it.")
    return household


def incidents_visible(user: User) -> QuerySet[Incident]:
    """Children's social care: incidents with a child involved, and its own; other agencies: those shared with them."""
    incidents = Incident.objects.all()
    membership = membership_of(user)
    if membership is None:
        return incidents if user.is_superuser else incidents.none()
    if sees_whole_partnership(user):
        with_child = IncidentChild.objects.filter(incident=OuterRef("pk"))
        return incidents.filter(
            Exists(with_child) | Q(reported_by_id=membership.agency_id), partnership__in=served_partnerships(user)
        )
    if membership.role == Role.AUDITOR:
        audited = IncidentChild.objects.filter(incident=OuterRef("pk"), child__in=children_audited_by(user))
        return incidents.filter(Exists(audited))
    return records_visible(user=user, queryset=incidents)


def incident_get_for(user: User, incident_id: int, *, write: bool = False, log: bool = True) -> Incident:
    incident = incidents_visible(user).filter(pk=incident_id).first()
    if incident is None:
        raise Http404("No such incident")
    if write:
        membership = membership_of(user)
        if membership is None or membership.agency_id != incident.reported_by_id:
            raise PermissionDenied("Only the reporting agency may change an incident.")
    if log:
        access_record(user=user, action="view", record_type="incident", record_id=incident.pk,
                      partnership_id=incident.partnership_id)
    return incident


def incident_history_check(user: User, incident_id: int) -> str:
    incident = incident_get_for(user, incident_id, log=False)
    if not user.has_perm("audits.view_accesslogentry"):
        raise PermissionDenied("Only managers, auditors and administrators may see a record's history.")
    return f"Incident: {incident}"


def escalating_flag_may_review(user: User) -> bool:
    """MASH managers and senior managers of children's social care review escalating children."""
    membership = membership_of(user)
    reviewers = (Role.MASH_MANAGER, Role.SENIOR_MANAGER)
    return membership is not None and membership.role in reviewers and sees_whole_partnership(user)


def escalating_flag_get_for(user: User, flag_id: int) -> PersonFlag:
    """The flag on a child the user may open (else Http404), if the user reviews flags (else PermissionDenied)."""
    flag = (
        PersonFlag.objects.filter(pk=flag_id, kind=PersonFlag.Kind.ESCALATING, person__in=people_visible(user))
        .select_related("person", "reviewed_by")
        .first()
    )
    if flag is None:
        raise Http404("No such flag")
    if not escalating_flag_may_review(user):
        raise PermissionDenied("Only a MASH manager or senior manager of children's social care reviews this flag.")
    return flag


def encompass_notices_visible(user: User) -> QuerySet[EncompassNotice]:
    """A school sees the notices for its pupils; the reporting police force and children's social care see all."""
    notices = EncompassNotice.objects.all()
    membership = membership_of(user)
    if membership is None:
        return notices if user.is_superuser else notices.none()
    if sees_whole_partnership(user):
        return notices.filter(partnership__in=served_partnerships(user))
    if membership.role == Role.AUDITOR:
        # None, as a query the chronology can still combine with its other sources (``none()`` cannot be).
        return notices.filter(pk__isnull=True)
    if membership.agency.kind == Agency.Kind.EDUCATION:
        return notices.filter(school_id=membership.agency_id)
    return notices.filter(incident__reported_by_id=membership.agency_id)


def encompass_notice_get_for(user: User, notice_id: int) -> EncompassNotice:
    notice = encompass_notices_visible(user).filter(pk=notice_id).first()
    if notice is None:
        raise Http404("No such notice")
    access_record(user=user, action="view", record_type="encompass_notice", record_id=notice.pk,
                  partnership_id=notice.partnership_id)
    return notice


@transaction.atomic
def record_share_with(
    *,
    record: CaseRecord,
    agency: Agency,
    what: str,
    by: User | None,
    perms: tuple[str, ...] = ("view",),
    lawful_basis: str = InformationShare.LawfulBasis.PUBLIC_TASK,
    consent: str = InformationShare.Consent.NOT_SOUGHT,
    reason_without_consent: str = "",
    authorised_by: User | None = None,
) -> InformationShare:
    """Share a record with an agency: the grant to its group and the information-sharing record, together."""
    record_share(record=record, agency=agency, perms=perms)
    return InformationShare.objects.create(
        partnership_id=record.partnership_id,
        created_by=by,
        record_type=record._meta.model_name or "",
        record_id=record.pk,
        agency=agency,
        what=what,
        shared_at=timezone.now(),
        lawful_basis=lawful_basis,
        consent=consent,
        reason_without_consent=reason_without_consent,
        authorised_by=authorised_by,
    )


# -- Cases, the child's voice, plans and attachments (SPEC 3.2, 6) ---------------------------------------------

NOT_CASEWORK = frozenset({Role.AUDITOR, Role.ADMIN})


def _casework(user: User) -> bool:
    """A practitioner or manager (not an auditor or administrator) of some agency."""
    membership = membership_of(user)
    return membership is not None and membership.role not in NOT_CASEWORK


def cases_visible(user: User) -> QuerySet[Case]:
    """Children's social care: its partnerships' cases; another agency: the cases it is involved in."""
    cases = Case.objects.all()
    membership = membership_of(user)
    if membership is None:
        return cases if user.is_superuser else cases.none()
    if sees_whole_partnership(user):
        return cases.filter(partnership__in=served_partnerships(user))
    if membership.role == Role.AUDITOR:
        return cases.filter(pk__in=cases_audited_by(user))
    return cases.filter(involved_agencies=membership.agency_id)


def case_get_for(user: User, case_id: int, *, log: bool = True) -> Case:
    """The case, or Http404 when the user may not know it exists (its child restricted included: the case is
    opened through the child, whose record says whether glass must be broken); logs the view."""
    case = cases_visible(user).filter(pk=case_id, child__in=people_visible(user)).select_related("child").first()
    if case is None:
        raise Http404("No such case")
    if log:
        access_record(user=user, action="view", record_type="case", record_id=case.pk,
                      partnership_id=case.partnership_id)
    return case


def voice_records_visible(user: User) -> QuerySet[ChildVoice]:
    """The voice records of the children the user may open (restricted children only for those named; for an
    auditor, the children sampled into their open rounds)."""
    return ChildVoice.objects.filter(child__in=people_visible(user))


def voice_get_for(user: User, voice_id: int, *, log: bool = True) -> ChildVoice:
    voice = voice_records_visible(user).filter(pk=voice_id).select_related("child", "agency", "practitioner").first()
    if voice is None:
        raise Http404("No such record of the child's voice")
    if log:
        access_record(user=user, action="view", record_type="child_voice", record_id=voice.pk,
                      partnership_id=voice.partnership_id)
    return voice


def voice_may_record(user: User) -> bool:
    """Practitioners and managers of any agency record a child's voice (for a child they may open)."""
    return _casework(user)


def voice_record_check(user: User) -> None:
    if not voice_may_record(user):
        raise PermissionDenied("Only practitioners and managers record a child's voice.")


def plans_visible(user: User) -> QuerySet[Plan]:
    """Children's social care: every plan of its partnerships; another agency: the plans of cases it is involved
    in, and plans with an action its agency owns."""
    plans = Plan.objects.all()
    membership = membership_of(user)
    if membership is None:
        return plans if user.is_superuser else plans.none()
    if sees_whole_partnership(user):
        return plans.filter(partnership__in=served_partnerships(user))
    if membership.role == Role.AUDITOR:
        return plans.filter(case__in=cases_audited_by(user))
    return plans.filter(Q(case__involved_agencies=membership.agency_id)
                        | Q(actions__agency_id=membership.agency_id)).distinct()


def plan_get_for(user: User, plan_id: int, *, log: bool = True) -> Plan:
    plan = plans_visible(user).filter(pk=plan_id, case__child__in=people_visible(user)).select_related(
        "case", "case__child").first()
    if plan is None:
        raise Http404("No such plan")
    if log:
        access_record(user=user, action="view", record_type="plan", record_id=plan.pk,
                      partnership_id=plan.partnership_id)
    return plan


def plan_may_change(user: User) -> bool:
    """Children's social care casework staff make and change plans (the lead agency for every plan)."""
    return sees_whole_partnership(user) and _casework(user)


def plan_change_check(user: User) -> None:
    if not plan_may_change(user):
        raise PermissionDenied("Only children's social care makes and changes plans.")


def attachment_record_visible(user: User, record_type: str, record_id: int) -> bool:
    """Whether the user may see the record an attachment is (or would be) on."""
    from strategy_meetings.permissions import meetings_visible  # the meetings' app builds on this one

    visible: dict[str, QuerySet[Any]] = {
        Attachment.RecordType.CHILD_VOICE: voice_records_visible(user),
        Attachment.RecordType.INCIDENT: incidents_visible(user),
        Attachment.RecordType.STRATEGY_MEETING: meetings_visible(user),
        Attachment.RecordType.CASE: cases_visible(user).filter(child__in=people_visible(user)),
    }
    records = visible.get(record_type)
    return records is not None and records.filter(pk=record_id).exists()


def attachments_visible(user: User, record_type: str, record_id: int) -> QuerySet[Attachment]:
    """The attachments of one record the user may see (none when they may not see the record)."""
    if not attachment_record_visible(user, record_type, record_id):
        return Attachment.objects.none()
    return Attachment.objects.filter(record_type=record_type, record_id=record_id)


def attachment_get_for(user: User, attachment_id: int, *, log: bool = True) -> Attachment:
    """The attachment, or Http404 when the user may not see its record; the view (or download) is logged."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None or not attachment_record_visible(user, attachment.record_type, attachment.record_id):
        raise Http404("No such attachment")
    if log:
        access_record(user=user, action="view", record_type="attachment", record_id=attachment.pk,
                      partnership_id=attachment.partnership_id)
    return attachment
