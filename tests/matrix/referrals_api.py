"""Access matrix: the front-door API (ACCESS.md "list referrals (API)", "referral detail", "record a referral
decision", "request / answer an agency check"), every persona.

The subject: a referral the police (PO) made about a North child, with a check the MASH addressed to Northgate
Primary (TE's school). So PO may know it as the referrer and TE as the agency asked; health visiting, adult
mental health, the auditor (nothing sampled) and the other area may not. Writes that succeed once per referral
(a decision, feedback, an escalation, its answer) get a fresh referral for each persona's request.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from typing import Any

from agencies.rules import DEFAULT_TZ
from referrals.models import AgencyCheck, Escalation, Referral
from referrals.services import (
    NewChild,
    agency_check_answer,
    agency_check_request,
    escalation_raise,
    referral_create,
    referral_decide,
)
from tests.access_matrix_base import API_ANON, Entry, fixed, statuses
from tests.conftest import World

_serial = count(1)
RECEIVED_AT = datetime(2026, 3, 2, 10, 0, tzinfo=DEFAULT_TZ)
CSC = ("MW", "MM", "SW", "TM", "SM")


def police_referral(w: World, *, family: str | None = None, consent: str = "given", consent_reason: str = "",
                    received_at: datetime = RECEIVED_AT) -> Referral:
    """A referral the police made about a new North child (shared with the police as the referrer)."""
    return referral_create(
        by=w.po, received_at=received_at, referrer_agency=w.police,
        new_children=[NewChild(given_name="Ellie", family_name=family or f"Ashdown{next(_serial)}",
                               date_of_birth=date(2017, 3, 3))],
        concerns="Police called to the home at night; Ellie was heard crying.", consent=consent,
        consent_reason=consent_reason, categories=["domestic_abuse"],
    )


def checked_referral(w: World) -> Referral:
    """A police referral with a check the MASH addressed to the school."""
    referral = police_referral(w)
    agency_check_request(referral=referral, by=w.mw, agency=w.school, question="Is Ellie in school? Any worries?")
    return referral


def subject(w: World) -> Referral:
    referral: Referral = w.once("matrix-referral", checked_referral)
    return referral


def subject_check(w: World) -> AgencyCheck:
    return AgencyCheck.objects.get(referral=subject(w), agency=w.school)


def answered(w: World) -> Referral:
    """The school has answered its check, so the MASH may ask it again."""

    def make(w: World) -> Referral:
        referral = checked_referral(w)
        check = AgencyCheck.objects.get(referral=referral, agency=w.school)
        agency_check_answer(check=check, by=w.te, information="Attendance 82%; quiet lately.")
        return referral

    referral: Referral = w.once("matrix-referral-answered", make)
    return referral


def decided(w: World) -> Referral:
    """A fresh checked referral with the MASH manager's decision."""
    referral = checked_referral(w)
    referral_decide(referral=referral, by=w.mm, outcome="no_further_action", rationale="Police action suffices.")
    return referral


def escalated(w: World) -> Escalation:
    """A fresh decided referral the police challenge: stage 1 open, for the MASH manager who decided."""
    return escalation_raise(referral=decided(w), by=w.po, reason="The risk is higher than the decision allows.")


def _create_body(w: World, user: Any) -> dict[str, Any]:
    """A new referral from the user's own agency about a new child of the user's own partnership."""
    membership = getattr(user, "membership", None)
    return {
        "received_at": RECEIVED_AT.isoformat(),
        "referrer_agency": membership.agency_id if membership is not None else w.police.pk,
        "children": [],
        "new_children": [{"given_name": "Matrix", "family_name": f"Child{next(_serial)}",
                          "date_of_birth": "2018-01-01"}],
        "concerns": "Bruising seen at drop-off.",
        "consent": {"status": "given"},
    }


def _triage_body(w: World, user: Any) -> dict[str, Any]:
    return {"rag": "amber", "version": Referral.objects.get(pk=subject(w).pk).version}


