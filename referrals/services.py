"""Every write at the front door (SPEC 3.3, 5, 6).

- ``referral_create``: a contact or referral from any agency, with its information-sharing record; the
  decision is due 1 working day after receipt; a child referred in the 12 months before is a repeat.
- ``referral_rate`` / ``referral_allocate``: MASH triage.
- ``agency_check_request`` / ``agency_check_answer``: asking an agency what it knows. Asking shares the
  referral's summary with that agency; without the family's consent that needs a manager's authorisation.
- ``referral_decide``: a MASH manager's decision, moving the children's cases; a strategy discussion convenes
  a strategy meeting.
- ``referral_feedback_record``: the referrer was told.
- ``escalation_raise`` / ``escalation_respond`` / ``escalation_stages_climb``: professional disagreement,
  stage by stage; an unanswered stage climbs to the next on its own.

Each raises ``ValidationError`` with field-level messages and saves nothing on bad input, and
``PermissionDenied`` when the user may see the referral but not do this.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from agencies.chasers import people_named
from agencies.models import Agency, Membership, Role, User
from agencies.permissions import record_share
from agencies.rules import DEFAULT_TZ
from agencies.selectors import calendar_for, membership_of
from agencies.services import notification_send
from cases.models import Case, Incident, InformationShare, Person
from cases.permissions import incidents_visible, people_visible, record_share_with, sees_whole_partnership
from cases.rules.risk import is_child_on
from cases.services.people import StaleRecord, person_create
from config.errors import ErrorDict, error_add, errors_raise, moment_errors
from referrals import rules
from referrals.models import AgencyCheck, Decision, Escalation, EscalationStage, Feedback, Referral, ReferralChild
from referrals.permissions import (
    check_request_check,
    consent_override_may_authorise,
    escalation_raise_check,
    escalation_respond_check,
    feedback_record_check,
    partnership_csc,
    referral_create_check,
    referral_decide_check,
    triage_act_check,
)
from strategy_meetings.services import meeting_convene

# A referral typed in late (a letter, a phone message) is still recorded, but a date this old is a typing error.
EARLIEST_RECEIVED = datetime(2000, 1, 1, tzinfo=DEFAULT_TZ)
# The decisions that end the front door's involvement, and the closure reason a case gets for each.
CLOSING_OUTCOMES: dict[str, str] = {
    Decision.Outcome.NO_FURTHER_ACTION: "RC8",
    Decision.Outcome.ADVICE_SIGNPOSTING: "RC8",
    Decision.Outcome.EARLY_HELP: "RC9",
}
# Open-case statuses that are still at the front door, which a decision may move on or close.
FRONT_DOOR_STATUSES = (Case.Status.CONTACT, Case.Status.REFERRAL)
# Decisions that need a statutory assessment: an open case at "assessment" at least.
ASSESSING_OUTCOMES = (
    Decision.Outcome.CHILD_AND_FAMILY_ASSESSMENT,
    Decision.Outcome.STRATEGY_DISCUSSION,
    Decision.Outcome.IMMEDIATE_PROTECTION,
)


@dataclass(frozen=True)
class NewChild:
    """A child not yet known to the system, recorded with the referral (after the duplicate check)."""

    given_name: str
    family_name: str
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    sex: str = Person.Sex.UNKNOWN


def _version_bump(model: type[Referral], pk: int, version: int | None, **changes: object) -> None:
    """One conditional UPDATE: of two users saving the same version, only the first succeeds."""
    rows = model.objects.filter(pk=pk)
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(**changes, version=F("version") + 1, updated_at=timezone.now()):
        raise StaleRecord()


def _agency_users(agency: Agency, partnership_id: int, roles: Iterable[str]) -> list[User]:
    return [
        membership.user
        for membership in Membership.objects.filter(
            agency=agency, role__in=list(roles), user__is_active=True, agency__partnerships=partnership_id
        ).select_related("user").order_by("user_id")
    ]


def _tell(users: Iterable[User], *, kind: str, message: str, referral: Referral, link: str = "",
          due_at: datetime | None = None) -> None:
    for user in dict.fromkeys(users):
        notification = notification_send(recipient=user, kind=kind, message=message, subject_type="referral",
                                         subject_id=referral.pk, link=link or f"/referrals/{referral.pk}/")
        if due_at is not None:
            notification.due_at = due_at
            notification.save(update_fields=["due_at"])


# -- Intake ---------------------------------------------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    by: User,
    received_at: datetime,
    referrer_agency: Agency,
    children: Sequence[Person] = (),
    new_children: Sequence[NewChild] = (),
    concerns: str,
    categories: Sequence[str] = (),
    urgency: str = Referral.Urgency.STANDARD,
    incident: Incident | None = None,
    consent: str,
    consent_reason: str = "",
    lawful_basis: str = InformationShare.LawfulBasis.PUBLIC_TASK,
    referrer_name: str = "",
    referrer_contact: str = "",
    family_told: str = "",
    source_code: str = "",
) -> Referral:
    """Receive a contact or referral; the decision is due 1 working day after ``received_at``."""
    referral_create_check(by)
    membership = membership_of(by)
    assert membership is not None  # noqa: S101 - referral_create_check says so
    partnership = membership.partnership
    now = timezone.now()
    errors: ErrorDict = {}
    concerns = concerns.strip()
    consent_reason = consent_reason.strip()
    moment_errors(errors, "received_at", received_at, now=now, label="The time the referral was received")
    if received_at.tzinfo is not None and received_at < EARLIEST_RECEIVED:
        error_add(errors, "received_at", "Check the date: the system holds no referrals from before 2000.")
    if not referrer_agency.partnerships.filter(pk=partnership.pk).exists():
        error_add(errors, "referrer_agency", "The referring agency does not work in this partnership.")
    elif referrer_agency.pk != membership.agency_id and not sees_whole_partnership(by):
        # The MASH records contacts telephoned in by any agency; others refer for their own agency only.
        error_add(errors, "referrer_agency", "Refer for your own agency.")
    if not children and not new_children:
        error_add(errors, "children", "Name at least one child the referral is about.")
    visible = set(people_visible(by).filter(pk__in=[child.pk for child in children]).values_list("pk", flat=True))
    for child in children:
        if child.pk not in visible or child.partnership_id != partnership.pk:
            error_add(errors, "children", f"Unknown child: {child.pk}.")
        elif child.date_of_birth and not child.expected_date_of_birth and received_at.tzinfo and not is_child_on(
            child.date_of_birth, received_at.date()
        ):
            error_add(errors, "children", f"{child.full_name} is not a child: refer adults to adult services.")
    if len({child.pk for child in children}) != len(children):
        error_add(errors, "children", "Each child is named once.")
    for index, new in enumerate(new_children):
        born = new.date_of_birth
        if born is not None and received_at.tzinfo is not None and not is_child_on(born, received_at.date()):
            error_add(errors, f"new_children.{index}.date_of_birth",
                 f"{new.given_name} {new.family_name} is not a child: refer adults to adult services.")
    if not concerns:
        error_add(errors, "concerns", "Describe the concerns: what happened, to whom, and what worries you.")
    unknown = set(categories) - set(Referral.Category.values)
    if unknown:
        error_add(errors, "categories", f"Unknown categories: {', '.join(sorted(unknown))}.")
    if urgency not in Referral.Urgency.values:
        error_add(errors, "urgency", "Choose how urgent the referral is.")
    if incident is not None and (
        incident.partnership_id != partnership.pk or not incidents_visible(by).filter(pk=incident.pk).exists()
    ):
        error_add(errors, "incident", "Unknown incident.")
    if consent not in Referral.Consent.values:
        error_add(errors, "consent", "Say whether the family consented to the referral.")
    elif consent != Referral.Consent.GIVEN and not consent_reason:
        error_add(errors, "consent_reason",
             "Say why the referral is made without the family's consent: for example, that asking would put a"
             " child at risk of significant harm, or increase the risk.")
    if lawful_basis not in InformationShare.LawfulBasis.values:
        error_add(errors, "lawful_basis", "Choose the lawful basis for sharing.")
    elif lawful_basis == InformationShare.LawfulBasis.CONSENT and consent != Referral.Consent.GIVEN:
        error_add(errors, "lawful_basis", "Consent is the lawful basis only when the family gave it.")
    if source_code and source_code not in Agency.ReferralSource.values:
        error_add(errors, "source_code", "Unknown referral source.")
    errors_raise(errors)

    created: list[Person] = []
    for index, new in enumerate(new_children):
        try:
            created.append(person_create(
                partnership=partnership, by=by, given_name=new.given_name, family_name=new.family_name,
                date_of_birth=new.date_of_birth, expected_date_of_birth=new.expected_date_of_birth, sex=new.sex,
            ))
        except ValidationError as error:
            errors_raise({f"new_children.{index}.{field}": messages for field, messages in error.message_dict.items()})
    everyone = [*children, *created]
    calendar = calendar_for(partnership)
    referral = Referral.objects.create(
        partnership=partnership,
        created_by=by,
        received_at=received_at,
        referrer_agency=referrer_agency,
        referrer_name=referrer_name.strip() or (by.display_name if referrer_agency.pk == membership.agency_id else ""),
        referrer_contact=referrer_contact.strip(),
        source_code=source_code or referrer_agency.referral_source_code,
        concerns=concerns,
        categories=list(dict.fromkeys(categories)),
        urgency=urgency,
        incident=incident,
        family_told=family_told.strip(),
        consent=consent,
        consent_reason="" if consent == Referral.Consent.GIVEN else consent_reason,
        lawful_basis=lawful_basis,
        decision_due_at=rules.decision_due_at(received_at, calendar),
    )
    repeats = _referred_before(everyone, received_at)
    ReferralChild.objects.bulk_create(
        ReferralChild(partnership=partnership, created_by=by, referral=referral, child=child,
                      repeat=child.pk in repeats)
        for child in everyone
    )
    # The referring agency keeps sight of its own referral and its outcome.
    record_share(record=referral, agency=referrer_agency)
    mash = partnership_csc(partnership.pk)
    if mash is not None and mash.pk != referrer_agency.pk:
        InformationShare.objects.create(
            partnership=partnership, created_by=by, record_type="referral", record_id=referral.pk, agency=mash,
            what=f"Referral from {referrer_agency.name}", shared_at=received_at, lawful_basis=lawful_basis,
            consent=consent, reason_without_consent=referral.consent_reason,
        )
    if urgency == Referral.Urgency.IMMEDIATE and mash is not None:
        _tell(_agency_users(mash, partnership.pk, (Role.MASH_MANAGER,)), kind="referral_immediate",
              message=f"Immediate referral received for {people_named(everyone)} from {referrer_agency.name}.",
              referral=referral, due_at=referral.decision_due_at)
    return referral


def _referred_before(children: Sequence[Person], received_at: datetime) -> set[int]:
    """Children with a referral received in the 12 months before ``received_at`` (referral_child_child_idx)."""
    return set(
        ReferralChild.objects.filter(
            child__in=[child.pk for child in children],
            referral__received_at__gte=received_at - rules.REPEAT_WINDOW,
            referral__received_at__lt=received_at,
        ).values_list("child_id", flat=True)
    )


# -- Triage ---------------------------------------------------------------------------------------------------


def _locked(referral: Referral) -> Referral:
    """The referral as it is now, locked until the transaction ends (status changes are serialised)."""
    return Referral.objects.select_for_update().select_related("partnership", "referrer_agency").get(pk=referral.pk)


def _awaiting(referral: Referral) -> None:
    if _locked(referral).status != Referral.Status.AWAITING_DECISION:
        raise ValidationError({NON_FIELD_ERRORS: ["This referral has already been decided."]})


@transaction.atomic
def referral_rate(*, referral: Referral, by: User, rag: str, version: int | None = None) -> Referral:
    """The MASH practitioner's RAG rating."""
    triage_act_check(by)
    _awaiting(referral)
    if rag not in Referral.Rag.values:
        raise ValidationError({"rag": ["Choose red, amber or green."]})
    _version_bump(Referral, referral.pk, version, rag=rag, rag_by=by)
    referral.refresh_from_db()
    return referral


