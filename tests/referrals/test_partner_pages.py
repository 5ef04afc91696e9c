"""The partner-agency pages of the front door (Django test client, no browser): making a referral, the
referrer's own referrals, agency checks, challenging a decision, and the home sections of the front door."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from agencies.models import Role, User
from audits.models import AccessLogEntry
from cases.models import Incident, Person
from cases.permissions import record_share_with
from cases.services.incidents import ChildAtIncident, incident_create
from referrals.models import AgencyCheck, Decision, Escalation, EscalationStage, Referral
from referrals.services import (
    NewChild,
    agency_check_answer,
    agency_check_request,
    escalation_raise,
    escalation_respond,
    escalation_stages_climb,
    referral_create,
    referral_decide,
    referral_feedback_record,
)
from tests.conftest import World
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CREATE = "/referrals/new/"
MADE = "/referrals/made/"
CHECKS = "/checks/"


def years_ago(years: int) -> date:
    return timezone.localdate() - timedelta(days=365 * years + 30)


def person(world: World, given: str, family: str, born: date | None, *, shared_with: Any = None,
           **extra: Any) -> Person:
    made = Person.objects.create(partnership=world.north, given_name=given, family_name=family, date_of_birth=born,
                                 search_name=f"{given} {family}".lower(), **extra)
    if shared_with is not None:
        record_share_with(record=made, agency=shared_with, what="Known to the agency", by=None)
    return made


@pytest.fixture
def leo(world: World) -> Person:
    """8, known to health visiting."""
    return person(world, "Leo", "Ashdown", years_ago(8), shared_with=world.health_visiting)


@pytest.fixture
def mia(world: World) -> Person:
    """3, known to health visiting."""
    return person(world, "Mia", "Ashdown", years_ago(3), shared_with=world.health_visiting)


def refer(world: World, children: list[Person], *, by: User | None = None, hours_ago: int = 2,
          **extra: Any) -> Referral:
    by = by or world.hv
    values: dict[str, Any] = {"concerns": "Bruising on the arm; Mum says he fell.", "consent": "given"}
    values.update(extra)
    return referral_create(by=by, received_at=timezone.now() - timedelta(hours=hours_ago),
                           referrer_agency=by.membership.agency, children=children, **values)


def decide(world: World, referral: Referral, outcome: str = "no_further_action") -> Decision:
    return referral_decide(referral=referral, by=world.mm, outcome=outcome,
                           rationale="Information from partners shows no current risk.")


def ask(world: World, referral: Referral, agency: Any = None, question: str = "Is Leo attending?") -> AgencyCheck:
    return agency_check_request(referral=referral, by=world.mw, agency=agency or world.school, question=question)


def form_data(**fields: Any) -> dict[str, Any]:
    now = timezone.localtime() - timedelta(minutes=5)
    data: dict[str, Any] = {
        "action": "send",
        "received_on_day": str(now.day), "received_on_month": str(now.month), "received_on_year": str(now.year),
        "received_time": f"{now:%H:%M}",
        "concerns": "Leo said Dad hit him with a belt last night.",
        "categories": ["physical_abuse"],
        "urgency": "urgent",
        "consent": "given",
        "lawful_basis": "public_task",
        "referrer_name": "Hana Visitor",
        "referrer_contact": "01234 567890",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def error_summary(html: str) -> list[tuple[str, str]]:
    """(link target, message) of each error in the summary."""
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0] if "govuk-error-summary" in html else ""
    return [(href, unescape(message)) for href, message in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)]


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p id="{field_id}-error" class="govuk-error-message">(.*?)</p>', html, re.S)
    return text(match.group(1)).removeprefix("Error: ") if match else ""


# -- Making a referral ---------------------------------------------------------------------------------------


def test_the_form_enters_the_referrer_once(world, client_for):
    html = client_for(world.hv).get(CREATE).content.decode()
    assert '<h1 class="govuk-heading-l">Make a referral</h1>' in html
    # A partner agency refers for itself: the agency is shown, not asked; the name and contact are filled in.
    assert 'name="referrer_agency"' not in html
    assert "North Health Visiting" in text(html.split("Who is referring")[1])
    assert re.search(r'name="referrer_name" type="text" value="' + re.escape(world.hv.display_name), html)
    # Received now, by default.
    today = timezone.localdate()
    assert f'name="received_on_day" type="text" inputmode="numeric" spellcheck="false" value="{today.day}"' in html
    # The consent reasons are revealed under their radios (the GOV.UK conditional reveal's markup, shown by the
    # stylesheet once the radio is chosen), with no script of our own.
    assert '<div class="govuk-radios app-reveal" data-module="govuk-radios">' in html
    assert 'class="govuk-radios__conditional govuk-radios__conditional--hidden" id="conditional-id_consent_reason_' \
           'not_sought"' in html
    assert "style=" not in html and "onclick" not in html


def test_the_mash_records_a_contact_from_any_agency_of_the_partnership(world, client_for, leo):
    client = client_for(world.mw)
    html = client.get(CREATE).content.decode()
    select = html.split('name="referrer_agency"')[1].split("</select>")[0]
    assert "Shire Police" in select and "Northgate Primary School" in select
    assert "South Children" not in select
    response = client.post(CREATE, form_data(child=[leo.pk], referrer_agency=world.police.pk,
                                             referrer_name="PC Dawson"))
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/referrals/new/{referral.pk}/"
    assert referral.referrer_agency == world.police and referral.referrer_name == "PC Dawson"
    assert referral.created_by == world.mw


def test_auditors_and_administrators_do_not_refer_and_strangers_sign_in(world, client_for):
    assert client_for(world.au).get(CREATE).status_code == 403
    assert client_for(world.ad).post(CREATE, form_data()).status_code == 403
    response = Client().get(CREATE)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_an_empty_referral_shows_each_problem_at_its_field_and_saves_nothing(world, client_for):
    response = client_for(world.hv).post(CREATE, {"action": "send"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Make a referral" in html
    summary = dict(error_summary(html))
    assert summary["id_find"].startswith("Add the children the referral is about")
    assert summary["id_concerns"] == "Describe the concerns: what happened, to whom, and what worries you"
    assert summary["id_consent"] == "Select whether the family consented to the referral"
    assert summary["id_received_on"] == "Enter the date the referral was received"
    assert field_error(html, "id_concerns") == summary["id_concerns"]
    assert Referral.objects.count() == 0


def test_without_consent_the_reason_is_required_at_its_revealed_box(world, client_for, leo):
    client = client_for(world.hv)
    html = client.post(CREATE, form_data(child=[leo.pk], consent="not_sought")).content.decode()
    assert ("id_consent_reason_not_sought", "Enter why you are referring without the family's consent") in \
        error_summary(html)
    # The box with the error is shown open, under its radio.
    assert 'class="govuk-radios__conditional" id="conditional-id_consent_reason_not_sought"' in html
    assert Referral.objects.count() == 0

    # A reason typed under "refused" does not count for "not sought".
    html = client.post(CREATE, form_data(child=[leo.pk], consent="not_sought",
                                         consent_reason_refused="They would flee")).content.decode()
    assert field_error(html, "id_consent_reason_not_sought")
    assert Referral.objects.count() == 0

    response = client.post(CREATE, form_data(child=[leo.pk], consent="not_sought", consent_reason_refused="Ignored",
                                              consent_reason_not_sought="Asking Dad would put Leo at risk."))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.consent == "not_sought" and referral.consent_reason == "Asking Dad would put Leo at risk."


def test_the_service_s_objections_land_on_their_fields(world, client_for, leo):
    # Consent as the lawful basis, when the family did not consent: the service refuses it.
    html = client_for(world.hv).post(CREATE, form_data(
        child=[leo.pk], consent="refused", consent_reason_refused="Risk of harm", lawful_basis="consent",
    )).content.decode()
    assert field_error(html, "id_lawful_basis") == "Consent is the lawful basis only when the family gave it."
    assert Referral.objects.count() == 0


def test_a_time_in_the_future_is_refused(world, client_for, leo):
    later = timezone.localtime() + timedelta(hours=3)
    if later.date() != timezone.localdate():
        later = timezone.localtime().replace(hour=23, minute=59)
        if later <= timezone.localtime() + timedelta(minutes=20):
            pytest.skip("too close to midnight to type a later time today")
    html = client_for(world.hv).post(CREATE, form_data(child=[leo.pk], received_time=f"{later:%H:%M}")).content.decode()
    assert field_error(html, "id_received_time") == "The time the referral was received must be in the past"
    assert Referral.objects.count() == 0


def test_finding_and_adding_children_without_javascript(world, client_for, leo, mia):
    stranger = person(world, "Luke", "Ashdown", years_ago(6))  # not known to health visiting
    adult = person(world, "Amira", "Ashdown", date(1990, 3, 4), shared_with=world.health_visiting)
    client = client_for(world.hv)
    html = client.post(CREATE, form_data(action="find", find="Ashdown", concerns="Typed before the search"))\
        .content.decode()
    assert "<title>Make a referral" in html  # finding checks nothing yet
    assert "Typed before the search" in html  # and loses nothing typed
    assert f'value="add:{leo.pk}"' in html and f'value="add:{mia.pk}"' in html
    assert f'value="add:{stranger.pk}"' not in html and f'value="add:{adult.pk}"' not in html
    assert "2 children found" in html

    html = client.post(CREATE, form_data(action=f"add:{leo.pk}", find="Ashdown")).content.decode()
    assert f'<input type="hidden" name="child" value="{leo.pk}">' in html
    assert f'value="remove:{leo.pk}"' in html
    # Leo is on the list; his sister is still offered.
    assert f'value="add:{leo.pk}"' not in html and f'value="add:{mia.pk}"' in html

    html = client.post(CREATE, form_data(action=f"remove:{leo.pk}", child=[leo.pk, mia.pk])).content.decode()
    assert f'name="child" value="{leo.pk}"' not in html and f'name="child" value="{mia.pk}"' in html
    # A child the user may not open cannot be slipped in.
    html = client.post(CREATE, form_data(action=f"add:{stranger.pk}")).content.decode()
    assert f'name="child" value="{stranger.pk}"' not in html


def test_a_new_child_is_checked_for_duplicates_showing_name_and_age_only(world, client_for, leo):
    born = years_ago(5)
    hidden = person(world, "Lily", "Ashdown", born, nhs_number="9434765919")  # not known to the HV
    client = client_for(world.hv)
    new_lily = form_data(action="add_new", child=[leo.pk], new_given_name="Lilly", new_family_name="Ashdown",
                         new_date_of_birth_day=str(born.day), new_date_of_birth_month=str(born.month),
                         new_date_of_birth_year=str(born.year), new_sex="female")
    html = client.post(CREATE, new_lily).content.decode()
    panel = html.split('id="possible-records"')[1].split("</dl>")[0]
    assert "Lily Ashdown" in panel and "5 years" in panel
    # A preview, never the record: no link to it, nothing else of it, and no way to refer her from it.
    assert "/people/" not in panel and "9434765919" not in html and f"use:{hidden.pk}" not in html
    assert "A record your agency cannot open" in panel
    assert 'value="confirm_new"' in html
    assert 'name="new_child"' not in html
    assert Person.objects.count() == 2

    # "This is a new child": she is on the list, recorded only when the referral is sent.
    html = client.post(CREATE, {**new_lily, "action": "confirm_new"}).content.decode()
    encoded = re.search(r'<input type="hidden" name="new_child" value="([^"]+)">', html)
    assert encoded and json.loads(unescape(encoded.group(1)))["given_name"] == "Lilly"
    assert 'name="new_given_name" type="text" value=' not in html  # the boxes are emptied
    assert Person.objects.count() == 2

    response = client.post(CREATE, form_data(child=[leo.pk], new_child=[unescape(encoded.group(1))]))
    assert response.status_code == 302
    referral = Referral.objects.get()
    names = sorted(referral.children.values_list("child__given_name", flat=True))
    assert names == ["Leo", "Lilly"]


def test_a_duplicate_the_user_may_open_can_be_referred_instead(world, client_for, leo):
    client = client_for(world.hv)
    html = client.post(CREATE, form_data(action="add_new", new_given_name="Leo", new_family_name="Ashdowne"))\
        .content.decode()
    assert f'value="use:{leo.pk}"' in html
    html = client.post(CREATE, form_data(action=f"use:{leo.pk}", new_given_name="Leo", new_family_name="Ashdowne"))\
        .content.decode()
    assert f'name="child" value="{leo.pk}"' in html and 'value="Ashdowne"' not in html


def test_a_new_child_typed_but_not_added_is_checked_before_sending(world, client_for, leo):
    client = client_for(world.hv)
    html = client.post(CREATE, form_data(new_given_name="Leo", new_family_name="Ashdown")).content.decode()
    assert field_error(html, "id_new_given_name").startswith("Leo Ashdown may already be known")
    assert Referral.objects.count() == 0 and Person.objects.count() == 1
    # Nobody like her: she is recorded with the referral, in one go.
    response = client.post(CREATE, form_data(new_given_name="Zara", new_family_name="Quill", new_sex="female"))
    assert response.status_code == 302
    zara = Referral.objects.get().children.get().child
    assert (zara.full_name, zara.sex) == ("Zara Quill", "female")


def test_a_refused_referral_keeps_the_new_child_typed_and_records_them_once(world, client_for):
    client = client_for(world.hv)
    zara = {"new_given_name": "Zara", "new_family_name": "Quill"}
    html = client.post(CREATE, form_data(**zara, consent="refused", consent_reason_refused="Risk of harm",
                                         lawful_basis="consent")).content.decode()
    assert field_error(html, "id_lawful_basis")
    assert 'name="new_child"' not in html and 'value="Zara"' in html
    assert client.post(CREATE, form_data(**zara)).status_code == 302
    assert Person.objects.filter(given_name="Zara").count() == 1


def test_an_adult_is_not_added_as_a_new_child(world, client_for):
    html = client_for(world.hv).post(CREATE, form_data(
        action="add_new", new_given_name="Dean", new_family_name="Ashdown", new_date_of_birth_day="20",
        new_date_of_birth_month="11", new_date_of_birth_year="1987")).content.decode()
    assert field_error(html, "id_new_date_of_birth") == "The person must be under 18: refer adults to adult services"
    # Only the new child's boxes are checked on "add".
    assert not field_error(html, "id_concerns") or "Describe" not in field_error(html, "id_concerns")


def test_the_duplicate_check_is_logged_and_shows_no_adult_the_user_may_not_open(world, client_for, leo):
    adult = person(world, "Lily", "Ashdown", date(1988, 6, 1))  # not known to health visiting
    child = person(world, "Lilly", "Ashdown", years_ago(5))  # not known to health visiting either
    html = client_for(world.hv).post(CREATE, form_data(action="add_new", new_given_name="Lily",
                                                       new_family_name="Ashdown")).content.decode()
    panel = html.split('id="possible-records"')[1].split("</dl>")[0]
    # A child the agency cannot open is shown by name and age; an adult it cannot open is not shown at all.
    assert "Lilly Ashdown" in panel and "5 years" in panel
    assert "Lily Ashdown" not in panel and "1988" not in html and f"use:{adult.pk}" not in html
    assert f"use:{child.pk}" not in html
    entry = AccessLogEntry.objects.get(action="search", user=world.hv)
    assert (entry.record_type, entry.record_id, entry.partnership_id) == ("person", None, world.north.pk)
    assert entry.fields == {"given_name": "Lily", "family_name": "Ashdown", "date_of_birth": None}


def test_the_duplicate_check_logs_the_date_of_birth_searched(world, client_for):
    born = years_ago(4)
    client_for(world.hv).post(CREATE, form_data(
        action="add_new", new_given_name="Zara", new_family_name="Quill", new_date_of_birth_day=str(born.day),
        new_date_of_birth_month=str(born.month), new_date_of_birth_year=str(born.year)))
    entry = AccessLogEntry.objects.get(action="search", user=world.hv)
    assert entry.fields == {"given_name": "Zara", "family_name": "Quill", "date_of_birth": born.isoformat()}


@pytest.mark.parametrize("odd", ["²", "٣", "1" * 40, "-1", " 7"])
def test_ids_that_are_not_plain_numbers_are_ignored_not_a_server_error(world, client_for, leo, odd):
    client = client_for(world.hv)
    for action in ("add", "use", "remove", "remove_new"):
        response = client.post(CREATE, form_data(action=f"{action}:{odd}", child=[leo.pk, odd], find="Ashdown",
                                                 new_child=[new_child_value("Zara", "Quill")]))
        assert response.status_code == 200, action
        html = response.content.decode()
        assert f'name="child" value="{leo.pk}"' in html and 'name="new_child"' in html
    response = client.post(CREATE, form_data(child=[leo.pk], incident=odd))
    assert response.status_code == 200
    assert field_error(response.content.decode(), "id_incident") == "Choose an incident from the list"
    assert client.get(CREATE, {"incident": odd}).status_code == 200


def new_child_value(given: str, family: str, **extra: Any) -> str:
    """A new child as the form carries it in its hidden input."""
    return json.dumps({"given_name": given, "family_name": family, "date_of_birth": "", "sex": "female", **extra})


def test_a_search_with_a_nul_character_or_too_long_finds_without_a_server_error(world, client_for, leo):
    client = client_for(world.hv)
    html = client.post(CREATE, form_data(action="find", find="Ash\x00down")).content.decode()
    assert f'value="add:{leo.pk}"' in html
    assert client.post(CREATE, form_data(action="find", find="Ashdown " * 60)).status_code == 200
    entry = AccessLogEntry.objects.filter(action="search", user=world.hv).order_by("-pk").first()
    assert entry is not None and len(entry.fields["q"]) <= 100


def test_a_carried_new_child_with_a_nul_character_is_dropped(world, client_for, leo):
    client = client_for(world.hv)
    for carried in (new_child_value("Zara\x00", "Quill"), new_child_value("Zara", "Quill") + "\x00"):
        response = client.post(CREATE, form_data(child=[leo.pk], new_child=[carried]))
        assert response.status_code == 302
    assert not Person.objects.filter(given_name__startswith="Zara").exists()
    assert Referral.objects.count() == 2


def test_a_carried_new_child_with_a_name_too_long_is_refused_at_the_children(world, client_for):
    response = client_for(world.hv).post(CREATE, form_data(new_child=[new_child_value("Z" * 150, "Quill")]))
    html = response.content.decode()
    assert response.status_code == 200
    assert field_error(html, "id_find") == "A child's name is longer than 100 characters: remove the child and add" \
                                           " them again"
    assert Referral.objects.count() == 0 and not Person.objects.filter(family_name="Quill").exists()


def test_sending_the_referral_is_protected_from_a_double_click(world, client_for):
    html = client_for(world.hv).get(CREATE).content.decode()
    assert re.search(r'<button[^>]*value="send"[^>]*data-prevent-double-click="true"', html)
    assert html.count("data-prevent-double-click") == 1  # not the buttons that only change the form


def test_the_confirmation_gives_the_reference_the_deadline_and_repeat_warnings(world, client_for, leo, mia):
    earlier = refer(world, [leo], hours_ago=24 * 60)
    client = client_for(world.hv)
    response = client.post(CREATE, form_data(child=[leo.pk, mia.pk]), follow=True)
    referral = Referral.objects.exclude(pk=earlier.pk).get()
    html = response.content.decode()
    assert '<h1 class="govuk-panel__title">Referral sent</h1>' in html
    assert f"Your reference number<br><strong>{referral.pk}</strong>" in html
    due = timezone.localtime(referral.decision_due_at)
    assert f"The MASH will decide by {due:%H:%M} on {due:%A} {due.day} {due:%B %Y}" in text(html)
    assert "Repeat referral: Leo Ashdown was referred in the 12 months before this referral." in text(html)
    assert "Repeat referral: Mia" not in text(html)
    assert f'href="/referrals/{referral.pk}/"' in html
    # Another agency's user cannot read it.
    assert client_for(world.te).get(f"/referrals/new/{referral.pk}/").status_code == 404


def test_a_referral_from_an_incident_links_it_and_brings_its_children(world, client_for, leo):
    record_share_with(record=leo, agency=world.police, what="Earlier call-out", by=world.po)
    amira = person(world, "Amira", "Ashdown", date(1990, 3, 4))
    dean = person(world, "Dean", "Ashdown", date(1987, 11, 20))
    incident = incident_create(partnership=world.north, by=world.po, reported_by=world.police,
                               occurred_at=timezone.now() - timedelta(days=1), reference="NP-1", victims=[amira],
                               perpetrators=[dean], children=[ChildAtIncident(leo, resident=True, present=True)])
    client = client_for(world.po)
    html = client.get(CREATE, {"incident": incident.pk}).content.decode()
    assert f'<input type="hidden" name="child" value="{leo.pk}">' in html
    assert f'<option value="{incident.pk}" selected>' in html and "NP-1 (Shire Police)" in html
    response = client.post(CREATE, form_data(child=[leo.pk], incident=incident.pk))
    assert response.status_code == 302
    assert Referral.objects.get().incident == incident
    # An incident the user may not see is not offered, and cannot be linked.
    other: Incident = incident
    html = client_for(world.te).get(CREATE, {"incident": other.pk}).content.decode()
    assert f'<option value="{other.pk}"' not in html


# -- The referrer's own referrals ----------------------------------------------------------------------------


def test_the_referrer_sees_its_agency_s_referrals_with_outcome_and_feedback(world, client_for, leo, mia):
    waiting = refer(world, [leo], hours_ago=1)
    decided = refer(world, [mia], hours_ago=30)
    decide(world, decided, "early_help")
    told = refer(world, [leo, mia], hours_ago=50)
    decide(world, told)
    referral_feedback_record(referral=told, by=world.mw, method="phone")
    police = refer(world, [], by=world.po, new_children=[NewChild("Kai", "Other")])

    html = client_for(world.hv).get(MADE).content.decode()
    rows = html.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0].split("</tr>")[:-1]
    assert [re.search(r"Referral (\d+)</a>", row).group(1) for row in rows] == [  # type: ignore[union-attr]
        str(waiting.pk), str(decided.pk), str(told.pk)]
    assert "Awaiting decision" in rows[0] and "Not decided yet" in rows[0]
    assert "Early help" in rows[1] and "Not yet" in text(rows[1])
    assert "No further action" in rows[2] and "Telephone" in rows[2] and "Decided and told" in rows[2]
    assert "Leo Ashdown (8 years), Mia Ashdown (3 years)" in text(rows[2])
    assert f"Referral {police.pk}<" not in html
    assert f'href="/referrals/{told.pk}/"' in html


def test_an_agency_with_no_referrals_sees_the_empty_state_and_others_are_refused(world, client_for, leo):
    refer(world, [leo])
    html = client_for(world.te).get(MADE).content.decode()
    assert "Your agency has not made any referrals." in html
    assert client_for(world.au).get(MADE).status_code == 403
    assert client_for(world.ad).get(MADE).status_code == 403


def test_the_referrals_page_pages_by_25(world, client_for, leo):
    for n in range(27):
        refer(world, [leo], hours_ago=n + 1)
    html = client_for(world.hv).get(MADE, {"page": 2}).content.decode()
    assert html.count('data-label="Referral"') == 2
    assert 'aria-label="Page 1"' in html


@pytest.mark.parametrize("count", [1, 12])
def test_the_referrals_page_runs_a_fixed_number_of_queries(world, client_for, django_assert_num_queries, leo, mia,
                                                           count):
    for n in range(count):
        referral = refer(world, [leo, mia], hours_ago=n + 1)
        if n % 2:
            decide(world, referral)
    client = client_for(world.hv)
    client.get(MADE)
    # session, user; the audit context (set_config); savepoint; the paginator's count; the page of referrals
    # with decision, feedback and agency; their children with flags; which children the user may open;
    # the unread badge; release.
    with django_assert_num_queries(10):
        response = client.get(MADE)
    assert response.content.decode().count('data-label="Referral"') == count


# -- Agency checks -------------------------------------------------------------------------------------------


def test_the_inbox_lists_open_checks_first_with_due_and_overdue(world, client_for, leo, mia):
    answered_first = ask(world, refer(world, [mia], hours_ago=6), question="Is Mia in nursery?")
    answered = ask(world, refer(world, [mia], hours_ago=5), question="Is Mia in nursery?")
    agency_check_answer(check=answered, by=world.te, information="Mia attends our nursery daily.")
    agency_check_answer(check=answered_first, by=world.te, information="Mia attends our nursery daily.")
    # Due later and answered last: answered checks come newest answer first, whatever their due times.
    AgencyCheck.objects.filter(pk=answered.pk).update(answered_at=timezone.now() - timedelta(hours=1),
                                                      due_at=answered_first.due_at - timedelta(hours=1))
    overdue = ask(world, refer(world, [leo], hours_ago=4))
    AgencyCheck.objects.filter(pk=overdue.pk).update(requested_at=timezone.now() - timedelta(days=3),
                                                     due_at=timezone.now() - timedelta(hours=2))
    soon = ask(world, refer(world, [leo, mia], hours_ago=3))
    ask(world, refer(world, [leo], hours_ago=2), agency=world.police)  # another agency's

    html = client_for(world.te).get(CHECKS).content.decode()
    rows = html.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0].split("</tr>")[:-1]
    assert len(rows) == 4
    assert f"/checks/{overdue.pk}/" in rows[0] and "Overdue" in rows[0]
    assert f"/checks/{soon.pk}/" in rows[1] and "To answer" in rows[1] and " left" in rows[1]
    assert "Leo Ashdown (8 years), Mia Ashdown (3 years)" in text(rows[1])
    assert f"/checks/{answered_first.pk}/" in rows[2] and "Answered" in rows[2]
    assert f"/checks/{answered.pk}/" in rows[3]


def test_the_inbox_is_for_practitioners_and_managers(world, client_for):
    assert "There are no agency checks for your agency." in client_for(world.hv).get(CHECKS).content.decode()
    assert client_for(world.au).get(CHECKS).status_code == 403
    assert client_for(world.ad).get(CHECKS).status_code == 403


@pytest.mark.parametrize("count", [1, 12])
def test_the_inbox_runs_a_fixed_number_of_queries(world, client_for, django_assert_num_queries, leo, count):
    for n in range(count):
        check = ask(world, refer(world, [leo], hours_ago=n + 1))
        if n % 2:
            agency_check_answer(check=check, by=world.te, information="Known to us.")
    client = client_for(world.te)
    client.get(CHECKS)
    # session, user; the audit context; savepoint; the paginator's count; the page of checks with referral,
    # agency and answerer; the referrals' children with flags; which the user may open; the badge; release.
    with django_assert_num_queries(10):
        response = client.get(CHECKS)
    assert response.content.decode().count('data-label="Due"') == count


def test_the_addressed_agency_answers_once_and_then_reads_its_answer(world, client_for, leo, mia):
    referral = refer(world, [leo, mia], concerns="Leo has bruises on his back.", urgency="urgent")
    check = ask(world, referral, question="Is Leo attending school, and any concerns?")
    url = f"/checks/{check.pk}/"
    client = client_for(world.te)
    html = client.get(url).content.decode()
    summary = text(html.split('<dl class="govuk-summary-list">')[1].split("</dl>")[0])
    assert "Leo Ashdown, 8 years" in summary and "Mia Ashdown, 3 years" in summary
    assert "Leo has bruises on his back." in summary and "Urgent" in summary
    assert f"{world.mw.display_name}, North Children's Services" in summary
    assert "Is Leo attending school, and any concerns?" in summary
    assert 'name="information"' in html

    html = client.post(url, {"information": "  "}).content.decode()
    assert error_summary(html) == [("id_information", "Say what your agency knows, or that it holds nothing")]

    response = client.post(url, {"information": "Leo's attendance is 72%; he came in hungry twice."})
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    assert "Leo&#x27;s attendance is 72%" in html and 'name="information"' not in html
    assert f"Answered by {world.te.display_name}" in html
    # Answering again changes nothing.
    client.post(url, {"information": "Something else"})
    check.refresh_from_db()
    assert check.information.startswith("Leo's attendance")


def test_the_mash_reads_a_check_without_answering_and_others_are_told_nothing(world, client_for, leo):
    check = ask(world, refer(world, [leo]))
    url = f"/checks/{check.pk}/"
    html = client_for(world.mw).get(url).content.decode()
    assert "Waiting for Northgate Primary School to answer." in html and 'name="information"' not in html
    assert client_for(world.mw).post(url, {"information": "MASH answer"}).status_code == 403
    assert client_for(world.po).get(url).status_code == 404
    assert client_for(world.hv).get(url).status_code == 404  # the referrer sees the referral, not the check
    assert client_for(world.au).get(url).status_code == 404


def test_the_check_page_runs_a_fixed_number_of_queries(world, client_for, django_assert_num_queries, leo, mia):
    check = ask(world, refer(world, [leo, mia]))
    client = client_for(world.te)
    url = f"/checks/{check.pk}/"
    client.get(url)
    # session, user; the audit context; savepoint; the check with its referral and agency, and the access-log
    # row; the children with flags, which the user may open; who asked, with their agency; the badge; release.
    with django_assert_num_queries(11):
        client.get(url)


# -- Escalations ---------------------------------------------------------------------------------------------


def test_the_referrer_challenges_a_decision_knowing_the_stages(world, client_for, leo):
    referral = refer(world, [leo])
    decide(world, referral)
    url = f"/referrals/{referral.pk}/escalate/"
    client = client_for(world.hv)
    html = client.get(url).content.decode()
    page = text(html)
    assert "No further action" in page and "Information from partners shows no current risk." in page
    for stage, days in (("The practitioner who made the decision", "2 working days"),
                        ("Their line manager", "5 working days"),
                        ("The senior manager of children's social care", "2 working days")):
        assert f"{stage} {days}" in page
    assert "stage 1 must be answered by" in page

    html = client.post(url, {"reason": ""}).content.decode()
    assert error_summary(html) == [("id_reason", "Say what you disagree with and why")]
    response = client.post(url, {"reason": "Leo disclosed being hit; this needs a strategy discussion."})
    escalation = Escalation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/escalations/{escalation.pk}/"
    first = escalation.stages.get()
    assert (first.number, first.respondent) == (1, world.mm)
    # Already open: the page leads to it instead of a second challenge.
    html = client.get(url).content.decode()
    assert f'href="/escalations/{escalation.pk}/"' in html and 'name="reason"' not in html


def test_a_challenge_waits_for_a_decision_and_only_involved_agencies_raise_one(world, client_for, leo):
    referral = refer(world, [leo])
    ask(world, referral)
    url = f"/referrals/{referral.pk}/escalate/"
    html = client_for(world.hv).get(url).content.decode()
    assert "There is no decision to challenge yet." in html and 'name="reason"' not in html
    decide(world, referral)
    assert 'name="reason"' in client_for(world.te).get(url).content.decode()  # asked for a check
    assert client_for(world.mw).get(url).status_code == 403
    assert client_for(world.ad).get(url).status_code == 403
    assert client_for(world.po).get(url).status_code == 404
    assert client_for(world.out).get(url).status_code == 404


def challenged(world: World, leo: Person) -> Escalation:
    referral = refer(world, [leo])
    decide(world, referral)
    return escalation_raise(referral=referral, by=world.hv, reason="Leo disclosed being hit.")


def test_the_escalation_page_shows_stages_and_who_answers(world, client_for, leo):
    escalation = challenged(world, leo)
    url = f"/escalations/{escalation.pk}/"
    html = client_for(world.hv).get(url).content.decode()
    page = text(html)
    assert "Open: stage 1" in page and "Leo disclosed being hit." in page
    assert f"Stage 1: practitioner Who answers {world.mm.display_name}" in page
    assert "Waiting for an answer" in page
    assert 'name="outcome"' not in html  # the referrer does not answer its own challenge
    assert client_for(world.hv).post(url, {"outcome": "resolved", "response": "x"}).status_code == 403


def test_the_respondent_answers_each_stage_and_it_climbs(world, client_for, leo):
    escalation = challenged(world, leo)
    url = f"/escalations/{escalation.pk}/"
    mm = client_for(world.mm)
    html = mm.get(url).content.decode()
    assert "Answer stage 1" in html and 'value="escalate"' in html

    html = mm.post(url, {"outcome": "", "response": "", "stage": "1"}).content.decode()
    assert dict(error_summary(html)) == {"id_outcome": "Select whether the disagreement is resolved",
                                         "id_response": "Give your response to the disagreement"}
    response = mm.post(url, {"outcome": "escalate", "response": "I stand by the decision.", "stage": "1"})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.stage == 2
    assert EscalationStage.objects.get(escalation=escalation, number=2).respondent == world.sm  # mm's line manager

    sm = client_for(world.sm)
    assert sm.post(url, {"outcome": "escalate", "response": "Needs the senior manager.", "stage": "2"}).status_code \
        == 302
    assert sm.post(url, {"outcome": "escalate", "response": "To the partnership.", "stage": "3"}).status_code == 302
    html = sm.get(url).content.decode()
    # The partnership's answer is the last: it can only resolve.
    assert "Answer stage 4" in html and 'value="escalate"' not in html
    assert sm.post(url, {"outcome": "resolved", "response": "Strategy discussion to be held.", "stage": "4"})\
        .status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == "resolved"
    html = sm.get(url).content.decode()
    assert "Resolved" in html and 'name="outcome"' not in html
    assert sm.post(url, {"outcome": "resolved", "response": "Again"}).status_code == 302


def test_who_may_see_an_escalation(world, client_for, leo):
    escalation = challenged(world, leo)
    url = f"/escalations/{escalation.pk}/"
    assert client_for(world.mw).get(url).status_code == 200
    assert client_for(world.mw).post(url, {"outcome": "resolved", "response": "x"}).status_code == 403
    for code in ("PO", "TE", "MH", "AU", "OUT"):
        assert client_for(world.persona(code)).get(url).status_code == 404, code


def test_the_escalation_page_runs_a_fixed_number_of_queries(world, client_for, django_assert_num_queries, leo):
    escalation = challenged(world, leo)
    escalation_respond(escalation=escalation, by=world.mm, outcome="escalate", response="No.")
    client = client_for(world.sm)
    url = f"/escalations/{escalation.pk}/"
    client.get(url)
    # session, user; the audit context; savepoint; the escalation with referral and agency (through the
    # visible referrals) and the access-log row; its stages with respondents; whether the user made the decision
    # (who may not answer past stage 1); the decision with its maker; who raised it; the badge; release.
    with django_assert_num_queries(12):
        client.get(url)


def test_another_agency_s_open_challenge_is_said_to_exist_without_a_link(world, client_for, leo):
    referral = refer(world, [leo])
    ask(world, referral)  # the school was asked for a check, so it may challenge too
    decide(world, referral)
    escalation = escalation_raise(referral=referral, by=world.hv, reason="Leo disclosed being hit.")
    url = f"/referrals/{referral.pk}/escalate/"
    html = client_for(world.te).get(url).content.decode()
    assert "This decision is already being challenged by another agency." in text(html)
    assert f"/escalations/{escalation.pk}/" not in html and 'name="reason"' not in html
    # The agency that raised it follows it.
    assert f'href="/escalations/{escalation.pk}/"' in client_for(world.hv).get(url).content.decode()


def test_a_challenge_raised_meanwhile_keeps_the_reason_typed(world, client_for, leo):
    referral = refer(world, [leo])
    ask(world, referral)
    decide(world, referral)
    escalation_raise(referral=referral, by=world.hv, reason="Leo disclosed being hit.")
    response = client_for(world.te).post(f"/referrals/{referral.pk}/escalate/",
                                         {"reason": "The school has seen bruises twice this term."})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The school has seen bruises twice this term." in html
    assert error_summary(html) == [("id_reason", "An escalation of this decision is already open: add to it rather"
                                                 " than start another.")]
    assert Escalation.objects.count() == 1


def test_an_answer_without_its_stage_is_refused_as_out_of_date(world, client_for, leo):
    escalation = challenged(world, leo)
    url = f"/escalations/{escalation.pk}/"
    for stage in (None, "", "two", "²", "9"):
        body = {"outcome": "resolved", "response": "Agreed after a call with the school."}
        if stage is not None:
            body["stage"] = stage
        response = client_for(world.mm).post(url, body)
        html = response.content.decode()
        assert response.status_code == 200, stage
        assert [message for _, message in error_summary(html)] == [
            "This page was out of date: your answer was not saved. Check the stage below and send your answer again."]
        assert "Enter a whole number" not in html
        assert "Agreed after a call with the school." in html
        assert '<input type="hidden" name="stage" value="1">' in html
    escalation.refresh_from_db()
    assert escalation.status == "open" and not escalation.stages.exclude(outcome="").exists()


def time_out_stage_1(escalation: Escalation) -> None:
    first = escalation.stages.get(number=1)
    escalation_stages_climb(stage_ids=[first.pk], now=first.due_at + timedelta(minutes=1))


def test_an_answer_to_a_stage_that_climbed_meanwhile_is_given_back_to_the_decision_maker(world, client_for, leo):
    escalation = challenged(world, leo)
    time_out_stage_1(escalation)
    response = client_for(world.mm).post(f"/escalations/{escalation.pk}/", {
        "stage": "1", "outcome": "resolved", "response": "I have spoken to the health visitor."})
    html = response.content.decode()
    # Not a 403: the decision maker answered stage 1 in good faith, and may not answer stage 2.
    assert response.status_code == 200
    assert [message for _, message in error_summary(html)] == [
        "Stage 1 was not answered in time and the escalation has moved to stage 2: your answer was not saved."]
    assert "I have spoken to the health visitor." in html
    assert 'name="outcome"' not in html and "Send your answer" not in html
    assert not EscalationStage.objects.filter(escalation=escalation, outcome="resolved").exists()


def test_an_answer_to_a_stage_that_climbed_meanwhile_may_be_sent_to_the_next_stage(world, client_for, leo):
    escalation = challenged(world, leo)
    time_out_stage_1(escalation)
    url = f"/escalations/{escalation.pk}/"
    tm = client_for(world.tm)  # a manager may answer stage 1 and stage 2
    html = tm.post(url, {"stage": "1", "outcome": "resolved", "response": "Settled with the team."}).content.decode()
    assert "the escalation has moved to stage 2: your answer was not saved." in html
    assert "Settled with the team." in html and "Answer stage 2" in html
    assert '<input type="hidden" name="stage" value="2">' in html
    assert tm.post(url, {"stage": "2", "outcome": "resolved", "response": "Settled with the team."}).status_code \
        == 302
    escalation.refresh_from_db()
    assert escalation.status == "resolved"


def test_an_answer_to_an_escalation_closed_meanwhile_is_given_back(world, client_for, leo):
    escalation = challenged(world, leo)
    escalation_respond(escalation=escalation, by=world.sm, outcome="resolved", response="Settled.", stage_number=1)
    response = client_for(world.mm).post(f"/escalations/{escalation.pk}/", {
        "stage": "1", "outcome": "escalate", "response": "I would have escalated it."})
    html = response.content.decode()
    assert response.status_code == 200
    assert [message for _, message in error_summary(html)] == [
        "This escalation was closed while you were answering: your answer was not saved. It is shown below so that"
        " you can copy it."]
    assert "I would have escalated it." in html and "Send your answer" not in html
    assert EscalationStage.objects.get(escalation=escalation).response == "Settled."


def test_an_answer_to_a_check_answered_meanwhile_is_given_back(world, client_for, leo):
    check = ask(world, refer(world, [leo]))
    agency_check_answer(check=check, by=world.te, information="Leo attends every day.")
    colleague = UserFactory.create(username="te2", agency=world.school, role=Role.PRACTITIONER)
    response = client_for(colleague).post(f"/checks/{check.pk}/", {"information": "Leo was late twice this week."})
    html = response.content.decode()
    assert response.status_code == 200
    assert [message for _, message in error_summary(html)] == [
        "This check has already been answered: your answer was not saved. It is shown below so that you can copy it."]
    assert "Leo was late twice this week." in html and "Leo attends every day." in html
    assert "Send your answer" not in html
    check.refresh_from_db()
    assert check.information == "Leo attends every day."


def test_the_buttons_that_answer_or_challenge_are_protected_from_a_double_click(world, client_for, leo):
    check = ask(world, refer(world, [leo]))
    escalation = challenged(world, leo)
    decided_referral = refer(world, [leo])
    decide(world, decided_referral)
    pages = [
        (client_for(world.te), f"/checks/{check.pk}/", "Send your answer"),
        (client_for(world.hv), f"/referrals/{decided_referral.pk}/escalate/", "Raise the challenge"),
        (client_for(world.mm), f"/escalations/{escalation.pk}/", "Send your answer"),
    ]
    for client, url, button in pages:
        html = client.get(url).content.decode()
        assert re.search(rf'<button[^>]*data-prevent-double-click="true"[^>]*>{button}</button>', html), url


# -- Home sections -------------------------------------------------------------------------------------------


def section(html: str, slug: str) -> str:
    return html.split(f'id="section-{slug}"')[1].split("</section>")[0]


def test_the_mash_practitioner_s_home_shows_the_top_of_the_queue_and_checks_asked(world, client_for, leo, mia):
    standard = refer(world, [mia], hours_ago=3)
    immediate = refer(world, [leo], hours_ago=1, urgency="immediate")
    check = ask(world, standard)
    html = client_for(world.mw).get("/").content.decode()
    queue = section(html, "referrals-waiting-for-triage")
    assert queue.index(f'href="/referrals/{immediate.pk}/"') < queue.index(f'href="/referrals/{standard.pk}/"')
    assert ">Leo Ashdown</a>" in queue and "immediate" in queue and " left</strong>" in queue
    assert 'href="/referrals/">Go to the triage queue</a>' in queue
    asked = section(html, "agency-checks-you-requested")
    assert f"Northgate Primary School: referral {check.referral_id}" in asked and " left</strong>" in asked


def test_the_mash_manager_s_home_shows_decisions_waiting_and_not_fed_back(world, client_for, leo, mia):
    waiting = refer(world, [leo])
    decided = refer(world, [mia])
    decide(world, decided, "early_help")
    html = client_for(world.mm).get("/").content.decode()
    assert f'href="/referrals/{waiting.pk}/"' in section(html, "decisions-waiting-for-you")
    unshared = section(html, "decisions-not-yet-fed-back")
    assert f'href="/referrals/{decided.pk}/"' in unshared and "Early help, decided by" in unshared
    referral_feedback_record(referral=decided, by=world.mm, method="secure_email")
    html = client_for(world.mm).get("/").content.decode()
    assert "Every decision has been fed back." in section(html, "decisions-not-yet-fed-back")


def test_a_practitioner_s_home_shows_open_checks_for_the_agency(world, client_for, leo):
    answered = ask(world, refer(world, [leo], hours_ago=3))
    agency_check_answer(check=answered, by=world.te, information="Nothing known.")
    open_check = ask(world, refer(world, [leo], hours_ago=2))
    html = client_for(world.te).get("/").content.decode()
    requests = section(html, "requests-for-information-to-your-agency")
    assert f'href="/checks/{open_check.pk}/">Leo Ashdown</a>' in requests
    assert f"/checks/{answered.pk}/" not in requests
    assert "There are no requests for information to North Health Visiting." in client_for(world.hv).get("/")\
        .content.decode()


def test_the_senior_manager_s_home_shows_escalations_that_reached_them(world, client_for, leo):
    escalation = challenged(world, leo)
    escalation_respond(escalation=escalation, by=world.mm, outcome="escalate", response="No.")
    html = client_for(world.sm).get("/").content.decode()
    reached = section(html, "escalations-that-have-reached-you")
    assert f'href="/escalations/{escalation.pk}/">Stage 2 (line manager): referral {escalation.referral_id}</a>' \
        in reached
    assert "Raised by North Health Visiting" in reached


# Each home also asks for the user's unfinished drafts (none here).
@pytest.mark.parametrize(("code", "queries"), [("MW", 13), ("MM", 16), ("SM", 11), ("TE", 16)])
def test_the_front_door_home_sections_run_a_fixed_number_of_queries(world, client_for, django_assert_num_queries,
                                                                     leo, mia, code, queries):
    def work(n: int) -> None:
        referral = refer(world, [leo, mia], hours_ago=n + 2)
        ask(world, referral)
        done = refer(world, [mia], hours_ago=n + 1)
        decide(world, done)
        escalation = escalation_raise(referral=done, by=world.hv, reason="Disagree.")
        escalation_respond(escalation=escalation, by=world.mm, outcome="escalate", response="No.")

    work(0)
    client = client_for(world.persona(code))
    client.get("/")
    # The home's eight (session, user, set_config, savepoint, tasks due, latest unread, badge, release) and:
    # MW the top of the queue, its children with flags, which the user may open, the checks asked (4);
    # MM the same three for the queue, the decisions not fed back, their partnerships' calendars, the strategy
    # meetings not yet held (6); SM the escalation stages waiting for them (1); MM and SM their dashboard's
    # snapshot, with its headline figures (1, agencies.home.HEADLINE_MEASURES); TE the agency's open checks, their
    # children, openable, and the meetings its agency has not been heard at, the minutes it received and the
    # meeting and plan actions it owns (7).
    with django_assert_num_queries(queries):
        client.get("/")
    for n in range(1, 7):
        work(n)
    with django_assert_num_queries(queries):
        client.get("/")


# -- Navigation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "shown", "hidden"), [
    ("MW", {"Make a referral", "Your referrals"}, {"Agency checks"}),
    ("TE", {"Make a referral", "Your referrals", "Agency checks"}, set()),
    ("PO", {"Make a referral", "Your referrals", "Agency checks"}, set()),
    ("AU", set(), {"Make a referral", "Your referrals", "Agency checks"}),
    ("AD", set(), {"Make a referral", "Your referrals", "Agency checks"}),
])
def test_the_navigation_offers_referrals_to_caseworkers_and_checks_to_partner_agencies(world, client_for, code,
                                                                                     shown, hidden):
    nav = re.search(r'<ul class="govuk-service-navigation__list" id="navigation">(.*?)</ul>',
                    client_for(world.persona(code)).get("/").content.decode(), re.S)
    assert nav
    labels = {text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", nav.group(1), re.S)}
    assert shown <= labels and not hidden & labels
