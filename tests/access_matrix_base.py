"""The access matrix's building blocks: entries, status tables and the foundation's shared bodies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import PERSONA_CODES, World

ANON = "ANON"
ALL = (*PERSONA_CODES, ANON)
MANAGERS = ("MM", "TM", "SM")


def statuses(default: int, anon: int, **overrides: int) -> dict[str, int]:
    table = {code: default for code in PERSONA_CODES}
    table[ANON] = anon
    table.update(overrides)
    return table


@dataclass(frozen=True)
class Entry:
    name: str
    path: Callable[[World], str]
    expected: dict[str, int]
    method: str = "GET"
    page: bool = True
    # (world, the persona's user or None) -> request body
    data: Callable[[World, Any], dict[str, Any]] | None = None
    query: Callable[[World], dict[str, Any]] = field(default=lambda w: {})

    @property
    def api(self) -> bool:
        return not self.page


def fixed(path: str) -> Callable[[World], str]:
    return lambda w: path


SIGN_IN_REDIRECT = 302
API_ANON = 401  # token authentication answers 401 with a WWW-Authenticate challenge
ADMIN_ONLY_READ = statuses(403, API_ANON, AD=200)
ADMIN_ONLY_CREATE = statuses(403, API_ANON, AD=201)
HISTORY_OF_STAFF = statuses(403, SIGN_IN_REDIRECT, MM=200, TM=200, SM=200, AD=200, OUT=404)
