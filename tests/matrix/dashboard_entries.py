"""Access matrix: the dashboard, the records behind a figure, and ``GET /api/v1/dashboard/`` (ACCESS.md
"dashboard"), every persona.

The MASH manager (the MASH view), the team manager (their team's view; here with no team yet, so the page says
so), the senior manager of children's social care and the administrator (the partnership view, aggregates
only) see it; practitioners, social workers, the auditor and the other area's social worker do not (403: a
dashboard is no secret, it is not theirs). A partner agency's manager sees their own agency's view:
tests/audits/test_dashboard_pages.py.
"""

from __future__ import annotations

from audits.measures import measures
from tests.access_matrix_base import API_ANON, SIGN_IN_REDIRECT, Entry, fixed, statuses
from tests.conftest import World

MANAGERS = {"MM": 200, "TM": 200, "SM": 200, "AD": 200}
PAGE = statuses(403, SIGN_IN_REDIRECT, **MANAGERS)
API = statuses(403, API_ANON, **MANAGERS)


def _records_path(w: World) -> str:
    return f"/dashboard/{measures()[0].key}/"


ENTRIES: list[Entry] = [
    Entry("dashboard", fixed("/dashboard/"), PAGE),
    Entry("dashboard-records", _records_path, PAGE, query=lambda w: {"part": "missed"}),
    Entry("api-dashboard", fixed("/api/v1/dashboard/"), API, page=False),
]
