"""Access matrix: the child's voice (ACCESS.md "child's voice: read / record"), every persona.

The subject is the eldest Okafor child (``tests.cases.lived``): a North child whose record is shared with the
police (PO) and health visiting (HV), not with adult mental health (MH) or the school (TE). Children's social care
and its administrator see every North child; the auditor has nothing sampled and the other area (OUT) does not
know the child, so both get 404 on reads. Recording is for practitioners and managers: the auditor and the
administrator are refused (403) whichever child is named; a partner the child is not shared with gets a 404.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from cases.models import ChildVoice, Person
from cases.services.voice import voice_record
from tests.access_matrix_base import API_ANON, SIGN_IN_REDIRECT, Entry, fixed, statuses
from tests.cases.lived import LivedFamily, lived_family
from tests.conftest import World

CSC = ("MW", "MM", "SW", "TM", "SM")
SHARED = ("PO", "HV")


def family(w: World) -> LivedFamily:
    made: LivedFamily = w.once("voice_family", lived_family)
    return made


def child(w: World) -> Person:
    return family(w).eldest


def record(w: World) -> ChildVoice:
    def make(w: World) -> ChildVoice:
        return voice_record(
            child=child(w), by=w.sw, recorded_at=timezone.now() - timedelta(days=2), method="direct_conversation",
            seen_alone=True, childs_words="I like it at school because it is quiet.",
            observations="Chatty, made good eye contact.", analysis="School is a safe place for Chidi.",
        )

    made: ChildVoice = w.once("voice_record", make)
    return made


def _read(ok: int, anon: int) -> dict[str, int]:
    return statuses(404, anon, **{code: ok for code in (*CSC, *SHARED, "AD")})


def _record(ok: int, anon: int) -> dict[str, int]:
    return statuses(404, anon, **{code: ok for code in (*CSC, *SHARED)}, AU=403, AD=403)


def page_body(w: World, user: Any) -> dict[str, Any]:
    now = timezone.localtime()
    return {"method": "observation", "recorded_on_day": now.day, "recorded_on_month": now.month,
            "recorded_on_year": now.year, "recorded_time": now.strftime("%H:%M"), "seen_alone": "yes",
            "interpreter_used": "no", "observations": "Played with the bricks, looked to his sister for comfort."}


def api_body(w: World, user: Any) -> dict[str, Any]:
    return {"child": child(w).pk, "recorded_at": timezone.now().isoformat(), "method": "direct_conversation",
            "seen_alone": True, "interpreter_used": False, "childs_words": "Mum's friend shouts at night."}


ENTRIES: list[Entry] = [
    Entry("voice-create", fixed("/voice/new/"), _record(200, SIGN_IN_REDIRECT), query=lambda w: {"child": child(w).pk}),
    Entry("voice-create", lambda w: f"/voice/new/?child={child(w).pk}", _record(302, SIGN_IN_REDIRECT),
          method="POST", data=page_body),
    Entry("voice-detail", lambda w: f"/voice/{record(w).pk}/", _read(200, SIGN_IN_REDIRECT)),
    Entry("voice-list", lambda w: f"/people/{record(w).child_id}/voice/", _read(200, SIGN_IN_REDIRECT)),
    Entry("api-child-voice", fixed("/api/v1/child-voice/"), _record(201, API_ANON), method="POST", page=False,
          data=api_body),
    Entry("api-child-voice-detail", lambda w: f"/api/v1/child-voice/{record(w).pk}/", _read(200, API_ANON),
          page=False),
]
