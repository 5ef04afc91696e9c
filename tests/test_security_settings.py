"""SPEC 7.2: production settings pass Django's deployment checks; CSRF and CSP are enforced."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from config import settings as project_settings

ROOT = Path(__file__).resolve().parents[1]


def test_check_deploy_is_clean_with_production_settings():
    # The browser tests allow sync database calls under Playwright's event loop; production never does.
    env = {
        **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_SSL_REDIRECT": "1",
        "DJANGO_HSTS_SECONDS": "31536000",
        "DJANGO_ALLOWED_HOSTS": "safeguarding.example.org",
    }
    result = subprocess.run(  # noqa: S603 (a fixed command)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_passwords_are_hashed_with_argon2_in_production():
    # The suite itself uses a cheaper Argon2 (tests/hashers.py); the settings module keeps the real one.
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.sw)
    assert client.post("/inbox/read/").status_code == 403
    assert client.post("/sign-out/").status_code == 403


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/sign-in/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "'nonce-" in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_pages_deny_every_powerful_browser_feature(client):
    policy = client.get("/sign-in/")["Permissions-Policy"]
    features = dict(part.strip().split("=", 1) for part in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
    assert client.get("/sign-in/")["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_and_api_answers_are_never_kept_in_the_browser_cache(world, client_for):
    signed_in = client_for(world.sw)
    for url in ("/", "/api/v1/notifications/"):
        response = signed_in.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_static_files_keep_their_cache_lifetime():
    # WhiteNoise answers before the no-store rule: the GOV.UK styles are fetched once, not on every page.
    response = Client().get("/static/dist/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
