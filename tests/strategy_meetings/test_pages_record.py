"""The pages after a strategy meeting: actions added and marked done, minutes drafted and distributed."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from agencies.models import Notification, Role
from strategy_meetings import services
from strategy_meetings.models import Action, Invitation, MinutesDistribution, StrategyMeeting
from tests.conftest import World
from tests.factories import UserFactory
from tests.matrix.strategy_meetings_api import convened, held
from tests.strategy_meetings.test_pages import detail_url, text

pytestmark = pytest.mark.django_db


def action_body(world: World, *, due: date | None = None, **changes: Any) -> dict[str, Any]:
    due = due or timezone.localdate() + timedelta(days=2)
    return {"description": "Joint visit to the home with the police.", "owner_agency": world.police.pk,
            "owner": world.po.pk, "due_by_day": due.day, "due_by_month": due.month, "due_by_year": due.year,
            **changes}


def action_of(world: World, meeting: StrategyMeeting, *, agency: Any = None, what: str = "Check the address.",
              ) -> Action:
    return services.meeting_action_add(meeting=meeting, by=world.mm, description=what,
                                       owner_agency=agency or world.police,
                                       due_by=timezone.localdate() + timedelta(days=3))


def busy(world: World) -> StrategyMeeting:
    """A held meeting with more of everything: five agencies invited, more people in them, four actions."""
    meeting = convened(world)
    for agency in (world.school, world.mental_health):
        services.meeting_invite(meeting=meeting, by=world.mm, agency=agency)
    for n in range(3):
        UserFactory.create(username=f"teacher{n}", agency=world.school, role=Role.PRACTITIONER)
    services.meeting_hold(meeting=meeting, by=world.mm, held_at=timezone.now() - timedelta(minutes=30),
                          attendance={}, outcome="section_47_joint",
                          missing_agency_reason="Police and health could not join in time.")
    for agency in (world.police, world.health_visiting, world.school, world.mental_health):
        action_of(world, meeting, agency=agency)
    return meeting


# -- Adding an action ----------------------------------------------------------------------------------------


def test_an_action_added_shows_on_the_meeting_page_and_its_owner_is_told(world, client_for):
    meeting = held(world)
    client = client_for(world.mw)
    form = client.get(detail_url(meeting, "actions/new/"))
    html = form.content.decode()
    assert form.status_code == 200
    assert "Strategy meeting" in text(form) and "Mia Okafor" in text(form)
    # The invited agencies only, and their people grouped by agency.
    assert "Shire Police" in text(form) and "Northgate Primary School" not in text(form)
    assert '<optgroup label="Shire Police">' in html and world.po.display_name in html
    due = timezone.localdate() + timedelta(days=4)
    response = client.post(detail_url(meeting, "actions/new/"), action_body(world, due=due))
    assert response.status_code == 302 and response["Location"] == detail_url(meeting) + "#actions"
    page = text(client.get(detail_url(meeting)))
    assert "Action added for Shire Police" in page
    assert "Joint visit to the home with the police." in page
    assert f"Shire Police {world.po.display_name}" in page and f"{due:%-d %b %Y}" in page
    told = Notification.objects.get(recipient=world.po, kind="strategy_meeting_action", subject_id=meeting.pk)
    assert "Shire Police" in told.message


def test_save_and_add_another_comes_back_to_an_empty_form(world, client_for):
    meeting = held(world)
    client = client_for(world.sw)
    response = client.post(detail_url(meeting, "actions/new/"),
                           {**action_body(world, owner=""), "then": "another"})
    assert response.status_code == 302 and response["Location"] == detail_url(meeting, "actions/new/")
    again = client.get(response["Location"])
    assert "Action added for Shire Police" in text(again)
    assert "Joint visit to the home" not in text(again)
    # Without a named owner, the owner agency's people are told.
    assert Notification.objects.filter(recipient=world.po, kind="strategy_meeting_action").exists()


def test_actions_wait_until_the_meeting_is_held(world, client_for):
    meeting = convened(world)
    client = client_for(world.mw)
    response = client.get(detail_url(meeting, "actions/new/"))
    assert response.status_code == 302 and response["Location"] == detail_url(meeting)
    assert "Actions are added once the meeting is recorded as held." in text(client.get(detail_url(meeting)))
    # A post all the same is refused, and nothing is saved.
    refused = client.post(detail_url(meeting, "actions/new/"), action_body(world))
    assert refused.status_code == 200 and "Record the meeting as held before adding its actions" in text(refused)
    assert not Action.objects.filter(meeting=meeting).exists()


def test_an_empty_action_is_refused_on_each_field(world, client_for):
    meeting = held(world)
    response = client_for(world.mw).post(detail_url(meeting, "actions/new/"), {
        "description": "  ", "owner": "", "due_by_day": "", "due_by_month": "", "due_by_year": ""})
    page, html = text(response), response.content.decode()
    assert response.status_code == 200 and page.startswith("Error: ")
    assert "Say what is to be done" in page and 'href="#id_description"' in html
    assert "Choose the agency that owns the action" in page and 'href="#id_owner_agency"' in html
    assert "Enter the date the action is due by" in page and 'href="#id_due_by"' in html
    assert not Action.objects.filter(meeting=meeting).exists()


def test_a_person_of_another_agency_is_refused_on_the_owner_field(world, client_for):
    meeting = held(world)
    response = client_for(world.mw).post(detail_url(meeting, "actions/new/"), action_body(world, owner=world.hv.pk))
    assert response.status_code == 200
    assert "Choose someone who works for Shire Police" in text(response)
    assert 'href="#id_owner"' in response.content.decode()
    assert 'class="govuk-select govuk-select--error"' in response.content.decode()
    assert not Action.objects.filter(meeting=meeting).exists()


def test_an_agency_not_invited_or_a_date_before_the_meeting_is_refused(world, client_for):
    meeting = held(world)
    client = client_for(world.mw)
    response = client.post(detail_url(meeting, "actions/new/"),
                           action_body(world, owner_agency=world.school.pk, owner=""))
    assert "Choose one of the agencies invited to the meeting" in text(response)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(detail_url(meeting, "actions/new/"), action_body(world, due=yesterday))
    assert "The action cannot be due before the meeting was held." in text(response)
    assert 'href="#id_due_by"' in response.content.decode()
    response = client.post(detail_url(meeting, "actions/new/"), {**action_body(world), "due_by_month": "13"})
    assert "Due by must be a real date" in text(response)
    assert not Action.objects.filter(meeting=meeting).exists()


@pytest.mark.parametrize(("code", "status"), [("PO", 403), ("HV", 403), ("AD", 403), ("MH", 404), ("TE", 404),
                                               ("AU", 404), ("OUT", 404)])
def test_who_may_not_add_actions(world, client_for, code, status):
    meeting = held(world)
    client = client_for(world.persona(code))
    assert client.get(detail_url(meeting, "actions/new/")).status_code == status
    assert client.post(detail_url(meeting, "actions/new/"), action_body(world)).status_code == status
    assert not Action.objects.filter(meeting=meeting).exists()


def test_the_add_page_query_count_does_not_grow(world, client_for, django_assert_num_queries):
    small = held(world)
    big = busy(world)
    client = client_for(world.mw)
    client.get(detail_url(small, "actions/new/"))
    # session; user; audit actor; savepoint; the meeting with its chair; the access-log row; invitations with
    # agencies; the people of the invited agencies; children; which children the user may open; the unread
    # badge; release savepoint.
    with django_assert_num_queries(ADD_QUERIES):
        client.get(detail_url(small, "actions/new/"))
    with django_assert_num_queries(ADD_QUERIES):
        page = client.get(detail_url(big, "actions/new/"))
    assert page.content.decode().count("<optgroup") == 5


ADD_QUERIES = 12


# -- Marking an action done ----------------------------------------------------------------------------------


def test_the_owner_agency_marks_its_action_done(world, client_for):
    meeting = held(world)
    action = action_of(world, meeting)
    client = client_for(world.po)
    response = client.post(detail_url(meeting, f"actions/{action.pk}/done/"))
    assert response.status_code == 302 and response["Location"] == detail_url(meeting) + "#actions"
    action.refresh_from_db()
    assert action.status == Action.Status.DONE and action.done_at is not None
    assert "Action for Shire Police marked done." in text(client.get(detail_url(meeting)))


def test_an_action_done_twice_says_so_and_changes_nothing(world, client_for):
    meeting = held(world)
    action = action_of(world, meeting)
    client = client_for(world.mw)
    client.post(detail_url(meeting, f"actions/{action.pk}/done/"))
    action.refresh_from_db()
    first = action.done_at
    response = client.post(detail_url(meeting, f"actions/{action.pk}/done/"))
    assert response.status_code == 302 and response["Location"] == detail_url(meeting) + "#actions"
    assert "This action was marked done on" in text(client.get(detail_url(meeting)))
    action.refresh_from_db()
    assert action.done_at == first


def test_marking_done_is_refused_to_other_agencies_and_is_a_post(world, client_for):
    meeting = held(world)
    action = action_of(world, meeting)
    url = detail_url(meeting, f"actions/{action.pk}/done/")
    assert client_for(world.hv).post(url).status_code == 403  # invited, but not the owner agency
    assert client_for(world.ad).post(url).status_code == 403
    assert client_for(world.mh).post(url).status_code == 404  # not invited: may not know the meeting
    assert client_for(world.mw).get(url).status_code == 405
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN


def test_an_action_of_another_meeting_is_not_found_through_this_one(world, client_for):
    meeting, other = held(world), held(world)
    action = action_of(world, other)
    assert client_for(world.mw).post(detail_url(meeting, f"actions/{action.pk}/done/")).status_code == 404
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN


# -- Minutes -------------------------------------------------------------------------------------------------


def test_the_minutes_start_from_what_the_meeting_recorded(world, client_for):
    meeting = held(world)
    action_of(world, meeting, what="Police check of the address.")
    response = client_for(world.mm).get(detail_url(meeting, "minutes/"))
    page = text(response)
    meeting.refresh_from_db()
    assert response.status_code == 200
    held_at = timezone.localtime(meeting.held_at)
    assert f"Held at {held_at:%H:%M} on {held_at:%A %-d %B %Y}." in page
    assert "Outcome: Section 47 enquiry (joint with police)." in page
    assert f"Initial child protection conference due by {meeting.icpc_due_by:%A %-d %B %Y}." in page
    assert "Shire Police: No response" in page and "North Children's Services: No response" in page
    assert "Police check of the address." in page and "Owner: Shire Police." in page
    assert f"Chair: {world.mm.display_name}." in page
    assert "Distribute to 3 agencies" in page and "Save draft" in page


def test_a_saved_draft_is_kept_and_unseen_by_the_agencies(world, client_for):
    meeting = held(world)
    client = client_for(world.tm)
    draft = "Draft: a joint section 47 enquiry was agreed."
    response = client.post(detail_url(meeting, "minutes/"), {"minutes": draft, "action": "save"})
    assert response.status_code == 302 and response["Location"] == detail_url(meeting, "minutes/")
    again = client.get(response["Location"])
    assert "Draft saved" in text(again) and draft in text(again)
    meeting.refresh_from_db()
    assert meeting.minutes == draft and meeting.minutes_distributed_at is None
    assert not MinutesDistribution.objects.filter(meeting=meeting).exists()
    assert draft not in text(client_for(world.po).get(detail_url(meeting)))


def test_distributing_records_each_invited_agency_and_the_police_read_the_minutes(world, client_for):
    meeting = held(world)
    action_of(world, meeting, what="Police check of the address.")
    client = client_for(world.mm)
    minutes = "A joint section 47 enquiry was agreed. The police will check the address."
    response = client.post(detail_url(meeting, "minutes/"), {"minutes": minutes, "action": "distribute"})
    assert response.status_code == 302 and response["Location"] == detail_url(meeting)
    assert "Minutes and actions distributed to 3 agencies." in text(client.get(detail_url(meeting)))
    invited = set(Invitation.objects.filter(meeting=meeting).values_list("agency_id", flat=True))
    received = list(MinutesDistribution.objects.filter(meeting=meeting).values_list("agency_id", flat=True))
    assert len(received) == 3 and set(received) == invited
    police_page = text(client_for(world.po).get(detail_url(meeting)))
    assert minutes in police_page and "Police check of the address." in police_page
    # Once distributed, the minutes page sends managers back to the meeting.
    back = client.get(detail_url(meeting, "minutes/"))
    assert back.status_code == 302 and back["Location"] == detail_url(meeting)


def test_two_managers_on_one_draft_the_second_keeps_their_text_and_sees_the_first(world, client_for):
    meeting = held(world)
    first, second = client_for(world.tm), client_for(world.mm)
    opened = re.search(r'name="seen" value="([0-9a-f]{64})"', first.get(detail_url(meeting, "minutes/")).content
                       .decode())
    assert opened is not None
    second.get(detail_url(meeting, "minutes/"))
    first.post(detail_url(meeting, "minutes/"), {"minutes": "The team manager's notes.", "action": "save",
                                                  "seen": opened.group(1)})
    refused = second.post(detail_url(meeting, "minutes/"), {"minutes": "The MASH manager's notes.",
                                                             "action": "distribute", "seen": opened.group(1)})
    page = text(refused)
    assert refused.status_code == 200 and "Someone else saved these minutes after you opened them" in page
    assert "The MASH manager's notes." in page and "The team manager's notes." in page
    meeting.refresh_from_db()
    assert meeting.minutes == "The team manager's notes." and meeting.minutes_distributed_at is None
    # Having seen both, the second manager's next save goes through.
    again = re.search(r'name="seen" value="([0-9a-f]{64})"', refused.content.decode())
    assert again is not None
    sent = second.post(detail_url(meeting, "minutes/"), {"minutes": "Both managers' notes.", "action": "distribute",
                                                          "seen": again.group(1)})
    assert sent.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Both managers' notes." and meeting.minutes_distributed_at is not None


def test_distributing_empty_minutes_is_refused_on_the_field(world, client_for):
    meeting = held(world)
    response = client_for(world.mm).post(detail_url(meeting, "minutes/"), {"minutes": "  ", "action": "distribute"})
    page = text(response)
    assert response.status_code == 200 and page.startswith("Error: ")
    assert "Write the minutes before distributing them" in page
    assert 'href="#id_minutes"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes_distributed_at is None
    assert not MinutesDistribution.objects.filter(meeting=meeting).exists()


def test_minutes_wait_until_the_meeting_is_held(world, client_for):
    meeting = convened(world)
    client = client_for(world.mm)
    response = client.get(detail_url(meeting, "minutes/"))
    assert response.status_code == 302 and response["Location"] == detail_url(meeting)
    refused = client.post(detail_url(meeting, "minutes/"), {"minutes": "Early.", "action": "distribute"})
    assert refused.status_code == 200 and "Minutes are written after the meeting is held." in text(refused)
    assert not MinutesDistribution.objects.filter(meeting=meeting).exists()


@pytest.mark.parametrize(("code", "status"), [("MW", 403), ("SW", 403), ("PO", 403), ("HV", 403), ("AD", 403),
                                               ("MH", 404), ("AU", 404), ("OUT", 404)])
def test_who_may_not_write_the_minutes(world, client_for, code, status):
    meeting = held(world)
    client = client_for(world.persona(code))
    assert client.get(detail_url(meeting, "minutes/")).status_code == status
    body = {"minutes": "Agreed.", "action": "distribute"}
    assert client.post(detail_url(meeting, "minutes/"), body).status_code == status
    assert not MinutesDistribution.objects.filter(meeting=meeting).exists()


def test_the_chair_writes_the_minutes(world, client_for):
    meeting = services.meeting_schedule(meeting=convened(world), by=world.mm,
                                        scheduled_for=timezone.now() + timedelta(hours=1), chair=world.sw)
    services.meeting_hold(meeting=meeting, by=world.sw, held_at=timezone.now(), attendance={},
                          outcome="no_further_action", missing_agency_reason="Police and health sent nothing.")
    response = client_for(world.sw).get(detail_url(meeting, "minutes/"))
    assert response.status_code == 200 and f"Chair: {world.sw.display_name}." in text(response)
    assert "Initial child protection conference" not in text(response)  # no section 47 outcome


def test_the_minutes_page_query_count_does_not_grow(world, client_for, django_assert_num_queries):
    small = held(world)
    big = busy(world)
    client = client_for(world.mm)
    client.get(detail_url(small, "minutes/"))
    # session; user; audit actor; savepoint; the meeting with its chair; the access-log row; invitations with
    # agencies; actions with owner agency and owner; children; which children the user may open; the unread
    # badge; release savepoint.
    with django_assert_num_queries(MINUTES_QUERIES):
        client.get(detail_url(small, "minutes/"))
    with django_assert_num_queries(MINUTES_QUERIES):
        page = client.get(detail_url(big, "minutes/"))
    assert "Distribute to 5 agencies" in text(page)


MINUTES_QUERIES = 12
