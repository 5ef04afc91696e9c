"""Access matrix: the strategy meeting pages (ACCESS.md "strategy meeting detail", "contribute to a meeting",
"hold / not-held / distribute minutes"), every persona.

The subjects are those of the API's entries (``tests.matrix.strategy_meetings_api``): a North meeting with
children's social care, the police (PO) and health visiting (HV) invited as required; adult mental health (MH)
and the school (TE) not invited, the auditor with nothing sampled and the other area (OUT) do not know it.
Holding succeeds once per meeting, so each persona's POST gets a fresh meeting.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests.access_matrix_base import SIGN_IN_REDIRECT, Entry, fixed, statuses
from tests.conftest import World
from tests.matrix.strategy_meetings_api import CSC, MANAGERS, convened, subject, subject_held

INVITED = ("PO", "HV")


def _known(**allowed: int) -> dict[str, int]:
    """404 unless the persona may know the meeting (then 403), with the allowed personas' statuses."""
    known = {**{code: 403 for code in CSC}, "AD": 403, **{code: 403 for code in INVITED}}
    return statuses(404, SIGN_IN_REDIRECT, **{**known, **allowed})


def hold_body(w: World, user: Any) -> dict[str, Any]:
    now = timezone.localtime()
    body = {"held_on_day": now.day, "held_on_month": now.month, "held_on_year": now.year,
            "held_time": now.strftime("%H:%M"), "outcome": "no_further_action", "missing_agency_reason": ""}
    for agency in (w.csc, w.police, w.health_visiting):
        body[f"attendance_{agency.pk}"] = "attended"
    return body


DETAIL = _known(**{code: 200 for code in (*CSC, "AD", *INVITED)})
CONTRIBUTE_GET = _known(**{code: 200 for code in (*CSC, *INVITED)})
CONTRIBUTE_POST = _known(**{code: 302 for code in (*CSC, *INVITED)})

ENTRIES: list[Entry] = [
    Entry("meeting-list", fixed("/strategy-meetings/"), statuses(200, SIGN_IN_REDIRECT)),
    Entry("meeting-detail", lambda w: f"/strategy-meetings/{subject(w).pk}/", DETAIL),
    Entry("meeting-detail", lambda w: f"/strategy-meetings/{subject_held(w).pk}/", DETAIL),
    Entry("meeting-contribute", lambda w: f"/strategy-meetings/{subject(w).pk}/contribute/", CONTRIBUTE_GET),
    Entry("meeting-contribute", lambda w: f"/strategy-meetings/{subject(w).pk}/contribute/", CONTRIBUTE_POST,
          method="POST", data=lambda w, u: {"information": "Known to us: two call-outs this year."}),
    # Holding: managers of children's social care (or the chair; none is named here).
    Entry("meeting-hold", lambda w: f"/strategy-meetings/{subject(w).pk}/hold/",
          _known(**{code: 200 for code in MANAGERS})),
    Entry("meeting-hold", lambda w: f"/strategy-meetings/{convened(w).pk}/hold/",
          _known(**{code: 302 for code in MANAGERS}), method="POST", data=hold_body),
]
