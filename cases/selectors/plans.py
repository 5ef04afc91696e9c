"""Reads of plans and their actions (SPEC 3.2): a plan as its page and the API show it, a case's plans, the
choices a plan's form offers, and the open actions a user or their agency owns.

Every read starts from ``cases.permissions`` (``plan_get_for``, ``plans_visible``, ``people_visible``), so a user
never learns of a plan they may not see, and a restricted member of the family is not named to someone who may
not open their record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency, Membership, User
from agencies.selectors import membership_of
from cases.models import Case, HouseholdMember, Person, Plan, PlanAction, PlanDistribution, PlanVersion, Relationship
from cases.permissions import NOT_CASEWORK, people_visible, plan_get_for, plan_may_change, plans_visible
from cases.rules import plans as rules

RESTRICTED_PERSON = "A person whose record is restricted"
# Those of the family who are given the plan by default: whoever an action names, and the child's carers.
CARING_KINDS = (Relationship.Kind.PARENT, Relationship.Kind.STEP_PARENT, Relationship.Kind.CARER)
PARTY_WORDS: dict[str, str] = {
    PlanAction.Party.PERSON_POSING_RISK: "the person posing risk",
    PlanAction.Party.PARENT_OR_CARER: "parent or carer",
    PlanAction.Party.CHILD: "the child",
    PlanAction.Party.OTHER_FAMILY: "family member",
}


# -- The family and the agencies a plan's form offers --------------------------------------------------------


@dataclass(frozen=True)
class FamilyOption:
    """A member of the child's family as a plan's form offers them."""

    person_id: int
    name: str
    # How they are related to the child, in words ("step-parent", "lives with the child", "the child").
    relation: str
    poses_risk: bool
    caring: bool

    @property
    def label(self) -> str:
        risk = ", poses a risk to the child" if self.poses_risk else ""
        return f"{self.name} ({self.relation}{risk})"


def plan_family(*, user: User, case: Case) -> list[FamilyOption]:
    """The case's child and their family the user may open: those sharing a current household with the child,
    and those with a relationship recorded either way. One query; those posing risk first, then eldest first."""
    child_id = case.child_id
    households = HouseholdMember.objects.filter(person_id=child_id, left_on__isnull=True).values("household_id")
    housed = HouseholdMember.objects.filter(household_id__in=households, left_on__isnull=True).values("person_id")
    to_child = Relationship.objects.filter(person_id=OuterRef("pk"), other_id=child_id)
    from_child = Relationship.objects.filter(person_id=child_id, other_id=OuterRef("pk"))
    rows = (
        people_visible(user)
        .filter(Q(pk=child_id) | Q(pk__in=housed) | Q(pk__in=Relationship.objects.filter(other_id=child_id)
                                                       .values("person_id"))
                | Q(pk__in=Relationship.objects.filter(person_id=child_id).values("other_id")))
        .annotate(
            poses_risk=Exists(to_child.filter(poses_risk=True)),
            caring=Exists(to_child.filter(kind__in=CARING_KINDS)),
            kind_to_child=Subquery(to_child.order_by("-poses_risk", "pk").values("kind")[:1]),
            kind_from_child=Subquery(from_child.order_by("pk").values("kind")[:1]),
            housed=Exists(HouseholdMember.objects.filter(person_id=OuterRef("pk"), left_on__isnull=True,
                                                         household_id__in=households)),
        )
        .order_by("-poses_risk", "date_of_birth", "family_name", "given_name", "pk")
        .values_list("pk", "given_name", "family_name", "poses_risk", "caring", "kind_to_child", "kind_from_child",
                     "housed")
    )
    options = []
    for pk, given, family, poses_risk, caring, kind_to, kind_from, lives_with in rows:
        if pk == child_id:
            relation = "the child"
        elif kind_to:
            relation = Relationship.Kind(kind_to).label.lower()
        elif kind_from == Relationship.Kind.SIBLING:
            relation = "sibling"
        elif lives_with:
            relation = "lives with the child"
        else:
            relation = "family"
        options.append(FamilyOption(pk, f"{given} {family}".strip(), relation, poses_risk, caring))
    # The child last: the actions are mostly for the adults.
    return sorted(options, key=lambda option: option.person_id == child_id)


def plan_agencies(*, case: Case) -> list[Agency]:
    """The agencies that may own an action: those serving the case's partnership, by name. One query."""
    return list(Agency.objects.filter(partnerships=case.partnership_id).order_by("name", "pk"))


