"""API.md "Setup": partnerships, agencies and users, by the admin role only."""

import pytest
from rest_framework.test import APIClient

from agencies.models import Membership, User
from tests.conftest import PERSONA_CODES
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_token_sign_in_then_token_works(world):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "sw", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/notifications/").status_code == 200


def test_wrong_password_is_400_then_account_locks(world):
    client = APIClient()
    for _ in range(4):
        response = client.post("/api/v1/auth/token/", {"username": "sw", "password": "wrong"}, format="json")
        assert response.status_code == 400
    # The fifth failure locks the account, and says so.
    response = client.post("/api/v1/auth/token/", {"username": "sw", "password": "wrong"}, format="json")
    assert response.status_code == 403
    # Now even the right password is refused.
    response = client.post("/api/v1/auth/token/", {"username": "sw", "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert "locked" in response.json()["detail"]


def test_admin_creates_partnership_agency_and_user(world):
    client = api_as(world.ad)
    response = client.post("/api/v1/partnerships/", {"name": "East", "code": "e01"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "E01"

    response = client.post(
        "/api/v1/agencies/",
        {"name": "Riverside GP Practice", "kind": "health", "health_kind": "gp", "partnerships": [world.north.pk],
         "referral_source_code": "3A"},
        format="json",
    )
    assert response.status_code == 201, response.content
    gp = response.json()["id"]

    response = client.post(
        "/api/v1/users/",
        {"username": "dr.khan", "password": "a-sufficiently-long-passphrase", "agency": gp, "role": "practitioner",
         "email": "khan@example.org", "line_manager": None},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == "practitioner" and body["agency"] == gp and body["partnership"] == world.north.pk
    user = User.objects.get(username="dr.khan")
    assert user.password.startswith("argon2")
    assert {g.name for g in user.groups.all()} == {"agency:Riverside GP Practice", "role:practitioner"}


def test_bad_input_gives_field_errors_and_saves_nothing(world):
    client = api_as(world.ad)
    response = client.post(
        "/api/v1/agencies/", {"name": "", "kind": "police", "health_kind": "gp", "partnerships": []}, format="json"
    )
    assert response.status_code == 400
    assert "name" in response.json()
    response = client.post(
        "/api/v1/agencies/",
        {"name": "Odd Police", "kind": "police", "health_kind": "gp", "partnerships": [world.north.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "health_kind" in response.json()
    response = client.post(
        "/api/v1/users/",
        {"username": "weak", "password": "short", "agency": world.csc.pk, "role": "social_worker"},
        format="json",
    )
    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.filter(username="weak").exists()
    # An agency serving two partnerships needs the user's partnership named.
    response = client.post(
        "/api/v1/users/",
        {"username": "pc.jones", "password": "a-sufficiently-long-passphrase", "agency": world.police.pk,
         "role": "practitioner"},
        format="json",
    )
    assert response.status_code == 400
    assert "partnership" in response.json()
    assert not Membership.objects.filter(user__username="pc.jones").exists()


@pytest.mark.parametrize("code", [c for c in PERSONA_CODES if c != "AD"])
def test_only_admins_may_set_up(world, code):
    client = api_as(world.persona(code))
    assert client.post("/api/v1/partnerships/", {"name": "X", "code": "X1"}, format="json").status_code == 403
    assert client.post("/api/v1/agencies/", {"name": "X", "kind": "police", "partnerships": [world.north.pk]},
                       format="json").status_code == 403
    assert client.post("/api/v1/users/", {"username": "x", "password": "a-sufficiently-long-passphrase",
                                          "agency": world.csc.pk, "role": "admin"}, format="json").status_code == 403


def test_schema_and_docs_served_without_cdn(world):
    client = api_as(world.ad)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/token/" in schema.content
    docs = api_as(world.ad).get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html


def test_an_admin_cannot_reach_into_another_partnership(world):
    south_admin = UserFactory.create(username="south.admin", agency=world.south_csc, role="admin")
    client = api_as(south_admin)
    response = client.post(
        "/api/v1/agencies/", {"name": "Sneaky", "kind": "housing", "partnerships": [world.north.pk]}, format="json"
    )
    assert response.status_code == 400 and "partnerships" in response.json()
    response = client.post(
        "/api/v1/users/",
        {"username": "sneaky", "password": "a-sufficiently-long-passphrase", "agency": world.csc.pk,
         "role": "social_worker"},
        format="json",
    )
    assert response.status_code == 400 and "agency" in response.json()
    response = client.post(
        "/api/v1/users/",
        {"username": "sneaky", "password": "a-sufficiently-long-passphrase", "agency": world.south_csc.pk,
         "role": "social_worker", "line_manager": world.tm.pk},
        format="json",
    )
    assert response.status_code == 400 and "line_manager" in response.json()
    listed = {a["name"] for a in client.get("/api/v1/agencies/").json()["results"]}
    assert "North Children's Services" not in listed and "South Children's Services" in listed
