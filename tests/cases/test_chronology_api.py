"""GET /api/v1/people/{id}/chronology/ (API.md "Records"; cases/api_chronology.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from cases.models import ChildVoice, Person
from tests.cases.lived import lived_family
from tests.cases.test_chronology_helpers import chronicled, days_ago
from tests.cases.test_incidents_helpers import api_as

pytestmark = pytest.mark.django_db


def url(person: Person) -> str:
    return f"/api/v1/people/{person.pk}/chronology/"


def test_the_events_newest_first_in_the_shape_api_md_promises(world):
    c = chronicled(world)
    response = api_as(world.sw).get(url(c.child))
    assert response.status_code == 200
    data = response.json()
    assert (data["count"], data["next"], data["previous"]) == (8, None, None)
    voice = next(e for e in data["results"] if e["kind"] == "voice")
    assert voice == {
        "at": voice["at"], "date_only": False, "kind": "voice", "kind_label": "Child's voice",
        "agency": world.csc.pk, "agency_name": "North Children's Services",
        "summary": voice["summary"], "significance": "low", "link": f"/voice/{c.voice.pk}/",
    }
    assert voice["at"].endswith("Z")  # UTC
    moments = [datetime.fromisoformat(e["at"]) for e in data["results"]]
    assert moments == sorted(moments, reverse=True)
    assert {"at", "kind", "agency", "summary", "significance", "link"} <= set(data["results"][0])


def test_agency_and_kind_filters(world):
    c = chronicled(world)
    police = api_as(world.sw).get(url(c.child), {"agency": world.police.pk}).json()
    assert {e["agency"] for e in police["results"]} == {world.police.pk} and police["count"] == 2
    kinds = api_as(world.sw).get(url(c.child), {"kind": "voice,referral"}).json()
    assert [e["kind"] for e in kinds["results"]] == ["voice", "referral"]
    repeated = api_as(world.sw).get(f"{url(c.child)}?kind=voice&kind=referral").json()
    assert repeated["results"] == kinds["results"]
    period = api_as(world.sw).get(url(c.child), {"since": days_ago(12).date().isoformat(),
                                                 "until": days_ago(8).date().isoformat()}).json()
    assert [e["kind"] for e in period["results"]] == ["voice"]


def test_the_police_see_only_their_share(world):
    c = chronicled(world)
    data = api_as(world.po).get(url(c.child)).json()
    links = {e["link"] for e in data["results"]}
    assert f"/incidents/{c.police_incident.pk}/" in links
    assert f"/incidents/{c.health_incident.pk}/" not in links and f"/referrals/{c.referral.pk}/" not in links


def test_bad_filters_are_400_with_the_field_named(world):
    family = lived_family(world)
    response = api_as(world.sw).get(url(family.eldest), {"kind": "incident,gossip", "agency": "police",
                                                         "since": "yesterday"})
    assert response.status_code == 400
    errors = response.json()
    assert errors["kind"] == ["gossip: not a kind of event. Choose from incident, referral, decision, agency_check,"
                              " strategy_meeting, voice, plan, case, marac, encompass."]
    assert set(errors) == {"kind", "agency", "since"}
    backwards = api_as(world.sw).get(url(family.eldest), {"since": "2026-05-01", "until": "2026-04-01"})
    assert backwards.status_code == 400 and "until" in backwards.json()


def test_pages_link_on_and_a_page_past_the_end_is_404(world):
    family = lived_family(world)
    child = family.eldest
    ChildVoice.objects.bulk_create(
        ChildVoice(partnership=world.north, created_by=world.sw, child=child, recorded_at=days_ago(i + 1),
                   practitioner=world.sw, agency=world.csc, method="observation", observations="Smiled at his sister.")
        for i in range(60)
    )
    first = api_as(world.sw).get(url(child), {"kind": "voice"}).json()
    assert first["count"] == 60 and len(first["results"]) == 50
    assert first["next"] == f"http://testserver{url(child)}?kind=voice&page=2" and first["previous"] is None
    second = api_as(world.sw).get(first["next"]).json()
    assert len(second["results"]) == 10 and second["next"] is None
    assert second["previous"] == f"http://testserver{url(child)}?kind=voice"
    assert api_as(world.sw).get(url(child), {"page": 3}).status_code == 404


def test_who_may_not_know_the_child_gets_404_and_a_restricted_child_403(world):
    family = lived_family(world)
    assert api_as(world.te).get(url(family.eldest)).status_code == 404
    assert api_as(world.out).get(url(family.eldest)).status_code == 404
    assert api_as(world.sw).get("/api/v1/people/999999/chronology/").status_code == 404
    Person.objects.filter(pk=family.eldest.pk).update(restricted=True)
    restricted = api_as(world.po).get(url(family.eldest))
    assert restricted.status_code == 403
    assert restricted.json()["break_glass"] == f"/api/v1/people/{family.eldest.pk}/break-glass/"
