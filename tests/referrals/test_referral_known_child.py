"""A referral about a child already on the system, from the child's record (?child=): nothing about the child is
typed again, and the other children of the child's household are offered with one button each (enter once)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from django.utils import timezone

from cases.models import Household, HouseholdMember, Person
from cases.permissions import record_share_with
from referrals.models import Referral
from tests.access_matrix_base import SIGN_IN_REDIRECT, statuses
from tests.conftest import PERSONA_CODES, World
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

CREATE = "/referrals/new/"


def years_ago(years: int) -> date:
    return timezone.localdate() - timedelta(days=365 * years + 30)


def person(world: World, given: str, family: str, born: date | None, *, shared: bool = True,
           **extra: Any) -> Person:
    made = Person.objects.create(partnership=world.north, given_name=given, family_name=family, date_of_birth=born,
                                 search_name=f"{given} {family}".lower(), **extra)
    if shared:
        record_share_with(record=made, agency=world.health_visiting, what="Health visiting caseload", by=None)
    return made


def household(world: World, members: list[Person], *, shared: bool = True) -> Household:
    """A household recorded by children's social care (a restricted member added as the record's named users
    would), shared with health visiting unless said otherwise."""
    home = HouseholdFactory.create(by=world.sw, members=[m for m in members if not m.restricted])
    HouseholdMember.objects.bulk_create(HouseholdMember(partnership=world.north, household=home, person=m)
                                        for m in members if m.restricted)
    if shared:
        record_share_with(record=home, agency=world.health_visiting, what="Health visiting caseload", by=None)
    return home


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def on_form(html: str) -> list[str]:
    """The ids of the known children the form carries."""
    return re.findall(r'<input type="hidden" name="child" value="(\d+)">', html)


def offered(html: str) -> str:
    """The text of the "Also living with" part of the page."""
    parts = html.split('id="living-with-')
    return text(" ".join(part.split("</dl>")[0] for part in parts[1:]))


def send_data(**fields: Any) -> dict[str, Any]:
    """Only the concern fields and the consent: the child and the referrer come from the system."""
    now = timezone.localtime() - timedelta(minutes=5)
    data: dict[str, Any] = {
        "action": "send", "concerns": "Leo came to clinic with bruises on both arms.", "urgency": "urgent",
        "consent": "given", "lawful_basis": "public_task", "received_on_day": str(now.day),
        "received_on_month": str(now.month), "received_on_year": str(now.year), "received_time": f"{now:%H:%M}",
        "referrer_name": "Hana Visitor", "referrer_contact": "hana@example.org",
    }
    data.update(fields)
    return data


@pytest.fixture
def family(world: World) -> dict[str, Person]:
    """Leo (8) lives with Mia (3), baby Ned (unborn), their mother Amira, Zoe (restricted) and Kit (not known
    to health visiting); all in one household health visiting may see."""
    people = {
        "leo": person(world, "Leo", "Ashdown", years_ago(8)),
        "mia": person(world, "Mia", "Ashdown", years_ago(3)),
        "ned": person(world, "Ned", "Ashdown", None, expected_date_of_birth=timezone.localdate() + timedelta(days=60)),
        "amira": person(world, "Amira", "Ashdown", date(1990, 3, 4)),
        "zoe": person(world, "Zoe", "Hidden", years_ago(5), restricted=True),
        "kit": person(world, "Kit", "Unshared", years_ago(6), shared=False),
    }
    household(world, list(people.values()))
    return people


def test_a_known_child_is_on_the_form_with_nothing_about_them_to_type(world, client_for, family):
    leo = family["leo"]
    html = client_for(world.hv).get(CREATE, {"child": leo.pk}).content.decode()
    assert on_form(html) == [str(leo.pk)]
    children = text(html.split('id="children-added"')[1].split("</dl>")[0])
    assert "Leo Ashdown" in children and "8 years" in children
    # The new child's boxes stay empty; the referrer is filled in.
    assert re.search(r'name="new_given_name" type="text"[^>]*>', html) and 'value="Leo"' not in html
    assert 'name="referrer_name" type="text" value="' in html


def test_several_known_children_are_added_in_order_and_duplicates_once(world, client_for, family):
    leo, mia = family["leo"], family["mia"]
    html = client_for(world.hv).get(f"{CREATE}?child={mia.pk}&child={leo.pk}&child={mia.pk}&child=x").content.decode()
    assert on_form(html) == [str(mia.pk), str(leo.pk)]


def test_a_child_the_user_may_not_open_is_ignored_and_not_named(world, client_for, family):
    client = client_for(world.hv)
    for hidden in (family["zoe"], family["kit"]):
        response = client.get(CREATE, {"child": hidden.pk})
        html = response.content.decode()
        assert response.status_code == 200
        assert on_form(html) == [] and "No children added yet." in html
        assert hidden.given_name not in html and hidden.family_name not in html
    # An id that is no one's is ignored the same way.
    assert on_form(client.get(CREATE, {"child": 999_999}).content.decode()) == []


def test_an_adult_is_not_made_the_subject_of_a_referral(world, client_for, family):
    html = client_for(world.hv).get(CREATE, {"child": family["amira"].pk}).content.decode()
    assert on_form(html) == []


def test_the_household_s_other_children_are_offered_and_only_those_the_user_may_open(world, client_for, family):
    leo, mia, ned = family["leo"], family["mia"], family["ned"]
    html = client_for(world.hv).get(CREATE, {"child": leo.pk}).content.decode()
    assert "Also living with Leo Ashdown" in html
    shown = offered(html)
    assert "Mia Ashdown 3 years" in shown and "Add Mia Ashdown to this referral" in shown
    assert "Ned Ashdown Unborn (due" in shown
    assert f'value="add:{mia.pk}"' in html and f'value="add:{ned.pk}"' in html
    # Not the mother (an adult), nor a child whose record is restricted or not shared with health visiting.
    for name in ("Amira", "Zoe", "Hidden", "Kit", "Unshared"):
        assert name not in html


def test_an_offered_child_is_added_and_the_offer_moves_on(world, client_for, family):
    leo, mia, ned = family["leo"], family["mia"], family["ned"]
    client = client_for(world.hv)
    html = client.post(CREATE, send_data(action=f"add:{mia.pk}", child=[leo.pk])).content.decode()
    assert on_form(html) == [str(leo.pk), str(mia.pk)]
    # What was typed stays; Mia is no longer offered; Ned still is (once, with the first child on the form).
    assert "Leo came to clinic with bruises" in html
    assert f'value="add:{mia.pk}"' not in html
    assert html.count(f'value="add:{ned.pk}"') == 1
    assert "Also living with Leo Ashdown" in html and "Also living with Mia Ashdown" not in html


def test_children_added_by_search_are_offered_their_household_too(world, client_for, family):
    leo, mia = family["leo"], family["mia"]
    html = client_for(world.hv).post(CREATE, send_data(action=f"add:{leo.pk}", find="Leo")).content.decode()
    assert on_form(html) == [str(leo.pk)]
    assert f'value="add:{mia.pk}"' in html and "Also living with Leo Ashdown" in html


def test_a_household_the_user_may_not_see_is_not_offered(world, client_for):
    leo = person(world, "Leo", "Ashdown", years_ago(8))
    mia = person(world, "Mia", "Ashdown", years_ago(3))
    household(world, [leo, mia], shared=False)
    html = client_for(world.hv).get(CREATE, {"child": leo.pk}).content.decode()
    assert on_form(html) == [str(leo.pk)]
    assert "Also living with" not in html and "Mia" not in html


def test_a_child_who_has_left_the_household_is_not_offered(world, client_for, family):
    leo, mia = family["leo"], family["mia"]
    membership = mia.household_memberships.get()
    membership.left_on = timezone.localdate()
    membership.save(update_fields=["left_on"])
    html = client_for(world.hv).get(CREATE, {"child": leo.pk}).content.decode()
    assert f'value="add:{mia.pk}"' not in html


def test_the_referral_sent_records_the_known_children_and_makes_no_one_new(world, client_for, family):
    leo, mia = family["leo"], family["mia"]
    people_before = Person.objects.count()
    response = client_for(world.hv).post(CREATE, send_data(child=[leo.pk, mia.pk]))
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/new/{referral.pk}/"
    assert sorted(referral.children.values_list("child_id", flat=True)) == sorted([leo.pk, mia.pk])
    assert Person.objects.count() == people_before
    assert referral.referrer_agency == world.health_visiting


def test_a_restricted_child_slipped_into_the_post_is_not_referred(world, client_for, family):
    leo, zoe = family["leo"], family["zoe"]
    client_for(world.hv).post(CREATE, send_data(child=[leo.pk, zoe.pk]))
    assert list(Referral.objects.get().children.values_list("child_id", flat=True)) == [leo.pk]


def page_queries(client: Any, child: Person, django_assert_max_num_queries: Any) -> tuple[int, str]:
    """How many queries the form from a child's record runs, and the page."""
    client.get(CREATE, {"child": child.pk})
    # session, user; the audit context; savepoint; the user's draft of a referral (none); the children on the
    # form; the incidents involving them; their households (with the households' visibility); the households'
    # other members the user may open; the unread badge; release.
    with django_assert_max_num_queries(QUERIES) as captured:
        html = client.get(CREATE, {"child": child.pk}).content.decode()
    return len(captured), html


