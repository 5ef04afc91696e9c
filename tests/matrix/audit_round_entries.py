"""Access matrix: case-file audit rounds (ACCESS.md "audit rounds"), every persona.

The subject: North's domestic-abuse round of three cases, with the auditor (AU) as its auditor. The senior manager
(SM) draws, moderates and closes rounds; the administrator (AD) sees and closes them but neither reviews nor
moderates; the auditor opens their own round, reviews its cases for their agency and moderates them. Everyone
else of North may know rounds exist (403); the other area (OUT) may not know North's round (404), though as a
social worker it is refused the list and the drawing (403). The report of a closed round is for every member of
North's staff. Writes that succeed once (closing) get a fresh round for each persona's request.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from audits.models import AuditCase, AuditReview, AuditRound, ImprovementPlan, ImprovementTheme
from audits.services_rounds import audit_round_close, audit_round_create
from tests.access_matrix_base import ANON, API_ANON, SIGN_IN_REDIRECT, Entry, statuses
from tests.audits.test_rounds_helpers import cases_to_sample, review_post
from tests.conftest import World

MANAGERS = ("SM", "AD")
OPENERS = ("SM", "AD", "AU")
NORTH_STAFF = ("MW", "MM", "SW", "TM", "SM", "PO", "HV", "MH", "TE", "AU", "AD")


def _draw(w: World, theme: str = "Domestic abuse") -> AuditRound:
    return audit_round_create(partnership_id=w.north.pk, by=w.sm, theme=theme, sample_size=3, seed=42,
                              auditor_ids=[w.au.pk])


def subject(w: World) -> AuditRound:
    def make(w: World) -> AuditRound:
        cases_to_sample(w, 4, family="Matrix")
        return _draw(w)

    audit_round: AuditRound = w.once("matrix-audit-round", make)
    return audit_round


def closed(w: World) -> AuditRound:
    def make(w: World) -> AuditRound:
        return audit_round_close(audit_round=subject(w), by=w.sm)

    audit_round: AuditRound = w.once("matrix-audit-round-closed", make)
    return audit_round


def fresh(w: World) -> AuditRound:
    subject(w)
    return _draw(w, "Neglect")


def first_case(w: World) -> AuditCase:
    return AuditCase.objects.get(round=subject(w), position=1)


def theme(w: World) -> ImprovementTheme:
    def make(w: World) -> ImprovementTheme:
        plan = ImprovementPlan.objects.create(partnership=w.north, title="Improvement plan",
                                              starts_on=timezone.localdate())
        return ImprovementTheme.objects.create(partnership=w.north, plan=plan, title="Voice of the child")

    found: ImprovementTheme = w.once("matrix-improvement-theme", make)
    return found


def _rounds(tail: str = "", which=subject):
    return lambda w: f"/audit-rounds/{which(w).pk}/{tail}"


def _case(tail: str = ""):
    return lambda w: f"/audit-rounds/{subject(w).pk}/cases/{first_case(w).pk}/{tail}"


def _review_body(w: World, user: Any) -> dict[str, Any]:
    current = AuditReview.objects.filter(audit_case=first_case(w), agency=w.csc).values_list("version", flat=True)
    return review_post(version=current.first() or 0)


def _moderation_body(w: World, user: Any) -> dict[str, Any]:
    version = AuditCase.objects.values_list("version", flat=True).get(pk=first_case(w).pk)
    return {"moderation-moderated_grade": "good", "moderation-findings": "Timely checks.",
            "moderation-learning_points": "Name owners.", "moderation-version": version}


def _action_body(w: World, user: Any) -> dict[str, Any]:
    return {"theme": theme(w).pk, "description": "Audit voice in plan reviews.", "owner_agency": w.csc.pk,
            "timescale_months": 6, "expected_impact": "Plans say what children told us."}


def _create_body(w: World, user: Any) -> dict[str, Any]:
    subject(w)
    return {"theme": "Neglect", "sample_size": 2, "auditors": w.au.pk, "closes_on_day": 1, "closes_on_month": 1,
            "closes_on_year": 2099}


def _api_body(w: World, user: Any) -> dict[str, Any]:
    subject(w)
    return {"theme": "Neglect", "sample_size": 2, "seed": 7, "auditors": [w.au.pk]}


def _north(default: int, **allowed: int) -> dict[str, int]:
    """North's staff get ``default``, the other area 404, and the allowed personas their statuses."""
    return statuses(default, SIGN_IN_REDIRECT, OUT=404, **allowed)


LIST = statuses(403, SIGN_IN_REDIRECT, **{code: 200 for code in OPENERS})
CREATE_GET = statuses(403, SIGN_IN_REDIRECT, **{code: 200 for code in MANAGERS})
CREATE_POST = statuses(403, SIGN_IN_REDIRECT, **{code: 302 for code in MANAGERS})
OPEN = _north(403, **{code: 200 for code in OPENERS})
CLOSE_GET = _north(403, **{code: 200 for code in MANAGERS})
CLOSE_POST = _north(403, **{code: 302 for code in MANAGERS})
REVIEW = _north(403, AU=302)
MODERATE_GET = _north(403, SM=200, AU=200)
MODERATE_POST = _north(403, SM=302, AU=302)
CLOSED_REPORT = _north(403, **{code: 200 for code in NORTH_STAFF})

ENTRIES: list[Entry] = [
    Entry("audit-round-list", lambda w: "/audit-rounds/", LIST),
    Entry("audit-round-create", lambda w: "/audit-rounds/new/", CREATE_GET),
    Entry("audit-round-create", lambda w: "/audit-rounds/new/", CREATE_POST, method="POST", data=_create_body),
    Entry("audit-round-detail", _rounds(), OPEN),
    Entry("audit-round-close", _rounds("close/"), CLOSE_GET),
    Entry("audit-round-close", _rounds("close/", fresh), CLOSE_POST, method="POST",
          data=lambda w, u: {"summary": "Plans need owners."}),
    Entry("audit-round-report", _rounds("report/"), OPEN),
    Entry("audit-round-report", _rounds("report/", closed), CLOSED_REPORT),
    Entry("audit-round-report-pdf", _rounds("report.pdf"), OPEN, page=False),
    Entry("audit-round-report-pdf", _rounds("report.pdf", closed), CLOSED_REPORT, page=False),
    Entry("audit-case-detail", _case(), OPEN),
    Entry("audit-case-detail", _case(), REVIEW, method="POST", data=_review_body),
    Entry("audit-case-moderate", _case("moderate/"), MODERATE_POST, method="POST", data=_moderation_body),
    Entry("audit-case-action", _case("actions/new/"), MODERATE_GET),
    Entry("audit-case-action", _case("actions/new/"), MODERATE_POST, method="POST", data=_action_body),
    Entry("api-audit-round-create", lambda w: "/api/v1/audits/",
          {**statuses(403, API_ANON, SM=201, AD=201), ANON: API_ANON}, method="POST", page=False, data=_api_body),
]
