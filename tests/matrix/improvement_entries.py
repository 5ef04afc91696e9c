"""Access matrix: improvement action plans, every persona.

The subject: North's plan with its five themes, an action owned by children's social care with no one named, and
one owned by the police. Every agency's managers (MM, TM, SM), the auditor and the administrator read it;
practitioners may know the partnership has a plan but not read it (403); South's social worker (OUT) may not know
it exists (404). The senior manager and the administrator make plans and add themes and actions; progress and
completion of children's social care's action are for its managers (MM, TM, SM). Writes that succeed once get a
fresh action for each persona's request.
"""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from django.utils import timezone

from audits.models import ImprovementAction, ImprovementPlan
from audits.services_improvement import quarter_start
from tests.access_matrix_base import SIGN_IN_REDIRECT, Entry, statuses
from tests.audits.test_improvement_helpers import add_action, make_plan
from tests.conftest import World

_serial = count(1)
READERS = {"MM": 200, "TM": 200, "SM": 200, "AU": 200, "AD": 200}
PLANNERS = ("SM", "AD")
UPDATERS = ("MM", "TM", "SM")


def _plan(w: World) -> ImprovementPlan:
    plan = make_plan(w)
    add_action(w, plan)
    add_action(w, plan, agency=w.police, months=6, position=2)
    return plan


def subject(w: World) -> ImprovementPlan:
    plan: ImprovementPlan = w.once("matrix-improvement-plan", _plan)
    return plan


def _csc_action(w: World) -> ImprovementAction:
    action: ImprovementAction = w.once("matrix-improvement-action", lambda w: add_action(w, subject(w), months=9,
                                                                                       position=3))
    return action


def _fresh_action_path(suffix: str):
    def path(w: World) -> str:
        action = add_action(w, subject(w), months=12, position=4, description=f"Action {next(_serial)}")
        return f"/improvement-actions/{action.pk}/{suffix}/"
    return path


def _known(**allowed: int) -> dict[str, int]:
    """403 for those in the partnership, 404 for OUT, with the allowed personas' statuses."""
    return statuses(403, SIGN_IN_REDIRECT, OUT=404, **allowed)


def _date(prefix: str, day: date) -> dict[str, Any]:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _plan_body(w: World, user: Any) -> dict[str, Any]:
    return {"title": f"Plan {next(_serial)}", **_date("starts_on", timezone.localdate()),
            "themes": "Leadership", "other_themes": ""}


def _action_body(w: World, user: Any) -> dict[str, Any]:
    return {"theme": subject(w).themes.order_by("position")[0].pk, "description": "Brief every officer.",
            "owner_agency": w.police.pk, "owner": "", "timescale_months": 6,
            "expected_impact": "Children are referred sooner."}


def _progress_body(w: World, user: Any) -> dict[str, Any]:
    return {"quarter_starts_on": quarter_start(timezone.localdate()).isoformat(), "rag": "amber",
            "progress": "Half the meetings held within 24 hours.", "evidence": "Dip sample of 20 meetings."}


ENTRIES: list[Entry] = [
    Entry("improvement-plan-list", lambda w: "/improvement-plans/", statuses(403, SIGN_IN_REDIRECT, **READERS)),
    Entry("improvement-plan-create", lambda w: "/improvement-plans/new/",
          statuses(403, SIGN_IN_REDIRECT, **{code: 200 for code in PLANNERS})),
    Entry("improvement-plan-create", lambda w: "/improvement-plans/new/",
          statuses(403, SIGN_IN_REDIRECT, **{code: 302 for code in PLANNERS}), method="POST", data=_plan_body),
    Entry("improvement-plan-detail", lambda w: f"/improvement-plans/{subject(w).pk}/", _known(**READERS)),
    Entry("improvement-theme-add", lambda w: f"/improvement-plans/{subject(w).pk}/themes/new/",
          _known(**{code: 200 for code in PLANNERS})),
    Entry("improvement-theme-add", lambda w: f"/improvement-plans/{subject(w).pk}/themes/new/",
          _known(**{code: 302 for code in PLANNERS}), method="POST",
          data=lambda w, u: {"title": f"Theme {next(_serial)}"}),
    Entry("improvement-action-add", lambda w: f"/improvement-plans/{subject(w).pk}/actions/new/",
          _known(**{code: 200 for code in PLANNERS})),
    Entry("improvement-action-add", lambda w: f"/improvement-plans/{subject(w).pk}/actions/new/",
          _known(**{code: 302 for code in PLANNERS}), method="POST", data=_action_body),
    # Progress and completion: children's social care's managers and the senior manager; the auditor and the
    # administrator read the plan but do not record progress.
    Entry("improvement-progress-add", lambda w: f"/improvement-actions/{_csc_action(w).pk}/progress/",
          _known(**{code: 200 for code in UPDATERS})),
    Entry("improvement-progress-add", _fresh_action_path("progress"), _known(**{code: 302 for code in UPDATERS}),
          method="POST", data=_progress_body),
    Entry("improvement-action-done", _fresh_action_path("done"), _known(**{code: 302 for code in UPDATERS}),
          method="POST", data=lambda w, u: {}),
]
