"""Every write to plans and their actions (SPEC 3.2 "Plan and Plan action").

- ``plan_create``: a child-in-need, child protection or safety plan, or a written agreement, for a case, with its
  actions (each says what, who and by when; a written agreement names the person posing risk). Version 1.
- ``plan_update``: what must change, the review date and the actions changed; refused when someone else changed
  the plan since the user read it. Each change is a new version, the plan as it then stood kept whole.
- ``plan_action_close``: an action done, or not done.
- ``plan_end``: the plan ended (its open actions are no longer chased).
- ``plan_distribute``: the latest version sent to the agencies (told in the system) and given to members of the
  family (by the method recorded), one distribution recorded per party.

Only children's social care makes and changes plans (``plan_change_check``); the agency owning an action may close
it. An agency given an action is told, and may then see the plan (``plans_visible``) and its child. Each service
checks everything before it writes anything and reports what is wrong field by field (``ValidationError``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from agencies.chasers import child_named
from agencies.models import Agency, Membership, User
from agencies.permissions import records_shared_with
from agencies.services import notification_send
from cases.models import Case, Person, Plan, PlanAction, PlanDistribution, PlanVersion
from cases.permissions import NOT_CASEWORK, plan_change_check, record_share_with
from cases.rules import plans as rules
from cases.rules.plans import ActionDraft
from cases.selectors.plans import action_may_close, plan_family, plan_party_agencies
from cases.services.people import StaleRecord
from config.errors import ErrorDict, error_add, errors_raise

__all__ = [
    "ActionDraft",
    "StalePlan",
    "plan_action_close",
    "plan_create",
    "plan_distribute",
    "plan_end",
    "plan_update",
]

CLOSED_STATUSES = (PlanAction.Status.DONE, PlanAction.Status.NOT_DONE)
FAMILY_METHODS = (PlanDistribution.Method.SECURE_EMAIL, PlanDistribution.Method.IN_PERSON,
                  PlanDistribution.Method.POST)


class StalePlan(StaleRecord):
    """The plan changed since the user read it; nothing of theirs was saved."""

    MESSAGE = ("Someone else changed this plan since you opened it. Your changes are kept below: check the plan as"
               " it is now, then save again")


# -- What the services share ---------------------------------------------------------------------------------


def _plan_url(plan: Plan) -> str:
    return reverse("plan-detail", args=[plan.pk])


def _locked(plan: Plan) -> Plan:
    """The plan as it is now, locked until the transaction ends (changes to a plan are serialised)."""
    return Plan.objects.select_for_update(of=("self",)).select_related("case", "case__child").get(pk=plan.pk)


def _active(plan: Plan, what: str) -> None:
    if plan.status != Plan.Status.ACTIVE:
        raise ValidationError({NON_FIELD_ERRORS: [f"This plan has ended: it cannot be {what}."]})


def _facts(*, case: Case, by: User, drafts: Sequence[ActionDraft]) -> tuple[rules.PlanFacts, dict[str, Any]]:
    """What the rules need about the agencies, people and family the drafts name, and those records by id.
    Three queries: the agencies named, the people named with their memberships, the child's family."""
    agency_ids = {d.agency_id for d in drafts if d.agency_id is not None}
    owner_ids = {d.owner_id for d in drafts if d.owner_id is not None}
    agencies = {agency.pk: agency for agency in Agency.objects.filter(pk__in=agency_ids,
                                                                      partnerships=case.partnership_id)}
    memberships = {
        membership.user_id: membership
        for membership in Membership.objects.filter(user_id__in=owner_ids, user__is_active=True,
                                                    partnership_id=case.partnership_id)
        .exclude(role__in=list(NOT_CASEWORK)).select_related("user")
    }
    family = plan_family(user=by, case=case)
    facts = rules.PlanFacts(
        child_id=case.child_id,
        agencies=set(agencies),
        owners={user_id: membership.agency_id for user_id, membership in memberships.items()},
        family={option.person_id for option in family},
        posing_risk={option.person_id for option in family if option.poses_risk},
    )
    return facts, {"agencies": agencies, "owners": {pk: m.user for pk, m in memberships.items()}}


def _normalised(drafts: Sequence[ActionDraft], case: Case) -> list[ActionDraft]:
    return [rules.action_normalised(draft, child_id=case.child_id) for draft in drafts]


def _action_values(draft: ActionDraft) -> dict[str, Any]:
    return {"description": draft.description, "party": draft.party, "agency_id": draft.agency_id,
            "owner_id": draft.owner_id, "family_member_id": draft.family_member_id, "due_by": draft.due_by}