def _check_body(w: World, user: Any) -> dict[str, Any]:
    # The MASH worker asks the police, the MASH manager the school again: both agencies already know of it.
    return {"agency": w.school.pk if user is not None and user == w.mm else w.police.pk,
            "question": "What do you know of the family?"}


SEEN_BY_BOTH = {**{code: 403 for code in CSC}, "AD": 403, "PO": 403, "TE": 403}


def _known(**allowed: int) -> dict[str, int]:
    """404 unless the persona may know the subject (403 then), with the allowed personas' statuses."""
    return statuses(404, API_ANON, **{**SEEN_BY_BOTH, **allowed})

ENTRIES: list[Entry] = [
    # ACCESS.md "list referrals (API)": partners see their own agency's, the auditor what is sampled (nothing
    # yet) and the other area none, all with a 200.
    Entry("api-referrals", fixed("/api/v1/referrals/"), statuses(200, API_ANON), page=False),
    Entry("api-referrals", fixed("/api/v1/referrals/"), statuses(200, API_ANON), page=False,
          query=lambda w: {"status": "awaiting_decision"}),
    # Any practitioner or manager refers; auditors and administrators do not.
    Entry("api-referrals", fixed("/api/v1/referrals/"), statuses(201, API_ANON, AU=403, AD=403), method="POST",
          page=False, data=_create_body),
    Entry("api-referral", lambda w: f"/api/v1/referrals/{subject(w).pk}/",
          statuses(404, API_ANON, **{code: 200 for code in CSC}, AD=200, PO=200, TE=200), page=False),
    # Triage (RAG, allocation): MASH practitioners and managers.
    Entry("api-referral", lambda w: f"/api/v1/referrals/{subject(w).pk}/",
          _known(MW=200, MM=200), method="PATCH", page=False, data=_triage_body),
    Entry("api-referral-checks", lambda w: f"/api/v1/referrals/{answered(w).pk}/checks/",
          _known(MW=201, MM=201), method="POST", page=False, data=_check_body),
    Entry("api-checks", fixed("/api/v1/checks/"), statuses(200, API_ANON), page=False),
    # Only the addressed agency answers; children's social care may see the check (403), the referrer may not.
    Entry("api-check-answer", lambda w: f"/api/v1/checks/{subject_check(w).pk}/answer/",
          statuses(404, API_ANON, **{code: 403 for code in CSC}, AD=403, TE=200), method="POST", page=False,
          data=lambda w, u: {"information": "Known to the school: attendance 82%."}),
    Entry("api-referral-decision", lambda w: f"/api/v1/referrals/{checked_referral(w).pk}/decision/",
          _known(MM=201, SM=201), method="POST", page=False,
          data=lambda w, u: {"outcome": "early_help", "rationale": "Needs met by early help."}),
    Entry("api-referral-feedback", lambda w: f"/api/v1/referrals/{decided(w).pk}/feedback/",
          _known(MW=201, MM=201, TM=201, SM=201), method="POST", page=False,
          data=lambda w, u: {"method": "phone"}),
    # The referrer and the agency asked for a check may challenge the decision.
    Entry("api-referral-escalations", lambda w: f"/api/v1/referrals/{decided(w).pk}/escalations/",
          _known(PO=201, TE=201), method="POST", page=False,
          data=lambda w, u: {"reason": "The risk is higher than the decision allows."}),
    # Stage 1: the decision maker (the MASH manager) or a manager at that level. A partner agency follows only
    # its own agency's challenges: the school, which saw the referral for a check, does not know of the police's.
    Entry("api-escalation-respond", lambda w: f"/api/v1/escalations/{escalated(w).pk}/respond/",
          _known(MM=200, TM=200, SM=200, TE=404), method="POST", page=False,
          data=lambda w, u: {"outcome": "resolved", "response": "Discussed; agreed early help first."}),
]
