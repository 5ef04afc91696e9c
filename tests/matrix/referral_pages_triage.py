"""Access matrix entries for the front door."""

from __future__ import annotations

from tests.access_matrix_base import Entry

ENTRIES: list[Entry] = []
