"""Strategy meetings in each user's work list (the home page, SPEC 3.4): meetings an agency is asked to, the
minutes it received, the actions it owns, and for managers the meetings not yet held; and the navigation."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from agencies.models import Role, User
from cases.models import Person
from cases.permissions import record_share_with
from referrals.services import agency_check_request, referral_create
from strategy_meetings.models import Action, MinutesDistribution, StrategyMeeting
from strategy_meetings.services import (
    meeting_action_add,
    meeting_action_done,
    meeting_contribute,
    meeting_minutes_distribute,
    meeting_schedule,
)
from tests.conftest import PERSONA_CODES, World
from tests.factories import UserFactory
from tests.matrix.strategy_meetings_api import convened, held

pytestmark = pytest.mark.django_db

REQUESTS = "requests-for-information-to-your-agency"
SHARED = "records-shared-with-your-agency-recently"
YOUR_ACTIONS = "your-actions"
ACTIONS_DUE = "actions-due"
NOT_HELD = "strategy-meetings-not-yet-held"


def home(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return str(response.content.decode())


def section(html: str, slug: str) -> str:
    return html.split(f'id="section-{slug}"')[1].split("</section>")[0]


def words(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def link(meeting: StrategyMeeting) -> str:
    return f'href="/strategy-meetings/{meeting.pk}/"'


def child_of(meeting: StrategyMeeting) -> Person:
    return meeting.children.get().child


def action(world: World, meeting: StrategyMeeting, agency, *, days: int, owner: User | None = None,
           description: str = "Visit the family and see the children alone.") -> Action:
    return meeting_action_add(meeting=meeting, by=world.mm, description=description, owner_agency=agency,
                              owner=owner, due_by=timezone.localdate() + timedelta(days=days))


# -- Actions ---------------------------------------------------------------------------------------------------


def test_a_practitioner_sees_the_actions_they_and_their_agency_own_soonest_first(world, client_for):
    meeting = held(world)
    colleague = UserFactory.create(agency=world.police, role=Role.PRACTITIONER, partnership=world.north)
    agency_wide = action(world, meeting, world.police, days=3, description="Check the address for call-outs.")
    own = action(world, meeting, world.police, days=1, owner=world.po,
                 description="Interview the child with a trained officer, jointly with the social worker. " * 3)
    action(world, meeting, world.police, days=0, owner=colleague, description="Speak to the stepfather.")
    action(world, meeting, world.health_visiting, days=2, description="Weigh the baby and check the red book.")
    done = action(world, meeting, world.police, days=0, description="Tell the school.")
    meeting_action_done(action=done, by=world.po)

    actions = section(home(client_for(world.po)), YOUR_ACTIONS)
    assert actions.count(link(meeting)) == 2
    page = words(actions)
    assert page.index("Interview the child") < page.index("Check the address")
    assert child_of(meeting).full_name in page and "Strategy meeting action for Shire Police, due" in page
    assert "Speak to the stepfather" not in page and "Weigh the baby" not in page and "Tell the school" not in page
    # A long description is shortened; the time left runs to the end of the day it is due.
    assert own.description not in page and "Interview the child with a trained officer" in page and "…" in page
    assert agency_wide.description in page and page.count(" left") == 2

    assert "Weigh the baby and check the red book." in words(section(home(client_for(world.hv)), YOUR_ACTIONS))
    # The school was not invited: it owns nothing and hears of nothing.
    assert "You have no actions." in words(section(home(client_for(world.te)), YOUR_ACTIONS))


def test_an_action_past_its_day_is_overdue(world, client_for):
    meeting = held(world)
    overdue = action(world, meeting, world.police, days=1, owner=world.po)
    Action.objects.filter(pk=overdue.pk).update(due_by=timezone.localdate() - timedelta(days=2))
    action(world, meeting, world.police, days=0, description="Share the custody record.")
    page = words(section(home(client_for(world.po)), YOUR_ACTIONS))
    before, after = page.split("Share the custody record")
    # Due on a date: overdue from the start of the next day.
    assert "Visit the family" in before and "Overdue by 1 day" in before
    assert "Overdue" not in after and " left" in after


def test_a_social_worker_sees_their_actions_due(world, client_for):
    meeting = held(world)
    action(world, meeting, world.csc, days=2, owner=world.sw, description="Complete the section 47 enquiry.")
    page = words(section(home(client_for(world.sw)), ACTIONS_DUE))
    assert "Complete the section 47 enquiry." in page
    assert "Strategy meeting action for North Children's Services" in page
    assert "Complete the section 47 enquiry." not in home(client_for(world.mw))


def test_a_restricted_child_is_not_named_to_those_who_may_not_open_them(world, client_for):
    meeting = held(world)
    child = child_of(meeting)
    Person.objects.filter(pk=child.pk).update(restricted=True)
    action(world, meeting, world.police, days=2, owner=world.po)
    page = words(section(home(client_for(world.po)), YOUR_ACTIONS))
    assert "A child whose record is restricted" in page and child.full_name not in page


# -- Requests for information -----------------------------------------------------------------------------------


def test_an_invited_agency_is_asked_until_it_is_heard(world, client_for):
    meeting = convened(world)
    name = child_of(meeting).full_name
    requests = section(home(client_for(world.hv)), REQUESTS)
    assert f"{link(meeting)}>{name}</a>" in requests
    page = words(requests)
    assert "your agency is required" in page and "not yet scheduled" in page and "left" in page
    assert 'href="/strategy-meetings/">Go to strategy meetings</a>' in requests

    meeting_contribute(meeting=meeting, by=world.hv, information="Seen at the 2-year review; no concerns then.")
    assert link(meeting) not in section(home(client_for(world.hv)), REQUESTS)
    # Police, invited too, is still asked; the school and mental health were not invited.
    assert link(meeting) in section(home(client_for(world.po)), REQUESTS)
    for user in (world.te, world.mh):
        assert link(meeting) not in home(client_for(user))


def test_a_scheduled_meeting_counts_down_to_its_time_and_a_held_one_asks_no_more(world, client_for):
    later = convened(world)
    sooner = convened(world)
    meeting_schedule(meeting=later, by=world.mm, scheduled_for=timezone.now() + timedelta(hours=30))
    meeting_schedule(meeting=sooner, by=world.mm, scheduled_for=timezone.now() + timedelta(hours=3))
    gone = held(world)
    requests = section(home(client_for(world.po)), REQUESTS)
    assert requests.index(link(sooner)) < requests.index(link(later))
    assert link(gone) not in requests
    page = words(requests)
    assert "Strategy meeting on" in page and ("2 hours 59 minutes left" in page or "3 hours left" in page)


def test_checks_and_meetings_share_the_list_soonest_due_first(world, client_for):
    child = Person.objects.create(partnership=world.north, given_name="Ada", family_name="Quist",
                                  search_name="ada quist")
    record_share_with(record=child, agency=world.health_visiting, what="Known to the agency", by=None)
    referral = referral_create(by=world.hv, received_at=timezone.now() - timedelta(hours=1),
                               referrer_agency=world.health_visiting, children=[child],
                               concerns="Bruising on the arm.", consent="given")
    check = agency_check_request(referral=referral, by=world.mw, agency=world.police, question="Known to you?")
    meeting = convened(world)
    StrategyMeeting.objects.filter(pk=meeting.pk).update(due_by=check.due_at + timedelta(minutes=5))
    requests = section(home(client_for(world.po)), REQUESTS)
    assert requests.index(f'href="/checks/{check.pk}/"') < requests.index(link(meeting))
    StrategyMeeting.objects.filter(pk=meeting.pk).update(due_by=check.due_at - timedelta(minutes=5))
    requests = section(home(client_for(world.po)), REQUESTS)
    assert requests.index(link(meeting)) < requests.index(f'href="/checks/{check.pk}/"')


# -- Minutes shared ----------------------------------------------------------------------------------------------


def test_minutes_distributed_to_the_agency_are_shared_recently(world, client_for):
    meeting = held(world)
    not_yet = held(world)
    meeting_minutes_distribute(meeting=meeting, by=world.mm, minutes="Section 47 enquiry, joint with police.")
    shared = section(home(client_for(world.po)), SHARED)
    assert link(meeting) in shared and link(not_yet) not in shared
    assert f"Minutes received {timezone.localtime():%d %b %Y}" in words(shared)
    assert link(meeting) in section(home(client_for(world.hv)), SHARED)
    # The school was not invited, so received nothing.
    assert "Nothing has been shared with Northgate Primary School recently." in words(
        section(home(client_for(world.te)), SHARED))

    MinutesDistribution.objects.filter(meeting=meeting).update(distributed_at=timezone.now() - timedelta(days=31))
    assert link(meeting) not in section(home(client_for(world.po)), SHARED)


def test_the_newest_minutes_come_first(world, client_for):
    older, newer = held(world), held(world)
    for meeting in (older, newer):
        meeting_minutes_distribute(meeting=meeting, by=world.mm, minutes="Agreed actions.")
    MinutesDistribution.objects.filter(meeting=older).update(distributed_at=timezone.now() - timedelta(days=2))
    shared = section(home(client_for(world.po)), SHARED)
    assert shared.index(link(newer)) < shared.index(link(older))


# -- Meetings not yet held -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["MM", "TM"])
def test_managers_see_the_meetings_not_yet_held_soonest_due_first(world, client_for, code):
    later = convened(world)
    sooner = convened(world)
    StrategyMeeting.objects.filter(pk=sooner.pk).update(due_by=timezone.now() - timedelta(hours=1))
    meeting_schedule(meeting=later, by=world.mm, scheduled_for=timezone.now() + timedelta(hours=5), chair=world.sw)
    done = held(world)
    not_held = section(home(client_for(world.persona(code))), NOT_HELD)
    assert not_held.index(link(sooner)) < not_held.index(link(later)) and link(done) not in not_held
    page = words(not_held)
    assert "Overdue by 1 hour" in page and "not yet scheduled" in page
    assert f"chaired by {world.sw.display_name}" in page
    assert 'href="/strategy-meetings/">Go to strategy meetings</a>' in not_held


def test_with_no_meeting_to_hold_the_section_says_so(world, client_for):
    held(world)
    assert "Every strategy meeting has been held or recorded as not needed." in words(
        section(home(client_for(world.mm)), NOT_HELD))


def test_another_area_s_meetings_are_not_listed(world, client_for):
    meeting = convened(world)
    south_manager = UserFactory.create(agency=world.south_csc, role=Role.MASH_MANAGER)
    assert link(meeting) not in home(client_for(south_manager))


# -- Query counts ----------------------------------------------------------------------------------------------


def _practitioner_work(world: World) -> None:
    """A meeting police is asked to, one whose minutes it received, and an action it owns."""
    convened(world)
    meeting = held(world)
    action(world, meeting, world.police, days=2, owner=world.po)
    meeting_minutes_distribute(meeting=meeting, by=world.mm, minutes="Agreed actions.")


def test_the_practitioner_s_home_does_not_grow_with_meetings(world, client_for, django_assert_num_queries):
    client = client_for(world.po)
    _practitioner_work(world)
    home(client)
    # session; user with membership and agency; the actor's set_config; savepoint; the agency's open checks
    # (none, so no children); the meetings it is asked to, their children, which of them the user may open;
    # the minutes received, their children, which may be opened; the meeting actions owned, their children, which
    # may be opened; the plan actions owned; tasks due; latest unread; the header badge's count; release savepoint.
    with django_assert_num_queries(PRACTITIONER_QUERIES):
        one = home(client)
    for _ in range(4):
        _practitioner_work(world)
    with django_assert_num_queries(PRACTITIONER_QUERIES):
        five = home(client)
    for slug in (REQUESTS, SHARED, YOUR_ACTIONS):
        assert section(one, slug).count("/strategy-meetings/") < section(five, slug).count("/strategy-meetings/")


PRACTITIONER_QUERIES = 20  # with the user's drafts (none)


def test_the_mash_manager_s_home_does_not_grow_with_meetings(world, client_for, django_assert_num_queries):
    client = client_for(world.mm)
    convened(world)
    home(client)
    # session; user with membership and agency; the actor's set_config; savepoint; the top of the queue (none);
    # the meetings not yet held with chair, their children, which of them the user may open; decisions not fed
    # back (none); tasks due; latest unread; the header badge's count; release savepoint; and the dashboard's
    # snapshot with its headline figures (agencies.home.HEADLINE_MEASURES).
    with django_assert_num_queries(MASH_MANAGER_QUERIES):
        one = home(client)
    for _ in range(6):
        convened(world)
    with django_assert_num_queries(MASH_MANAGER_QUERIES):
        many = home(client)
    assert section(one, NOT_HELD).count('href="/strategy-meetings/') == 2  # one meeting, and the link to all
    assert section(many, NOT_HELD).count('href="/strategy-meetings/') == 6  # five shown, and the link to all


MASH_MANAGER_QUERIES = 15  # with the user's drafts (none)


# -- Navigation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", PERSONA_CODES)
def test_strategy_meetings_are_in_the_navigation_for_every_role_but_auditor_and_admin(world, client_for, code):
    html = home(client_for(world.persona(code)))
    nav = html.split("govuk-service-navigation__list")[1].split("</ul>")[0]
    assert ('href="/strategy-meetings/"' in nav) is (code not in ("AU", "AD"))
