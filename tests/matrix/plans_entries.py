"""Access matrix: plans (SPEC 6: "a plan action it owns"; ACCESS.md), every persona.

The subject: a written agreement for the Okafor baby, whose case involves North Health Visiting (HV), with an
action for the police (PO), so both may read it and neither may change it. Children's social care casework staff
make, change and distribute plans; its administrator reads them (403 on change); adult mental health (MH), the
school (TE), the auditor with nothing sampled and the other area (OUT) may not know the plan (404). Writes that
succeed once (distributing a version, closing an action) get a fresh plan for each persona's request.
"""

from __future__ import annotations

from itertools import count
from typing import Any

from cases.models import Plan, PlanAction
from cases.rules.plans import ActionDraft
from cases.services.plans import plan_action_close, plan_distribute, plan_update
from tests.access_matrix_base import ANON, API_ANON, SIGN_IN_REDIRECT, Entry, statuses
from tests.cases.test_plans_helpers import (
    for_agency,
    in_days,
    make_plan,
    perpetrator_action,
    plan_family,
    victim_action,
)
from tests.conftest import World

CSC = ("MW", "MM", "SW", "TM", "SM")
# Those who may know the plan without changing it: its partnership's administrator, the involved agency (HV) and
# the agency owning an action (PO).
READERS = ("AD", "HV", "PO")
_serial = count(1)


def _written_agreement(w: World) -> Plan:
    """A written agreement at its second version: version 1 distributed to the police, health visiting and the
    mother; the social worker's own action done since; then changed."""
    family = plan_family(w)
    plan = make_plan(w, family, kind="written_agreement", actions=[
        for_agency(w.police, "Check police records every month."),
        for_agency(w.csc, "Visit Tobi at home every week, seen alone.", owner=w.sw, days=7),
        perpetrator_action(family), victim_action(family),
    ])
    plan_distribute(plan=plan, by=w.sw, parties=[w.police, w.health_visiting, family.mother], method="in_person")
    plan_action_close(action=PlanAction.objects.get(plan=plan, agency=w.csc), by=w.sw, status="done")
    plan.refresh_from_db()
    open_actions = PlanAction.objects.filter(plan=plan, status="open").order_by("pk")
    return plan_update(
        plan=plan, by=w.sw, version=plan.version, what_must_change=plan.what_must_change, review_by=in_days(60),
        change_note="Review brought forward after a police call-out.",
        actions=[ActionDraft(a.description, a.party, a.due_by, a.agency_id, a.owner_id, a.family_member_id, a.pk)
                 for a in open_actions],
    )


def subject(w: World) -> Plan:
    plan: Plan = w.once("matrix-plan", _written_agreement)
    return plan


def _fresh(w: World) -> Plan:
    return make_plan(w, actions=[for_agency(w.police, "Check police records every month.")])


def _known(**allowed: int) -> dict[str, int]:
    """404 unless the persona may know the plan (then 403), with the allowed personas' statuses."""
    known = {**{code: 403 for code in CSC}, **{code: 403 for code in READERS}}
    return statuses(404, SIGN_IN_REDIRECT, **{**known, **allowed})


def _date(prefix: str, day: Any) -> dict[str, Any]:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _create_body(w: World, user: Any) -> dict[str, Any]:
    today = in_days(0)
    return {"kind": "child_in_need", "what_must_change": "Tobi must live free of violence at home.",
            **_date("starts_on", today), "rows": 3, "action_0_description": "Check police records every month.",
            "action_0_party": "agency", "action_0_agency": w.police.pk, **_date("action_0_due_by", in_days(14))}


def _edit_body(w: World, user: Any) -> dict[str, Any]:
    """What must change reworded, every open action kept as it is."""
    plan = Plan.objects.get(pk=subject(w).pk)
    body: dict[str, Any] = {"what_must_change": f"Tobi must live free of violence at home ({next(_serial)}).",
                            "version": plan.version, "change_note": "Reworded."}
    actions = list(PlanAction.objects.filter(plan=plan, status="open").order_by("pk"))
    for n, action in enumerate(actions):
        body |= {f"action_{n}_id": action.pk, f"action_{n}_description": action.description,
                 f"action_{n}_party": action.party, f"action_{n}_agency": action.agency_id or "",
                 f"action_{n}_owner": action.owner_id or "", f"action_{n}_family_member": action.family_member_id or "",
                 **_date(f"action_{n}_due_by", action.due_by)}
    body["rows"] = len(actions)
    return body


def _distribute_body(w: World, user: Any) -> dict[str, Any]:
    # One value each: the matrix sends the body without repeating keys.
    return {"agencies": w.police.pk, "family_members": plan_family(w).mother.pk, "method": "in_person"}


def _close_path(w: World) -> str:
    plan = _fresh(w)
    action = PlanAction.objects.get(plan=plan)
    return f"/plans/{plan.pk}/actions/{action.pk}/close/"


def _create_path(w: World) -> str:
    return f"/cases/{plan_family(w).case.pk}/plans/new/"


# The police are not involved in the baby's case (they own an action of its plan), so they may not know the case.
CREATE_GET = {**_known(**{code: 200 for code in CSC}), "PO": 404}
CREATE_POST = {**CREATE_GET, **{code: 302 for code in CSC}}
READ = _known(**{code: 200 for code in (*CSC, *READERS)})
CHANGE_GET = _known(**{code: 200 for code in CSC})
CHANGE_POST = _known(**{code: 302 for code in CSC})

ENTRIES: list[Entry] = [
    Entry("plan-create", _create_path, CREATE_GET),
    Entry("plan-create", _create_path, CREATE_POST, method="POST", data=_create_body),
    Entry("plan-detail", lambda w: f"/plans/{subject(w).pk}/", READ),
    Entry("plan-edit", lambda w: f"/plans/{subject(w).pk}/edit/", CHANGE_GET),
    Entry("plan-edit", lambda w: f"/plans/{subject(w).pk}/edit/", CHANGE_POST, method="POST", data=_edit_body),
    Entry("plan-distribute", lambda w: f"/plans/{subject(w).pk}/distribute/", CHANGE_GET),
    Entry("plan-distribute", lambda w: f"/plans/{_fresh(w).pk}/distribute/", CHANGE_POST, method="POST",
          data=_distribute_body),
    # Closing an action: children's social care, or the agency owning it (the police).
    Entry("plan-action-close", _close_path, _known(**{code: 302 for code in (*CSC, "PO")}), method="POST",
          data=lambda w, u: {"status": "done"}),
    Entry("api-plan", lambda w: f"/api/v1/plans/{subject(w).pk}/", {**READ, ANON: API_ANON}, page=False),
]