@transaction.atomic
def referral_allocate(*, referral: Referral, by: User, to: User | None, version: int | None = None) -> Referral:
    """Give the referral to a MASH practitioner or manager (None to take it back into the pool)."""
    triage_act_check(by)
    _awaiting(referral)
    if to is not None:
        membership = membership_of(to)
        if (
            membership is None
            or membership.role not in (Role.MASH_PRACTITIONER, Role.MASH_MANAGER)
            or not membership.agency.partnerships.filter(pk=referral.partnership_id).exists()
            or membership.agency.kind != Agency.Kind.CHILDRENS_SOCIAL_CARE
        ):
            raise ValidationError({"allocated_to": ["Allocate to a MASH practitioner or manager of this partnership."]})
    _version_bump(Referral, referral.pk, version, allocated_to=to)
    referral.refresh_from_db()
    return referral


# -- Agency checks --------------------------------------------------------------------------------------------


@transaction.atomic
def agency_check_request(
    *,
    referral: Referral,
    by: User,
    agency: Agency,
    question: str = "",
    due_at: datetime | None = None,
    authorised_by: User | None = None,
) -> AgencyCheck:
    """Ask an agency what it knows; shares the referral's summary with it, recorded as an information share."""
    check_request_check(by)
    _awaiting(referral)
    now = timezone.now()
    errors: ErrorDict = {}
    if agency.kind == Agency.Kind.CHILDRENS_SOCIAL_CARE:
        error_add(errors, "agency", "Children's social care holds the referral already; ask a partner agency.")
    elif not agency.partnerships.filter(pk=referral.partnership_id).exists():
        error_add(errors, "agency", "The agency does not work in this partnership.")
    if due_at is None:
        red = rules.on_red_clock(rag=referral.rag, urgency=referral.urgency)
        due_at = rules.check_due_at(now, red=red, calendar=calendar_for(referral.partnership))
    elif due_at.tzinfo is None or due_at <= now:
        error_add(errors, "due_at", "The check must be due in the future.")
    if referral.consent != Referral.Consent.GIVEN:
        # SPEC 6: the MASH sharing onward without consent needs a manager's authorisation.
        if authorised_by is None and consent_override_may_authorise(by):
            authorised_by = by
        if authorised_by is None:
            error_add(errors, "authorised_by",
                 "The family did not consent: a manager must authorise sharing the referral with another agency.")
        elif not consent_override_may_authorise(authorised_by) or (
            membership_of(authorised_by) is not None
            and not membership_of(authorised_by).agency.partnerships.filter(pk=referral.partnership_id).exists()  # type: ignore[union-attr]
        ):
            error_add(errors, "authorised_by", "Only a manager of children's social care may authorise this.")
    else:
        authorised_by = None
    errors_raise(errors)
    assert due_at is not None  # noqa: S101 - set above or refused
    try:
        with transaction.atomic():
            check = AgencyCheck.objects.create(
                partnership_id=referral.partnership_id, created_by=by, referral=referral, agency=agency,
                question=question.strip(), requested_at=now, due_at=due_at, authorised_by=authorised_by,
            )
    except IntegrityError:
        raise ValidationError({"agency": [f"{agency.name} has already been asked and has not answered yet."]}) from None
    record_share_with(
        record=referral, agency=agency, what="Referral summary for an agency check", by=by,
        lawful_basis=referral.lawful_basis,
        consent=referral.consent if referral.consent != Referral.Consent.REFUSED else InformationShare.Consent.REFUSED,
        reason_without_consent=referral.consent_reason, authorised_by=authorised_by,
    )
    if authorised_by is not None and authorised_by != by:
        # The manager named as authorising is told at once, so an authorisation nobody gave is seen.
        _tell([authorised_by], kind="consent_override",
              message=f"{by.display_name} shared referral {referral.pk} with {agency.name} without the family's"
                      " consent, naming you as the manager who authorised it.",
              referral=referral)
    _tell(
        _agency_users(agency, referral.partnership_id, (Role.PRACTITIONER, Role.TEAM_MANAGER)),
        kind="agency_check",
        message=f"The MASH asks {agency.name} what it knows about a referral (referral {referral.pk}).",
        referral=referral, link=f"/checks/{check.pk}/", due_at=due_at,
    )
    return check


