"""The strategy meetings API (API.md "Strategy meetings"): convene, read, invite, schedule, contribute, hold,
actions, minutes, not held."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.rules import DEFAULT_TZ
from referrals.services import referral_create, referral_decide
from strategy_meetings.models import Invitation, MinutesDistribution, StrategyMeeting
from strategy_meetings.services import meeting_action_add, meeting_hold, meeting_invite
from tests.cases.test_incidents_helpers import person
from tests.factories import AgencyFactory
from tests.matrix.strategy_meetings_api import convened

pytestmark = pytest.mark.django_db

# Thursday 20 August 2026; Monday 31 August 2026 is the summer bank holiday.
THURSDAY = datetime(2026, 8, 20, 10, 0, tzinfo=DEFAULT_TZ)


def api_as(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(meeting: StrategyMeeting, action: str = "") -> str:
    return f"/api/v1/strategy-meetings/{meeting.pk}/{action + '/' if action else ''}"


@pytest.fixture
def mia(world):
    return person(world.north, "Mia", "Okafor", date(2018, 1, 1), school=world.school)


def test_convening_answers_the_deadline_and_the_proposed_invitations(world, mia):
    threshold = timezone.now() - timedelta(hours=1)
    response = api_as(world.mw).post("/api/v1/strategy-meetings/", {
        "children": [mia.pk], "threshold_met_at": threshold.isoformat(),
        "reason": "Mia says her stepfather hit her.",
    }, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    meeting = StrategyMeeting.objects.get()
    assert response["Location"] == f"/api/v1/strategy-meetings/{meeting.pk}/"
    assert response["ETag"] == f'W/"strategy_meeting-{meeting.pk}-v{meeting.version}"'
    assert data["status"] == "due"
    assert datetime.fromisoformat(data["due_by"]) == threshold + timedelta(hours=24)
    assert data["time_left"]["state"] == "ok"
    assert data["children"] == [{"person": mia.pk, "name": "Mia Okafor", "date_of_birth": "2018-01-01"}]
    invitations = {row["agency"]: row for row in data["invitations"]}
    assert {a for a, row in invitations.items() if row["required"]} == {
        world.csc.pk, world.police.pk, world.health_visiting.pk}
    # The school is proposed because it is Mia's.
    assert invitations[world.school.pk]["required"] is False
    assert invitations[world.school.pk]["response"] == ""
    assert invitations[world.school.pk]["contribution"] is None


def test_convening_refuses_with_field_messages_and_to_partner_agencies(world, mia):
    response = api_as(world.mw).post("/api/v1/strategy-meetings/", {
        "children": [], "threshold_met_at": timezone.now().isoformat(), "reason": " "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"children": ["Name at least one child the strategy meeting is for."],
                               "reason": ["Say why the threshold for a strategy discussion was met."]}
    response = api_as(world.mw).post("/api/v1/strategy-meetings/", {
        "children": [999999], "threshold_met_at": timezone.now().isoformat(), "reason": "Harm."}, format="json")
    assert response.json() == {"children": ["Unknown child 999999."]}
    response = api_as(world.po).post("/api/v1/strategy-meetings/", {
        "children": [mia.pk], "threshold_met_at": timezone.now().isoformat(), "reason": "Harm."}, format="json")
    assert response.status_code == 403
    assert not StrategyMeeting.objects.exists()


def test_organise_contribute_hold_act_and_distribute(world, mia):
    meeting = convened(world)
    mw, mm = api_as(world.mw), api_as(world.mm)

    response = mw.post(url(meeting, "invitations"), {"agency": world.mental_health.pk}, format="json")
    assert response.status_code == 201, response.content
    assert world.mental_health.pk in {row["agency"] for row in response.json()["invitations"]}
    response = mw.post(url(meeting, "invitations"), {"agency": world.mental_health.pk}, format="json")
    assert response.json() == {"agency": ["North Adult Mental Health is already invited."]}

    when = timezone.now() + timedelta(hours=3)
    response = mw.post(url(meeting, "schedule"), {"scheduled_for": when.isoformat(), "chair": world.tm.pk},
                       format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "scheduled"
    assert response.json()["chair"] == world.tm.pk

    response = api_as(world.po).post(url(meeting, "contributions"),
                                     {"information": "Two call-outs to the address this year."}, format="json")
    assert response.status_code == 201, response.content
    police = next(row for row in response.json()["invitations"] if row["agency"] == world.police.pk)
    assert police["response"] == "sent_information"
    assert police["contribution"] == "Two call-outs to the address this year."

    response = mm.post(url(meeting, "held"), {
        "held_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "attendance": [{"agency": world.csc.pk, "response": "attended"},
                       {"agency": world.health_visiting.pk, "response": "attended"}],
        "outcome": "child_and_family_assessment",
    }, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "held"
    assert response.json()["icpc_due_by"] is None

    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = mw.post(url(meeting, "actions"), {"description": "Assessment visit.", "owner_agency": world.csc.pk,
                                                 "due_by": due}, format="json")
    assert response.status_code == 201, response.content
    assert [a["description"] for a in response.json()["actions"]] == ["Assessment visit."]

    # The chair (a team manager) distributes; a MASH worker may not.
    assert mw.post(url(meeting, "distribute-minutes"), {"minutes": "Agreed."}, format="json").status_code == 403
    response = api_as(world.tm).post(url(meeting, "distribute-minutes"), {"minutes": "Agreed an assessment."},
                                     format="json")
    assert response.status_code == 200, response.content
    assert response.json()["minutes_distributed_at"] is not None
    assert MinutesDistribution.objects.filter(meeting=meeting).count() == Invitation.objects.filter(
        meeting=meeting).count()
    response = mm.post(url(meeting, "distribute-minutes"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"][0].startswith("The minutes were distributed on")


def test_holding_is_refused_while_a_required_agency_was_not_heard(world):
    meeting = convened(world)
    body = {"held_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
            "attendance": [{"agency": world.csc.pk, "response": "attended"},
                           {"agency": world.police.pk, "response": "apologies"}],
            "outcome": "no_further_action"}
    response = api_as(world.mm).post(url(meeting, "held"), body, format="json")
    assert response.status_code == 400
    assert response.json() == {"missing_agency_reason": [
        "North Health Visiting and Shire Police neither attended nor sent information. Record why the meeting"
        " went ahead without them, or wait until every required agency is heard."]}
    meeting.refresh_from_db()
    assert meeting.status == "due"
    response = api_as(world.mm).post(url(meeting, "held"), {
        **body, "missing_agency_reason": "The police officer was called to an emergency."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["missing_agency_reason"] == "The police officer was called to an emergency."


def test_a_section_47_outcome_sets_the_conference_date_past_the_bank_holiday(world, mia):
    meeting = api_as(world.mm).post("/api/v1/strategy-meetings/", {
        "children": [mia.pk], "threshold_met_at": (THURSDAY - timedelta(hours=3)).isoformat(),
        "reason": "Disclosure at school."}, format="json").json()
    response = api_as(world.mm).post(f"/api/v1/strategy-meetings/{meeting['id']}/held/", {
        "held_at": THURSDAY.isoformat(), "attendance": [], "outcome": "section_47_joint",
        "missing_agency_reason": "Health were on a home visit."}, format="json")
    assert response.status_code == 200, response.content
    # 15 working days after Thursday 20 August, skipping the bank holiday on Monday 31 August.
    assert response.json()["icpc_due_by"] == "2026-09-11"


def test_not_held_records_the_rationale(world):
    meeting = convened(world)
    response = api_as(world.sm).post(url(meeting, "not-held"), {"rationale": " "}, format="json")
    assert response.json() == {"rationale": ["Say why the meeting is not needed."]}
    response = api_as(world.sm).post(url(meeting, "not-held"), {
        "rationale": "Police protection already in place.", "instead": "Joint visit by police and CSC."},
        format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "considered_not_held"
    assert response.json()["time_left"] is None


def test_an_invited_police_officer_sees_the_meeting_and_its_minutes_but_not_the_referral(world, mia):
    referral = referral_create(by=world.mw, received_at=timezone.now() - timedelta(hours=3),
                               referrer_agency=world.school, children=[mia],
                               concerns="Bruising on her arm; she says her stepfather hit her.", consent="given")
    referral_decide(referral=referral, by=world.mm, outcome="strategy_discussion",
                    rationale="Reasonable cause to suspect significant harm.")
    meeting = StrategyMeeting.objects.get(referral=referral)
    api_as(world.hv).post(url(meeting, "contributions"), {"information": "Missed two health checks."}, format="json")
    po = api_as(world.po)
    response = po.get(url(meeting))
    assert response.status_code == 200
    data = response.json()
    assert data["referral"] == referral.pk
    # Another agency's contribution is not the police's to read.
    health = next(row for row in data["invitations"] if row["agency"] == world.health_visiting.pk)
    assert health["response"] == "sent_information"
    assert health["contribution"] is None
    assert data["contributions"] == []
    assert api_as(world.mm).get(url(meeting)).json()["contributions"][0]["information"] == "Missed two health checks."

    meeting_hold(meeting=meeting, by=world.mm, held_at=timezone.now(), attendance={},
                 outcome="section_47_joint", missing_agency_reason="Police sent an update by phone.")
    assert po.get(url(meeting)).json()["minutes"] == ""
    assert api_as(world.mm).post(url(meeting, "distribute-minutes"), {"minutes": "Joint section 47 agreed."},
                                 format="json").status_code == 200
    assert po.get(url(meeting)).json()["minutes"] == "Joint section 47 agreed."
    # The police may not hold or add to the minutes, and do not see the referral the school made.
    assert po.post(url(meeting, "not-held"), {"rationale": "x"}, format="json").status_code == 403
    assert po.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    # Not invited: the meeting is not there at all.
    assert api_as(world.mh).get(url(meeting)).status_code == 404
    assert api_as(world.out).get(url(meeting)).status_code == 404


@pytest.mark.parametrize("size", [1, 6])
def test_the_detail_takes_the_same_queries_however_much_it_holds(world, django_assert_num_queries, size):
    meeting = convened(world)
    for n in range(size - 1):
        agency = AgencyFactory.create(name=f"Housing {n}", kind="housing", partnerships=[world.north])
        meeting_invite(meeting=meeting, by=world.mw, agency=agency)
    api_as(world.po).post(url(meeting, "contributions"), {"information": "Known to us."}, format="json")
    meeting_hold(meeting=meeting, by=world.mm, held_at=timezone.now() - timedelta(minutes=5), attendance={},
                 outcome="no_further_action", missing_agency_reason="Health could not attend.")
    for n in range(size):
        meeting_action_add(meeting=meeting, by=world.mw, description=f"Action {n}", owner_agency=world.police,
                           due_by=timezone.localdate() + timedelta(days=n + 1))
    mm = api_as(world.mm)
    # the actor for the change log; savepoint; the meeting with its chair; the access-log row; contributions
    # with agency and author; invitations with agencies; children; which children may be opened; actions with
    # owners; distributions; release savepoint
    with django_assert_num_queries(11):
        response = mm.get(url(meeting))
    assert response.status_code == 200
    assert len(response.json()["actions"]) == size
    assert len(response.json()["invitations"]) == size + 2


@pytest.mark.parametrize("size", [1, 6])
def test_the_list_takes_the_same_queries_however_long(world, django_assert_num_queries, size):
    for _ in range(size):
        convened(world)
    # the actor; savepoint; the count; the page of meetings with chair, referral and partnership; release savepoint
    with django_assert_num_queries(5):
        response = api_as(world.mw).get("/api/v1/strategy-meetings/")
    assert response.json()["count"] == size
    due = [row["due_by"] for row in response.json()["results"]]
    assert due == sorted(due)
    # The police see the meetings they are invited to, with the agency's grants looked up in the same queries.
    with django_assert_num_queries(5):
        response = api_as(world.po).get("/api/v1/strategy-meetings/")
    assert response.json()["count"] == size
    assert api_as(world.te).get("/api/v1/strategy-meetings/").json()["count"] == 0


def test_an_action_is_marked_done_by_its_agency_and_not_by_another(world):
    meeting = convened(world)
    meeting_hold(meeting=meeting, by=world.mm, held_at=timezone.now() - timedelta(minutes=5), attendance={},
                 outcome="section_47_joint", missing_agency_reason="Health could not attend.")
    action = meeting_action_add(meeting=meeting, by=world.mw, description="Joint visit", owner_agency=world.police,
                                due_by=timezone.localdate() + timedelta(days=1))
    done_url = url(meeting, f"actions/{action.pk}/done")
    assert api_as(world.hv).post(done_url).status_code == 403
    response = api_as(world.po).post(done_url)
    assert response.status_code == 200
    (row,) = response.json()["actions"]
    assert row["status"] == "done" and row["done_at"] is not None
    again = api_as(world.po).post(done_url)
    assert again.status_code == 400 and "was marked done on" in str(again.json())
    # An action of another meeting is not found through this one.
    other = convened(world)
    assert api_as(world.mw).post(url(other, f"actions/{action.pk}/done")).status_code == 404


def test_the_conference_is_booked_after_a_section_47_outcome(world):
    meeting = convened(world)
    held_at = timezone.now() - timedelta(minutes=5)
    meeting_hold(meeting=meeting, by=world.mm, held_at=held_at, attendance={}, outcome="section_47_joint",
                 missing_agency_reason="Health could not attend.")
    too_early = api_as(world.sw).post(url(meeting, "conference"), {
        "conference_at": (held_at - timedelta(days=1)).isoformat()}, format="json")
    assert too_early.status_code == 400
    assert too_early.json()["conference_at"] == ["The conference cannot be before the strategy meeting."]
    booked_for = held_at + timedelta(days=12)
    response = api_as(world.sw).post(url(meeting, "conference"), {"conference_at": booked_for.isoformat()},
                                     format="json")
    assert response.status_code == 200
    assert datetime.fromisoformat(response.json()["icpc_at"]) == booked_for
    assert response.json()["icpc_due_by"] is not None
