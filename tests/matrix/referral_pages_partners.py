"""The front door's pages for every agency by persona (ACCESS.md: referral detail, request / answer an agency
check): making a referral, the referrer's own referrals, agency checks, challenging a decision."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from cases.models import Person
from cases.permissions import record_share_with
from referrals.models import AgencyCheck, Escalation, Referral
from referrals.services import agency_check_request, escalation_raise, referral_create, referral_decide
from tests.access_matrix_base import SIGN_IN_REDIRECT, Entry, statuses
from tests.conftest import World


@dataclass(frozen=True)
class Subjects:
    # The health visitor's referral about Leo: the school was asked for a check (not answered yet), the MASH
    # manager decided, and the health visitor challenged the decision.
    referral: Referral
    check: AgencyCheck
    escalation: Escalation
    # Another of the health visitor's referrals, decided after a check with the school, not yet challenged.
    decided: Referral


def _make(w: World) -> Subjects:
    leo = Person.objects.create(partnership=w.north, given_name="Leo", family_name="Matrix",
                                date_of_birth=timezone.localdate() - timedelta(days=365 * 8), search_name="leo matrix")
    record_share_with(record=leo, agency=w.health_visiting, what="Health visiting caseload", by=None)

    def referred(hours_ago: int) -> tuple[Referral, AgencyCheck]:
        referral = referral_create(by=w.hv, received_at=timezone.now() - timedelta(hours=hours_ago),
                                   referrer_agency=w.health_visiting, children=[leo], consent="given",
                                   concerns="Leo has unexplained bruising.")
        check = agency_check_request(referral=referral, by=w.mw, agency=w.school, question="Is Leo in school?")
        return referral, check

    referral, check = referred(3)
    referral_decide(referral=referral, by=w.mm, outcome="no_further_action", rationale="No current risk.")
    escalation = escalation_raise(referral=referral, by=w.hv, reason="Leo disclosed being hit.")
    decided, _ = referred(2)
    referral_decide(referral=decided, by=w.mm, outcome="early_help", rationale="Family support will help.")
    return Subjects(referral=referral, check=check, escalation=escalation, decided=decided)


def subjects(w: World) -> Subjects:
    made: Subjects = w.once("referral_pages_partners", _make)
    return made


def _stage(w: World) -> int:
    return Escalation.objects.values_list("stage", flat=True).get(pk=subjects(w).escalation.pk)


def _referral_body(w: World, user: Any) -> dict[str, Any]:
    """A whole referral about a child new to the system (already checked for duplicates on the form)."""
    now = timezone.localtime() - timedelta(minutes=5)
    body: dict[str, Any] = {
        "action": "send",
        "new_child": json.dumps({"given_name": "Nova", "family_name": f"Matrix{user.pk if user else 0}",
                                 "date_of_birth": "", "sex": "female"}),
        "concerns": "Nova was left alone overnight.", "urgency": "standard", "consent": "given",
        "lawful_basis": "public_task", "received_on_day": now.day, "received_on_month": now.month,
        "received_on_year": now.year, "received_time": f"{now:%H:%M}",
    }
    membership = getattr(user, "membership", None)
    if membership is not None:
        # Children's social care names the referring agency (it records others' contacts); others refer for their own.
        body["referrer_agency"] = membership.agency_id
    return body


CASEWORKERS = statuses(200, SIGN_IN_REDIRECT, AU=403, AD=403)
CASEWORKERS_POST = statuses(302, SIGN_IN_REDIRECT, AU=403, AD=403)
# Children's social care sees every referral; the health visitor made it; the school was asked for a check.
REFERRAL_SEEN = statuses(404, SIGN_IN_REDIRECT, MW=200, MM=200, SW=200, TM=200, SM=200, HV=200, TE=200, AD=200)
# The check: children's social care reads it; the school, to which it is addressed, answers it.
CHECK_GET = statuses(404, SIGN_IN_REDIRECT, MW=200, MM=200, SW=200, TM=200, SM=200, TE=200, AD=200)
CHECK_POST = statuses(404, SIGN_IN_REDIRECT, MW=403, MM=403, SW=403, TM=403, SM=403, TE=302, AD=403)
# Only the referrer and agencies asked for a check challenge a decision; others who see the referral are refused.
RAISE_GET = statuses(404, SIGN_IN_REDIRECT, MW=403, MM=403, SW=403, TM=403, SM=403, HV=200, TE=200, AD=403)
# The health visitor raises it; by the teacher's turn it is open already, so the form says so.
RAISE_POST = {**RAISE_GET, "HV": 302, "TE": 200}
# The challenge: as the referral, but a partner agency follows only its own (the school did not raise it).
ESCALATION_SEEN = {**REFERRAL_SEEN, "TE": 404}
# Stage 1 is the MASH manager's (the decision maker's); each "escalate" answer opens the next stage, whose
# responders are managers (2) and the senior manager (3): personas answer in turn, climbing the ladder.
RESPOND_POST = {**ESCALATION_SEEN, "MW": 403, "MM": 302, "SW": 403, "TM": 302, "SM": 302, "HV": 403, "AD": 403}

ENTRIES: list[Entry] = [
    Entry("referral-create", lambda w: "/referrals/new/", CASEWORKERS),
    Entry("referral-create", lambda w: "/referrals/new/", CASEWORKERS_POST, method="POST", data=_referral_body),
    Entry("referral-created", lambda w: f"/referrals/new/{subjects(w).referral.pk}/", REFERRAL_SEEN),
    Entry("referrals-made", lambda w: "/referrals/made/", CASEWORKERS),
    Entry("checks-inbox", lambda w: "/checks/", CASEWORKERS),
    Entry("check-answer", lambda w: f"/checks/{subjects(w).check.pk}/", CHECK_GET),
    Entry("check-answer", lambda w: f"/checks/{subjects(w).check.pk}/", CHECK_POST, method="POST",
          data=lambda w, u: {"information": "Leo attends; no concerns from school."}),
    Entry("escalation-raise", lambda w: f"/referrals/{subjects(w).decided.pk}/escalate/", RAISE_GET),
    Entry("escalation-raise", lambda w: f"/referrals/{subjects(w).decided.pk}/escalate/", RAISE_POST,
          method="POST", data=lambda w, u: {"reason": "Early help is not enough for this family."}),
    Entry("escalation-detail", lambda w: f"/escalations/{subjects(w).escalation.pk}/", ESCALATION_SEEN),
    # Each answer names the stage its page showed (the current one when the persona answers).
    Entry("escalation-detail", lambda w: f"/escalations/{subjects(w).escalation.pk}/", RESPOND_POST,
          method="POST", data=lambda w, u: {"outcome": "escalate", "response": "Not resolved at this stage.",
                                            "stage": _stage(w)}),
]