def plan_owner_memberships(*, case: Case, plan: Plan | None = None) -> list[Membership]:
    """Whom the form offers to name on an agency's action: the practitioners and managers, in the case's
    partnership, of children's social care, of the agencies involved in the case and of those already owning
    an action on the plan. Anyone else's agency is given the action without a name. One query."""
    agencies = Q(agency__kind=Agency.Kind.CHILDRENS_SOCIAL_CARE) | Q(agency__cases_involved=case.pk)
    if plan is not None:
        agencies |= Q(agency__plan_actions__plan=plan.pk)
    return list(
        Membership.objects.filter(agencies, partnership_id=case.partnership_id, user__is_active=True)
        .exclude(role__in=list(NOT_CASEWORK))
        .select_related("user", "agency")
        .distinct()
        .order_by("agency__name", "agency_id", "user__last_name", "user__first_name", "user_id")
    )


def plan_party_agencies(*, plan: Plan) -> list[Agency]:
    """The agencies a plan goes to: every agency involved in the case and every agency owning one of its actions,
    but children's social care, which holds the plan. One query."""
    return list(
        Agency.objects.filter(Q(cases_involved=plan.case_id) | Q(plan_actions__plan=plan.pk))
        .exclude(kind=Agency.Kind.CHILDRENS_SOCIAL_CARE)
        .distinct()
        .order_by("name", "pk")
    )


# -- A plan as its page shows it -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    action: PlanAction
    # "Shire Police (Pat Officer)", or "Dean Marsh (the person posing risk)".
    who: str
    overdue: bool
    may_close: bool


@dataclass(frozen=True)
class VersionAction:
    """One action as a version of the plan said it."""

    description: str
    who: str
    due_by: date | None
    status: str


@dataclass(frozen=True)
class Received:
    """One party given one version, and how."""

    party: str
    method: str
    at: Any


@dataclass(frozen=True)
class VersionRow:
    version: PlanVersion
    what_must_change: str
    review_by: date | None
    actions: list[VersionAction]
    received: list[Received]


@dataclass(frozen=True)
class PlanDetail:
    plan: Plan
    child_name: str
    actions: list[ActionRow]
    versions: list[VersionRow]
    # The parties (agencies and members of the family) who have not yet received the latest version.
    not_received: list[str]
    may_change: bool


def _agency_who(agency_name: str, owner_name: str) -> str:
    return f"{agency_name} ({owner_name})" if owner_name else agency_name


def _family_who(name: str, party: str) -> str:
    return f"{name} ({PARTY_WORDS.get(party, 'family member')})"


def _hidden_people(user: User, person_ids: Iterable[int]) -> set[int]:
    """Of the people named, the restricted ones the user may not open (not to be named to them). One query: the
    child is always among those named, so the query always runs and the page's count stays fixed."""
    return set(
        Person.objects.filter(pk__in=set(person_ids), restricted=True)
        .exclude(pk__in=people_visible(user).values("pk"))
        .values_list("pk", flat=True)
    )


def action_may_close(user: User, action: PlanAction) -> bool:
    """Children's social care casework staff close any action; a practitioner or manager of the agency owning an
    action (or the person named on it) closes that one."""
    if plan_may_change(user):
        return True
    if action.owner_id is not None and action.owner_id == user.pk:
        return True
    membership = membership_of(user)
    return (membership is not None and membership.role not in NOT_CASEWORK and action.agency_id is not None
            and membership.agency_id == action.agency_id)


def _version_actions(content: Mapping[str, Any], hidden: set[int]) -> list[VersionAction]:
    rows = []
    for item in content.get("actions", []):
        if item.get("party") == PlanAction.Party.AGENCY:
            who = _agency_who(item.get("agency_name", ""), item.get("owner_name", ""))
        else:
            name = RESTRICTED_PERSON if item.get("family_member") in hidden else item.get("family_member_name", "")
            who = _family_who(name, item.get("party", ""))
        due = item.get("due_by")
        rows.append(VersionAction(item.get("description", ""), who, date.fromisoformat(due) if due else None,
                                  item.get("status", "")))
    return rows


