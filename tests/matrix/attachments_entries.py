"""Access matrix: attachments (ACCESS.md "attachment download | as its record"), every persona.

The subjects: a photo of a drawing on the eldest Okafor child's voice record (children's social care sees it, and
health visiting and the police, with whom the child's record is shared; adult mental health, the school, the
auditor with nothing sampled and the other area do not know it); the baby's case (health visiting is involved,
the police are not); the matrix's police incident and strategy meeting. Adding a file is for practitioners and
managers who may see the record: the administrator, who sees it, is refused (403).

The matrix sends forms and JSON, not files, so a permitted POST is answered with the form again (page) or 400
(API), both saying "Select a file"; the files themselves are tested in tests/cases/test_attachments_*.py. A
file's download is not a page for the browser walk (it is a picture, not HTML), hence ``page=False``.
"""

from __future__ import annotations

from typing import Any

from tests.access_matrix_base import API_ANON, SIGN_IN_REDIRECT, Entry, statuses
from tests.cases.test_attachments_helpers import drawing, drawing_voice, family
from tests.conftest import World
from tests.matrix import incidents_api, strategy_meetings_api

CSC = ("MW", "MM", "SW", "TM", "SM")
SHARED = ("PO", "HV")


def _seen_by(*codes: str, ok: int, anon: int, admin: int | None = None) -> dict[str, int]:
    """``ok`` for the personas who may see the record, 404 for the rest; the administrator sees it too (``admin``:
    what they are answered, ``ok`` unless said)."""
    return statuses(404, anon, **dict.fromkeys(codes, ok), AD=ok if admin is None else admin)


def _voice_query(w: World) -> dict[str, Any]:
    return {"record_type": "child_voice", "record_id": drawing(w).record_id}


def _add_path(record_type: str, record_id: int) -> str:
    return f"/attachments/new/?record_type={record_type}&record_id={record_id}"


def _api_body(w: World, user: Any) -> dict[str, Any]:
    return {"record_type": "child_voice", "record_id": drawing_voice(w).pk, "description": "A second drawing"}


ENTRIES: list[Entry] = [
    # The add-a-file page, on each kind of record.
    Entry("attachment-create", lambda w: "/attachments/new/",
          _seen_by(*CSC, *SHARED, ok=200, anon=SIGN_IN_REDIRECT, admin=403), query=_voice_query),
    Entry("attachment-create", lambda w: _add_path("case", family(w).case_of(family(w).baby).pk),
          _seen_by(*CSC, "HV", ok=200, anon=SIGN_IN_REDIRECT, admin=403)),
    Entry("attachment-create", lambda w: _add_path("incident", incidents_api.subject(w).pk),
          _seen_by(*CSC, *SHARED, ok=200, anon=SIGN_IN_REDIRECT, admin=403)),
    Entry("attachment-create", lambda w: _add_path("strategy_meeting", strategy_meetings_api.subject(w).pk),
          _seen_by(*CSC, *SHARED, ok=200, anon=SIGN_IN_REDIRECT, admin=403)),
    Entry("attachment-create", lambda w: _add_path("child_voice", drawing_voice(w).pk),
          _seen_by(*CSC, *SHARED, ok=200, anon=SIGN_IN_REDIRECT, admin=403), method="POST",
          data=lambda w, u: {"description": "A second drawing"}),
    # The file itself, as its record.
    Entry("attachment-download", lambda w: f"/attachments/{drawing(w).pk}/",
          _seen_by(*CSC, *SHARED, ok=200, anon=SIGN_IN_REDIRECT), page=False),
    # API
    Entry("api-attachments", lambda w: "/api/v1/attachments/", _seen_by(*CSC, *SHARED, ok=200, anon=API_ANON),
          page=False, query=_voice_query),
    Entry("api-attachments", lambda w: "/api/v1/attachments/",
          _seen_by(*CSC, *SHARED, ok=400, anon=API_ANON, admin=403), method="POST", page=False, data=_api_body),
    Entry("api-attachment-download", lambda w: f"/api/v1/attachments/{drawing(w).pk}/download/",
          _seen_by(*CSC, *SHARED, ok=200, anon=API_ANON), page=False),
]