QUERIES = 11


def test_the_form_runs_the_same_queries_for_one_sibling_as_for_several(world, client_for,
                                                                       django_assert_max_num_queries):
    leo = person(world, "Leo", "Ashdown", years_ago(8))
    household(world, [leo, person(world, "Amy", "Ashdown", years_ago(7))])
    ola = person(world, "Ola", "Brook", years_ago(8))
    household(world, [ola, *(person(world, f"Sib{n}", "Brook", years_ago(n + 1)) for n in range(5))])
    client = client_for(world.hv)
    one, html = page_queries(client, leo, django_assert_max_num_queries)
    assert offered(html).count("to this referral") == 1
    several, html = page_queries(client, ola, django_assert_max_num_queries)
    assert offered(html).count("to this referral") == 5
    assert one == several


# Who may open the form with a child named: as the form without one (auditors and administrators do no
# casework; anyone signed out signs in); and only those who may open Leo's record see him on it.
CHILD_GET = statuses(200, SIGN_IN_REDIRECT, AU=403, AD=403)
SEES_LEO = {"MW", "MM", "SW", "TM", "SM", "HV"}


def test_every_persona_gets_the_form_it_got_before_and_only_children_it_may_open(world, client, family):
    leo, mia = family["leo"], family["mia"]
    for code in (*PERSONA_CODES, "ANON"):
        client.logout()
        if code != "ANON":
            client.force_login(world.persona(code))
        plain = client.get(CREATE)
        response = client.get(CREATE, {"child": leo.pk})
        assert response.status_code == plain.status_code == CHILD_GET[code], code
        html = response.content.decode()
        if code in SEES_LEO:
            assert on_form(html) == [str(leo.pk)], code
            assert f'value="add:{mia.pk}"' in html, code
        else:
            assert "Leo" not in html and "Mia" not in html, code