def _content(plan: Plan) -> dict[str, Any]:
    """The plan and its actions as they stand, names included (as the version's parties received them)."""
    actions = PlanAction.objects.filter(plan=plan).select_related("agency", "owner", "family_member")
    return {
        "kind": plan.kind,
        "kind_label": plan.get_kind_display(),
        "what_must_change": plan.what_must_change,
        "starts_on": plan.starts_on.isoformat(),
        "review_by": plan.review_by.isoformat() if plan.review_by else None,
        "actions": [
            {
                "id": action.pk,
                "description": action.description,
                "party": action.party,
                "party_label": action.get_party_display(),
                "agency": action.agency_id,
                "agency_name": action.agency.name if action.agency else "",
                "owner": action.owner_id,
                "owner_name": action.owner.display_name if action.owner else "",
                "family_member": action.family_member_id,
                "family_member_name": action.family_member.full_name if action.family_member else "",
                "due_by": action.due_by.isoformat(),
                "status": action.status,
            }
            for action in actions
        ],
    }


def _version_write(plan: Plan, by: User, change_note: str = "") -> PlanVersion:
    return PlanVersion.objects.create(partnership_id=plan.partnership_id, created_by=by, plan=plan,
                                      number=plan.current_version, content=_content(plan), change_note=change_note)


def _agency_users(agency: Agency, partnership_id: int) -> list[User]:
    """Whom to tell at an agency: its practitioners and managers working in the partnership."""
    return [membership.user for membership in
            Membership.objects.filter(agency=agency, partnership_id=partnership_id, user__is_active=True)
            .exclude(role__in=list(NOT_CASEWORK)).select_related("user").order_by("user_id")]


def _tell(users: Iterable[User], *, kind: str, message: str, plan: Plan, by: User) -> None:
    for user in dict.fromkeys(users):
        if user.pk != by.pk:
            notification_send(recipient=user, kind=kind, message=message, subject_type="plan", subject_id=plan.pk,
                              link=_plan_url(plan))


def _plan_words(plan: Plan) -> str:
    """'the written agreement for Tobi Okafor' (a restricted child is not named: messages are e-mailed too)."""
    return f"the {plan.get_kind_display().lower()} for {child_named(plan.case.child)}"


def _actions_given(plan: Plan, by: User, actions: Sequence[PlanAction]) -> None:
    """Each agency given an action is told (the person named, else its practitioners and managers) and may open the
    child's record for it (shared, with an information-sharing record, if it could not already)."""
    child = plan.case.child
    shared: set[int] = set()
    for action in actions:
        agency = action.agency
        if agency is None:
            continue
        if agency.kind != Agency.Kind.CHILDRENS_SOCIAL_CARE and agency.pk not in shared:
            shared.add(agency.pk)
            if not records_shared_with(agency=agency, queryset=Person.objects.filter(pk=child.pk)).exists():
                record_share_with(record=child, agency=agency, by=by,
                                  what=f"The child's record, for an action of {_plan_words(plan)}.")
        if action.owner is not None:
            told = [action.owner]
        elif agency.kind == Agency.Kind.CHILDRENS_SOCIAL_CARE:
            # Children's social care's own actions with no one named fall to the case's lead professional.
            told = [plan.case.lead_professional] if plan.case.lead_professional is not None else []
        else:
            told = _agency_users(agency, plan.partnership_id)
        _tell(told, kind="plan_action", plan=plan, by=by,
              message=f"An action of {_plan_words(plan)} is for {agency.name}, due {action.due_by:%-d %B %Y}.")


def _actions_create(plan: Plan, by: User, drafts: Sequence[ActionDraft], found: dict[str, Any]) -> list[PlanAction]:
    actions = PlanAction.objects.bulk_create(
        PlanAction(partnership_id=plan.partnership_id, created_by=by, plan=plan, **_action_values(draft))
        for draft in drafts
    )
    for action in actions:
        action.agency = found["agencies"].get(action.agency_id)
        action.owner = found["owners"].get(action.owner_id)
    return actions


