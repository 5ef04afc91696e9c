"""The people and household pages (Django test client, no browser)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import BreakGlass, Case, HouseholdMember, Person, PersonFlag, RestrictedAccess
from cases.services import people as people_services
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

JAYDEN = {"given_name": "Jayden", "family_name": "Smith", "date_of_birth": date(2015, 3, 4)}


def text(response) -> str:
    """The page's text, tags removed and spaces collapsed, for reading what a user reads."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def person(world, by=None, **values):
    return PersonFactory.create(by=by or world.sw, **values)


def create_body(**overrides) -> dict[str, str]:
    body = {
        "given_name": "Amara",
        "family_name": "Okafor",
        "date_of_birth_day": "12",
        "date_of_birth_month": "6",
        "date_of_birth_year": "2017",
        "sex": "female",
        "ethnicity": "BAFR",
        "first_language": "English",
        "interpreter_needed": "no",
        "nhs_number": "943 476 5919",
    }
    body.update(overrides)
    return body


def warm(client: Client, path: str) -> None:
    """A first request, so the session's last-seen time is written before counting."""
    assert client.get(path).status_code == 200


# Find a person


def test_find_lists_matching_people_with_age_and_flags(world, client_for):
    jayden = person(world, **JAYDEN)
    person(world, given_name="Mia", family_name="Jones", date_of_birth=date(2012, 1, 1))
    PersonFlag.objects.create(partnership=world.north, person=jayden, kind=PersonFlag.Kind.ESCALATING,
                              raised_at=timezone.now(), incident_count=3)
    response = client_for(world.sw).get(reverse("people-find"), {"q": "jayden smith"})
    page = text(response)
    assert response.status_code == 200
    assert f'href="/people/{jayden.pk}/"' in response.content.decode()
    assert "Jayden Smith" in page and "Mia Jones" not in page
    assert "4 March 2015" in page
    assert '<strong class="govuk-tag govuk-tag--red app-tag">Escalating</strong>' in response.content.decode()
    assert "Create a record" in page


def test_find_by_nhs_number_and_by_date_of_birth(world, client_for):
    person(world, **JAYDEN, nhs_number="9434765919")
    client = client_for(world.sw)
    assert "Jayden Smith" in text(client.get(reverse("people-find"), {"q": "943 476 5919"}))
    assert "Jayden Smith" in text(client.get(reverse("people-find"), {"q": "04/03/2015"}))


def test_find_says_what_to_do_when_empty(world, client_for):
    client = client_for(world.sw)
    assert "Search for a person by name, date of birth or NHS number" in text(client.get(reverse("people-find")))
    nothing = text(client.get(reverse("people-find"), {"q": "Nobody Atall"}))
    assert "No one you may see matches this search" in nothing


def test_find_shows_only_people_the_user_may_open(world, client_for):
    jayden = person(world, **JAYDEN)
    for code in ("PO", "OUT"):
        response = client_for(world.persona(code)).get(reverse("people-find"), {"q": "Jayden Smith"})
        assert f"/people/{jayden.pk}/" not in response.content.decode()
        assert "No one you may see matches this search" in text(response)


# Is this child already known?