@transaction.atomic
def agency_check_answer(*, check: AgencyCheck, by: User, information: str) -> AgencyCheck:
    """The agency's answer, given once."""
    membership = membership_of(by)
    if membership is None or membership.agency_id != check.agency_id or membership.role in (Role.AUDITOR, Role.ADMIN):
        raise PermissionDenied(f"Only {check.agency.name} answers this check.")
    information = information.strip()
    if not information:
        raise ValidationError({"information": ["Say what your agency knows, or that it holds nothing."]})
    now = timezone.now()
    answered = AgencyCheck.objects.filter(pk=check.pk, answered_at__isnull=True).update(
        information=information, answered_at=now, answered_by=by, version=F("version") + 1, updated_at=now
    )
    if not answered:
        raise ValidationError({NON_FIELD_ERRORS: ["This check has already been answered."]})
    check.refresh_from_db()
    if check.created_by is not None:
        _tell([check.created_by], kind="agency_check_answered",
              message=f"{check.agency.name} answered your check on referral {check.referral_id}.",
              referral=check.referral)
    return check


# -- Decision and feedback ------------------------------------------------------------------------------------


@transaction.atomic
def referral_decide(
    *, referral: Referral, by: User, outcome: str, rationale: str, decided_at: datetime | None = None
) -> Decision:
    """Record the decision; move, open or link each child's case; convene a strategy meeting for s47."""
    referral_decide_check(by)
    referral = _locked(referral)
    _awaiting(referral)
    now = timezone.now()
    decided_at = decided_at or now
    errors: ErrorDict = {}
    rationale = rationale.strip()
    if outcome not in Decision.Outcome.values:
        error_add(errors, "outcome", "Choose the decision.")
    if not rationale:
        error_add(errors, "rationale", "Give the rationale: why this decision, on what information.")
    moment_errors(errors, "decided_at", decided_at, now=now, label="The time of the decision")
    if decided_at.tzinfo is not None and decided_at < referral.received_at:
        error_add(errors, "decided_at", "The decision cannot come before the referral was received.")
    children = [row.child for row in ReferralChild.objects.filter(referral=referral).select_related("child")]
    open_cases = {
        case.child_id: case
        for case in Case.objects.select_for_update().filter(
            child__in=[child.pk for child in children]
        ).exclude(status=Case.Status.CLOSED)
    }
    if outcome == Decision.Outcome.ALREADY_OPEN:
        for child in children:
            if child.pk not in open_cases:
                error_add(errors, "outcome", f"{child.full_name} has no open case: choose another decision.")
    elif outcome in CLOSING_OUTCOMES or outcome == Decision.Outcome.CHILD_AND_FAMILY_ASSESSMENT:
        for child in children:
            case = open_cases.get(child.pk)
            if case is not None and case.status not in FRONT_DOOR_STATUSES and (
                outcome != Decision.Outcome.CHILD_AND_FAMILY_ASSESSMENT or case.status != Case.Status.ASSESSMENT
            ):
                error_add(errors, "outcome",
                     f"{child.full_name} already has an open case ({case.get_status_display().lower()}):"
                     " choose \u201calready open\u201d, or a strategy discussion if the risk has grown.")
    errors_raise(errors)

    decision = Decision.objects.create(
        partnership_id=referral.partnership_id, created_by=by, referral=referral, outcome=outcome,
        rationale=rationale, decided_by=by, decided_at=decided_at,
    )
    decision.cases.set(_cases_move(referral=referral, children=children, open_cases=open_cases, outcome=outcome,
                                   by=by, on=decided_at))
    if outcome == Decision.Outcome.STRATEGY_DISCUSSION:
        meeting_convene(partnership=referral.partnership, by=by, children=children, threshold_met_at=decided_at,
                        reason=rationale, referral=referral)
    _version_bump(Referral, referral.pk, None, status=Referral.Status.DECIDED)
    return decision


