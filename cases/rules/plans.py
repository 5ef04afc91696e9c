"""What makes a plan a plan (SPEC 3.2 "Plan and Plan action"): pure rules, no database.

Every action says what is to be done, who does it (an agency, and if known a person there; or a member of the
family) and by when, no earlier than the plan starts. A plan has at least one action. A written agreement names
at least one action for the person posing risk: the seeds' reviews (Wiltshire, Salford) found agreements that
asked only the victim to keep the children safe, which leaves her to police him.

Errors are keyed as the services raise them: ``kind``, ``what_must_change``, ``review_by``, ``actions`` (the plan's
actions as a whole) and ``actions.<n>.<field>`` for the n-th action drafted (from 0).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from config.errors import ErrorDict, error_add

KINDS = ("child_in_need", "child_protection", "safety", "written_agreement")
WRITTEN_AGREEMENT = "written_agreement"
AGENCY = "agency"
PERSON_POSING_RISK = "person_posing_risk"
PARENT_OR_CARER = "parent_or_carer"
CHILD = "child"
OTHER_FAMILY = "other_family"
PARTIES = (AGENCY, PERSON_POSING_RISK, PARENT_OR_CARER, CHILD, OTHER_FAMILY)

WRITTEN_AGREEMENT_NEEDS_PERPETRATOR = (
    "A written agreement must say what the person posing risk will do. An agreement that only asks the victim to"
    " keep the children safe leaves her to police him."
)
NO_ONE_RECORDED_POSING_RISK = (
    " No one is recorded as posing a risk to the child: record the relationship on the family's records first."
)
NEEDS_AN_ACTION = "Add at least one action: what is to be done, by whom and by when."


@dataclass(frozen=True)
class ActionDraft:
    """One action as a user drafted it: ids as the form or API names them.

    ``action_id`` names an action already on the plan (when a plan is changed); None is a new action.
    """

    description: str
    party: str
    due_by: date | None
    agency_id: int | None = None
    owner_id: int | None = None
    family_member_id: int | None = None
    action_id: int | None = None


@dataclass(frozen=True)
class PlanFacts:
    """What the rules need to know from the records, gathered by the service.

    ``agencies``: the agencies that may own an action (those serving the plan's partnership), by id.
    ``owners``: for each person who may be named, the id of the agency they work for.
    ``family``: the members of the child's family the user may name, by id.
    ``posing_risk``: those of the family recorded as posing a risk to the child.
    """

    child_id: int
    agencies: Collection[int]
    owners: Mapping[int, int]
    family: Collection[int]
    posing_risk: Collection[int]


def action_normalised(draft: ActionDraft, *, child_id: int) -> ActionDraft:
    """The draft as it will be kept: text trimmed; an agency's action names no family member, a family member's
    action no agency or person; an action for "the child" is the plan's child unless another is named."""
    draft = replace(draft, description=draft.description.strip())
    if draft.party == AGENCY:
        return replace(draft, family_member_id=None)
    if draft.party == CHILD and draft.family_member_id is None:
        draft = replace(draft, family_member_id=child_id)
    return replace(draft, agency_id=None, owner_id=None)


def action_errors(errors: ErrorDict, index: int, draft: ActionDraft, *, starts_on: date | None,
                  facts: PlanFacts) -> None:
    """What is wrong with one (normalised) action, under ``actions.<index>.<field>``."""
    key = f"actions.{index}."
    if not draft.description:
        error_add(errors, key + "description", "Say what is to be done")
    if draft.party not in PARTIES:
        error_add(errors, key + "party", "Choose who does it")
    elif draft.party == AGENCY:
        if draft.agency_id is None:
            error_add(errors, key + "agency", "Choose the agency that does it")
        elif draft.agency_id not in facts.agencies:
            error_add(errors, key + "agency", "Choose an agency that works in this partnership")
        elif draft.owner_id is not None and facts.owners.get(draft.owner_id) != draft.agency_id:
            error_add(errors, key + "owner", "Choose someone who works for the agency chosen, or no one")
    elif draft.family_member_id is None:
        error_add(errors, key + "family_member", "Choose the member of the family who does it")
    elif draft.family_member_id not in facts.family:
        error_add(errors, key + "family_member", "Choose someone recorded as part of the child's family")
    elif draft.party == PERSON_POSING_RISK and draft.family_member_id not in facts.posing_risk:
        error_add(errors, key + "family_member",
                  "Choose someone recorded as posing a risk to the child, or say they do it as another member of"
                  " the family")
    elif draft.party == PARENT_OR_CARER and draft.family_member_id in facts.posing_risk:
        error_add(errors, key + "party",
                  "This person is recorded as posing a risk to the child: choose \"The person posing risk\"")
    if draft.due_by is None:
        error_add(errors, key + "due_by", "Enter the date the action is due by")
    elif starts_on is not None and draft.due_by < starts_on:
        error_add(errors, key + "due_by", "The action cannot be due before the plan starts")


def plan_errors(
    *,
    kind: str,
    what_must_change: str,
    starts_on: date | None,
    review_by: date | None,
    actions: Sequence[ActionDraft],
    facts: PlanFacts,
    kept_parties: Sequence[str] = (),
) -> ErrorDict:
    """Everything wrong with a plan as drafted (actions normalised first, see ``action_normalised``).

    ``kept_parties``: the parties of actions already closed, which stay on the plan as they are.
    """
    errors: ErrorDict = {}
    if kind not in KINDS:
        error_add(errors, "kind", "Choose the kind of plan")
    if not what_must_change.strip():
        error_add(errors, "what_must_change", "Say what must change for the child")
    if starts_on is None:
        error_add(errors, "starts_on", "Enter the date the plan starts")
    if review_by is not None and starts_on is not None and review_by < starts_on:
        error_add(errors, "review_by", "The review date must be on or after the day the plan starts")
    for index, draft in enumerate(actions):
        action_errors(errors, index, draft, starts_on=starts_on, facts=facts)
    parties = [*kept_parties, *(draft.party for draft in actions)]
    if not parties:
        error_add(errors, "actions", NEEDS_AN_ACTION)
    elif kind == WRITTEN_AGREEMENT and PERSON_POSING_RISK not in parties:
        error_add(errors, "actions", WRITTEN_AGREEMENT_NEEDS_PERPETRATOR
                  + ("" if facts.posing_risk else NO_ONE_RECORDED_POSING_RISK))
    return errors


def action_overdue(*, status: str, due_by: date, today: date) -> bool:
    """An open action whose due date has passed (due today is not yet overdue)."""
    return status == "open" and due_by < today
