"""The time-out warning's server side (SPEC 7.4): every page says how long its session has left, asking does not
use the session up, "Stay signed in" renews it, and a session that ends anyway loses nothing typed."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from agencies.session_time import LAST_SEEN_KEY
from tests.agencies.test_drafts import DRAFT, WORDS, half_typed
from tests.cases.lived import lived_family
from tests.cases.test_voice_pages import create_url
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STATUS = "/account/session/"


def idle_for(client: Client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


def last_seen(client: Client) -> int:
    return int(client.session[LAST_SEEN_KEY])


def test_every_page_carries_the_warning_with_the_time_left(world, client_for, settings):
    client = client_for(world.sw)
    idle_for(client, 600)
    html = client.get(reverse("home")).content.decode()
    dialog = re.search(r"<dialog[^>]*data-app-timeout[^>]*>", html)
    assert dialog is not None
    left = int(re.search(r'data-seconds-left="(\d+)"', dialog.group(0)).group(1))  # type: ignore[union-attr]
    # The page itself used the session: the clock starts again from now.
    assert settings.SESSION_IDLE_SECONDS - 5 <= left <= settings.SESSION_IDLE_SECONDS
    assert f'data-warning-seconds="{settings.SESSION_WARNING_SECONDS}"' in dialog.group(0)
    assert "You’re about to be signed out" in html and "Stay signed in" in html


def test_the_sign_in_page_has_no_warning(db):
    assert "data-app-timeout" not in Client().get(reverse("login")).content.decode()


def test_asking_how_long_is_left_does_not_use_the_session(world, client_for, settings):
    client = client_for(world.sw)
    idle_for(client, 600)
    before = last_seen(client)
    answer = client.get(STATUS, HTTP_ACCEPT="application/json")
    assert answer.json()["signed_in"] is True
    assert settings.SESSION_IDLE_SECONDS - 605 <= answer.json()["seconds_left"] <= settings.SESSION_IDLE_SECONDS - 595
    assert last_seen(client) == before


def test_stay_signed_in_starts_the_clock_again(world, client_for, settings):
    client = client_for(world.sw)
    idle_for(client, settings.SESSION_IDLE_SECONDS - 90)
    answer = client.post(STATUS, HTTP_ACCEPT="application/json").json()
    assert answer["signed_in"] is True and answer["seconds_left"] >= settings.SESSION_IDLE_SECONDS - 2


def test_stay_signed_in_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.sw)
    assert client.post(STATUS, HTTP_ACCEPT="application/json").status_code == 403


def test_an_ended_session_says_so_and_is_not_renewed(world, client_for, settings):
    client = client_for(world.sw)
    idle_for(client, settings.SESSION_IDLE_SECONDS + 1)
    assert client.get(STATUS).json() == {"signed_in": False, "seconds_left": 0}
    assert client.post(STATUS, HTTP_ACCEPT="application/json").json() == {"signed_in": False, "seconds_left": 0}
    assert client.get(reverse("home")).status_code == 302


def test_a_draft_save_uses_the_session(world, client_for, settings):
    family = lived_family(world)
    client = client_for(world.hv)
    idle_for(client, settings.SESSION_IDLE_SECONDS - 30)
    answer = client.post(create_url(family.baby), half_typed(), **DRAFT)
    assert answer.json()["session_seconds_left"] >= settings.SESSION_IDLE_SECONDS - 2


def test_after_the_session_ends_signing_in_again_returns_to_the_form_with_every_word(world, client_for, settings):
    family = lived_family(world)
    client = client_for(world.hv)
    client.post(create_url(family.baby), half_typed(), **DRAFT)
    idle_for(client, settings.SESSION_IDLE_SECONDS + 5)

    to_sign_in = client.get(create_url(family.baby))
    assert to_sign_in.status_code == 302
    sign_in = to_sign_in["Location"]
    assert sign_in.startswith(reverse("login")) and "next=" in sign_in
    signed_in = client.post(sign_in, {"username": world.hv.username, "password": PASSWORD}, follow=True)
    assert signed_in.redirect_chain[-1][0] == create_url(family.baby)
    assert WORDS in unescape(signed_in.content.decode())
    assert "Your draft" in signed_in.content.decode()