def _cases_move(*, referral: Referral, children: Sequence[Person], open_cases: dict[int, Case], outcome: str,
                by: User, on: datetime) -> list[Case]:
    """Each child's case after the decision: linked, moved on, closed, or opened for an assessment."""
    day = timezone.localdate(on)
    touched: list[Case] = []
    for child in children:
        case = open_cases.get(child.pk)
        if outcome == Decision.Outcome.ALREADY_OPEN:
            assert case is not None  # noqa: S101 - checked before
            touched.append(case)
        elif outcome in CLOSING_OUTCOMES:
            if case is not None:
                Case.objects.filter(pk=case.pk).update(
                    status=Case.Status.CLOSED, closed_on=day, closure_reason=CLOSING_OUTCOMES[outcome],
                    version=F("version") + 1, updated_at=timezone.now())
                touched.append(case)
        elif case is None:
            case = Case.objects.create(partnership_id=referral.partnership_id, created_by=by, child=child,
                                       status=Case.Status.ASSESSMENT, opened_on=day)
            touched.append(case)
        else:
            if case.status in FRONT_DOOR_STATUSES:
                Case.objects.filter(pk=case.pk).update(status=Case.Status.ASSESSMENT, version=F("version") + 1,
                                                       updated_at=timezone.now())
            touched.append(case)
        if case is not None:
            case.involved_agencies.add(referral.referrer_agency_id)
    return touched


