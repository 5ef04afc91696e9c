"""The case page (issue 6): summary, each child's voice, open tasks, plans, family, the chronology's latest and
files, within the access rules, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import ChildVoice, Person, Plan, PlanAction
from tests.cases.lived import LivedFamily, lived_family_at_home
from tests.conftest import World

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def heard(w: World, child: Person, *, weeks_ago: float, words: str = "", observations: str = "") -> ChildVoice:
    return ChildVoice.objects.create(
        partnership=w.north, child=child, recorded_at=timezone.now() - timedelta(weeks=weeks_ago),
        practitioner=w.sw, agency=w.csc, method=ChildVoice.Method.DIRECT_CONVERSATION if words else
        ChildVoice.Method.OBSERVATION, childs_words=words, observations=observations)


def plan_with_action(w: World, family: LivedFamily, *, due_in_days: int) -> Plan:
    case = family.case_of(family.eldest)
    plan = Plan.objects.create(partnership=w.north, case=case, kind=Plan.Kind.CHILD_IN_NEED,
                               what_must_change="Chidi feels safe at home and goes to school every day.",
                               starts_on=timezone.localdate() - timedelta(days=30))
    PlanAction.objects.create(partnership=w.north, plan=plan, description="Weekly home visit by the social worker",
                              party=PlanAction.Party.AGENCY, agency=w.csc, owner=w.sw,
                              due_by=timezone.localdate() + timedelta(days=due_in_days))
    return plan


@pytest.fixture
def family(world) -> LivedFamily:
    return lived_family_at_home(world)


def test_a_sibling_group_shows_each_child_s_last_voice_separately_and_flags_the_one_not_heard(
        world, client_for, family):
    heard(world, family.eldest, weeks_ago=1, words="I don't like it when Dean shouts.")
    heard(world, family.middle, weeks_ago=8, words="I hide in my room.")
    heard(world, family.baby, weeks_ago=2, observations="Tobi flinched when the door banged.")
    page = text(client_for(world.sw).get(f"/cases/{family.case_of(family.eldest).pk}/"))
    voices = page[page.index("Each child's voice"):page.index("Open tasks")]
    assert voices.index("Chidi Okafor") < voices.index("Adaeze Okafor") < voices.index("Tobi Okafor")
    assert voices.count("Not heard for 6 weeks") == 1
    adaeze = voices[voices.index("Adaeze Okafor"):voices.index("Tobi Okafor")]
    assert "Not heard for 6 weeks" in adaeze
    assert "Observation" in voices[voices.index("Tobi Okafor"):]


def test_open_tasks_show_plan_actions_with_what_is_overdue(world, client_for, family):
    plan_with_action(world, family, due_in_days=-2)
    page = text(client_for(world.sw).get(f"/cases/{family.case_of(family.eldest).pk}/"))
    tasks = page[page.index("Open tasks"):page.index("Plans")]
    assert "Weekly home visit by the social worker" in tasks and "Overdue" in tasks
    assert "Child in need plan" in page[page.index("Plans"):]


def test_an_involved_agency_sees_the_case_and_an_agency_with_only_the_child_s_record_does_not(
        world, client_for, family):
    url = f"/cases/{family.case_of(family.baby).pk}/"
    assert client_for(world.hv).get(url).status_code == 200
    assert client_for(world.po).get(url).status_code == 404
    assert client_for(world.out).get(url).status_code == 404


def test_the_case_page_query_count_does_not_grow_with_what_the_case_holds(world, client_for, family):
    client = client_for(world.sw)
    url = f"/cases/{family.case_of(family.eldest).pk}/"
    # One of each first (a prefetch is only made when there is something to fetch), then many.
    for child in family.children:
        heard(world, child, weeks_ago=7, words="First visit")
    plan_with_action(world, family, due_in_days=1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(6):
        for child in family.children:
            heard(world, child, weeks_ago=n + 0.5, words=f"Visit {n}")
        plan_with_action(world, family, due_in_days=n)
    with CaptureQueriesContext(connection) as big:
        client.get(url)
    assert len(big) == len(small)