# -- Making and changing a plan ------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    case: Case,
    by: User,
    kind: str,
    what_must_change: str,
    starts_on: date | None,
    review_by: date | None,
    actions: Sequence[ActionDraft],
) -> Plan:
    """A plan for an open case, with its actions, as version 1. Each agency given an action is told."""
    plan_change_check(by)
    if case.status == Case.Status.CLOSED:
        raise ValidationError({NON_FIELD_ERRORS: ["This case is closed: a plan is made for an open case."]})
    drafts = _normalised(actions, case)
    facts, found = _facts(case=case, by=by, drafts=drafts)
    errors_raise(rules.plan_errors(kind=kind, what_must_change=what_must_change, starts_on=starts_on,
                                   review_by=review_by, actions=drafts, facts=facts))
    assert starts_on is not None  # noqa: S101 - refused above when missing
    plan = Plan.objects.create(partnership_id=case.partnership_id, created_by=by, case=case, kind=kind,
                               what_must_change=what_must_change.strip(), starts_on=starts_on, review_by=review_by)
    plan.case = case
    made = _actions_create(plan, by, drafts, found)
    _version_write(plan, by, "Plan made.")
    _actions_given(plan, by, made)
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: Plan,
    by: User,
    version: int,
    what_must_change: str,
    review_by: date | None,
    actions: Sequence[ActionDraft],
    change_note: str,
) -> Plan:
    """Change what must change, the review date and the open actions, if nobody has changed the plan since the
    user read ``version``: ``actions`` are the open actions as they should now be (an ``action_id`` names one
    already on the plan; an open action left out is taken off). Closed actions stay as they are. A new version is
    written, the old ones kept whole; newly given agencies are told."""
    plan_change_check(by)
    plan = _locked(plan)
    if plan.version != version:
        raise StalePlan()
    _active(plan, "changed")
    case = plan.case
    existing = {action.pk: action for action in PlanAction.objects.filter(plan=plan)}
    open_ids = {pk for pk, action in existing.items() if action.status == PlanAction.Status.OPEN}
    drafts = _normalised(actions, case)
    facts, found = _facts(case=case, by=by, drafts=drafts)
    errors = rules.plan_errors(
        kind=plan.kind, what_must_change=what_must_change, starts_on=plan.starts_on, review_by=review_by,
        actions=drafts, facts=facts,
        kept_parties=[action.party for action in existing.values() if action.status != PlanAction.Status.OPEN],
    )
    for index, draft in enumerate(drafts):
        if draft.action_id is not None and draft.action_id not in open_ids:
            error_add(errors, f"actions.{index}.description",
                      "This action has been closed or taken off the plan since you opened it")
    change_note = change_note.strip()
    if not change_note:
        error_add(errors, "change_note", "Say what changed and why")
    errors_raise(errors)

    kept = {draft.action_id for draft in drafts if draft.action_id is not None}
    changed = False
    if open_ids - kept:
        PlanAction.objects.filter(pk__in=open_ids - kept).delete()
        changed = True
    now = timezone.now()
    new_drafts = []
    given: list[PlanAction] = []
    for draft in drafts:
        if draft.action_id is None:
            new_drafts.append(draft)
            continue
        action = existing[draft.action_id]
        values = _action_values(draft)
        if any(getattr(action, name) != value for name, value in values.items()):
            PlanAction.objects.filter(pk=action.pk).update(**values, version=F("version") + 1, updated_at=now)
            changed = True
            if draft.agency_id is not None and (draft.agency_id, draft.owner_id) != (action.agency_id,
                                                                                     action.owner_id):
                action.agency = found["agencies"].get(draft.agency_id)
                action.owner = found["owners"].get(draft.owner_id)
                action.due_by = draft.due_by or action.due_by
                given.append(action)
    if new_drafts:
        made = _actions_create(plan, by, new_drafts, found)
        given += [action for action in made if action.agency is not None]
        changed = True
    what_must_change = what_must_change.strip()
    if what_must_change != plan.what_must_change or review_by != plan.review_by:
        changed = True
    if not changed:
        raise ValidationError({NON_FIELD_ERRORS: [
            "Nothing in the plan has changed: change what must change, the review date or an action, then save."]})
    Plan.objects.filter(pk=plan.pk).update(what_must_change=what_must_change, review_by=review_by,
                                           current_version=F("current_version") + 1, version=F("version") + 1,
                                           updated_at=now)
    plan.refresh_from_db()
    _version_write(plan, by, change_note)
    _actions_given(plan, by, given)
    return plan


