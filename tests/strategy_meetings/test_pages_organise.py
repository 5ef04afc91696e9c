"""Organising a strategy meeting: inviting an agency, the time and chair, considered but not held, and the
initial child protection conference after a section 47 outcome."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from agencies.models import Agency, Role
from strategy_meetings.models import Invitation, StrategyMeeting
from strategy_meetings.services import meeting_conference_book, meeting_hold, meeting_invite, meeting_schedule
from tests.factories import AgencyFactory, UserFactory
from tests.matrix.strategy_meeting_pages_organise import moment_body
from tests.matrix.strategy_meetings_api import convened, held
from tests.strategy_meetings.test_pages import detail_url, text

pytestmark = pytest.mark.django_db

KNOWN_BUT_REFUSED = ["PO", "HV", "AD"]
UNKNOWN = ["MH", "TE", "AU", "OUT"]


def at_local(day_offset: int, clock: time) -> datetime:
    """A moment some days from today at a local clock time."""
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=day_offset), clock))


def long_date(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M on %A %-d %B %Y}"


def held_s47(world: Any) -> StrategyMeeting:
    """A meeting held that decided on a joint section 47 enquiry, as it is now (its conference due date set)."""
    meeting = held(world)
    meeting.refresh_from_db()
    return meeting


def more_agencies(world: Any, count: int) -> list[Agency]:
    return [AgencyFactory.create(name=f"North Agency {n}", kind=Agency.Kind.HOUSING, partnerships=[world.north])
            for n in range(count)]


# -- Inviting an agency ------------------------------------------------------------------------------------


def test_an_organiser_invites_the_school_and_it_can_see_the_meeting(world, client_for):
    meeting = convened(world)
    client = client_for(world.mw)
    form = text(client.get(detail_url(meeting, "invite/")))
    # Those not invited yet, by name; the police (invited when convened) are not offered again.
    assert form.index("North Adult Mental Health") < form.index("Northgate Primary School")
    assert "Shire Police" not in form
    response = client.post(detail_url(meeting, "invite/"), {
        "agency": world.school.pk, "required": "yes", "proposed_because": "The child's school saw the bruising."},
        follow=True)
    assert response.redirect_chain[-1][0] == detail_url(meeting)
    page = text(response)
    assert "Northgate Primary School is invited. The agency has been told and can now see the meeting." in page
    assert "Northgate Primary School Required The child's school saw the bruising." in page
    invitation = Invitation.objects.get(meeting=meeting, agency=world.school)
    assert invitation.required
    assert client_for(world.te).get(detail_url(meeting)).status_code == 200


def test_inviting_without_choosing_is_refused_on_each_field(world, client_for):
    meeting = convened(world)
    response = client_for(world.sw).post(detail_url(meeting, "invite/"), {"proposed_because": "Knows the family."})
    page, html = text(response), response.content.decode()
    assert response.status_code == 200 and page.startswith("Error: ")
    assert "Choose the agency to invite" in page and "Choose whether the meeting must hear from this agency" in page
    assert 'href="#id_agency"' in html and 'href="#id_required"' in html
    assert "Knows the family." in page  # what was typed is kept
    assert Invitation.objects.filter(meeting=meeting).count() == 3


def test_an_agency_already_invited_cannot_be_invited_again(world, client_for):
    meeting = convened(world)
    response = client_for(world.mw).post(detail_url(meeting, "invite/"),
                                         {"agency": world.police.pk, "required": "no"})
    assert response.status_code == 200 and "Choose the agency to invite" in text(response)
    assert Invitation.objects.filter(meeting=meeting, agency=world.police).count() == 1


def test_with_every_agency_invited_the_page_says_so_instead_of_a_form(world, client_for):
    meeting = convened(world)
    for agency in (world.mental_health, world.school):
        meeting_invite(meeting=meeting, by=world.mm, agency=agency)
    response = client_for(world.mw).get(detail_url(meeting, "invite/"))
    page = text(response)
    assert "Every agency working in this partnership is already invited to this meeting." in page
    assert "Invite the agency" not in page


def test_a_long_list_of_agencies_is_a_select(world, client_for):
    meeting = convened(world)
    more_agencies(world, 8)
    html = client_for(world.mw).get(detail_url(meeting, "invite/")).content.decode()
    assert '<select class="govuk-select' in html and "Choose an agency" in html


def test_a_held_meeting_sends_the_organiser_back_to_it(world, client_for):
    meeting = held(world)
    response = client_for(world.mw).get(detail_url(meeting, "invite/"), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(meeting)
    assert "This meeting is held, so it cannot invite any more agencies." in text(response)


@pytest.mark.parametrize(("code", "status"), [*((code, 403) for code in KNOWN_BUT_REFUSED),
                                              *((code, 404) for code in UNKNOWN)])
def test_only_organisers_invite(world, client_for, code, status):
    meeting = convened(world)
    client = client_for(world.persona(code))
    assert client.get(detail_url(meeting, "invite/")).status_code == status
    assert client.post(detail_url(meeting, "invite/"),
                       {"agency": world.school.pk, "required": "no"}).status_code == status
    assert not Invitation.objects.filter(meeting=meeting, agency=world.school).exists()


def test_the_invite_page_query_count_does_not_grow_with_the_agencies(world, client_for, django_assert_num_queries):
    meeting = convened(world)
    client = client_for(world.mw)
    client.get(detail_url(meeting, "invite/"))
    # session; user with membership and agency; the audit actor; savepoint; the meeting with its chair; the
    # access-log row; the agencies not yet invited; the children; which children the user may open; the unread
    # badge; release savepoint.
    with django_assert_num_queries(INVITE_QUERIES):
        client.get(detail_url(meeting, "invite/"))
    for agency in more_agencies(world, 12)[:6]:
        meeting_invite(meeting=meeting, by=world.mm, agency=agency)
    with django_assert_num_queries(INVITE_QUERIES):
        page = text(client.get(detail_url(meeting, "invite/")))
    assert "North Agency 11" in page and "North Agency 0 " not in page


INVITE_QUERIES = 11


# -- Scheduling --------------------------------------------------------------------------------------------


def test_an_organiser_schedules_the_meeting_with_a_chair(world, client_for):
    meeting = convened(world)
    client = client_for(world.sw)
    form = text(client.get(detail_url(meeting, "schedule/")))
    assert f"{world.tm.display_name} (Team manager)" in form
    for code in ("AU", "AD", "PO", "OUT"):  # not children's social care casework staff of North
        assert world.persona(code).display_name not in form
    when = at_local(1, time(14, 30))
    response = client.post(detail_url(meeting, "schedule/"),
                           {**moment_body("scheduled_on", "scheduled_time", when), "chair": world.tm.pk},
                           follow=True)
    assert response.redirect_chain[-1][0] == detail_url(meeting)
    assert (f"Strategy meeting {meeting.pk} is scheduled for {long_date(when)}, chaired by"
            f" {world.tm.display_name}.") in text(response)
    meeting.refresh_from_db()
    assert meeting.status == StrategyMeeting.Status.SCHEDULED
    assert meeting.scheduled_for == when and meeting.chair == world.tm


def test_the_schedule_page_is_filled_in_with_the_current_time_and_chair(world, client_for):
    meeting = convened(world)
    when = at_local(2, time(9, 5))
    meeting_schedule(meeting=meeting, by=world.mm, scheduled_for=when, chair=world.sw)
    html = client_for(world.mw).get(detail_url(meeting, "schedule/")).content.decode()
    assert f'name="scheduled_on_day" type="text" inputmode="numeric" spellcheck="false" value="{when.day}"' in html
    assert 'value="09:05"' in html
    assert f'value="{world.sw.pk}" checked' in html


def test_a_time_that_is_not_a_time_is_refused_and_nothing_is_saved(world, client_for):
    meeting = convened(world)
    body = {**moment_body("scheduled_on", "scheduled_time", at_local(1, time(10, 0))), "scheduled_time": "25:99",
            "chair": world.tm.pk}
    response = client_for(world.mw).post(detail_url(meeting, "schedule/"), body)
    page = text(response)
    assert response.status_code == 200 and page.startswith("Error: ")
    assert "Enter a real time, using the 24-hour clock, for example 14:30" in page
    assert 'href="#id_scheduled_time"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == StrategyMeeting.Status.DUE and meeting.scheduled_for is None and meeting.chair is None


def test_an_auditor_cannot_be_chosen_to_chair(world, client_for):
    meeting = convened(world)
    body = {**moment_body("scheduled_on", "scheduled_time", at_local(1, time(10, 0))), "chair": world.au.pk}
    response = client_for(world.mw).post(detail_url(meeting, "schedule/"), body)
    assert response.status_code == 200 and "Choose who chairs the meeting" in text(response)
    assert 'href="#id_chair"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.chair is None and meeting.scheduled_for is None


def test_a_missing_date_and_chair_are_each_asked_for(world, client_for):
    meeting = convened(world)
    response = client_for(world.mw).post(detail_url(meeting, "schedule/"), {"scheduled_time": "10:00"})
    page = text(response)
    assert "Enter the date of the meeting" in page and "Choose who chairs the meeting" in page
    assert 'value="10:00"' in response.content.decode()


def test_the_chair_from_another_agency_is_kept_as_a_choice(world, client_for):
    meeting = convened(world)
    meeting_schedule(meeting=meeting, by=world.mm, scheduled_for=at_local(1, time(11, 0)), chair=world.po)
    html = client_for(world.mw).get(detail_url(meeting, "schedule/")).content.decode()
    assert f'value="{world.po.pk}" checked' in html


@pytest.mark.parametrize(("code", "status"), [*((code, 403) for code in KNOWN_BUT_REFUSED),
                                              *((code, 404) for code in UNKNOWN)])
def test_only_organisers_schedule(world, client_for, code, status):
    meeting = convened(world)
    client = client_for(world.persona(code))
    body = {**moment_body("scheduled_on", "scheduled_time", at_local(1, time(10, 0))), "chair": world.tm.pk}
    assert client.get(detail_url(meeting, "schedule/")).status_code == status
    assert client.post(detail_url(meeting, "schedule/"), body).status_code == status
    meeting.refresh_from_db()
    assert meeting.scheduled_for is None


def test_the_schedule_page_query_count_does_not_grow(world, client_for, django_assert_num_queries):
    meeting = convened(world)
    client = client_for(world.mw)
    client.get(detail_url(meeting, "schedule/"))
    # session; user with membership and agency; the audit actor; savepoint; the meeting with its chair; the
    # access-log row; the staff who may chair; the children; which children the user may open; the unread badge;
    # release savepoint.
    with django_assert_num_queries(SCHEDULE_QUERIES):
        client.get(detail_url(meeting, "schedule/"))
    for n in range(10):
        UserFactory.create(username=f"sw{n}", agency=world.csc, role=Role.SOCIAL_WORKER)
    for agency in more_agencies(world, 4):
        meeting_invite(meeting=meeting, by=world.mm, agency=agency)
    with django_assert_num_queries(SCHEDULE_QUERIES):
        html = client.get(detail_url(meeting, "schedule/")).content.decode()
    assert '<select class="govuk-select' in html  # the longer list of staff is a select


SCHEDULE_QUERIES = 11


# -- Considered but not held -------------------------------------------------------------------------------


def test_a_manager_records_the_meeting_not_held(world, client_for):
    meeting = convened(world)
    client = client_for(world.tm)
    form = text(client.get(detail_url(meeting, "not-held/")))
    assert "Warning This closes the meeting." in form and "its reminders stop" in form
    response = client.post(detail_url(meeting, "not-held/"), {
        "rationale": "The police arrested the stepfather; the child is safe with her grandmother.",
        "instead": "Single-agency assessment by the social worker."}, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(meeting)
    page = text(response)
    assert f"Strategy meeting {meeting.pk} recorded as considered but not held." in page
    assert "Why it was not held The police arrested the stepfather" in page
    assert "What was done instead Single-agency assessment by the social worker." in page
    meeting.refresh_from_db()
    assert meeting.status == StrategyMeeting.Status.CONSIDERED_NOT_HELD


def test_not_held_without_a_rationale_is_refused(world, client_for):
    meeting = convened(world)
    response = client_for(world.mm).post(detail_url(meeting, "not-held/"), {"rationale": "  ", "instead": "A call."})
    page = text(response)
    assert response.status_code == 200 and page.startswith("Error: ")
    assert "Say why the meeting is not needed" in page and 'href="#id_rationale"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == StrategyMeeting.Status.DUE and meeting.not_held_instead == ""


def test_a_meeting_already_closed_sends_the_manager_back(world, client_for):
    meeting = held(world)
    response = client_for(world.sm).get(detail_url(meeting, "not-held/"), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(meeting)
    assert "This meeting is held, so it cannot be recorded as not held." in text(response)


@pytest.mark.parametrize(("code", "status"), [("MW", 403), ("SW", 403), *((code, 403) for code in KNOWN_BUT_REFUSED),
                                              *((code, 404) for code in UNKNOWN)])
def test_only_managers_record_not_held(world, client_for, code, status):
    meeting = convened(world)
    client = client_for(world.persona(code))
    assert client.get(detail_url(meeting, "not-held/")).status_code == status
    assert client.post(detail_url(meeting, "not-held/"), {"rationale": "Not needed."}).status_code == status
    meeting.refresh_from_db()
    assert meeting.status == StrategyMeeting.Status.DUE


def test_the_chair_may_record_not_held(world, client_for):
    meeting = convened(world)
    meeting_schedule(meeting=meeting, by=world.mm, scheduled_for=at_local(1, time(10, 0)), chair=world.sw)
    assert client_for(world.sw).get(detail_url(meeting, "not-held/")).status_code == 200


def test_the_not_held_page_query_count_does_not_grow(world, client_for, django_assert_num_queries):
    meeting = convened(world)
    client = client_for(world.mm)
    client.get(detail_url(meeting, "not-held/"))
    # session; user with membership and agency; the audit actor; savepoint; the meeting with its chair; the
    # access-log row; the children; which children the user may open; the unread badge; release savepoint.
    with django_assert_num_queries(NOT_HELD_QUERIES):
        client.get(detail_url(meeting, "not-held/"))
    for agency in more_agencies(world, 4):
        meeting_invite(meeting=meeting, by=world.mm, agency=agency)
    with django_assert_num_queries(NOT_HELD_QUERIES):
        client.get(detail_url(meeting, "not-held/"))


NOT_HELD_QUERIES = 10


# -- The initial child protection conference ---------------------------------------------------------------


def test_an_organiser_books_the_conference_within_the_15_working_days(world, client_for):
    meeting = held_s47(world)
    assert meeting.icpc_due_by is not None
    client = client_for(world.sw)
    form = text(client.get(detail_url(meeting, "conference/")))
    assert f"Due by {meeting.icpc_due_by:%A %-d %B %Y} (15 working days after the meeting)" in form
    when = at_local(3, time(10, 0))
    response = client.post(detail_url(meeting, "conference/"),
                           moment_body("conference_on", "conference_time", when), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(meeting)
    page = text(response)
    assert f"Initial child protection conference booked for {long_date(when)}." in page
    assert "later than 15 working days" not in page
    meeting.refresh_from_db()
    assert meeting.icpc_at == when


def test_a_conference_after_the_due_date_is_booked_with_a_warning(world, client_for):
    meeting = held_s47(world)
    assert meeting.icpc_due_by is not None
    when = timezone.make_aware(datetime.combine(meeting.icpc_due_by + timedelta(days=2), time(13, 0)))
    response = client_for(world.mw).post(detail_url(meeting, "conference/"),
                                         moment_body("conference_on", "conference_time", when), follow=True)
    assert (f"This is later than 15 working days after the strategy meeting: it was due by"
            f" {meeting.icpc_due_by:%A %-d %B %Y}.") in text(response)
    meeting.refresh_from_db()
    assert meeting.icpc_at == when


def test_the_conference_page_is_filled_in_with_the_booking(world, client_for):
    meeting = held(world)
    when = at_local(4, time(15, 45))
    meeting_conference_book(meeting=meeting, by=world.mm, conference_at=when)
    html = client_for(world.mw).get(detail_url(meeting, "conference/")).content.decode()
    assert f'name="conference_on_month" type="text" inputmode="numeric" spellcheck="false" value="{when.month}"' in html
    assert 'value="15:45"' in html


def test_a_conference_before_the_strategy_meeting_is_refused(world, client_for):
    meeting = held(world)
    when = timezone.localtime() - timedelta(days=2)
    response = client_for(world.mw).post(detail_url(meeting, "conference/"),
                                         moment_body("conference_on", "conference_time", when))
    page = text(response)
    assert response.status_code == 200 and page.startswith("Error: ")
    assert "The conference cannot be before the strategy meeting." in page
    assert 'href="#id_conference_on"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.icpc_at is None


def test_no_conference_is_booked_without_a_section_47_outcome(world, client_for):
    meeting = convened(world)
    client = client_for(world.mw)
    response = client.get(detail_url(meeting, "conference/"), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(meeting)
    assert "An initial child protection conference is booked after a strategy meeting decides on a section 47" \
           " enquiry." in text(response)
    refused = client.post(detail_url(meeting, "conference/"),
                          moment_body("conference_on", "conference_time", at_local(3, time(10, 0))))
    assert refused.status_code == 200 and "follows a strategy meeting that decided on a section 47" in text(refused)
    meeting.refresh_from_db()
    assert meeting.icpc_at is None


@pytest.mark.parametrize(("code", "status"), [*((code, 403) for code in KNOWN_BUT_REFUSED),
                                              *((code, 404) for code in UNKNOWN)])
def test_only_organisers_book_the_conference(world, client_for, code, status):
    meeting = held(world)
    client = client_for(world.persona(code))
    assert client.get(detail_url(meeting, "conference/")).status_code == status
    body = moment_body("conference_on", "conference_time", at_local(3, time(10, 0)))
    assert client.post(detail_url(meeting, "conference/"), body).status_code == status
    meeting.refresh_from_db()
    assert meeting.icpc_at is None


def test_the_conference_page_query_count_does_not_grow(world, client_for, django_assert_num_queries):
    meeting = held(world)
    client = client_for(world.mw)
    client.get(detail_url(meeting, "conference/"))
    # session; user with membership and agency; the audit actor; savepoint; the meeting with its chair; the
    # access-log row; the children; which children the user may open; the unread badge; release savepoint.
    with django_assert_num_queries(CONFERENCE_QUERIES):
        client.get(detail_url(meeting, "conference/"))
    bigger = convened(world)
    for agency in more_agencies(world, 4):
        meeting_invite(meeting=bigger, by=world.mm, agency=agency)
    meeting_hold(meeting=bigger, by=world.mm, held_at=timezone.now() - timedelta(minutes=5), attendance={},
                 outcome="section_47_single_agency", missing_agency_reason="Police and health sent apologies.")
    with django_assert_num_queries(CONFERENCE_QUERIES):
        client.get(detail_url(bigger, "conference/"))


CONFERENCE_QUERIES = 10
