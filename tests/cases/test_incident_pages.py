"""Incident, escalating-review and Operation Encompass pages (Django test client, no browser)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import EncompassNotice, Household, HouseholdMember, Incident, Person, PersonFlag
from cases.permissions import record_share_with
from cases.rules import dash as dash_rules
from cases.services.incidents import ChildAtIncident, DashInput, incident_create
from tests.conftest import World

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)


def person(world: World, given: str, family: str, born: date, **extra: Any) -> Person:
    return Person.objects.create(partnership=world.north, given_name=given, family_name=family, date_of_birth=born,
                                 search_name=f"{given} {family}".lower(), **extra)


def years_ago(years: int) -> date:
    return timezone.localdate() - timedelta(days=365 * years + 30)


@dataclass
class Ashdowns:
    amira: Person  # the victim
    dean: Person  # the alleged perpetrator
    leo: Person  # 8, at Northgate Primary, known to health visiting
    kai: Person  # 10, no school recorded


@pytest.fixture
def family(world: World) -> Ashdowns:
    """The Ashdowns, known to the police from an earlier call-out (their records are shared with the force)."""
    ashdowns = Ashdowns(
        amira=person(world, "Amira", "Ashdown", date(1990, 3, 4)),
        dean=person(world, "Dean", "Ashdown", date(1987, 11, 20)),
        leo=person(world, "Leo", "Ashdown", years_ago(8), school=world.school, health_visiting=world.health_visiting),
        kai=person(world, "Kai", "Ashdown", years_ago(10)),
    )
    for member in (ashdowns.amira, ashdowns.dean, ashdowns.leo, ashdowns.kai):
        record_share_with(record=member, agency=world.police, what="Earlier call-out", by=world.po)
    return ashdowns


def record(world: World, family: Ashdowns, *, days_ago: int = 2, children: tuple[Person, ...] | None = None,
           answers: dict[str, str] | None = None, reference: str = "", summary: str = "") -> Incident:
    """An incident the police officer records, as the import or another page would."""
    kids = (family.leo,) if children is None else children
    return incident_create(
        partnership=world.north, by=world.po, reported_by=world.police, reference=reference, summary=summary,
        occurred_at=timezone.now() - timedelta(days=days_ago), victims=[family.amira], perpetrators=[family.dean],
        children=[ChildAtIncident(child, resident=True, present=True, seen=True) for child in kids],
        dash=DashInput(answers) if answers is not None else None,
    )


def yes_to(count: int) -> dict[str, str]:
    """The first ``count`` DASH questions answered yes, the rest no."""
    return {q.id: "yes" if i < count else "no" for i, q in enumerate(dash_rules.QUESTIONS)}


def form_data(*, people: tuple[Person, ...] = (), roles: dict[Person, str] | None = None,
              facts: dict[Person, list[str]] | None = None, answers: dict[str, str] | None = None,
              **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "action": "record",
        "people": [p.pk for p in people],
        "occurred_on_day": str(YESTERDAY.day),
        "occurred_on_month": str(YESTERDAY.month),
        "occurred_on_year": str(YESTERDAY.year),
        "occurred_time": "21:30",
        "location": "14 Ashdown Road",
        "reference": "",
        "summary": "Neighbours called the police after hearing shouting.",
    }
    for who, role in (roles or {}).items():
        data[f"role_{who.pk}"] = role
    for who, chosen in (facts or {}).items():
        data[f"child_{who.pk}"] = chosen
    data.update(answers or {})
    data.update(fields)
    return data


def error_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert summary, "no error summary"
    return [(href, unescape(text)) for href, text in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1))]


def text_of(html: str) -> str:
    main = html[html.index('<main class="govuk-main-wrapper"'):html.index("</main>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def checked(html: str, name: str, value: str) -> bool:
    return bool(re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*checked', html))


# Recording an incident


def test_the_form_offers_the_person_and_their_household_with_the_child_chosen(world, family, client_for):
    home = Household.objects.create(partnership=world.north, address="14 Ashdown Road")
    for member in (family.amira, family.leo):
        HouseholdMember.objects.create(partnership=world.north, household=home, person=member)
    response = client_for(world.po).get(f"/incidents/new/?person={family.leo.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Record an incident" in html
    assert html.index("Leo Ashdown") < html.index("Amira Ashdown")
    assert "Dean Ashdown" not in html
    assert checked(html, f"role_{family.leo.pk}", "child") and checked(html, f"child_{family.leo.pk}", "resident")
    # An adult cannot be recorded as a child at the incident.
    assert f'name="role_{family.amira.pk}" type="radio" value="child"' not in html
    # The DASH questions in their groups, each a fieldset with the group's heading as its legend.
    for heading in dash_rules.GROUPS:
        assert f'<h3 class="govuk-fieldset__heading">{heading}</h3>' in unescape(html)
    assert html.count('type="radio" value="not_known"') == 27
    assert 'aria-live="polite" data-dash-score>Score 0 of 27: standard risk</p>' in html
    assert 'data-medium-from="10" data-high-from="14" data-total="27"' in html


def test_find_adds_people_keeping_everything_typed(world, family, client_for):
    data = form_data(answers={"q2": "yes"}, summary="He threw a glass at her.")
    data.update(action="find", find="ashdown")
    html = client_for(world.po).post("/incidents/new/", data).content.decode()
    assert "There is a problem" not in html
    assert "4 people found for “ashdown”" in html
    for member in (family.amira, family.dean, family.leo, family.kai):
        assert f'<input type="hidden" name="people" value="{member.pk}">' in html
    assert "He threw a glass at her." in html and checked(html, "q2", "yes")
    assert "Score 1 of 27: standard risk" in html
    assert Incident.objects.count() == 0


def test_errors_are_summarised_and_linked_with_nothing_saved_and_answers_kept(world, family, client_for):
    data = form_data(people=(family.amira, family.leo), roles={family.leo: "child"},
                     facts={family.leo: ["resident", "spoken_to"]}, answers={"q2": "yes", "q5": "not_known"},
                     occurred_on_day="31", occurred_on_month="2", occurred_time="25:00", summary="He threw a glass.")
    response = client_for(world.po).post("/incidents/new/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Record an incident" in html
    links = error_links(html)
    assert ("id_occurred_on", "Date of the incident must be a real date") in links
    assert ("id_occurred_time", "Enter the time as hours and minutes on the 24-hour clock, like 21:30") in links
    assert (f"id_role_{family.amira.pk}", "Choose at least one victim") in links
    assert (f"id_child_{family.leo.pk}", "Leo cannot have been spoken to without being seen") in links
    assert 'id="id_occurred_on-error"' in html and "govuk-form-group--error" in html
    # Nothing saved; everything typed is on the page again.
    assert Incident.objects.count() == 0 and EncompassNotice.objects.count() == 0
    assert "He threw a glass." in html and 'value="31"' in html and checked(html, "q2", "yes")
    assert checked(html, "q5", "not_known") and checked(html, f"child_{family.leo.pk}", "spoken_to")
    assert "Score 1 of 27: standard risk" in html


def test_an_empty_form_asks_for_the_date_the_time_and_a_victim(world, client_for):
    html = client_for(world.sw).post("/incidents/new/", {"action": "record"}).content.decode()
    assert error_links(html) == [
        ("id_occurred_on", "Enter the date of the incident"),
        ("id_occurred_time", "Enter the time of the incident"),
        ("id_find", "Find the people involved and choose at least one victim"),
    ]


def test_a_judgement_lower_than_the_dash_level_is_refused(world, family, client_for):
    data = form_data(people=(family.amira,), roles={family.amira: "victim"}, answers=yes_to(14),
                     judgement_level="medium", judgement_reason="She has moved to her sister's.")
    html = client_for(world.po).post("/incidents/new/", data).content.decode()
    (href, message), = error_links(html)
    assert href == "id_judgement_level"
    assert message.startswith("Professional judgement can raise the level but not lower it")
    assert "Score 14 of 27: high risk; your professional judgement cannot lower it" in html
    assert Incident.objects.count() == 0


def test_a_raised_judgement_needs_its_reason(world, family, client_for):
    data = form_data(people=(family.amira,), roles={family.amira: "victim"}, answers=yes_to(3),
                     judgement_level="high")
    html = client_for(world.po).post("/incidents/new/", data).content.decode()
    assert error_links(html) == [("id_judgement_reason", "Say why your professional judgement sets the level.")]
    assert "Score 3 of 27: standard risk, raised to high risk by your professional judgement" in html


def test_the_service_s_objections_come_back_on_the_form(world, family, client_for):
    record(world, family, reference="NP-1234")
    data = form_data(people=(family.amira,), roles={family.amira: "victim"}, reference="NP-1234")
    html = client_for(world.po).post("/incidents/new/", data).content.decode()
    assert error_links(html) == [
        ("id_reference", "Shire Police has already recorded an incident with reference NP-1234."),
    ]
    assert Incident.objects.count() == 1


def test_recording_shows_what_it_set_in_motion(world, family, client_for):
    record(world, family, days_ago=200)
    record(world, family, days_ago=90)
    client = client_for(world.po)
    data = form_data(
        people=(family.amira, family.dean, family.leo),
        roles={family.amira: "victim", family.dean: "perpetrator", family.leo: "child"},
        facts={family.leo: ["resident", "present", "seen", "spoken_to"]},
        answers=yes_to(15), reference="NP-77/25",
    )
    response = client.post("/incidents/new/", data)
    incident = Incident.objects.get(reference="NP-77/25")
    assert response.status_code == 302 and response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.reported_by == world.police and incident.risk_level == "high"
    html = client.get(response["Location"]).content.decode()
    banner = re.search(r'govuk-notification-banner--success"(.*?)</ul>', html, re.S)
    assert banner, "no success banner"
    lines = [unescape(line) for line in re.findall(r"<li>([^<]+)</li>", banner.group(1))]
    assert lines == [
        "Shared with children's social care and North Health Visiting.",
        "Operation Encompass notice sent to Northgate Primary School.",
        "Leo is now flagged escalating (3 incidents in 12 months).",
        "High risk: refer Amira Ashdown to the MARAC.",
    ]
    assert "Incident recorded" in html
    # The banner is said once.
    assert "Incident recorded" not in client.get(response["Location"]).content.decode()


# The incident page


def test_the_incident_page_shows_children_counts_dash_and_sharing(world, family, client_for):
    record(world, family, days_ago=300, children=(family.leo,))
    record(world, family, days_ago=100, children=(family.leo,))
    incident = record(world, family, children=(family.leo, family.kai), answers=yes_to(11),
                      summary="Dean kicked the door in.")
    html = client_for(world.sw).get(f"/incidents/{incident.pk}/").content.decode()
    text = text_of(html)
    assert "Medium risk" in text and "Dean kicked the door in." in text
    assert f'<a class="govuk-link" href="/people/{family.leo.pk}/">Leo Ashdown</a>' in html
    assert f'<a class="govuk-link" href="/people/{family.amira.pk}/">Amira Ashdown</a>' in html
    # Per child: seen, spoken to, the 12-month count across agencies, and the escalating flag.
    leo_row = re.search(rf'href="/people/{family.leo.pk}/">Leo Ashdown</a>.*?</tr>', html, re.S)
    kai_row = re.search(rf'href="/people/{family.kai.pk}/">Kai Ashdown</a>.*?</tr>', html, re.S)
    assert leo_row and kai_row
    assert "Escalating" in leo_row.group(0) and re.search(r">3</td>", leo_row.group(0))
    assert "Escalating" not in kai_row.group(0) and re.search(r">1</td>", kai_row.group(0))
    assert "Awaiting MASH review" in leo_row.group(0)
    assert "Incidents between Amira Ashdown and Dean Ashdown 3 in the last 12 months" in text
    # The DASH under its headings, with the score and level.
    assert "Score 11 of 27 “yes” answers: medium risk" in text
    for heading in dash_rules.GROUPS:
        assert f'<h3 class="govuk-heading-s">{heading}</h3>' in unescape(html)
    assert "1. Has the current incident resulted in an injury?" in text
    # Sharing: children's social care by rule, the reporter, and Leo's health visiting service.
    sharing = text[text.index("Sharing"):text.index("Operation Encompass")]
    assert "Children's social care" in sharing and "Shire Police (the reporting agency)" in sharing
    assert "North Health Visiting Domestic-abuse notification" in sharing and "Public task" in sharing
    notices = text[text.index("Operation Encompass"):]
    assert "Notice about Leo Ashdown : sent to Northgate Primary School" in notices
    assert "Notice about Kai Ashdown : Not sent no school recorded" in notices
    assert "MARAC" in text and "Referral to make" not in text
    # History is for managers, auditors and administrators.
    assert f"/history/incident/{incident.pk}/" not in html
    manager_html = client_for(world.mm).get(f"/incidents/{incident.pk}/").content.decode()
    assert f'href="/history/incident/{incident.pk}/"' in manager_html
    flag = PersonFlag.objects.get(person=family.leo, kind=PersonFlag.Kind.ESCALATING)
    assert f'href="/escalating/{flag.pk}/review/"' in manager_html


def test_the_list_shows_incidents_newest_first_with_levels_and_children(world, family, client_for):
    assert "There are no incidents for you to see." in client_for(world.po).get("/incidents/").content.decode()
    record(world, family, days_ago=40, reference="OLDER", children=(family.leo, family.kai), answers=yes_to(14))
    record(world, family, days_ago=3, reference="NEWER", children=(family.leo,))
    html = client_for(world.po).get("/incidents/").content.decode()
    assert html.index("NEWER") < html.index("OLDER")
    older = re.search(r"OLDER.*?</tr>", html, re.S)
    assert older and "High risk" in older.group(0) and re.search(r'data-label="Children">2</td>', older.group(0))
    assert "Amira Ashdown" in older.group(0)
    assert 'href="/incidents/new/"' in html
    # The teacher sees none of them; the auditor, who does not record casework, is not offered the button.
    assert "There are no incidents for you to see." in client_for(world.te).get("/incidents/").content.decode()
    assert 'href="/incidents/new/"' not in client_for(world.au).get("/incidents/").content.decode()


# Operation Encompass


def test_the_teacher_sees_only_the_scheme_s_fields_and_never_the_incident(world, family, client_for):
    incident = record(world, family, reference="NP-555", summary="Dean hit Amira with a bottle.",
                      children=(family.leo, family.kai), answers=yes_to(12))
    notice = EncompassNotice.objects.get(incident=incident, child=family.leo)
    teacher = client_for(world.te)
    listing = teacher.get("/encompass/").content.decode()
    assert f'href="/encompass/{notice.pk}/">Leo Ashdown</a>' in listing
    assert "Kai Ashdown" not in listing
    html = teacher.get(f"/encompass/{notice.pk}/").content.decode()
    text = text_of(html)
    local = timezone.localtime(incident.occurred_at)
    assert f"Date and time of the incident {local:%-d %B %Y, %H:%M}" in text
    assert "Was the child present? Yes" in text and "Was the child spoken to? No" in text
    assert "Police reference NP-555" in text and "Leo Ashdown" in text and "Sent " in text
    for withheld in ("bottle", "Dean", "Amira", "DASH", "risk", "Kai", f"/incidents/{incident.pk}/"):
        assert withheld not in html, f"the school's notice shows {withheld!r}"
    assert teacher.get(f"/incidents/{incident.pk}/").status_code == 404
    kai_notice = EncompassNotice.objects.get(incident=incident, child=family.kai)
    assert teacher.get(f"/encompass/{kai_notice.pk}/").status_code == 404


def test_the_police_choose_the_school_for_a_notice_that_had_none(world, family, client_for):
    incident = record(world, family, children=(family.kai,))
    notice = EncompassNotice.objects.get(incident=incident, child=family.kai)
    assert notice.sent_at is None and notice.school is None
    police = client_for(world.po)
    html = police.get(f"/encompass/{notice.pk}/").content.decode()
    assert "Choose the school" in html and f'action="/encompass/{notice.pk}/send/"' in html
    assert "No school recorded" in html and f'href="/incidents/{incident.pk}/"' in html
    # The MASH sees the notice, but the reporting force chooses the school.
    assert "Choose the school" not in client_for(world.mw).get(f"/encompass/{notice.pk}/").content.decode()
    assert client_for(world.mw).post(f"/encompass/{notice.pk}/send/", {"school": world.school.pk}).status_code == 403

    html = police.post(f"/encompass/{notice.pk}/send/", {"school": ""}).content.decode()
    assert "<title>Error: Operation Encompass notice" in html
    assert error_links(html) == [("id_school", "Choose the child's school")]
    response = police.post(f"/encompass/{notice.pk}/send/", {"school": world.school.pk})
    assert response.status_code == 302 and response["Location"] == f"/encompass/{notice.pk}/"
    notice.refresh_from_db()
    family.kai.refresh_from_db()
    assert notice.school == world.school and notice.sent_at is not None and family.kai.school == world.school
    html = police.get(response["Location"]).content.decode()
    assert "Operation Encompass notice sent to Northgate Primary School." in html
    assert "Choose the school" not in html
    # Now the school sees it; sending again changes nothing.
    assert client_for(world.te).get(f"/encompass/{notice.pk}/").status_code == 200
    again = police.post(f"/encompass/{notice.pk}/send/", {"school": world.school.pk}, follow=True)
    assert "This notice was already sent to Northgate Primary School." in again.content.decode()


def test_the_notice_list_is_for_schools_the_police_and_children_s_social_care(world, family, client_for):
    assert client_for(world.hv).get("/encompass/").status_code == 403
    assert "There are no Operation Encompass notices." in client_for(world.te).get("/encompass/").content.decode()
    record(world, family, children=(family.leo, family.kai))
    html = client_for(world.po).get("/encompass/").content.decode()
    assert "Leo Ashdown" in html and "Kai Ashdown" in html and "No school recorded" in html


# Escalating review


def test_a_mash_manager_records_the_review_of_an_escalating_child(world, family, client_for):
    for days_ago in (250, 120, 5):
        record(world, family, days_ago=days_ago)
    flag = PersonFlag.objects.get(person=family.leo, kind=PersonFlag.Kind.ESCALATING)
    url = f"/escalating/{flag.pk}/review/"
    assert client_for(world.sw).get(url).status_code == 403
    assert client_for(world.sw).post(url, {"note": "Looked at it"}).status_code == 403
    assert client_for(world.mh).get(url).status_code == 404

    manager = client_for(world.mm)
    html = manager.get(url).content.decode()
    assert "Leo has been part of 3 domestic-abuse incidents in 12 months" in html
    assert "Not reviewed" in html and len(re.findall(r'href="/incidents/[0-9]+/"', html)) == 3
    html = manager.post(url, {"note": "  "}).content.decode()
    assert error_links(html) == [("id_note", "Enter what the review found and what happens next")]
    response = manager.post(url, {"note": "Strategy discussion convened with police and health."})
    assert response.status_code == 302 and response["Location"] == url
    flag.refresh_from_db()
    assert flag.reviewed_by == world.mm and flag.reviewed_at is not None
    html = manager.get(url).content.decode()
    assert "Review of Leo Ashdown&#x27;s escalating flag recorded." in html and "Not reviewed" not in html


# Query counts: the same whatever the number of children or incidents


def _warm(client: Client, url: str) -> None:
    # The first request fills per-process caches (content types for guardian's look-ups).
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("children", [1, 20])
def test_the_incident_page_runs_a_fixed_number_of_queries(world, family, client_for, django_assert_num_queries,
                                                           children):
    kids = tuple(person(world, f"Child{n}", "Ashdown", years_ago(6), school=world.school,
                        health_visiting=world.health_visiting) for n in range(children))
    record(world, family, days_ago=30, children=kids)
    incident = record(world, family, children=kids, answers=yes_to(14))
    url = f"/incidents/{incident.pk}/"
    for user in (world.sw, world.po):
        client = client_for(user)
        _warm(client, url)
        # session, user; the audit context (set_config); savepoint; the incident (incident_get_for) and its
        # access-log row; parties; children; the children's 12-month counts; escalating flags; victim-perpetrator
        # counts; the DASH; notices; MARAC referrals; the reporting agency; information shares; which people the
        # user may open; the user's and their groups' permissions (History link); the unread badge; release.
        with django_assert_num_queries(21):
            response = client.get(url)
        assert response.content.decode().count('data-label="Lives there"') == children


@pytest.mark.parametrize("incidents", [1, 20])
def test_the_incident_list_runs_a_fixed_number_of_queries(world, family, client_for, django_assert_num_queries,
                                                          incidents):
    for n in range(incidents):
        record(world, family, days_ago=n + 1, children=(family.leo, family.kai), answers=yes_to(n % 16))
    for user in (world.sw, world.po):
        client = client_for(user)
        _warm(client, "/incidents/")
        # session, user; the audit context; savepoint; the count for the pages; the unread badge; the page of
        # incidents with their reporting agency and children counted; their victims (one prefetch); release.
        with django_assert_num_queries(9):
            response = client.get("/incidents/")
        assert response.content.decode().count('data-label="Risk"') == incidents


@pytest.mark.parametrize("notices", [1, 20])
def test_the_notice_list_runs_a_fixed_number_of_queries(world, family, client_for, django_assert_num_queries,
                                                        notices):
    for n in range(notices):
        record(world, family, days_ago=n + 1)
    client = client_for(world.te)
    _warm(client, "/encompass/")
    # session, user; the audit context; savepoint; the count for the pages; the unread badge; the page of
    # notices with child and school; release.
    with django_assert_num_queries(8):
        response = client.get("/encompass/")
    assert response.content.decode().count('data-label="Spoken to"') == notices


# Navigation


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<ul class="govuk-service-navigation__list" id="navigation">(.*?)</ul>', html, re.S)
    assert nav
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split())
            for item in re.findall(r"<li[^>]*>(.*?)</li>", nav.group(1), re.S)]


@pytest.mark.parametrize(("code", "shown", "hidden"), [
    ("PO", {"Incidents", "Record an incident", "Operation Encompass"}, set()),
    ("MW", {"Incidents", "Record an incident"}, {"Operation Encompass"}),
    ("AD", {"Incidents"}, {"Record an incident", "Operation Encompass"}),
    ("AU", set(), {"Incidents", "Record an incident", "Operation Encompass"}),
    ("TE", {"Operation Encompass"}, {"Incidents", "Record an incident"}),
    ("HV", set(), {"Incidents", "Record an incident", "Operation Encompass"}),
])
def test_the_navigation_offers_incidents_to_police_and_csc_and_notices_to_schools_and_police(
        world, client_for, code, shown, hidden):
    labels = set(nav_labels(client_for(world.persona(code)).get("/").content.decode()))
    assert shown <= labels and not hidden & labels


def test_one_section_is_marked_on_the_record_page(world, client_for):
    html = client_for(world.po).get("/incidents/new/").content.decode()
    assert re.search(r'href="/incidents/new/" aria-current="page">\s*<strong', html)
    assert not re.search(r'href="/incidents/" aria-current', html)