@transaction.atomic
def plan_action_close(*, action: PlanAction, by: User, status: str) -> PlanAction:
    """An action done or not done: recorded by children's social care, the person named on it, or a practitioner or
    manager of the agency owning it. The plan's version moves on, so a change made from an older page is refused."""
    plan = _locked(action.plan)
    action = PlanAction.objects.select_for_update(of=("self",)).select_related("agency").get(pk=action.pk, plan=plan)
    if not action_may_close(by, action):
        owner = action.agency.name if action.agency is not None else "children's social care"
        raise PermissionDenied(f"Only {owner}, or children's social care, closes this action.")
    _active(plan, "changed")
    if status not in CLOSED_STATUSES:
        raise ValidationError({"status": ["Choose whether the action was done or not done."]})
    if action.status != PlanAction.Status.OPEN:
        assert action.done_at is not None  # noqa: S101 - a closed action has its time (a check constraint)
        raise ValidationError({NON_FIELD_ERRORS: [
            f"This action was closed as {action.get_status_display().lower()} on"
            f" {timezone.localtime(action.done_at):%-d %B %Y}."]})
    now = timezone.now()
    PlanAction.objects.filter(pk=action.pk).update(status=status, done_at=now, version=F("version") + 1,
                                                   updated_at=now)
    Plan.objects.filter(pk=plan.pk).update(version=F("version") + 1, updated_at=now)
    action.refresh_from_db()
    action.plan = plan
    return action


@transaction.atomic
def plan_end(*, plan: Plan, by: User, version: int | None = None) -> Plan:
    """The plan ended (for example when the child's case closes, or a new plan replaces it): its open actions stay
    as they are but are no longer chased. ``version``, if given, is the one the user read."""
    plan_change_check(by)
    plan = _locked(plan)
    if version is not None and plan.version != version:
        raise StalePlan()
    _active(plan, "ended again")
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ENDED, version=F("version") + 1,
                                           updated_at=timezone.now())
    plan.refresh_from_db()
    return plan


# -- Distribution --------------------------------------------------------------------------------------------


@transaction.atomic
def plan_distribute(
    *,
    plan: Plan,
    by: User,
    parties: Sequence[Agency | Person],
    method: str = "",
    version: int | None = None,
) -> list[PlanDistribution]:
    """Send the latest version to the agencies chosen (of those involved in the case or owning an action; each is
    told in the system) and record it given to the members of the family chosen, by ``method``. One distribution
    per party; a party who already has this version is not sent it again. ``version``: the version the user saw;
    if the plan has changed since, nothing is recorded (the parties would be recorded as given what they never
    saw)."""
    plan_change_check(by)
    plan = _locked(plan)
    _active(plan, "distributed")
    if version is not None and version != plan.current_version:
        raise ValidationError({NON_FIELD_ERRORS: [
            f"The plan has changed since you opened this page: it is now version {plan.current_version}. Check it,"
            " then choose who it goes to again."]})
    errors: ErrorDict = {}
    allowed_agencies = {agency.pk: agency for agency in plan_party_agencies(plan=plan)}
    family = {option.person_id: option for option in plan_family(user=by, case=plan.case)}
    agencies = list(dict.fromkeys(party for party in parties if isinstance(party, Agency)))
    people = list(dict.fromkeys(party for party in parties if isinstance(party, Person)))
    if not agencies and not people:
        error_add(errors, "parties", "Choose who the plan goes to")
    for agency in agencies:
        if agency.pk not in allowed_agencies:
            error_add(errors, "agencies", f"{agency.name} is not involved in the case and owns no action:"
                                          " give it an action or involve it in the case first")
    for person in people:
        if person.pk not in family:
            error_add(errors, "family_members", "Choose members of the child's family")
    if people and method not in FAMILY_METHODS:
        error_add(errors, "method", "Choose how the plan was given to the family: secure e-mail, in person or post")
    errors_raise(errors)

    number = plan.current_version
    had = PlanDistribution.objects.filter(plan=plan, version_number=number)
    had_agencies = set(had.filter(agency__isnull=False).values_list("agency_id", flat=True))
    had_people = set(had.filter(family_member__isnull=False).values_list("family_member_id", flat=True))
    agencies = [agency for agency in agencies if agency.pk not in had_agencies]
    people = [person for person in people if person.pk not in had_people]
    if not agencies and not people:
        raise ValidationError({"parties": [f"Everyone chosen already has version {number} of the plan"]})
    now = timezone.now()
    rows = [PlanDistribution(partnership_id=plan.partnership_id, created_by=by, plan=plan, version_number=number,
                             agency=agency, method=PlanDistribution.Method.IN_SYSTEM, distributed_at=now)
            for agency in agencies]
    rows += [PlanDistribution(partnership_id=plan.partnership_id, created_by=by, plan=plan, version_number=number,
                              family_member=person, method=method, distributed_at=now)
             for person in people]
    distributions = PlanDistribution.objects.bulk_create(rows)
    for agency in agencies:
        _tell(_agency_users(agency, plan.partnership_id), kind="plan_distributed", plan=plan, by=by,
              message=f"Version {number} of {_plan_words(plan)} has been sent to {agency.name}.")
    return distributions
