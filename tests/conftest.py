"""Personas of CONVENTIONS 8 and ACCESS.md, as fixtures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client

from agencies import two_factor
from agencies.models import Agency, Partnership, Role, User
from tests.factories import PASSWORD, AgencyFactory, PartnershipFactory, UserFactory, authenticator_app


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _attachments_kept_apart(settings, tmp_path):
    """Files a test attaches go to its own folder, never the application's."""
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"


def sign_in_complete(client: Client, user: User) -> None:
    """Finish a test session's sign-in as the sign-in pages would: a user who must (or chose to) use two-factor
    authentication has a confirmed authenticator app and the session is verified through django-otp; everyone
    has just given their password, so break glass and exports do not ask again straight away."""
    session = client.session
    request = HttpRequest()
    request.session = session
    request.user = user
    if two_factor.two_factor_required(user) or two_factor.has_two_factor(user):
        two_factor.session_verify(request, authenticator_app(user))
    else:
        two_factor.mark_reauthenticated(request)
    session.save()


@pytest.fixture(autouse=True)
def _test_sign_ins_complete_two_factor(monkeypatch):
    """``force_login`` (the page and API tests' way of signing in) gives a session as the sign-in pages would
    leave it, two-factor step included (see sign_in_complete)."""
    password_only = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        password_only(self, user, backend)
        sign_in_complete(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@dataclass
class World:
    north: Partnership
    south: Partnership
    csc: Agency
    police: Agency
    health_visiting: Agency
    mental_health: Agency
    school: Agency
    south_csc: Agency
    mw: User  # MASH worker
    mm: User  # MASH manager
    sw: User  # social worker
    tm: User  # team manager
    sm: User  # senior manager, children's social care
    po: User  # police officer
    hv: User  # health visitor
    mh: User  # adult mental-health practitioner
    te: User  # teacher
    au: User  # auditor
    ad: User  # admin
    out: User  # social worker of partnership South
    # Records a test builds once and reuses, e.g. the access matrix's subject for every persona.
    made: dict[str, Any] = field(default_factory=dict)

    def persona(self, code: str) -> User:
        user: User = getattr(self, code.lower())
        return user

    def once(self, key: str, make: Callable[[World], Any]) -> Any:
        """``make(self)`` the first time a key is asked for, the same object afterwards."""
        if key not in self.made:
            self.made[key] = make(self)
        return self.made[key]


PERSONA_CODES = ("MW", "MM", "SW", "TM", "SM", "PO", "HV", "MH", "TE", "AU", "AD", "OUT")


@pytest.fixture
def world(db) -> World:
    north = PartnershipFactory.create(name="North", code="N01")
    south = PartnershipFactory.create(name="South", code="S01")
    csc = AgencyFactory.create(
        name="North Children's Services", kind=Agency.Kind.CHILDRENS_SOCIAL_CARE, partnerships=[north]
    )
    # One force serves both areas, as police forces and health trusts do.
    police = AgencyFactory.create(name="Shire Police", kind=Agency.Kind.POLICE, partnerships=[north, south])
    health_visiting = AgencyFactory.create(
        name="North Health Visiting", kind=Agency.Kind.HEALTH, health_kind="health_visiting", partnerships=[north]
    )
    mental_health = AgencyFactory.create(
        name="North Adult Mental Health", kind=Agency.Kind.HEALTH, health_kind="adult_mental_health",
        partnerships=[north],
    )
    school = AgencyFactory.create(name="Northgate Primary School", kind=Agency.Kind.EDUCATION, partnerships=[north])
    south_csc = AgencyFactory.create(name="South Children's Services", kind=Agency.Kind.CHILDRENS_SOCIAL_CARE,
                              partnerships=[south])

    sm = UserFactory.create(username="sm", agency=csc, role=Role.SENIOR_MANAGER)
    mm = UserFactory.create(username="mm", agency=csc, role=Role.MASH_MANAGER, line_manager=sm)
    mw = UserFactory.create(username="mw", agency=csc, role=Role.MASH_PRACTITIONER, line_manager=mm)
    tm = UserFactory.create(username="tm", agency=csc, role=Role.TEAM_MANAGER, line_manager=sm)
    sw = UserFactory.create(username="sw", agency=csc, role=Role.SOCIAL_WORKER, line_manager=tm)
    au = UserFactory.create(username="au", agency=csc, role=Role.AUDITOR, line_manager=sm)
    ad = UserFactory.create(username="ad", agency=csc, role=Role.ADMIN)
    po = UserFactory.create(username="po", agency=police, role=Role.PRACTITIONER, partnership=north)
    hv = UserFactory.create(username="hv", agency=health_visiting, role=Role.PRACTITIONER)
    mh = UserFactory.create(username="mh", agency=mental_health, role=Role.PRACTITIONER)
    te = UserFactory.create(username="te", agency=school, role=Role.PRACTITIONER)
    out = UserFactory.create(username="out", agency=south_csc, role=Role.SOCIAL_WORKER)
    return World(north, south, csc, police, health_visiting, mental_health, school, south_csc,
                 mw, mm, sw, tm, sm, po, hv, mh, te, au, ad, out)


@pytest.fixture
def client_for():
    """A signed-in browser session for a user (the page tests)."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


__all__ = ["PASSWORD", "PERSONA_CODES", "World"]
