"""The strategy meeting pages: the list, a meeting, an agency's contribution and the meeting held."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from strategy_meetings.models import Action, Contribution, Invitation, StrategyMeeting
from strategy_meetings.services import (
    meeting_action_add,
    meeting_conference_book,
    meeting_contribute,
    meeting_hold,
    meeting_schedule,
)
from tests.matrix.strategy_meeting_pages import hold_body
from tests.matrix.strategy_meetings_api import convened, held

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    """The page as a reader sees it: the words, without the markup."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def detail_url(meeting: StrategyMeeting, action: str = "") -> str:
    return f"/strategy-meetings/{meeting.pk}/{action}"


# -- The list ----------------------------------------------------------------------------------------------


def test_the_list_shows_the_soonest_due_first_with_children_status_and_time_left(world, client_for):
    later = convened(world)
    sooner = convened(world)
    StrategyMeeting.objects.filter(pk=sooner.pk).update(due_by=later.due_by - timedelta(hours=3))
    page = text(client_for(world.mw).get("/strategy-meetings/"))
    first, second = page.index(f"strategy meeting {sooner.pk}"), page.index(f"strategy meeting {later.pk}")
    assert first < second
    assert "Mia Okafor" in page and "Due" in page and "left" in page


def test_a_partner_not_invited_sees_the_empty_state(world, client_for):
    convened(world)
    response = client_for(world.te).get("/strategy-meetings/")
    assert response.status_code == 200 and "There are no strategy meetings for you to see" in text(response)


def test_signed_out_the_list_asks_to_sign_in(world):
    response = Client().get("/strategy-meetings/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_the_list_query_count_does_not_grow_with_its_length(world, client_for, django_assert_num_queries):
    client = client_for(world.mw)
    convened(world)
    client.get("/strategy-meetings/")
    # session; user with membership and agency; the audit actor; savepoint; the page's count; the meetings with chair,
    # referral and partnership; their children; which children the user may open; the unread badge;
    # release savepoint.
    with django_assert_num_queries(LIST_QUERIES):
        one = client.get("/strategy-meetings/")
    for _ in range(4):
        convened(world)
    with django_assert_num_queries(LIST_QUERIES):
        five = client.get("/strategy-meetings/")
    assert text(one).count(", strategy meeting ") + 4 == text(five).count(", strategy meeting ")


LIST_QUERIES = 10


# -- A meeting ---------------------------------------------------------------------------------------------


def test_the_meeting_page_shows_threshold_deadline_and_invitations(world, client_for):
    meeting = convened(world)
    meeting_schedule(meeting=meeting, by=world.mm, scheduled_for=timezone.now() + timedelta(hours=2),
                     chair=world.mm)
    meeting_contribute(meeting=meeting, by=world.po, information="Two call-outs to the address this year.")
    page = text(client_for(world.mw).get(detail_url(meeting)))
    assert "Bruising seen by the school" in page
    assert "Shire Police Required" in page and "Sent information" in page
    assert "Two call-outs to the address this year." in page
    assert "Record the meeting as held" not in page  # a MASH practitioner does not hold it
    assert world.mm.display_name in page


def test_an_invited_agency_sees_only_its_own_contribution(world, client_for):
    meeting = convened(world)
    meeting_contribute(meeting=meeting, by=world.po, information="Police know of two call-outs.")
    meeting_contribute(meeting=meeting, by=world.hv, information="Health visitor saw bruising.")
    page = text(client_for(world.hv).get(detail_url(meeting)))
    assert "Health visitor saw bruising." in page and "Police know of two call-outs." not in page
    assert "Send what your agency knows" in page


@pytest.mark.parametrize("code", ["MH", "TE", "AU", "OUT"])
def test_those_who_may_not_know_the_meeting_get_404(world, client_for, code):
    meeting = convened(world)
    assert client_for(world.persona(code)).get(detail_url(meeting)).status_code == 404


def test_a_held_meeting_shows_its_outcome_and_conference_date(world, client_for):
    meeting = held(world)
    page = text(client_for(world.po).get(detail_url(meeting)))
    assert "Section 47 enquiry (joint with police)" in page
    assert "Initial child protection conference due by" in page
    assert "Police and health could not join in time." in page
    assert "Send what your agency knows" not in page


def test_the_task_list_offers_each_user_what_they_may_do_next(world, client_for):
    meeting = convened(world)
    manager = text(client_for(world.mm).get(detail_url(meeting)))
    for link in ("Invite another agency", "Send what your agency knows", "Schedule the meeting",
                 "Record the meeting as held", "Record that the meeting is not needed"):
        assert link in manager
    assert "Add an agreed action" not in manager and "Write and distribute the minutes" not in manager
    social_worker = text(client_for(world.sw).get(detail_url(meeting)))
    assert "Invite another agency" in social_worker and "Record the meeting as held" not in social_worker
    police = text(client_for(world.po).get(detail_url(meeting)))
    assert "Send what your agency knows" in police
    assert "Invite another agency" not in police and "Schedule the meeting" in police  # named, not a link

    done = held(world)
    after = text(client_for(world.mm).get(detail_url(done)))
    assert "Add an agreed action" in after and "Write and distribute the minutes" in after
    assert "Book the initial child protection conference" in after and "Not booked yet" in after


def test_an_action_offers_mark_done_to_its_agency_only_and_shows_a_late_conference(world, client_for):
    meeting = held(world)
    action = meeting_action_add(meeting=meeting, by=world.mm, description="Joint visit to the home",
                                owner_agency=world.police, due_by=timezone.localdate())
    Action.objects.filter(pk=action.pk).update(due_by=timezone.localdate() - timedelta(days=1))  # a day has passed
    police = client_for(world.po).get(detail_url(meeting)).content.decode()
    assert "Mark done" in police and "Overdue" in police
    assert "Mark done" not in client_for(world.hv).get(detail_url(meeting)).content.decode()
    meeting.refresh_from_db()
    assert meeting.icpc_due_by is not None
    meeting_conference_book(meeting=meeting, by=world.sw, conference_at=timezone.make_aware(
        datetime.combine(meeting.icpc_due_by + timedelta(days=3), time(10, 0))))
    page = text(client_for(world.sw).get(detail_url(meeting)))
    assert "Conference booked for" in page and "Later than 15 working days" in page


def test_the_meeting_page_query_count_is_fixed(world, client_for, django_assert_num_queries):
    small = convened(world)
    big = convened(world)
    for user in (world.po, world.hv, world.mw):
        meeting_contribute(meeting=big, by=user, information="What we know.")
    meeting_hold(meeting=big, by=world.mm, held_at=timezone.now(), attendance={}, outcome="section_47_joint")
    for n in range(3):
        meeting_action_add(meeting=big, by=world.mm, description=f"Action {n}", owner_agency=world.police,
                           due_by=timezone.localdate() + timedelta(days=n))
    client = client_for(world.mm)
    client.get(detail_url(small))
    # session; user; audit actor; savepoint; the meeting with its chair; the access-log row; contributions with
    # agency and author; invitations with agencies; children; which children the user may open; actions;
    # distributions; the unread badge; release savepoint.
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail_url(small))
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail_url(big))


