"""The family diagram on the person page (cases/diagrams.py, templates/cases/people/family_diagram.html), and the
person page's "Make a referral about …" button."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from cases import diagrams
from cases.models import Person
from cases.services import people as people_services
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


def jayden_family(world) -> Person:
    """Jayden (a child), his mother Kelly living with him who poses a risk to him, his brother Liam living with
    them, and his father Gary living elsewhere."""
    jayden = PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=date(2015, 3, 4))
    kelly = PersonFactory.create(by=world.sw, given_name="Kelly", family_name="Smith", date_of_birth=date(1990, 5, 1))
    liam = PersonFactory.create(by=world.sw, given_name="Liam", family_name="Smith", date_of_birth=date(2017, 8, 9))
    gary = PersonFactory.create(by=world.sw, given_name="Gary", family_name="Jones", date_of_birth=date(1988, 2, 2))
    HouseholdFactory.create(by=world.sw, address="12 Acacia Road\nNorthtown", postcode="NT1 2AB",
                            members=[jayden, kelly, liam])
    people_services.relationship_create(person=kelly, other=jayden, kind="parent", poses_risk=True, by=world.sw)
    people_services.relationship_create(person=liam, other=jayden, kind="sibling", by=world.sw)
    people_services.relationship_create(person=gary, other=jayden, kind="parent", by=world.sw)
    return jayden


@pytest.fixture
def family(world):
    """Jayden's family, his father's record restricted to named users only."""
    jayden = jayden_family(world)
    Person.objects.filter(given_name="Gary", family_name="Jones").update(restricted=True)
    return jayden


def svg_of(response) -> str:
    found = re.search(r'<svg class="app-family-diagram__svg".*?</svg>', response.content.decode(), re.S)
    assert found, "the person page has no family diagram"
    return found.group(0)


def words(svg: str) -> list[str]:
    return [unescape(text) for text in re.findall(r"<text [^>]*>([^<]*)</text>", svg)]


def test_the_diagram_draws_the_household_relatives_and_the_risk_in_words(world, client_for, family):
    response = client_for(world.sw).get(reverse("person-detail", args=[family.pk]))
    svg = svg_of(response)
    drawn = words(svg)
    assert 'role="img"' in svg
    assert 'aria-labelledby="family-diagram-title"' in svg and 'aria-describedby="family-diagram-desc"' in svg
    assert '<title id="family-diagram-title">Family diagram of Jayden Smith</title>' in svg
    found = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)
    assert found
    desc = unescape(found.group(1))
    assert "2 living with Jayden and 1 living elsewhere" in desc
    assert "Kelly Smith poses a risk to Jayden." in desc
    assert "listed below" in desc
    # Each person with how they are related, whether a child or an adult, and the risk in words.
    assert "Living with Jayden" in drawn and "12 Acacia Road" in drawn and "Living elsewhere" in drawn
    assert ["Parent of Jayden", "Kelly Smith", "Adult, age 36", "Poses risk to Jayden"] == drawn[
        drawn.index("Kelly Smith") - 1: drawn.index("Kelly Smith") + 3]
    assert "Sibling of Jayden" in drawn and "Liam Smith" in drawn
    # The risk line is red and dashed (by its class) with the arrowhead at Jayden's end.
    risk_lines = re.findall(r'<line class="app-family-diagram__line app-family-diagram__line--risk"[^>]*>', svg)
    assert len(risk_lines) == 1
    assert 'marker-start="url(#family-diagram-arrow)"' in risk_lines[0] and "marker-end" not in risk_lines[0]
    assert len(re.findall(r"<line ", svg)) == 3
    # Shapes tell a child from an adult: Liam's box is rounded, Kelly's square.
    assert "app-family-diagram__node--child" in svg and "app-family-diagram__node--adult" in svg
    # The lists stay, as the text alternative with links.
    assert 'class="app-family"' in response.content.decode()


def test_a_restricted_relative_is_no_more_named_in_the_diagram_than_in_the_lists(world, client_for, family):
    response = client_for(world.sw).get(reverse("person-detail", args=[family.pk]))
    svg = svg_of(response)
    assert "Gary" not in svg and "Jones" not in svg and "1988" not in svg
    assert "A restricted record" in words(svg)
    assert "Gary Jones" not in response.content.decode()


def test_no_diagram_for_someone_with_no_one_recorded_with_them(world, client_for):
    alone = PersonFactory.create(by=world.sw, given_name="Ada", family_name="Lone", date_of_birth=date(2016, 1, 1))
    response = client_for(world.sw).get(reverse("person-detail", args=[alone.pk]))
    assert response.status_code == 200
    assert "app-family-diagram" not in response.content.decode()


def test_the_person_page_takes_no_more_queries_with_the_diagram(world, client_for, family, django_assert_num_queries):
    client = client_for(world.sw)
    path = reverse("person-detail", args=[family.pk])
    client.get(path)
    # The same 19 as the person page without it (tests/cases/test_people_pages.py): the diagram reads nothing.
    with django_assert_num_queries(19):
        client.get(path)


# Layout, without the database


@dataclass(frozen=True)
class _Summary:
    name: str
    is_child: bool


@dataclass(frozen=True)
class _Relation:
    other_is: str
    risk_to_this_person: bool = False
    risk_from_this_person: bool = False


@dataclass(frozen=True)
class _Member:
    summary: _Summary
    age: str
    is_self: bool = False
    relations: list[_Relation] = field(default_factory=list)


@dataclass(frozen=True)
class _Home:
    address: str


def test_the_person_posing_a_risk_gets_the_arrow_at_the_other_end():
    victim = _Member(_Summary("Mia Brown", True), "4", relations=[_Relation("Child of", risk_from_this_person=True)])
    drawn = diagrams.family_diagram(full_name="Dean Brown", given_name="Dean", age="40", is_child=False,
                                    households=[], elsewhere=[victim])
    assert drawn is not None
    [line] = drawn.lines
    assert line.style == "risk" and line.arrow_end and not line.arrow_start
    assert line.x2 == drawn.nodes[1].x  # the arrow ends at Mia's box
    assert "At risk from Dean" in [t.text for t in drawn.nodes[1].lines]
    assert drawn.boxes[0].apart


def test_long_names_are_cut_to_fit_and_every_box_stays_inside_the_picture():
    members = [_Member(_Summary(f"Maximiliana Wolfeschlegelsteinhausen {n}", n % 2 == 0), str(n + 3),
                       relations=[_Relation("Sibling of")]) for n in range(6)]
    drawn = diagrams.family_diagram(full_name="Bartholomew Featherstonehaugh-Cholmondeley", given_name="Bartholomew",
                                    age="9", is_child=True, households=[(_Home("1 Long Lane"), members)], elsewhere=[])
    assert drawn is not None
    for node in drawn.nodes:
        assert node.x + node.width <= drawn.width and node.y + node.height <= drawn.height
        for line in node.lines:
            assert len(line.text) * 7 <= node.width - 8, line.text
    assert any(line.text.endswith("…") for node in drawn.nodes for line in node.lines)


def test_nothing_to_draw_for_a_person_alone():
    alone = _Member(_Summary("Ada Lone", True), "9", is_self=True)
    assert diagrams.family_diagram(full_name="Ada Lone", given_name="Ada", age="9", is_child=True,
                                   households=[(_Home("1 Road"), [alone])], elsewhere=[]) is None


# "Make a referral about …" (enter once: the referral form starts with the child chosen)


def test_a_practitioner_who_refers_sees_the_button_with_the_child_chosen(world, client_for, family):
    html = client_for(world.sw).get(reverse("person-detail", args=[family.pk])).content.decode()
    assert re.search(rf'<a href="/referrals/new/\?child={family.pk}"[^>]*class="govuk-button govuk-button--secondary"'
                     r"[^>]*>Make a referral about Jayden</a>", html)


def test_an_adults_page_has_no_referral_button(world, client_for, family):
    kelly = Person.objects.get(given_name="Kelly")
    html = client_for(world.sw).get(reverse("person-detail", args=[kelly.pk])).content.decode()
    assert "Make a referral about" not in html


def test_a_role_that_does_not_refer_sees_no_button(world, client_for, family):
    response = client_for(world.ad).get(reverse("person-detail", args=[family.pk]))
    assert response.status_code == 200
    assert "Make a referral about" not in response.content.decode()
    assert "app-family-diagram" in response.content.decode()
