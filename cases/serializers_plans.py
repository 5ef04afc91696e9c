"""The shape of a plan in the API: as its page shows it (``cases.selectors.plans.PlanDetail``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cases.selectors.plans import PlanDetail
from config.api import date_out as _date
from config.api import moment_out as _moment


class PlanSerializer(serializers.Serializer[Any]):
    """A plan with its actions (``who`` in words; a restricted member of the family is not named to those who may
    not open them), its versions (each with what it said and who received it, when and how) and the parties that
    have not yet received the latest version."""

    def to_representation(self, detail: PlanDetail) -> dict[str, Any]:
        plan = detail.plan
        return {
            "id": plan.pk,
            "version": plan.version,
            "case": plan.case_id,
            "child": {"person": plan.case.child_id, "name": detail.child_name},
            "kind": plan.kind,
            "status": plan.status,
            "what_must_change": plan.what_must_change,
            "starts_on": _date(plan.starts_on),
            "review_by": _date(plan.review_by),
            "current_version": plan.current_version,
            "actions": [
                {
                    "id": row.action.pk,
                    "description": row.action.description,
                    "party": row.action.party,
                    "who": row.who,
                    "agency": row.action.agency_id,
                    "owner": row.action.owner_id,
                    "due_by": _date(row.action.due_by),
                    "status": row.action.status,
                    "done_at": _moment(row.action.done_at),
                    "overdue": row.overdue,
                }
                for row in detail.actions
            ],
            "versions": [
                {
                    "number": row.version.number,
                    "made_at": _moment(row.version.created_at),
                    "change_note": row.version.change_note,
                    "what_must_change": row.what_must_change,
                    "review_by": _date(row.review_by),
                    "actions": [
                        {"description": item.description, "who": item.who, "due_by": _date(item.due_by),
                         "status": item.status}
                        for item in row.actions
                    ],
                    "received": [
                        {"party": received.party, "method": received.method, "at": _moment(received.at)}
                        for received in row.received
                    ],
                }
                for row in detail.versions
            ],
            "not_received_latest": detail.not_received,
        }