@transaction.atomic
def referral_feedback_record(
    *, referral: Referral, by: User, method: str, shared_at: datetime | None = None, note: str = ""
) -> Feedback:
    """Record that the referrer was told the decision (which stops the decision-not-fed-back chase)."""
    feedback_record_check(by)
    referral = _locked(referral)
    if referral.status == Referral.Status.AWAITING_DECISION:
        raise ValidationError({NON_FIELD_ERRORS: ["There is no decision to feed back yet."]})
    if referral.status == Referral.Status.FED_BACK:
        raise ValidationError({NON_FIELD_ERRORS: ["Feedback has already been recorded for this referral."]})
    now = timezone.now()
    shared_at = shared_at or now
    errors: ErrorDict = {}
    if method not in Feedback.Method.values:
        error_add(errors, "method", "Choose how the referrer was told.")
    moment_errors(errors, "shared_at", shared_at, now=now, label="The time the referrer was told")
    decision = Decision.objects.get(referral=referral)
    if shared_at.tzinfo is not None and shared_at < decision.decided_at:
        error_add(errors, "shared_at", "The referrer cannot have been told before the decision was made.")
    errors_raise(errors)
    feedback = Feedback.objects.create(partnership_id=referral.partnership_id, created_by=by, referral=referral,
                                       method=method, shared_at=shared_at, shared_by=by, note=note.strip())
    _version_bump(Referral, referral.pk, None, status=Referral.Status.FED_BACK)
    return feedback


