"""Every URL, every persona, the expected status; and no URL without an entry."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.access_matrix import ALL, ANON, ENTRIES, Entry


def url_names(resolver: URLResolver | None = None) -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            names |= url_names(pattern)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name, so no access-matrix entry"
            names.add(pattern.name)
    return names


def test_every_url_has_an_entry():
    covered = {entry.name for entry in ENTRIES}
    missing = url_names() - covered
    assert not missing, f"URLs with no access-matrix entry: {sorted(missing)}"
    stale = covered - url_names()
    assert not stale, f"access-matrix entries for URLs that do not exist: {sorted(stale)}"


def test_every_entry_names_every_persona():
    for entry in ENTRIES:
        assert set(entry.expected) == set(ALL), f"{entry.name} {entry.method}: personas missing"


def request_as(entry: Entry, world, code: str):
    user = None if code == ANON else world.persona(code)
    client: Client = APIClient() if entry.api else Client()
    if user is not None:
        client.force_login(user)
    path = entry.path(world)
    if entry.method == "GET":
        return client.get(path, entry.query(world))
    body = entry.data(world, user) if entry.data else {}
    if entry.api:
        return client.generic(entry.method, path, data=json.dumps(body),
                              content_type="application/json")
    return client.generic(entry.method, path, data=urlencode(body),
                          content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.method}-{e.name}")
def test_access(entry: Entry, world):
    mismatches = []
    for code in ALL:
        response = request_as(entry, world, code)
        if response.status_code != entry.expected[code]:
            mismatches.append(f"{code}: expected {entry.expected[code]}, got {response.status_code}")
    assert not mismatches, f"{entry.method} {entry.path(world)}\n" + "\n".join(mismatches)
