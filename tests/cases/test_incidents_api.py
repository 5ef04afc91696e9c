"""POST /api/v1/incidents/ and GET /api/v1/incidents/{id}/ (API.md "Records"), and the seeds' story end to end."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from agencies.models import Notification
from cases.models import Incident, PersonFlag
from tests.cases.test_incidents_helpers import answers, api_as, ashdowns, london, person

pytestmark = pytest.mark.django_db


def body(world, family, occurred_at, **overrides: Any) -> dict[str, Any]:
    data = {
        "occurred_at": occurred_at.isoformat(),
        "reported_by": world.police.pk,
        "reference": f"DA/{occurred_at:%Y%m%d%H%M}",
        "location": "12 Mill Lane",
        "summary": "Shouting heard by neighbours; the mother had a cut lip.",
        "victims": [family.mother.pk],
        "perpetrators": [family.father.pk],
        "children": [
            {"person": family.ellie.pk, "present": True, "seen": True, "spoken_to": True},
            {"person": family.baby.pk, "present": False, "seen": False, "spoken_to": False},
        ],
        "dash": {"answers": answers(4), "professional_judgement_level": "", "professional_judgement_reason": ""},
    }
    data.update(overrides)
    return data


def test_six_standard_risk_call_outs_are_seen_as_a_pattern(world):
    """Salford: standard-risk incidents to one household never shared. Here the third flags the children."""
    family = ashdowns(world)
    police = api_as(world.po)
    counts = []
    for month in (1, 2, 3):
        response = police.post("/api/v1/incidents/", body(world, family, london(2026, month, 10, 22)), format="json")
        assert response.status_code == 201, response.content
        created = response.json()
        assert (created["dash_score"], created["risk_level"]) == (4, "standard")
        counts.append({c["person"]: c["incidents_last_12_months"] for c in created["children"]})
    assert [c[family.ellie.pk] for c in counts] == [1, 2, 3]
    assert created["children"][0]["escalating"] is True

    flag = PersonFlag.objects.get(person=family.ellie, kind="escalating")
    assert flag.incident_count == 3
    inbox = api_as(world.mm).get("/api/v1/notifications/").json()["results"]
    reviews = [n for n in inbox if n["kind"] == "escalating_review"]
    assert {n["subject_id"] for n in reviews} == set(
        PersonFlag.objects.filter(kind="escalating").values_list("pk", flat=True)
    )
    assert any(n["link"] == f"/people/{family.ellie.pk}/" for n in reviews)

    response = police.post("/api/v1/incidents/", body(world, family, london(2026, 4, 2, 23)), format="json")
    assert response.status_code == 201
    fourth = response.json()
    assert {c["person"]: c["incidents_last_12_months"] for c in fourth["children"]}[family.ellie.pk] == 4
    flag.refresh_from_db()
    assert flag.incident_count == 4

    # Children's social care sees the whole pattern; the police see what they reported.
    for user in (world.mm, world.sw, world.po, world.hv):
        response = api_as(user).get(f"/api/v1/incidents/{fourth['id']}/")
        assert response.status_code == 200, user.username
        assert response.json()["children"][0]["incidents_last_12_months"] == 4
    # The school, adult mental health, the auditor and the other area: not the incident.
    for user in (world.te, world.mh, world.au, world.out):
        assert api_as(user).get(f"/api/v1/incidents/{fourth['id']}/").status_code == 404, user.username


def test_the_response_carries_the_detail(world):
    family = ashdowns(world)
    response = api_as(world.po).post(
        "/api/v1/incidents/",
        body(world, family, london(2026, 3, 4, 22, 15), dash={
            "answers": answers(15), "professional_judgement_level": "high",
            "professional_judgement_reason": "Strangulation disclosed",
        }),
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert response["ETag"] == f'"{data["id"]}-1"'
    assert data["version"] == 1
    assert data["reported_by"] == world.police.pk
    assert data["risk_level"] == "high" and data["dash"]["level"] == "high"
    assert data["victims"] == [{"id": family.mother.pk, "name": "Kerry Ashdown"}]
    assert data["perpetrators"] == [{"id": family.father.pk, "name": "Dean Ashdown"}]
    assert [r["victim"] for r in data["marac_referrals"]] == [family.mother.pk]
    assert data["pairs"] == [{"victim": family.mother.pk, "perpetrator": family.father.pk,
                              "incidents_last_12_months": 1}]
    (notice,) = data["encompass_notices"]
    assert notice["child"] == family.ellie.pk and notice["school"] == world.school.pk


def test_reported_by_must_be_the_users_own_agency(world):
    family = ashdowns(world)
    response = api_as(world.po).post(
        "/api/v1/incidents/", body(world, family, london(2026, 3, 4, 22), reported_by=world.csc.pk), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"reported_by": ["You may only record incidents reported by your own agency."]}
    response = api_as(world.po).post(
        "/api/v1/incidents/", body(world, family, london(2026, 3, 4, 22), reported_by=999999), format="json"
    )
    assert response.json() == {"reported_by": ["Unknown agency."]}
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": None}, "occurred_at"),
        ({"children": None}, "children"),
        ({"children": [{"person": "x"}]}, "children"),
        ({"victims": [999999]}, "victims"),
        ({"victims": "1"}, "victims"),
        ({"dash": {"answers": {"q99": "yes"}}}, "dash"),
        ({"dash": {"answers": {"q1": "yes"}, "professional_judgement_level": "extreme"}}, "dash"),
        ({"dash": {"answers": answers(16), "professional_judgement_level": "standard",
                   "professional_judgement_reason": "x"}}, "dash"),
        ({"dash": {"answers": answers(1), "professional_judgement_level": "high"}}, "dash"),
        ({"dash": "lots"}, "dash"),
        ({"reference": "x" * 61}, "reference"),
        ({"household": 999999}, "household"),
        ({"victims": [2**70]}, "victims"),
        ({"children": [{"person": 2**70}]}, "children"),
        ({"reported_by": 2**70}, "reported_by"),
        ({"dash": {"answers": {"q1": True}}}, "dash"),
        ({"summary": None}, "summary"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_never_a_500(world, change, expected):
    family = ashdowns(world)
    data = body(world, family, london(2026, 3, 4, 22))
    data.update(change)
    response = api_as(world.po).post("/api/v1/incidents/", data, format="json")
    assert response.status_code == 400, response.content
    assert expected in response.json(), response.json()
    assert not Incident.objects.exists()


def test_dash_errors_nest_under_dash(world):
    family = ashdowns(world)
    response = api_as(world.po).post(
        "/api/v1/incidents/",
        body(world, family, london(2026, 3, 4, 22), dash={
            "answers": answers(16), "professional_judgement_level": "standard", "professional_judgement_reason": "x"
        }),
        format="json",
    )
    message = response.json()["dash"]["professional_judgement_level"][0]
    assert message.startswith("Professional judgement can raise the level but not lower it")


def test_a_duplicate_reference_is_a_clear_400(world):
    family = ashdowns(world)
    data = body(world, family, london(2026, 3, 4, 22), reference="GMP/1")
    assert api_as(world.po).post("/api/v1/incidents/", data, format="json").status_code == 201
    response = api_as(world.po).post("/api/v1/incidents/", data, format="json")
    assert response.status_code == 400
    assert response.json() == {"reference": ["Shire Police has already recorded an incident with reference GMP/1."]}


def test_people_of_another_partnership_are_unknown(world):
    family = ashdowns(world)
    southerner = person(world.south, "Sam", "South", date(2015, 1, 1))
    response = api_as(world.po).post(
        "/api/v1/incidents/",
        body(world, family, london(2026, 3, 4, 22), children=[{"person": southerner.pk}]),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"children": [f"Unknown person {southerner.pk}."]}


def test_who_may_record(world):
    family = ashdowns(world)
    for user, agency, expected in (
        (world.au, world.csc, 403),
        (world.ad, world.csc, 403),
        (world.sw, world.csc, 201),
        (world.hv, world.health_visiting, 201),
        (world.te, world.school, 201),
    ):
        data = body(world, family, london(2026, 3, 4, 22), reported_by=agency.pk, reference=f"R-{user.username}")
        response = api_as(user).post("/api/v1/incidents/", data, format="json")
        assert response.status_code == expected, (user.username, response.content)


def test_a_health_visitor_sees_an_incident_their_service_was_notified_of_only(world):
    family = ashdowns(world)
    family.ellie.health_visiting = None
    family.ellie.save()
    family.baby.health_visiting = None
    family.baby.save()
    response = api_as(world.po).post("/api/v1/incidents/", body(world, family, london(2026, 3, 4, 22)), format="json")
    assert api_as(world.hv).get(f"/api/v1/incidents/{response.json()['id']}/").status_code == 404


def test_an_incident_without_children_is_not_children_social_cares(world):
    family = ashdowns(world)
    response = api_as(world.po).post(
        "/api/v1/incidents/", body(world, family, london(2026, 3, 4, 22), children=[]), format="json"
    )
    assert response.status_code == 201
    incident_id = response.json()["id"]
    assert api_as(world.po).get(f"/api/v1/incidents/{incident_id}/").status_code == 200
    assert api_as(world.sw).get(f"/api/v1/incidents/{incident_id}/").status_code == 404
    assert not Notification.objects.filter(kind="encompass_notice").exists()


def test_a_huge_id_in_the_path_is_404(world):
    assert api_as(world.sw).get(f"/api/v1/incidents/{2**70}/").status_code == 404
    assert api_as(world.te).get(f"/api/v1/encompass-notices/{2**70}/").status_code == 404


def test_anonymous_is_401(world):
    from rest_framework.test import APIClient

    assert APIClient().post("/api/v1/incidents/", {}, format="json").status_code == 401
    assert APIClient().get("/api/v1/incidents/1/").status_code == 401