# -- Escalation (resolving professional disagreement) ---------------------------------------------------------


def _stage_respondent(escalation: Escalation, number: int) -> User | None:
    """1 the decision maker; 2 their line manager; 3 and 4 the senior manager of children's social care."""
    decision = Decision.objects.select_related("decided_by__membership__line_manager").get(
        referral_id=escalation.referral_id
    )
    if number == 1:
        return decision.decided_by
    if number == 2:
        membership = membership_of(decision.decided_by)
        if membership is not None and membership.line_manager is not None and membership.line_manager.is_active:
            return membership.line_manager
    senior = (
        Membership.objects.filter(
            partnership_id=escalation.partnership_id, role=Role.SENIOR_MANAGER,
            agency__kind=Agency.Kind.CHILDRENS_SOCIAL_CARE, user__is_active=True,
        ).select_related("user").order_by("user_id").first()
    )
    return senior.user if senior is not None else None


def _stage_open(escalation: Escalation, number: int, *, now: datetime, by: User | None) -> EscalationStage:
    respondent = _stage_respondent(escalation, number)
    stage = EscalationStage.objects.create(
        partnership_id=escalation.partnership_id, created_by=by, escalation=escalation, number=number,
        opened_at=now, respondent=respondent,
        due_at=rules.escalation_stage_due_at(now, number, calendar_for(escalation.referral.partnership)),
    )
    Escalation.objects.filter(pk=escalation.pk).update(stage=number, version=F("version") + 1, updated_at=now)
    escalation.stage = number
    if respondent is not None:
        _tell([respondent], kind="escalation",
              message=(f"{escalation.raised_by_agency.name} disagrees with the decision on referral"
                       f" {escalation.referral_id}: stage {number} ({rules.STAGE_NAMES[number]}) is yours to answer."),
              referral=escalation.referral, link=f"/escalations/{escalation.pk}/", due_at=stage.due_at)
    return stage


@transaction.atomic
def escalation_raise(*, referral: Referral, by: User, reason: str) -> Escalation:
    """Challenge a decision: stage 1 opens, answered by the decision maker within 2 working days."""
    escalation_raise_check(by, referral)
    referral = _locked(referral)
    if referral.status == Referral.Status.AWAITING_DECISION:
        raise ValidationError({NON_FIELD_ERRORS: ["There is no decision to challenge yet."]})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say what you disagree with and why."]})
    membership = membership_of(by)
    assert membership is not None  # noqa: S101 - escalation_raise_check says so
    now = timezone.now()
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                partnership_id=referral.partnership_id, created_by=by, referral=referral, raised_by=by,
                raised_by_agency=membership.agency, raised_at=now, reason=reason,
            )
    except IntegrityError:
        raise ValidationError(
            {NON_FIELD_ERRORS: ["An escalation of this decision is already open: add to it rather than start another."]}
        ) from None
    _stage_open(escalation, 1, now=now, by=by)
    return escalation


