"""The front-door API (API.md "Front door"): referrals, the triage queue, checks, decisions, feedback, escalations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from agencies.rules import DEFAULT_TZ
from referrals.models import AgencyCheck, Referral
from referrals.services import agency_check_request, referral_decide, referral_feedback_record
from strategy_meetings.models import StrategyMeeting
from tests.cases.test_incidents_helpers import london, person
from tests.matrix.referrals_api import checked_referral, escalated, police_referral

pytestmark = pytest.mark.django_db


def api_as(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(child_ids: list[int], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "received_at": london(2026, 3, 2, 10).isoformat(),
        "referrer_agency": 0,
        "referrer_name": "PC Jane Hale",
        "referrer_contact": "01234 567890",
        "children": child_ids,
        "concerns": "Ellie arrived with a bruised cheek and said her dad was angry.",
        "categories": ["physical_abuse"],
        "urgency": "urgent",
        "consent": {"status": "given"},
    }
    data.update(overrides)
    return data


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.fixture
def ellie(world):
    return person(world.north, "Ellie", "Ashdown", date(2017, 3, 3), school=world.school)


# -- Intake ---------------------------------------------------------------------------------------------------


def test_a_referral_is_received_with_its_deadline_and_flags(world, ellie):
    response = api_as(world.mw).post("/api/v1/referrals/", body([ellie.pk], referrer_agency=world.police.pk))
    assert response.status_code == 201, response.content
    data = response.json()
    referral = Referral.objects.get()
    assert response["Location"] == f"/api/v1/referrals/{referral.pk}/"
    assert response["ETag"] == f'W/"referral-{referral.pk}-v1"'
    assert data["id"] == referral.pk and data["version"] == 1
    assert data["status"] == "awaiting_decision"
    # Monday 10:00 -> Tuesday 10:00 (1 working day).
    assert at(data["decision_due_at"]) == london(2026, 3, 3, 10)
    assert data["referrer_agency"] == {"id": world.police.pk, "name": "Shire Police"}
    assert data["consent"] == {"status": "given", "reason": ""}
    assert data["flags"] == []
    (child,) = data["children"]
    assert child["id"] == ellie.pk and child["name"] == "Ellie Ashdown" and child["flags"] == []
    assert child["age"].endswith(" years")
    assert data["decision"] is None and data["feedback"] is None
    assert data["checks"] == [] and data["escalations"] == []


def test_friday_afternoon_before_a_bank_holiday_is_due_on_tuesday(world, ellie):
    # Monday 31 August 2026 is the late summer bank holiday in England.
    received = datetime(2026, 8, 28, 16, 0, tzinfo=DEFAULT_TZ)
    response = api_as(world.mw).post(
        "/api/v1/referrals/", body([ellie.pk], referrer_agency=world.police.pk, received_at=received.isoformat())
    )
    assert response.status_code == 201, response.content
    assert at(response.json()["decision_due_at"]) == datetime(2026, 9, 1, 16, 0, tzinfo=DEFAULT_TZ)
    assert response.json()["decision_due_at"] == "2026-09-01T16:00:00+01:00"


def test_a_child_referred_in_the_last_year_is_a_repeat(world, ellie):
    client = api_as(world.mw)
    first = client.post("/api/v1/referrals/", body([ellie.pk], referrer_agency=world.police.pk,
                                                   received_at=london(2026, 1, 5, 9).isoformat()))
    assert first.json()["flags"] == []
    second = client.post("/api/v1/referrals/", body([ellie.pk], referrer_agency=world.school.pk))
    assert second.status_code == 201, second.content
    assert second.json()["flags"] == ["repeat_referral"]
    assert second.json()["children"][0]["flags"] == ["repeat_referral"]


def test_new_children_are_recorded_with_the_referral(world):
    response = api_as(world.te).post("/api/v1/referrals/", body(
        [], referrer_agency=world.school.pk,
        new_children=[{"given_name": "Mia", "family_name": "Rowe", "date_of_birth": "2016-09-01", "sex": "female"}],
    ))
    assert response.status_code == 201, response.content
    data = response.json()
    assert [c["name"] for c in data["children"]] == ["Mia Rowe"]
    assert data["view"] == "referrer" and data["referrer_agency"]["id"] == world.school.pk


@pytest.mark.parametrize("who", ["unknown", "other_area", "not_shared"])
def test_children_the_user_may_not_see_are_refused_on_children(world, ellie, who):
    user, child_id = {
        "unknown": (world.mw, 999_999),
        "other_area": (world.mw, person(world.south, "Sam", "Vale", date(2015, 1, 1)).pk),
        # The police have not been shared this child's record.
        "not_shared": (world.po, ellie.pk),
    }[who]
    agency = world.police.pk
    response = api_as(user).post("/api/v1/referrals/", body([child_id], referrer_agency=agency))
    assert response.status_code == 400
    assert response.json() == {"children": [f"Unknown child: {child_id}."]}
    assert not Referral.objects.exists()


def test_a_referral_without_consent_needs_the_reason(world, ellie):
    client = api_as(world.mw)
    response = client.post("/api/v1/referrals/", body([ellie.pk], referrer_agency=world.police.pk,
                                                      consent={"status": "not_sought"}))
    assert response.status_code == 400
    (message,) = response.json()["consent"]["reason"]
    assert "without the family's consent" in message
    response = client.post("/api/v1/referrals/", body([ellie.pk], referrer_agency=world.police.pk,
                                                      consent={"status": "maybe"}))
    assert response.status_code == 400 and "status" in response.json()["consent"]
    response = client.post("/api/v1/referrals/", body(
        [ellie.pk], referrer_agency=world.police.pk,
        consent={"status": "not_sought", "reason": "Asking would put Ellie at risk of significant harm."},
    ))
    assert response.status_code == 201, response.content
    assert response.json()["consent"]["status"] == "not_sought"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"concerns": " "}, "concerns"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": (datetime.now(tz=DEFAULT_TZ) + timedelta(days=2)).isoformat()}, "received_at"),
        ({"referrer_agency": 999_999}, "referrer_agency"),
        ({"categories": ["gossip"]}, "categories"),
        ({"incident": 999_999}, "incident"),
        ({"children": None}, "children"),
    ],
)
def test_bad_input_is_a_field_level_400(world, ellie, change, field):
    response = api_as(world.mw).post("/api/v1/referrals/",
                                     body([ellie.pk], **{"referrer_agency": world.police.pk, **change}))
    assert response.status_code == 400
    assert field in response.json()


def test_a_partner_refers_for_its_own_agency_only(world, ellie):
    response = api_as(world.te).post("/api/v1/referrals/", body([], referrer_agency=world.police.pk,
                                     new_children=[{"given_name": "Mia", "family_name": "Rowe"}]))
    assert response.status_code == 400
    assert response.json() == {"referrer_agency": ["Refer for your own agency."]}


def test_who_may_not_refer(world, ellie):
    assert api_as(world.au).post("/api/v1/referrals/", body([ellie.pk])).status_code == 403
    assert api_as(world.ad).post("/api/v1/referrals/", body([ellie.pk])).status_code == 403
    assert APIClient().post("/api/v1/referrals/", body([ellie.pk]), format="json").status_code == 401
    assert APIClient().get("/api/v1/referrals/").status_code == 401


# -- Lists ----------------------------------------------------------------------------------------------------


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_triage_queue_puts_the_most_urgent_first(world, ellie):
    standard = police_referral(world)
    immediate = police_referral(world)
    Referral.objects.filter(pk=immediate.pk).update(urgency="immediate")
    urgent = police_referral(world)
    Referral.objects.filter(pk=urgent.pk).update(urgency="urgent")
    decided = police_referral(world)
    referral_decide(referral=decided, by=world.mm, outcome="no_further_action", rationale="Nothing to do.")

    response = api_as(world.mw).get("/api/v1/referrals/", {"status": "awaiting_decision"})
    assert _ids(response) == [immediate.pk, urgent.pk, standard.pk]
    data = response.json()
    assert data["count"] == 3 and data["queue"]["size"] == 3 and data["queue"]["overdue"] == 3
    row = data["results"][0]
    assert row["time_left"]["state"] == "overdue" and row["time_left"]["text"].startswith("Overdue by")
    assert row["concern"].startswith("Police called")
    # Without the filter: every referral, newest first (all received at the same moment: newest id first).
    assert _ids(api_as(world.mw).get("/api/v1/referrals/")) == [decided.pk, urgent.pk, immediate.pk, standard.pk]
    assert api_as(world.mw).get("/api/v1/referrals/").json()["results"][0]["outcome"] == "no_further_action"
    # A social worker sees the same filter, riskiest first, without the queue's totals.
    response = api_as(world.sw).get("/api/v1/referrals/", {"status": "awaiting_decision"})
    assert _ids(response) == [immediate.pk, urgent.pk, standard.pk] and "queue" not in response.json()
    assert api_as(world.mw).get("/api/v1/referrals/", {"status": "lost"}).status_code == 400


def test_partners_list_only_their_own_agencys_referrals(world, ellie):
    by_police = checked_referral(world)  # the school is asked about it, but did not make it
    by_school = api_as(world.mw).post("/api/v1/referrals/", body([ellie.pk], referrer_agency=world.school.pk))
    assert by_school.status_code == 201
    assert _ids(api_as(world.po).get("/api/v1/referrals/")) == [by_police.pk]
    assert _ids(api_as(world.te).get("/api/v1/referrals/")) == [by_school.json()["id"]]
    assert _ids(api_as(world.hv).get("/api/v1/referrals/")) == []
    assert _ids(api_as(world.out).get("/api/v1/referrals/")) == []
    assert _ids(api_as(world.au).get("/api/v1/referrals/")) == []
    assert set(_ids(api_as(world.ad).get("/api/v1/referrals/"))) == {by_police.pk, by_school.json()["id"]}
    # The police see their referral, not the MASH's triage of it.
    Referral.objects.filter(pk=by_police.pk).update(rag="red", allocated_to=world.mw)
    (row,) = api_as(world.po).get("/api/v1/referrals/").json()["results"]
    assert row["rag"] is None and row["allocated_to"] is None
    rows = {row["id"]: row for row in api_as(world.mw).get("/api/v1/referrals/").json()["results"]}
    row = rows[by_police.pk]
    assert row["rag"] == "red" and row["allocated_to"]["id"] == world.mw.pk


# -- Detail and what each agency sees ----------------------------------------------------------------------------


def test_each_agency_sees_its_part_of_the_referral(world):
    referral = checked_referral(world)
    check = AgencyCheck.objects.get(referral=referral)
    everything = api_as(world.mw).get(f"/api/v1/referrals/{referral.pk}/")
    assert everything.status_code == 200
    assert everything["ETag"] == f'W/"referral-{referral.pk}-v{referral.version}"'
    data = everything.json()
    assert data["view"] == "all"
    assert [c["id"] for c in data["checks"]] == [check.pk]
    assert {s["agency"]["id"] for s in data["shares"]} >= {world.school.pk}

    referrer = api_as(world.po).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert referrer["view"] == "referrer"
    assert referrer["checks"] == [] and referrer["shares"] == [] and referrer["rag"] is None

    school = api_as(world.te).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert school["view"] == "checked"
    assert [c["id"] for c in school["checks"]] == [check.pk]
    assert school["referrer_contact"] is None and school["family_told"] is None

    for user in (world.hv, world.mh, world.au, world.out):
        assert api_as(user).get(f"/api/v1/referrals/{referral.pk}/").status_code == 404, user.username
    assert api_as(world.mw).get("/api/v1/referrals/999999/").status_code == 404


# -- Triage: RAG and allocation -----------------------------------------------------------------------------------


def test_triage_honours_if_match_and_version(world):
    referral = police_referral(world)
    url = f"/api/v1/referrals/{referral.pk}/"
    client = api_as(world.mw)
    etag = client.get(url)["ETag"]

    response = client.patch(url, {"rag": "red"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["rag"] == "red" and response.json()["version"] == 2
    assert response["ETag"] == f'W/"referral-{referral.pk}-v2"'
    # The same ETag again is stale: 412, nothing saved.
    response = client.patch(url, {"rag": "green"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert "changed this record" in response.json()["non_field_errors"][0]
    # A stale version in the body: 409.
    response = client.patch(url, {"allocated_to": world.mw.pk, "version": 1})
    assert response.status_code == 409
    referral.refresh_from_db()
    assert (referral.rag, referral.allocated_to_id, referral.version) == ("red", None, 2)
    # Both at once, from the version read.
    response = client.patch(url, {"rag": "amber", "allocated_to": world.mm.pk, "version": 2})
    assert response.status_code == 200, response.content
    assert response.json()["allocated_to"] == {"id": world.mm.pk, "name": world.mm.display_name}
    assert response.json()["version"] == 4

    assert client.patch(url, {"rag": "red"}).json() == {
        "version": ["Send the version you read, or its ETag in an If-Match header."]
    }
    response = client.patch(url, {"allocated_to": world.po.pk, "version": 4})
    assert response.status_code == 400 and "allocated_to" in response.json()
    assert client.patch(url, {"version": 4}).status_code == 400


def test_only_mash_staff_triage(world):
    referral = police_referral(world)
    url = f"/api/v1/referrals/{referral.pk}/"
    for user in (world.sw, world.tm, world.sm, world.ad, world.po):
        assert api_as(user).patch(url, {"rag": "red", "version": 1}).status_code == 403, user.username
    for user in (world.hv, world.te, world.au, world.out):
        assert api_as(user).patch(url, {"rag": "red", "version": 1}).status_code == 404, user.username
    assert Referral.objects.get(pk=referral.pk).rag == ""


# -- Agency checks --------------------------------------------------------------------------------------------


def test_a_check_is_asked_seen_and_answered_once(world):
    referral = police_referral(world)
    response = api_as(world.mw).post(f"/api/v1/referrals/{referral.pk}/checks/",
                                     {"agency": world.health_visiting.pk, "question": "Known to you?"})
    assert response.status_code == 201, response.content
    check = response.json()
    assert check["agency"] == {"id": world.health_visiting.pk, "name": "North Health Visiting"}
    assert check["answered_at"] is None and check["authorised_by"] is None

    inbox = api_as(world.hv).get("/api/v1/checks/").json()
    assert [c["id"] for c in inbox["results"]] == [check["id"]]
    assert inbox["results"][0]["referrer_agency"]["id"] == world.police.pk
    assert api_as(world.te).get("/api/v1/checks/").json()["count"] == 0
    assert api_as(world.out).get("/api/v1/checks/").json()["count"] == 0
    assert api_as(world.mw).get("/api/v1/checks/").json()["count"] == 1
    # The health visitor now sees the referral's summary.
    assert api_as(world.hv).get(f"/api/v1/referrals/{referral.pk}/").json()["view"] == "checked"

    answer_url = f"/api/v1/checks/{check['id']}/answer/"
    assert api_as(world.mw).post(answer_url, {"information": "x"}).status_code == 403
    assert api_as(world.po).post(answer_url, {"information": "x"}).status_code == 404
    assert api_as(world.hv).post(answer_url, {"information": " "}).status_code == 400
    response = api_as(world.hv).post(answer_url, {"information": "Seen at 8 weeks; no concerns then."})
    assert response.status_code == 200, response.content
    assert response.json()["answered_by"]["id"] == world.hv.pk and response.json()["answered_at"]
    assert api_as(world.hv).post(answer_url, {"information": "Again"}).status_code == 400
    assert api_as(world.hv).get("/api/v1/checks/", {"answered": "false"}).json()["count"] == 0
    assert api_as(world.hv).get("/api/v1/checks/", {"answered": "true"}).json()["count"] == 1


def test_sharing_onward_without_consent_needs_a_managers_authorisation(world):
    referral = police_referral(world, consent="refused", consent_reason="Father would flee with the children.")
    url = f"/api/v1/referrals/{referral.pk}/checks/"
    response = api_as(world.mw).post(url, {"agency": world.school.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["authorised_by"]
    assert not AgencyCheck.objects.exists()
    response = api_as(world.mw).post(url, {"agency": world.school.pk, "authorised_by": world.mm.pk})
    assert response.status_code == 201, response.content
    assert response.json()["authorised_by"]["id"] == world.mm.pk
    # A MASH manager authorises their own request.
    response = api_as(world.mm).post(url, {"agency": world.health_visiting.pk})
    assert response.status_code == 201 and response.json()["authorised_by"]["id"] == world.mm.pk


def test_who_may_ask_for_a_check(world):
    referral = checked_referral(world)
    url = f"/api/v1/referrals/{referral.pk}/checks/"
    for user in (world.sw, world.tm, world.sm, world.ad, world.po, world.te):
        assert api_as(user).post(url, {"agency": world.police.pk}).status_code == 403, user.username
    for user in (world.hv, world.mh, world.au, world.out):
        assert api_as(user).post(url, {"agency": world.police.pk}).status_code == 404, user.username
    # The school has not answered yet: asking again is refused on the agency.
    response = api_as(world.mw).post(url, {"agency": world.school.pk})
    assert response.status_code == 400 and "agency" in response.json()
    assert api_as(world.mw).post(url, {"agency": world.csc.pk}).status_code == 400


# -- Decision, feedback, escalation -----------------------------------------------------------------------------


def test_a_strategy_discussion_decision_answers_with_the_meeting(world):
    referral = checked_referral(world)
    url = f"/api/v1/referrals/{referral.pk}/decision/"
    decision = {"outcome": "strategy_discussion", "rationale": "Significant harm suspected: s47 threshold met."}
    for user in (world.mw, world.sw, world.tm, world.ad, world.po, world.te):
        assert api_as(user).post(url, decision).status_code == 403, user.username
    for user in (world.hv, world.au, world.out):
        assert api_as(user).post(url, decision).status_code == 404, user.username
    assert api_as(world.mm).post(url, {"outcome": "strategy_discussion", "rationale": ""}).json() == {
        "rationale": ["Give the rationale: why this decision, on what information."]
    }

    response = api_as(world.mm).post(url, decision)
    assert response.status_code == 201, response.content
    data = response.json()
    meeting = StrategyMeeting.objects.get(referral=referral)
    assert data["strategy_meeting"] == meeting.pk
    assert data["outcome"] == "strategy_discussion" and data["decided_by"]["id"] == world.mm.pk
    assert data["referral"] == referral.pk and len(data["cases"]) == 1
    assert api_as(world.mw).get(f"/api/v1/referrals/{referral.pk}/").json()["strategy_meeting"] == meeting.pk
    # The referrer sees the outcome; the meeting itself is for the agencies it invites.
    detail = api_as(world.po).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert detail["status"] == "decided" and detail["decision"]["outcome"] == "strategy_discussion"
    assert detail["strategy_meeting"] is None
    # Decided once.
    assert api_as(world.sm).post(url, decision).status_code == 400


def test_feedback_to_the_referrer(world):
    referral = checked_referral(world)
    url = f"/api/v1/referrals/{referral.pk}/feedback/"
    assert api_as(world.mw).post(url, {"method": "phone"}).status_code == 400  # nothing decided yet
    referral_decide(referral=referral, by=world.mm, outcome="early_help", rationale="Early help offer.")
    assert api_as(world.sw).post(url, {"method": "phone"}).status_code == 403
    assert api_as(world.po).post(url, {"method": "phone"}).status_code == 403
    assert api_as(world.hv).post(url, {"method": "phone"}).status_code == 404
    assert "method" in api_as(world.mw).post(url, {"method": "pigeon"}).json()

    response = api_as(world.mw).post(url, {"method": "secure_email", "note": "Sent to PC Hale."})
    assert response.status_code == 201, response.content
    assert response.json()["method"] == "secure_email" and response.json()["shared_by"]["id"] == world.mw.pk
    detail = api_as(world.po).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert detail["status"] == "fed_back" and detail["feedback"]["method"] == "secure_email"
    assert api_as(world.te).get(f"/api/v1/referrals/{referral.pk}/").json()["feedback"] is None
    assert api_as(world.mw).post(url, {"method": "phone"}).status_code == 400


def test_an_escalation_climbs_and_is_resolved(world):
    referral = checked_referral(world)
    url = f"/api/v1/referrals/{referral.pk}/escalations/"
    assert api_as(world.po).post(url, {"reason": "Too early"}).status_code == 400  # no decision yet
    referral_decide(referral=referral, by=world.mm, outcome="no_further_action", rationale="No role for CSC.")
    assert api_as(world.mw).post(url, {"reason": "x"}).status_code == 403
    assert api_as(world.hv).post(url, {"reason": "x"}).status_code == 404
    assert "reason" in api_as(world.po).post(url, {"reason": " "}).json()

    response = api_as(world.po).post(url, {"reason": "Third call-out this month; the risk is rising."})
    assert response.status_code == 201, response.content
    escalation = response.json()
    assert (escalation["status"], escalation["stage"]) == ("open", 1)
    (stage,) = escalation["stages"]
    assert stage["number"] == 1 and stage["respondent"]["id"] == world.mm.pk and stage["outcome"] == ""
    assert api_as(world.te).post(url, {"reason": "Also"}).status_code == 400  # one open at a time

    respond = f"/api/v1/escalations/{escalation['id']}/respond/"
    assert api_as(world.mw).post(respond, {"outcome": "resolved", "response": "x"}).status_code == 403
    assert api_as(world.po).post(respond, {"outcome": "resolved", "response": "x"}).status_code == 403
    assert api_as(world.hv).post(respond, {"outcome": "resolved", "response": "x"}).status_code == 404
    response = api_as(world.mm).post(respond, {"outcome": "escalate", "response": "I stand by it; over to my manager."})
    assert response.status_code == 200, response.content
    climbed = response.json()
    assert climbed["stage"] == 2 and [s["number"] for s in climbed["stages"]] == [1, 2]
    assert climbed["stages"][0]["outcome"] == "escalate"
    assert climbed["stages"][1]["respondent"]["id"] == world.sm.pk  # the MASH manager's line manager
    response = api_as(world.sm).post(respond, {"outcome": "resolved", "response": "Reopened as early help."})
    assert response.status_code == 200
    assert response.json()["status"] == "resolved" and response.json()["closed_at"]
    detail = api_as(world.po).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert [e["status"] for e in detail["escalations"]] == ["resolved"]
    assert api_as(world.sm).post(respond, {"outcome": "resolved", "response": "Again"}).status_code == 400


def test_the_respond_body_is_checked(world):
    escalation = escalated(world)
    respond = f"/api/v1/escalations/{escalation.pk}/respond/"
    response = api_as(world.mm).post(respond, {"outcome": "timed_out", "response": "x"})
    assert response.status_code == 400 and set(response.json()) == {"outcome"}
    response = api_as(world.mm).post(respond, {"outcome": "resolved", "response": " "})
    assert response.json() == {"response": ["Give your response to the disagreement."]}


# -- Query counts ---------------------------------------------------------------------------------------------


def _many_referrals(world, n: int) -> None:
    for _ in range(n):
        referral = police_referral(world)
        agency_check_request(referral=referral, by=world.mw, agency=world.school)


@pytest.mark.parametrize("size", [1, 20])
def test_the_lists_take_the_same_queries_however_long(world, django_assert_num_queries, size):
    _many_referrals(world, size)
    decided = police_referral(world)
    referral_decide(referral=decided, by=world.mm, outcome="no_further_action", rationale="Nothing to do.")
    referral_feedback_record(referral=decided, by=world.mw, method="phone")
    mw, po, te = api_as(world.mw), api_as(world.po), api_as(world.te)
    # the actor for the change log; savepoint; the page's count; its rows with agency and allocation; the rows'
    # children with their flags; which children the user may open; the whole queue's size, oldest and overdue;
    # release savepoint
    with django_assert_num_queries(8):
        response = mw.get("/api/v1/referrals/", {"status": "awaiting_decision"})
    assert response.json()["count"] == size
    # the actor; savepoint; count; the page with agency, allocation and decision; children with flags; which
    # may be opened; release savepoint
    with django_assert_num_queries(7):
        response = mw.get("/api/v1/referrals/")
    assert response.json()["count"] == size + 1
    # the same for the police's own referrals, with the agency's grants looked up in the count and the page
    with django_assert_num_queries(7):
        response = po.get("/api/v1/referrals/")
    assert response.json()["count"] == size + 1
    # the actor; savepoint; count; the checks with their referral, agency and people; release savepoint
    with django_assert_num_queries(5):
        response = te.get("/api/v1/checks/")
    assert response.json()["count"] == size


@pytest.mark.parametrize("size", [1, 20])
def test_the_detail_takes_the_same_queries_however_much_it_holds(world, django_assert_num_queries, size):
    referral = police_referral(world)
    for agency in (world.school, world.health_visiting, world.mental_health)[: 1 if size == 1 else 3]:
        agency_check_request(referral=referral, by=world.mw, agency=agency)
    for n in range(size - 1):
        referral.children.create(partnership=world.north, child=person(world.north, "Sib", f"Ling{n}",
                                                                        date(2015, 1, 1)))
    referral_decide(referral=referral, by=world.mm, outcome="no_further_action", rationale="No role for CSC.")
    api_as(world.po).post(f"/api/v1/referrals/{referral.pk}/escalations/", {"reason": "The risk is rising."})
    # the actor; savepoint; the referral with its agency; the access-log row; decision; feedback; escalations;
    # their stages with people; information shares; children with flags; which may be opened; checks with
    # their people; strategy meeting; the partnership and its closure days (feedback due); release savepoint
    with django_assert_num_queries(16):
        response = api_as(world.mw).get(f"/api/v1/referrals/{referral.pk}/")
    assert response.status_code == 200
    assert len(response.json()["children"]) == size


def test_the_api_queue_reaches_every_referral_however_long_the_page_queue_is(world, monkeypatch):
    import referrals.selectors

    monkeypatch.setattr(referrals.selectors, "QUEUE_LIMIT", 2)
    made = [police_referral(world) for _ in range(3)]
    response = api_as(world.mw).get("/api/v1/referrals/", {"status": "awaiting_decision"})
    assert response.json()["count"] == 3
    assert response.json()["queue"]["size"] == 3
    assert {row["id"] for row in response.json()["results"]} == {r.pk for r in made}


def test_who_answered_each_escalation_stage_is_in_its_history(world):
    escalation = escalated(world)
    query = {"record_type": "escalation", "record_id": str(escalation.pk)}
    response = api_as(world.mm).get("/api/v1/access-log/", query)
    assert response.status_code == 200
    assert any(entry["action"] == "create" for entry in response.json()["results"])
    assert api_as(world.po).get("/api/v1/access-log/", query).status_code == 403
