"""Confirming it is you (SPEC 7.2): the password (and code) again before breaking glass or exporting, unless given
in the last 10 minutes; then back to where the user was."""

from __future__ import annotations

import time
from datetime import date
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from agencies import two_factor
from cases.models import BreakGlass, Person, RestrictedAccess
from tests.agencies.test_two_factor import password_sign_in
from tests.cases.test_chronology_helpers import chronicled
from tests.factories import PASSWORD, PersonFactory, authenticator_app, totp_code

CONFIRM = "/account/confirm-it-is-you/"


def age_sign_in(client: Client, seconds: int = 11 * 60) -> None:
    """As if the password was last given ``seconds`` ago."""
    session = client.session
    session[two_factor.REAUTHENTICATED_KEY] = int(time.time()) - seconds
    session.save()


@pytest.fixture
def restricted(world) -> Person:
    child = PersonFactory.create(by=world.sw, given_name="Rosa", family_name="Quinn",
                                 date_of_birth=date(2016, 2, 2))
    Person.objects.filter(pk=child.pk).update(restricted=True)
    RestrictedAccess.objects.create(partnership=world.north, person=child, user=world.sw)
    return child


def test_breaking_glass_asks_for_the_password_again_then_returns_to_the_form(world, client_for, restricted):
    client = client_for(world.mw)
    age_sign_in(client)
    form_url = reverse("person-break-glass", args=[restricted.pk])
    response = client.get(form_url)
    assert response.status_code == 302 and response["Location"] == f"{CONFIRM}?next={quote(form_url, safe='')}"
    page = client.get(response["Location"]).content.decode()
    assert "Confirm it is you" in page and 'autocomplete="current-password"' in page
    assert 'name="code"' not in page  # no app, no code

    wrong = client.post(response["Location"], {"password": "not-my-password", "next": form_url})
    assert wrong.status_code == 200
    assert 'id="id_password-error"' in wrong.content.decode()
    assert client.get(form_url).status_code == 302

    right = client.post(response["Location"], {"password": PASSWORD, "next": form_url})
    assert right.status_code == 302 and right["Location"] == form_url
    assert client.get(form_url).status_code == 200
    done = client.post(form_url, {"reason": "Strategy meeting this afternoon about her sibling"})
    assert done["Location"] == f"/people/{restricted.pk}/"
    assert BreakGlass.objects.filter(person=restricted, user=world.mw).exists()


def test_a_stale_session_cannot_break_glass_by_posting(world, client_for, restricted):
    client = client_for(world.mw)
    age_sign_in(client)
    response = client.post(reverse("person-break-glass", args=[restricted.pk]),
                           {"reason": "Strategy meeting this afternoon about her sibling"})
    assert response.status_code == 302 and response["Location"].startswith(CONFIRM)
    assert not BreakGlass.objects.filter(person=restricted).exists()


def test_a_user_with_an_app_gives_the_code_as_well(world, client_for, restricted):
    client = client_for(world.mm)
    age_sign_in(client)
    form_url = reverse("person-break-glass", args=[restricted.pk])
    confirm = client.get(form_url)["Location"]
    password_only = client.post(confirm, {"password": PASSWORD, "next": form_url})
    assert password_only.status_code == 200 and 'id="id_code-error"' in password_only.content.decode()
    assert client.get(form_url).status_code == 302
    both = client.post(confirm, {"password": PASSWORD, "code": totp_code(authenticator_app(world.mm)),
                                 "next": form_url})
    assert both["Location"] == form_url
    assert client.get(form_url).status_code == 200


def test_an_export_asks_again_after_ten_minutes_and_not_within_them(world, client_for):
    c = chronicled(world)
    client = client_for(world.sw)
    csv_url = f"/people/{c.child.pk}/chronology.csv?kind=referral"
    age_sign_in(client, seconds=9 * 60)
    assert client.get(csv_url).status_code == 200
    age_sign_in(client)
    for export in (csv_url, f"/people/{c.child.pk}/chronology.pdf"):
        response = client.get(export)
        assert response.status_code == 302 and response["Location"] == f"{CONFIRM}?next={quote(export, safe='')}"
    back = client.post(CONFIRM, {"password": PASSWORD, "next": csv_url})
    assert back["Location"] == csv_url
    assert client.get(csv_url)["Content-Type"] == "text/csv; charset=utf-8"
    assert client.get(f"/people/{c.child.pk}/chronology.pdf")["Content-Type"] == "application/pdf"


def test_signing_in_with_the_password_counts_as_just_confirmed(world):
    c = chronicled(world)
    client = password_sign_in("sw")
    assert client.get(f"/people/{c.child.pk}/chronology.csv").status_code == 200


def test_confirming_goes_only_to_a_page_of_this_site(world, client_for):
    client = client_for(world.sw)
    response = client.post(CONFIRM, {"password": PASSWORD, "next": "https://elsewhere.example/"})
    assert response["Location"] == "/"
