"""Every URL by every persona: the expected status (ACCESS.md, SPEC 6).

`tests/test_access_matrix.py` runs each entry for every persona and fails when a
URL pattern has no entry here, so a new page or endpoint cannot ship untested.
Each area keeps its entries in `tests/matrix/`.
"""

from __future__ import annotations

from typing import Any

from agencies import two_factor
from tests.access_matrix_base import (
    ADMIN_ONLY_CREATE,
    ADMIN_ONLY_READ,
    ALL,
    ANON,
    API_ANON,
    HISTORY_OF_STAFF,
    SIGN_IN_REDIRECT,
    Entry,
    fixed,
    statuses,
)
from tests.conftest import World
from tests.factories import PASSWORD, authenticator_app, totp_code
from tests.matrix import (
    attachments_entries,
    audit_round_entries,
    case_pages,
    chronology_entries,
    dashboard_entries,
    improvement_entries,
    incident_pages,
    incidents_api,
    people_api,
    people_pages,
    plans_entries,
    referral_pages_partners,
    referral_pages_triage,
    referrals_api,
    strategy_meeting_pages,
    strategy_meeting_pages_organise,
    strategy_meeting_pages_record,
    strategy_meetings_api,
    training_entries,
    two_factor_entries,
    voice_entries,
)

__all__ = ["ALL", "ANON", "ENTRIES", "Entry"]

_unique = iter(range(10**6))



def _token_body(world: World, user: Any) -> dict[str, Any]:
    """The password, and for a role that signs in with two factors the code its authenticator app shows."""
    body = {"username": user.username if user else "nobody", "password": PASSWORD}
    if user is not None and two_factor.two_factor_required(user):
        body["code"] = totp_code(authenticator_app(user))
    return body

def _partnership_body(w: World, user: Any) -> dict[str, Any]:
    n = next(_unique)
    return {"name": f"Area {n}", "code": f"A{n}"}


def _agency_body(w: World, user: Any) -> dict[str, Any]:
    return {"name": f"Agency {next(_unique)}", "kind": "housing", "partnerships": [w.north.pk]}


def _user_body(w: World, user: Any) -> dict[str, Any]:
    return {
        "username": f"new.user{next(_unique)}",
        "password": "a-sufficiently-long-passphrase",
        "agency": w.csc.pk,
        "role": "social_worker",
    }




ENTRIES: list[Entry] = [
    # Pages
    Entry("home", fixed("/"), statuses(200, SIGN_IN_REDIRECT)),
    # Signed-in users are sent home from the sign-in page.
    Entry("login", fixed("/sign-in/"), statuses(302, 200)),
    Entry("logout", fixed("/sign-out/"), statuses(302, 302), method="POST", data=lambda w, u: {}),
    Entry("inbox", fixed("/inbox/"), statuses(200, SIGN_IN_REDIRECT)),
    Entry("inbox-mark-read", fixed("/inbox/read/"), statuses(302, SIGN_IN_REDIRECT), method="POST",
          data=lambda w, u: {}),
    Entry("history", lambda w: f"/history/user/{w.sw.pk}/", HISTORY_OF_STAFF),
    # API
    Entry("api-token", fixed("/api/v1/auth/token/"), statuses(200, 400), method="POST", page=False,
          data=_token_body),
    Entry("api-partnerships", fixed("/api/v1/partnerships/"), ADMIN_ONLY_READ, page=False),
    Entry("api-partnerships", fixed("/api/v1/partnerships/"), ADMIN_ONLY_CREATE, method="POST", page=False,
          data=_partnership_body),
    Entry("api-agencies", fixed("/api/v1/agencies/"), ADMIN_ONLY_READ, page=False),
    Entry("api-agencies", fixed("/api/v1/agencies/"), ADMIN_ONLY_CREATE, method="POST", page=False,
          data=_agency_body),
    Entry("api-users", fixed("/api/v1/users/"), ADMIN_ONLY_READ, page=False),
    Entry("api-users", fixed("/api/v1/users/"), ADMIN_ONLY_CREATE, method="POST", page=False, data=_user_body),
    Entry("api-notifications", fixed("/api/v1/notifications/"), statuses(200, API_ANON), page=False),
    Entry("api-access-log", fixed("/api/v1/access-log/"), {**HISTORY_OF_STAFF, ANON: API_ANON}, page=False,
          query=lambda w: {"record_type": "user", "record_id": w.sw.pk}),
    Entry("api-schema", fixed("/api/v1/schema/"), statuses(200, API_ANON), page=False),
    Entry("api-docs", fixed("/api/v1/docs/"), statuses(200, API_ANON), page=False),
]

ENTRIES += people_api.ENTRIES + incidents_api.ENTRIES + people_pages.ENTRIES + incident_pages.ENTRIES
ENTRIES += referrals_api.ENTRIES + referral_pages_triage.ENTRIES + referral_pages_partners.ENTRIES
ENTRIES += strategy_meetings_api.ENTRIES + strategy_meeting_pages.ENTRIES + strategy_meeting_pages_organise.ENTRIES
ENTRIES += strategy_meeting_pages_record.ENTRIES
ENTRIES += voice_entries.ENTRIES + attachments_entries.ENTRIES + plans_entries.ENTRIES + chronology_entries.ENTRIES
ENTRIES += case_pages.ENTRIES
ENTRIES += dashboard_entries.ENTRIES + audit_round_entries.ENTRIES + improvement_entries.ENTRIES
ENTRIES += training_entries.ENTRIES
ENTRIES += two_factor_entries.ENTRIES