@transaction.atomic
def escalation_respond(
    *, escalation: Escalation, by: User, outcome: str, response: str, stage_number: int | None = None
) -> Escalation:
    """Answer the current stage: resolved closes the escalation, escalate opens the next stage.

    ``stage_number`` is the stage the user was answering: if the escalation has climbed since (its deadline
    passed), the answer is refused rather than given to the next stage.
    """
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("referral__partnership", "raised_by_agency")
        .get(pk=escalation.pk)
    )
    if escalation.status != Escalation.Status.OPEN:
        raise ValidationError({NON_FIELD_ERRORS: ["This escalation is closed."]})
    stage = EscalationStage.objects.get(escalation=escalation, number=escalation.stage)
    escalation_respond_check(by, stage)
    if stage_number is not None and stage_number != stage.number:
        raise ValidationError({NON_FIELD_ERRORS: [
            f"Stage {stage_number} was not answered in time and the escalation has moved to stage {stage.number}:"
            " your answer was not saved."]})
    errors: ErrorDict = {}
    response = response.strip()
    if outcome not in (EscalationStage.Outcome.RESOLVED, EscalationStage.Outcome.ESCALATE):
        error_add(errors, "outcome", "Choose resolved or escalate.")
    elif outcome == EscalationStage.Outcome.ESCALATE and stage.number == rules.LAST_STAGE:
        error_add(errors, "outcome", "The partnership stage is the last: record its final answer as resolved.")
    if not response:
        error_add(errors, "response", "Give your response to the disagreement.")
    errors_raise(errors)
    now = timezone.now()
    answered = EscalationStage.objects.filter(pk=stage.pk, outcome="").update(
        outcome=outcome, response=response, responded_at=now, responded_by=by, version=F("version") + 1,
        updated_at=now)
    if not answered:
        raise ValidationError({NON_FIELD_ERRORS: ["This stage has already been answered."]})
    if outcome == EscalationStage.Outcome.RESOLVED:
        Escalation.objects.filter(pk=escalation.pk).update(
            status=Escalation.Status.RESOLVED, closed_at=now, version=F("version") + 1, updated_at=now)
    else:
        _stage_open(escalation, stage.number + 1, now=now, by=by)
    _tell([escalation.raised_by], kind="escalation_response",
          message=f"Stage {stage.number} of your escalation on referral {escalation.referral_id} was answered:"
                  f" {EscalationStage.Outcome(outcome).label.lower()}.",
          referral=escalation.referral, link=f"/escalations/{escalation.pk}/")
    escalation.refresh_from_db()
    return escalation


def escalation_stages_climb(*, stage_ids: Sequence[int], now: datetime) -> list[EscalationStage]:
    """Stages not answered by their deadline time out and the next stage opens (the chaser's last level).

    Each stage is claimed with a conditional UPDATE, so a stage climbs once however many sweeps run.
    """
    opened = []
    climbing = EscalationStage.objects.filter(pk__in=stage_ids, number__lt=rules.LAST_STAGE).order_by("escalation_id")
    for stage_id, number, escalation_id in climbing.values_list("pk", "number", "escalation_id"):
        # The escalation first, then the stage: the order escalation_respond locks them in, so the two never
        # deadlock; a stage answered meanwhile is no longer claimable.
        escalation = (
            Escalation.objects.select_for_update(of=("self",))
            .select_related("referral__partnership", "raised_by_agency")
            .get(pk=escalation_id)
        )
        claimed = EscalationStage.objects.filter(pk=stage_id, outcome="", due_at__lte=now).update(
            outcome=EscalationStage.Outcome.TIMED_OUT, responded_at=now, version=F("version") + 1, updated_at=now)
        if claimed and escalation.status == Escalation.Status.OPEN:
            opened.append(_stage_open(escalation, number + 1, now=now, by=None))
    return opened