def test_already_known_needs_a_name_and_a_date_of_birth(world, client_for):
    response = client_for(world.te).get(reverse("people-known"), {"name": "", "date_of_birth_day": "4"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Is this child already known?" in html
    assert '<a href="#id_name">Enter the child&#x27;s full name</a>' in html
    assert '<a href="#id_date_of_birth">Date of birth must include a month and a year</a>' in html


def test_already_known_shows_a_preview_without_a_link_for_someone_who_may_not_open_it(world, client_for):
    jayden = person(world, **JAYDEN)
    query = {"name": "Jayden Smith", "date_of_birth_day": "4", "date_of_birth_month": "3",
             "date_of_birth_year": "2015"}
    teacher = client_for(world.te).get(reverse("people-known"), query)
    page = text(teacher)
    assert "Jayden Smith" in page and "Agencies involved" in page and "Whom to contact" in page
    assert f"/people/{jayden.pk}/" not in teacher.content.decode()
    social_worker = client_for(world.sw).get(reverse("people-known"), query)
    assert f'href="/people/{jayden.pk}/"' in social_worker.content.decode()


# Create, with the duplicate check


def test_create_form_is_in_govuk_patterns(world, client_for):
    html = client_for(world.sw).get(reverse("person-create")).content.decode()
    assert 'class="govuk-date-input"' in html
    assert 'name="date_of_birth_day"' in html and 'name="date_of_birth_year"' in html
    assert re.search(r'name="sex" type="radio" value="female"', html)
    assert re.search(r'name="interpreter_needed" type="radio" value="not_known"', html)
    assert '<option value="WBRI">White: British</option>' in html
    assert 'id="id_nhs_number-hint" class="govuk-hint">10 digits</div>' in html
    assert 'aria-live="polite"' in html and 'hx-get="/people/duplicates/"' in html


def test_create_offers_only_agencies_of_the_right_kind(world, client_for):
    html = client_for(world.sw).get(reverse("person-create")).content.decode()
    school = re.search(r'<select[^>]*name="school".*?</select>', html, re.S)
    health_visiting = re.search(r'<select[^>]*name="health_visiting".*?</select>', html, re.S)
    assert school and "Northgate Primary School" in school.group(0) and "Shire Police" not in school.group(0)
    assert health_visiting and "North Health Visiting" in health_visiting.group(0)
    assert "North Adult Mental Health" not in health_visiting.group(0)


def test_create_with_errors_shows_the_error_summary_and_saves_nothing(world, client_for):
    before = Person.objects.count()
    response = client_for(world.sw).post(reverse("person-create"), create_body(
        given_name="", date_of_birth_month="13", nhs_number="1234567890"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Create a record" in html
    assert "There is a problem" in html
    assert '<a href="#id_given_name">Enter the person&#x27;s given name</a>' in html
    assert '<a href="#id_date_of_birth">Date of birth must be a real date</a>' in html
    assert '<a href="#id_nhs_number">Enter a real NHS number' in html
    # What was typed stays in the form.
    assert 'value="Okafor"' in html and 'value="13"' in html
    assert Person.objects.count() == before


def test_create_redirects_to_the_new_record_with_a_success_banner(world, client_for):
    client = client_for(world.sw)
    response = client.post(reverse("person-create"), create_body(), follow=True)
    amara = Person.objects.get(given_name="Amara")
    assert response.redirect_chain == [(f"/people/{amara.pk}/", 302)]
    assert "govuk-notification-banner--success" in response.content.decode()
    assert "Record created for Amara Okafor." in text(response)
    assert amara.date_of_birth == date(2017, 6, 12) and amara.nhs_number == "9434765919"
    assert amara.interpreter_needed is False and amara.ethnicity == "BAFR"


def test_duplicate_check_lists_jayden_smith_when_jaden_smyth_is_typed(world, client_for):
    jayden = person(world, **JAYDEN)
    response = client_for(world.sw).get(
        reverse("person-duplicates"),
        {"given_name": "Jaden", "family_name": "Smyth", "date_of_birth_day": "3", "date_of_birth_month": "4",
         "date_of_birth_year": "2015"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a partial for the live region
    assert "Possible existing records" in html
    assert f'<a class="govuk-link" href="/people/{jayden.pk}/">Jayden Smith</a>' in html
    assert "4 March 2015" in html
    assert re.search(r"(Likely|Possible) match", html)


def test_duplicate_check_without_htmx_is_a_page_of_its_own(world, client_for):
    person(world, **JAYDEN)
    response = client_for(world.sw).get(reverse("person-duplicates"),
                                        {"given_name": "Jayden", "family_name": "Smith"})
    html = response.content.decode()
    assert "<h1" in html and "Jayden Smith" in html


def test_without_javascript_a_likely_duplicate_must_be_confirmed_as_a_new_person(world, client_for):
    jayden = person(world, **JAYDEN)
    client = client_for(world.sw)
    body = create_body(given_name="Jayden", family_name="Smith", date_of_birth_day="4", date_of_birth_month="3",
                       date_of_birth_year="2015", nhs_number="")
    first = client.post(reverse("person-create"), body)
    html = first.content.decode()
    assert first.status_code == 200
    assert "Possible existing records" in html
    assert f'href="/people/{jayden.pk}/">Jayden Smith</a>' in html
    assert '<a href="#id_confirm_new">This person may already have a record.' in html
    assert 'id="id_confirm_new" name="confirm_new" type="checkbox"' in html
    assert Person.objects.filter(given_name="Jayden").count() == 1
    second = client.post(reverse("person-create"), {**body, "confirm_new": "on"})
    assert second.status_code == 302
    assert Person.objects.filter(given_name="Jayden").count() == 2


# The person page


@pytest.fixture
def family(world):
    """Jayden (9, flagged escalating, gaps in his record), his mother Kelly who poses a risk to him, one household."""
    jayden = person(world, **JAYDEN)
    kelly = person(world, given_name="Kelly", family_name="Smith", date_of_birth=date(1990, 5, 1),
                   sex="female", ethnicity="WBRI", first_language="English", interpreter_needed=False,
                   nhs_number="9434765919")
    HouseholdFactory.create(by=world.sw, address="12 Acacia Road\nNorthtown", postcode="NT1 2AB",
                            members=[jayden, kelly])
    people_services.relationship_create(person=kelly, other=jayden, kind="parent", poses_risk=True, by=world.sw)
    PersonFlag.objects.create(partnership=world.north, person=jayden, kind=PersonFlag.Kind.ESCALATING,
                              raised_at=timezone.now(), incident_count=3)
    Case.objects.create(partnership=world.north, child=jayden, status=Case.Status.CHILD_PROTECTION,
                        opened_on=timezone.localdate(), lead_professional=world.sw)
    return jayden, kelly


def test_person_page_shows_identity_bar_alerts_flags_and_gaps(world, client_for, family):
    jayden, kelly = family
    response = client_for(world.sw).get(reverse("person-detail", args=[jayden.pk]))
    html = response.content.decode()
    page = text(response)
    assert response.status_code == 200
    bar = re.search(r'<section class="moj-identity-bar app-identity-bar".*?</section>', html, re.S)
    assert bar is not None
    assert "Jayden Smith" in bar.group(0) and "4 March 2015" in bar.group(0)
    assert '<strong class="govuk-tag govuk-tag--red">Escalating</strong>' in bar.group(0)
    assert "Missing or uncertain:" in page
    assert "Ethnicity not recorded" in page and "NHS number missing" in page
    assert re.search(r"This record is \d+% complete", page)
    assert ">Missing</strong>" in html
    assert "Child protection" in page
    assert f'/incidents/new/?person={jayden.pk}' in html


def test_an_adult_s_page_carries_the_alert_about_the_child(world, client_for, family):
    jayden, kelly = family
    response = client_for(world.sw).get(reverse("person-detail", args=[kelly.pk]))
    bar = re.search(r'<section class="moj-identity-bar app-identity-bar".*?</section>', response.content.decode(), re.S)
    assert bar is not None
    assert "subject to a child protection plan" in unescape(bar.group(0))
    assert "943 476 5919" in bar.group(0)


def test_person_page_draws_the_household_and_relationships_both_ways(world, client_for, family):
    jayden, kelly = family
    client = client_for(world.sw)
    html = client.get(reverse("person-detail", args=[jayden.pk])).content.decode()
    diagram = re.search(r'<ul class="app-family">.*?</ul>\s*</li>\s*</ul>', html, re.S)
    assert diagram is not None
    assert "12 Acacia Road" in diagram.group(0)
    assert f'href="/people/{kelly.pk}/">Kelly Smith</a>' in diagram.group(0)
    assert "Parent of Jayden" in diagram.group(0)
    assert "Poses a risk to Jayden" in diagram.group(0)
    assert "app-family__member--risk" in diagram.group(0)
    kelly_page = text(client.get(reverse("person-detail", args=[kelly.pk])))
    assert "Child of Kelly" in kelly_page
    assert "Kelly poses a risk to them" in kelly_page


def test_person_page_links_by_role(world, client_for, family):
    jayden, _ = family
    history = f'href="/history/person/{jayden.pk}/"'
    merge = f'href="/people/{jayden.pk}/merge/"'
    sw = client_for(world.sw).get(reverse("person-detail", args=[jayden.pk])).content.decode()
    assert f'href="/people/{jayden.pk}/edit/"' in sw and history not in sw and merge not in sw
    tm = client_for(world.tm).get(reverse("person-detail", args=[jayden.pk])).content.decode()
    assert history in tm and merge in tm


def test_person_page_lists_the_person_s_incidents_when_there_are_none(world, client_for, family):
    jayden, _ = family
    page = text(client_for(world.sw).get(reverse("person-detail", args=[jayden.pk])))
    assert "No incident you may see involves this person." in page


def test_person_page_is_404_for_an_agency_it_is_not_shared_with(world, client_for, family):
    jayden, _ = family
    assert client_for(world.po).get(reverse("person-detail", args=[jayden.pk])).status_code == 404
    assert client_for(world.out).get(reverse("person-detail", args=[jayden.pk])).status_code == 404


# Restricted records and breaking glass


@pytest.fixture
def restricted(world):
    child = person(world, given_name="Rosa", family_name="Quinn", date_of_birth=date(2016, 2, 2))
    Person.objects.filter(pk=child.pk).update(restricted=True)
    RestrictedAccess.objects.create(partnership=world.north, person=child, user=world.sw)
    return child


def test_restricted_record_shows_the_notice_with_a_break_glass_form(world, client_for, restricted):
    response = client_for(world.mw).get(reverse("person-detail", args=[restricted.pk]))
    html = response.content.decode()
    assert response.status_code == 403
    assert '<h1 class="govuk-heading-l">This record is restricted</h1>' in html
    assert f'action="/people/{restricted.pk}/break-glass/"' in html
    assert 'name="reason"' in html
    assert "Rosa" not in html
    # A named user opens it as usual.
    assert client_for(world.sw).get(reverse("person-detail", args=[restricted.pk])).status_code == 200


def test_breaking_glass_opens_the_record_and_is_logged(world, client_for, restricted):
    client = client_for(world.mw)
    blank = client.post(reverse("person-break-glass", args=[restricted.pk]), {"reason": ""})
    assert blank.status_code == 200
    assert '<a href="#id_reason">Enter why you need to open this record</a>' in blank.content.decode()
    response = client.post(reverse("person-break-glass", args=[restricted.pk]),
                           {"reason": "Strategy meeting this afternoon about her sibling"})
    assert response.status_code == 302 and response["Location"] == f"/people/{restricted.pk}/"
    assert BreakGlass.objects.filter(person=restricted, user=world.mw).exists()
    opened = client.get(reverse("person-detail", args=[restricted.pk]))
    assert opened.status_code == 200 and "Rosa Quinn" in text(opened)


def test_break_glass_page_for_a_record_one_may_open_goes_to_the_record(world, client_for, restricted):
    response = client_for(world.sw).get(reverse("person-break-glass", args=[restricted.pk]))
    assert response.status_code == 302 and response["Location"] == f"/people/{restricted.pk}/"


# Edit


def test_edit_carries_the_version_and_saves(world, client_for, family):
    jayden, _ = family
    client = client_for(world.sw)
    html = client.get(reverse("person-edit", args=[jayden.pk])).content.decode()
    assert f'<input type="hidden" name="version" value="{jayden.version}"' in html
    assert 'value="Jayden"' in html and 'name="date_of_birth_day"' in html and 'value="4"' in html
    body = create_body(given_name="Jayden", family_name="Smith", date_of_birth_day="4", date_of_birth_month="3",
                       date_of_birth_year="2015", version=str(jayden.version))
    response = client.post(reverse("person-edit", args=[jayden.pk]), body)
    assert response.status_code == 302
    jayden.refresh_from_db()
    assert jayden.ethnicity == "BAFR" and jayden.version == 2


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(world, client_for, family):
    jayden, _ = family
    people_services.person_update(person=jayden, by=world.tm, version=jayden.version, religion="Christian")
    body = create_body(given_name="Jayden", family_name="Smith", date_of_birth_day="4", date_of_birth_month="3",
                       date_of_birth_year="2015", first_language="Polish", version="1")
    response = client_for(world.sw).post(reverse("person-edit", args=[jayden.pk]), body)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this record since you opened it." in text(response)
    assert "govuk-error-summary" in html
    assert 'value="Polish"' in html
    # Their change is shown, and the form now carries the current version so saving again keeps the user's.
    assert "Christian" in text(response)
    assert '<input type="hidden" name="version" value="2"' in html
    jayden.refresh_from_db()
    assert jayden.first_language == "" and jayden.religion == "Christian"
    again = client_for(world.sw).post(reverse("person-edit", args=[jayden.pk]), {**body, "version": "2"})
    assert again.status_code == 302
    jayden.refresh_from_db()
    assert jayden.first_language == "Polish"


def test_edit_is_403_for_an_agency_that_may_only_see_the_record(world, client_for, family):
    jayden, _ = family
    from cases.permissions import record_share_with

    record_share_with(record=jayden, agency=world.police, what="For a test", by=world.sw)
    assert client_for(world.po).get(reverse("person-detail", args=[jayden.pk])).status_code == 200
    assert client_for(world.po).get(reverse("person-edit", args=[jayden.pk])).status_code == 403


# Merge


def test_merge_is_for_children_s_social_care_managers(world, client_for, family):
    jayden, _ = family
    assert client_for(world.sw).get(reverse("person-merge", args=[jayden.pk])).status_code == 403
    assert client_for(world.mm).get(reverse("person-merge", args=[jayden.pk])).status_code == 200


def test_merge_compares_and_merges_a_duplicate(world, client_for, family):
    jayden, _ = family
    duplicate = person(world, given_name="Jaden", family_name="Smith", date_of_birth=date(2015, 3, 4),
                       first_language="English")
    client = client_for(world.mm)
    choose = client.get(reverse("person-merge", args=[jayden.pk]))
    assert choose.status_code == 200
    assert re.search(rf'name="duplicate" type="radio" value="{duplicate.pk}"', choose.content.decode())
    compare = client.get(reverse("person-merge", args=[jayden.pk]), {"duplicate": duplicate.pk})
    page = text(compare)
    assert "Record to keep: Jayden Smith" in page and "Duplicate to merge into it: Jaden Smith" in page
    response = client.post(reverse("person-merge", args=[jayden.pk]), {"duplicate": duplicate.pk}, follow=True)
    assert response.redirect_chain == [(f"/people/{jayden.pk}/", 302)]
    assert "was merged into this one" in text(response)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == jayden.pk


def test_merge_without_a_choice_says_so(world, client_for, family):
    jayden, _ = family
    person(world, given_name="Jaden", family_name="Smith", date_of_birth=date(2015, 3, 4))
    response = client_for(world.mm).post(reverse("person-merge", args=[jayden.pk]), {})
    assert response.status_code == 200
    assert "Select the record that is a duplicate" in text(response)


# Households


def test_household_create_and_add_a_member(world, client_for, family):
    jayden, kelly = family
    client = client_for(world.sw)
    form = client.get(reverse("household-create"), {"person": jayden.pk})
    assert "Jayden Smith will be recorded as living here" in text(form)
    blank = client.post(reverse("household-create"), {"address": "", "person": jayden.pk})
    assert '<a href="#id_address">Enter the household&#x27;s address</a>' in blank.content.decode()
    response = client.post(reverse("household-create"), {"address": "3 Mill Lane\nNorthtown", "postcode": "nt12ab",
                                                         "person": jayden.pk})
    assert response.status_code == 302
    household_url = response["Location"]
    page = client.get(household_url)
    assert "3 Mill Lane" in text(page) and "NT1 2AB" in text(page)
    assert f'href="/people/{jayden.pk}/">Jayden Smith</a>' in page.content.decode()
    found = client.get(household_url, {"q": "Kelly Smith"})
    assert re.search(rf'<option value="{kelly.pk}">Kelly Smith, born 1 May 1990</option>', found.content.decode())
    added = client.post(household_url, {"person": kelly.pk})
    assert added.status_code == 302
    household_id = int(household_url.strip("/").split("/")[-1])
    assert HouseholdMember.objects.filter(household_id=household_id, person=kelly, left_on__isnull=True).exists()


def test_household_is_404_for_an_agency_it_is_not_shared_with(world, client_for, family):
    jayden, _ = family
    household_id = HouseholdMember.objects.filter(person=jayden).values_list("household_id", flat=True).first()
    assert client_for(world.hv).get(reverse("household-detail", args=[household_id])).status_code == 404


# Navigation


def test_navigation_has_people_for_all_but_auditors_and_already_known_for_everyone(world, client_for):
    sw = client_for(world.sw).get(reverse("people-known")).content.decode()
    assert 'href="/people/"' in sw
    assert re.search(r'href="/people/known/" aria-current="page">\s*<strong', sw)
    au = client_for(world.au).get(reverse("home")).content.decode()
    assert 'class="govuk-service-navigation__link" href="/people/"' not in au
    assert 'href="/people/known/"' in au


# Query counts


def _family_of(world, size: int, jayden: Person) -> None:
    """``size`` siblings in Jayden's household, each related to him, and ``size`` incidents-free flags elsewhere."""
    household = HouseholdMember.objects.filter(person=jayden).first()
    assert household is not None
    for n in range(size):
        born = date(2010, 1, 1) + timedelta(n)
        sibling = person(world, given_name=f"Sib{n}", family_name="Smith", date_of_birth=born)
        people_services.household_member_add(household=household.household, person=sibling, by=world.sw)
        people_services.relationship_create(person=sibling, other=jayden, kind="sibling", by=world.sw)


@pytest.mark.parametrize("size", [1, 20])
def test_person_page_queries_are_fixed(world, client_for, django_assert_num_queries, family, size):
    jayden, _ = family
    _family_of(world, size, jayden)
    client = client_for(world.sw)
    path = reverse("person-detail", args=[jayden.pk])
    warm(client, path)
    # session; the user with membership, agency and partnership; the actor's set_config; SAVEPOINT;
    # the person (visibility) and the access-log row; the person with school, GP and health visiting;
    # the members of the current households; relationships; which of those people the viewer may open;
    # alerts; flags; agencies involved; open cases; incidents; the user's and their groups' permissions
    # (the History link); the header badge's count; RELEASE SAVEPOINT.
    with django_assert_num_queries(19):
        client.get(path)


@pytest.mark.parametrize("size", [1, 20])
def test_find_queries_are_fixed(world, client_for, django_assert_num_queries, size):
    for n in range(size):
        found = person(world, given_name=f"Jay{n}", family_name="Smith", date_of_birth=date(2014, 1, 1) + timedelta(n))
        PersonFlag.objects.create(partnership=world.north, person=found, kind=PersonFlag.Kind.ESCALATING,
                                  raised_at=timezone.now(), incident_count=3)
    client = client_for(world.sw)
    warm(client, reverse("people-find"))
    # session; the user with membership, agency and partnership; the actor's set_config; SAVEPOINT;
    # the search's access-log row; the people found; their flags; the header badge's count; RELEASE SAVEPOINT.
    with django_assert_num_queries(9):
        client.get(reverse("people-find"), {"q": "Smith"})