DETAIL_QUERIES = 14


# -- Contributing ------------------------------------------------------------------------------------------


def test_an_invited_agency_contributes_and_comes_back_to_the_meeting(world, client_for):
    meeting = convened(world)
    client = client_for(world.po)
    assert client.get(detail_url(meeting, "contribute/")).status_code == 200
    response = client.post(detail_url(meeting, "contribute/"), {"information": "Two call-outs this year."})
    assert response.status_code == 302 and response["Location"] == detail_url(meeting)
    assert Contribution.objects.filter(meeting=meeting, agency=world.police).exists()
    invitation = Invitation.objects.get(meeting=meeting, agency=world.police)
    assert invitation.response == Invitation.Response.SENT_INFORMATION
    assert "Two call-outs this year." in text(client.get(detail_url(meeting)))


def test_an_empty_contribution_is_refused_on_its_field(world, client_for):
    meeting = convened(world)
    response = client_for(world.po).post(detail_url(meeting, "contribute/"), {"information": "  "})
    page = text(response)
    assert response.status_code == 200 and "There is a problem" in page
    assert 'href="#id_information"' in response.content.decode()
    assert not Contribution.objects.filter(meeting=meeting).exists()


def test_an_admin_may_not_contribute(world, client_for):
    assert client_for(world.ad).get(detail_url(convened(world), "contribute/")).status_code == 403


# -- Holding -----------------------------------------------------------------------------------------------


def test_a_manager_records_the_meeting_held(world, client_for):
    meeting = convened(world)
    client = client_for(world.mm)
    form = text(client.get(detail_url(meeting, "hold/")))
    assert "Shire Police (required)" in form and "Outcome" in form
    body = {**hold_body(world, world.mm), "outcome": "section_47_joint"}
    response = client.post(detail_url(meeting, "hold/"), body)
    assert response.status_code == 302 and response["Location"] == detail_url(meeting)
    meeting.refresh_from_db()
    assert meeting.status == StrategyMeeting.Status.HELD and meeting.icpc_due_by is not None
    assert Invitation.objects.get(meeting=meeting, agency=world.police).response == Invitation.Response.ATTENDED


def test_a_required_agency_not_heard_needs_a_reason_on_that_field(world, client_for):
    meeting = convened(world)
    body = {**hold_body(world, world.mm), f"attendance_{world.police.pk}": "apologies"}
    response = client_for(world.mm).post(detail_url(meeting, "hold/"), body)
    page = text(response)
    assert response.status_code == 200
    assert "Shire Police neither attended nor sent information" in page
    assert 'href="#id_missing_agency_reason"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == StrategyMeeting.Status.DUE
    # With the reason, it is held.
    body["missing_agency_reason"] = "Police sent apologies; they will be told the outcome today."
    assert client_for(world.mm).post(detail_url(meeting, "hold/"), body).status_code == 302


def test_a_held_time_that_is_not_a_time_is_refused(world, client_for):
    meeting = convened(world)
    body = {**hold_body(world, world.mm), "held_time": "25:99"}
    response = client_for(world.mm).post(detail_url(meeting, "hold/"), body)
    assert response.status_code == 200 and "Enter a real time" in text(response)


@pytest.mark.parametrize("code", ["MW", "SW", "PO", "HV", "AD"])
def test_those_who_may_see_but_not_manage_get_403(world, client_for, code):
    assert client_for(world.persona(code)).get(detail_url(convened(world), "hold/")).status_code == 403


def test_the_chair_holds_the_meeting(world, client_for):
    meeting = convened(world)
    meeting_schedule(meeting=meeting, by=world.mm, scheduled_for=timezone.now() + timedelta(hours=1),
                     chair=world.sw)
    assert client_for(world.sw).get(detail_url(meeting, "hold/")).status_code == 200
    assert "Record the meeting as held" in text(client_for(world.sw).get(detail_url(meeting)))
