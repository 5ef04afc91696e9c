from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from agencies.demo import DEMO_PASSWORD, demo_logins
from agencies.models import Agency, Role, User

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


def test_demo_has_every_agency_kind_every_role_and_prints_the_logins(capsys, rf):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert set(Agency.objects.values_list("kind", flat=True)) == set(Agency.Kind.values)
    assert set(Agency.objects.exclude(health_kind="").values_list("health_kind", flat=True)) == set(
        Agency.HealthKind.values
    )
    roles = set(User.objects.values_list("membership__role", flat=True))
    assert roles == set(Role.values)
    assert DEMO_PASSWORD in out
    for login in demo_logins():
        assert login.username in out
    # Every demo user can sign in with the printed password.
    assert authenticate(rf.post("/sign-in/"), username="mash.worker", password=DEMO_PASSWORD) is not None


def test_running_it_again_changes_nothing(capsys):
    call_command("seed_demo")
    count = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == count
    assert "already there" in capsys.readouterr().out


def test_readme_lists_every_demo_login():
    call_command("seed_demo")
    readme = README.read_text()
    assert DEMO_PASSWORD in readme
    missing = [login.username for login in demo_logins() if f"`{login.username}`" not in readme]
    assert not missing, f"README does not list: {missing}"