def plan_detail_of(*, user: User, plan: Plan) -> PlanDetail:
    """The plan (already fetched through ``plan_get_for``, with its case and child) and everything its page shows.

    Queries: actions with agency, owner and family member (1); versions with who made them (1); distributions
    with agency and family member (1); the agencies involved in the case (1); which restricted people named the
    user may not open (1).
    """
    actions = list(PlanAction.objects.filter(plan=plan).select_related("agency", "owner", "family_member"))
    versions = list(PlanVersion.objects.filter(plan=plan).select_related("created_by").order_by("-number"))
    distributions = list(PlanDistribution.objects.filter(plan=plan).select_related("agency", "family_member")
                         .order_by("-version_number", "distributed_at", "pk"))
    involved = list(plan.case.involved_agencies.all())
    named = {plan.case.child_id}
    named |= {action.family_member_id for action in actions if action.family_member_id is not None}
    named |= {d.family_member_id for d in distributions if d.family_member_id is not None}
    for version in versions:
        named |= {item["family_member"] for item in version.content.get("actions", []) if item.get("family_member")}
    hidden = _hidden_people(user, named)

    def person_name(person: Person | None) -> str:
        if person is None:
            return ""
        return RESTRICTED_PERSON if person.pk in hidden else person.full_name

    today = timezone.localdate()
    rows = []
    for action in actions:
        if action.party == PlanAction.Party.AGENCY:
            who = _agency_who(action.agency.name if action.agency else "",
                              action.owner.display_name if action.owner else "")
        else:
            who = _family_who(person_name(action.family_member), action.party)
        rows.append(ActionRow(action, who, rules.action_overdue(status=action.status, due_by=action.due_by,
                                                                today=today),
                              action.status == PlanAction.Status.OPEN and action_may_close(user, action)))

    by_version: dict[int, list[Received]] = {}
    for distribution in distributions:
        party = (distribution.agency.name if distribution.agency is not None
                 else person_name(distribution.family_member))
        by_version.setdefault(distribution.version_number, []).append(
            Received(party, distribution.get_method_display(), distribution.distributed_at))
    version_rows = []
    for version in versions:
        review = version.content.get("review_by")
        version_rows.append(VersionRow(version, version.content.get("what_must_change", ""),
                                       date.fromisoformat(review) if review else None,
                                       _version_actions(version.content, hidden),
                                       by_version.get(version.number, [])))

    return PlanDetail(
        plan=plan,
        child_name=plan.case.child.full_name,
        actions=rows,
        versions=version_rows,
        not_received=_not_received(plan, actions, distributions, involved, person_name),
        may_change=plan_may_change(user),
    )


def _not_received(plan: Plan, actions: Sequence[PlanAction], distributions: Sequence[PlanDistribution],
                  involved: Sequence[Agency], person_name: Any) -> list[str]:
    """The parties who should have the latest version and have not: the agencies involved in the case or owning an
    action (children's social care holds the plan), the family members the actions name, and whoever was given an
    earlier version."""
    agencies: dict[int, Agency] = {}
    family: dict[int, Person] = {}
    for agency in involved:
        agencies[agency.pk] = agency
    for action in actions:
        if action.agency is not None:
            agencies[action.agency.pk] = action.agency
        if action.family_member is not None and action.party != PlanAction.Party.CHILD:
            family[action.family_member.pk] = action.family_member
    latest_agencies: set[int] = set()
    latest_family: set[int] = set()
    for distribution in distributions:
        latest = distribution.version_number == plan.current_version
        if distribution.agency is not None:
            agencies[distribution.agency.pk] = distribution.agency
            if latest:
                latest_agencies.add(distribution.agency.pk)
        elif distribution.family_member is not None:
            family[distribution.family_member.pk] = distribution.family_member
            if latest:
                latest_family.add(distribution.family_member.pk)
    missing = [agency.name for pk, agency in sorted(agencies.items(), key=lambda item: item[1].name)
               if pk not in latest_agencies and agency.kind != Agency.Kind.CHILDRENS_SOCIAL_CARE]
    missing += [str(person_name(person)) for pk, person in sorted(family.items(), key=lambda item: item[1].full_name)
                if pk not in latest_family]
    return missing


