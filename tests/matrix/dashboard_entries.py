"""Access matrix: dashboards, every persona."""

from __future__ import annotations

from tests.access_matrix_base import Entry

ENTRIES: list[Entry] = []
