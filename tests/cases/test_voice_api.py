"""API.md "Records": POST /api/v1/child-voice/ and GET /api/v1/child-voice/{id}/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audits.models import AccessLogEntry
from cases.models import ChildVoice, Person
from cases.rules.voice import NOTHING_HEARD, TOO_YOUNG_ALONE
from tests.cases.lived import lived_family

pytestmark = pytest.mark.django_db

URL = "/api/v1/child-voice/"


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(child: Person, **given: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"child": child.pk, "recorded_at": (timezone.now() - timedelta(hours=2)).isoformat(),
                            "method": "direct_conversation"}
    data.update(given)
    return data


def test_201_with_the_record_its_practitioner_agency_and_case(world):
    family = lived_family(world)
    response = api(world.po).post(URL, body(family.eldest, seen_alone=True, interpreter_used=False,
                                            childs_words="Dean hits Mum.", observations="Quiet, looked at the floor.",
                                            analysis="Chidi is frightened at home."), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    voice = ChildVoice.objects.get()
    assert response["Location"] == f"{URL}{voice.pk}/"
    assert response["ETag"] == f'W/"child_voice-{voice.pk}-v1"'
    assert {key: data[key] for key in ("id", "child", "case", "practitioner", "practitioner_name", "agency",
                                       "agency_name", "method", "seen_alone", "interpreter_used", "childs_words",
                                       "observations", "analysis", "not_spoken_reason", "version")} == {
        "id": voice.pk, "child": family.eldest.pk, "case": family.case_of(family.eldest).pk,
        "practitioner": world.po.pk, "practitioner_name": world.po.display_name, "agency": world.police.pk,
        "agency_name": "Shire Police", "method": "direct_conversation", "seen_alone": True,
        "interpreter_used": False, "childs_words": "Dean hits Mum.", "observations": "Quiet, looked at the floor.",
        "analysis": "Chidi is frightened at home.", "not_spoken_reason": "", "version": 1,
    }


def test_400_when_neither_words_nor_observations_and_no_reason(world):
    response = api(world.sw).post(URL, body(lived_family(world).eldest), format="json")
    assert response.status_code == 400
    assert response.json() == {"not_spoken_reason": [NOTHING_HEARD]}
    assert not ChildVoice.objects.exists()


def test_400_when_the_reason_is_only_too_young(world):
    response = api(world.hv).post(URL, body(lived_family(world).baby, not_spoken_reason="too_young"), format="json")
    assert response.status_code == 400
    assert response.json() == {"observations": [TOO_YOUNG_ALONE]}


def test_201_for_an_observation_of_a_one_year_old(world):
    response = api(world.hv).post(URL, body(lived_family(world).baby, method="observation",
                                            not_spoken_reason="too_young",
                                            observations="Babbled to his sister; flinched at a raised voice."),
                                  format="json")
    assert response.status_code == 201 and response.json()["not_spoken_reason"] == "too_young"


def test_400_field_by_field_for_a_bad_shape(world):
    response = api(world.sw).post(URL, {"child": "x", "method": "telepathy"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"child", "recorded_at", "method"}


def test_400_for_a_future_time_and_the_extra_fields_checked(world):
    response = api(world.sw).post(URL, body(lived_family(world).eldest, recorded_at=(
        timezone.now() + timedelta(days=1)).isoformat(), method="structured_tool", seen_alone=False,
        childs_words="Hi"), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"recorded_at", "tool", "seen_with"}


def test_404_for_a_child_not_shared_and_403_for_an_auditor(world):
    family = lived_family(world)
    assert api(world.te).post(URL, body(family.eldest, childs_words="Hi"), format="json").status_code == 404
    assert api(world.out).post(URL, body(family.eldest, childs_words="Hi"), format="json").status_code == 404
    assert api(world.au).post(URL, body(family.eldest, childs_words="Hi"), format="json").status_code == 403
    assert not ChildVoice.objects.exists()


def test_403_for_a_restricted_child_the_user_may_know_of(world):
    family = lived_family(world)
    Person.objects.filter(pk=family.middle.pk).update(restricted=True)
    response = api(world.mw).post(URL, body(family.middle, childs_words="Hi"), format="json")
    assert response.status_code == 403 and "restricted" in response.json()["detail"]


def test_get_one_record_logs_the_view(world, django_assert_num_queries):
    family = lived_family(world)
    created = api(world.sw).post(URL, body(family.eldest, childs_words="I like school."), format="json").json()
    client = api(world.hv)
    client.get(f"{URL}{created['id']}/")  # warms the content-type cache
    # the audit actor; savepoint; the record with its child, agency and practitioner (people_visible as a
    # subquery); the access log row; release savepoint.
    with django_assert_num_queries(5):
        response = client.get(f"{URL}{created['id']}/")
    assert response.status_code == 200 and response.json()["childs_words"] == "I like school."
    assert AccessLogEntry.objects.filter(user=world.hv, action="view", record_type="child_voice",
                                         record_id=created["id"]).count() == 2
    assert api(world.te).get(f"{URL}{created['id']}/").status_code == 404
    assert api(world.au).get(f"{URL}{created['id']}/").status_code == 404