def plan_detail(*, user: User, plan_id: int) -> PlanDetail:
    """The plan as the user may see it, or Http404; the view is logged."""
    return plan_detail_of(user=user, plan=plan_get_for(user, plan_id))


# -- Plans of a case, and actions owned ----------------------------------------------------------------------


def plans_of_case(*, user: User, case: Case) -> list[Plan]:
    """The case's plans the user may see, active first and newest first, each with its actions (agency, owner and
    family member joined) prefetched. Two queries whatever the number of plans and actions.

    Each action carries ``family_member_hidden``: its member of the family is restricted and the user may not open
    their record, so they are not to be named (``RESTRICTED_PERSON`` instead)."""
    hidden = Coalesce(ExpressionWrapper(Q(family_member__restricted=True) & ~Q(family_member__in=people_visible(user)),
                                        output_field=BooleanField()), Value(False))
    actions = (PlanAction.objects.select_related("agency", "owner", "family_member")
               .annotate(family_member_hidden=hidden).order_by("due_by", "pk"))
    return list(
        plans_visible(user)
        .filter(case=case, case__child__in=people_visible(user))
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("status", "-starts_on", "-pk")
    )


def plan_actions_owned(*, user: User) -> QuerySet[PlanAction]:
    """Open actions of active plans that are the user's: named to them, owned by their agency with no one named,
    or (for the case's lead professional) a member of the family's to follow up. Soonest due first, with the
    agency, plan, case and child joined: one query (plan_action_agency_idx for the agency's)."""
    membership = membership_of(user)
    if membership is None or membership.role in NOT_CASEWORK:
        return PlanAction.objects.none()
    return (
        PlanAction.objects.filter(status=PlanAction.Status.OPEN, plan__status=Plan.Status.ACTIVE,
                                  plan__in=plans_visible(user), plan__case__child__in=people_visible(user))
        .filter(Q(owner=user) | Q(owner__isnull=True, agency_id=membership.agency_id)
                | Q(agency__isnull=True, plan__case__lead_professional=user))
        .select_related("agency", "plan", "plan__case__child", "family_member")
        .order_by("due_by", "pk")
    )


# -- History -------------------------------------------------------------------------------------------------


def plan_history_check(user: User, plan_id: int) -> str:
    """A plan's whole history (its versions, actions and distributions): managers, auditors and administrators
    who may see the plan."""
    plan = plan_get_for(user, plan_id, log=False)
    if not user.has_perm("audits.view_accesslogentry"):
        raise PermissionDenied("Only managers, auditors and administrators may see a plan's history.")
    return f"{plan.get_kind_display()} for {plan.case.child.full_name}"


# -- What the plan's pages need besides ----------------------------------------------------------------------


def plan_actions(*, plan: Plan) -> list[PlanAction]:
    """The plan's actions, soonest due first, with agency, owner and family member. One query."""
    return list(PlanAction.objects.filter(plan=plan).select_related("agency", "owner", "family_member"))


def plan_action_of(*, plan: Plan, action_id: int) -> PlanAction | None:
    """One action, only through a plan the user may see (fetched by ``plan_get_for``)."""
    action = PlanAction.objects.filter(plan=plan, pk=action_id).select_related("agency").first()
    if action is not None:
        action.plan = plan
    return action


def plan_received(*, plan: Plan) -> tuple[set[int], set[int]]:
    """The agencies and the members of the family who have the plan's latest version. One query."""
    agencies: set[int] = set()
    people: set[int] = set()
    rows = PlanDistribution.objects.filter(plan=plan, version_number=plan.current_version)
    for agency_id, person_id in rows.values_list("agency_id", "family_member_id"):
        if agency_id is not None:
            agencies.add(agency_id)
        if person_id is not None:
            people.add(person_id)
    return agencies, people


def family_people(*, user: User, person_ids: Iterable[int]) -> list[Person]:
    """The people named (a form's choices), those the user may open. One query."""
    return list(people_visible(user).filter(pk__in=set(person_ids)))
