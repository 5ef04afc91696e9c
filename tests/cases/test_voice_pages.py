"""The child's voice pages: record one (/voice/new/?child=), read one (/voice/<id>/), a child's list."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audits.models import AccessLogEntry
from cases.models import Attachment, ChildVoice, Person, RestrictedAccess
from cases.rules.voice import SEEN_WITH_MISSING, TOO_YOUNG_ALONE
from cases.services.voice import voice_record
from tests.cases.lived import lived_family

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    """The page as a reader sees it: the words, without the markup."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def create_url(child: Person) -> str:
    return f"/voice/new/?child={child.pk}"


def form(**given: Any) -> dict[str, Any]:
    now = timezone.localtime() - timedelta(minutes=20)
    data: dict[str, Any] = {"recorded_on_day": now.day, "recorded_on_month": now.month,
                            "recorded_on_year": now.year, "recorded_time": now.strftime("%H:%M"),
                            "method": "direct_conversation", "seen_alone": "yes", "interpreter_used": "no",
                            "childs_words": "", "observations": "", "analysis": "", "not_spoken_reason": "",
                            "not_spoken_detail": "", "tool": "", "seen_with": ""}
    data.update(given)
    return data


def recorded(child: Person, by: Any, days_ago: float = 1, **given: Any) -> ChildVoice:
    fields: dict[str, Any] = {"method": "direct_conversation", "seen_alone": True, "childs_words": "Hello."}
    fields.update(given)
    return voice_record(child=child, by=by, recorded_at=timezone.now() - timedelta(days=days_ago), **fields)


# -- Record ----------------------------------------------------------------------------------------------------


def test_the_form_asks_method_first_and_keeps_words_observations_and_analysis_apart(world, client_for):
    family = lived_family(world)
    response = client_for(world.hv).get(create_url(family.baby))
    page = text(response)
    assert response.status_code == 200
    assert "Tobi Okafor, aged 1" in page and "Record the child's voice" in page
    assert page.index("How did you hear from the child?") < page.index("Date you saw the child")
    for label in ("The child's own words", "What the child's behaviour and presentation showed", "Your analysis",
                  "Not spoken to?", "Why was the child not spoken to?", "Was an interpreter used?",
                  "Did you see the child on their own?", "Who else was there?", "Name of the tool"):
        assert label in page
    assert "in their words and not yours" in page
    html = response.content.decode()
    # The tool's name is revealed under "A structured tool", who else was there under "No".
    assert re.search(r'value="structured_tool"[^>]*>\s*<label[^>]*>[^<]*</label>\s*</div>\s*'
                     r'<div class="govuk-radios__conditional govuk-radios__conditional--hidden"'
                     r' id="conditional-id_tool"', html)
    assert re.search(r'value="no"[^>]*>\s*<label[^>]*>No</label>\s*</div>\s*'
                     r'<div class="govuk-radios__conditional govuk-radios__conditional--hidden"'
                     r' id="conditional-id_seen_with"', html)


def test_an_observation_of_the_baby_is_saved_and_shown(world, client_for):
    family = lived_family(world)
    client = client_for(world.hv)
    response = client.post(create_url(family.baby), form(
        method="observation", not_spoken_reason="too_young",
        observations="Tobi reached for his mother and settled; he went still when Dean came in.",
        analysis="Tobi's world is calmer when Dean is out."))
    voice = ChildVoice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/voice/{voice.pk}/"
    page = text(client.get(response["Location"]))
    assert "Tobi Okafor's voice is recorded." in page
    assert "Observation (for a child too young to talk)" in page and "North Health Visiting" in page
    assert "No words recorded." in page and "Tobi reached for his mother" in page


def test_too_young_alone_is_refused_on_the_page_and_nothing_is_saved(world, client_for):
    family = lived_family(world)
    response = client_for(world.sw).post(create_url(family.baby), form(not_spoken_reason="too_young"))
    page = text(response)
    assert response.status_code == 200 and not ChildVoice.objects.exists()
    assert page.startswith("Error: Record Tobi Okafor's voice")
    assert "There is a problem" in page and f"Error: {TOO_YOUNG_ALONE}" in page
    assert '<a href="#id_observations">' in response.content.decode()


def test_every_missing_answer_is_on_its_field(world, client_for):
    family = lived_family(world)
    response = client_for(world.sw).post(create_url(family.eldest), {"method": "structured_tool",
                                                                      "seen_alone": "no"})
    page = text(response)
    for message in ("Enter the date you saw the child", "Enter the time you saw the child",
                    "Choose yes if an interpreter was used, or no if not", "Enter the name of the structured tool",
                    SEEN_WITH_MISSING, "Choose why the child was not spoken to"):
        assert f"Error: {message}" in page, message
    html = response.content.decode()
    # Answers with an error beneath them are shown open.
    assert 'class="govuk-radios__conditional" id="conditional-id_tool"' in html
    assert 'class="govuk-radios__conditional" id="conditional-id_seen_with"' in html
    assert not ChildVoice.objects.exists()


@pytest.fixture
def before_evening(settings):
    """The service's clock set to a time zone where it is not yet 8 pm, so that three hours ahead is still today
    whenever the test runs (London's evening is Tokyo's morning)."""
    for zone in ("Europe/London", "Asia/Tokyo"):
        if datetime.now(ZoneInfo(zone)).hour < 20:
            settings.TIME_ZONE = zone
            return


def test_a_time_in_the_future_is_refused_on_the_date(world, client_for, before_evening):
    family = lived_family(world)
    later = timezone.localtime() + timedelta(hours=3)
    assert later.date() == timezone.localdate()
    response = client_for(world.sw).post(create_url(family.eldest), form(
        recorded_time=later.strftime("%H:%M"), childs_words="Hi"))
    assert "Error: The time you saw the child must not be in the future." in text(response)
    assert not ChildVoice.objects.exists()


def test_an_adults_record_is_refused_in_the_summary(world, client_for):
    family = lived_family(world)
    response = client_for(world.sw).post(create_url(family.mother), form(childs_words="I'm fine"))
    assert "Ngozi Okafor was not a child (under 18 or unborn)" in text(response)


def test_who_else_and_interpreter_are_kept(world, client_for):
    family = lived_family(world)
    client_for(world.sw).post(create_url(family.middle), form(
        seen_alone="no", seen_with="Ngozi Okafor, mother", interpreter_used="yes",
        childs_words='"I sleep in Mum\'s bed when he is angry."'))
    voice = ChildVoice.objects.get()
    assert (voice.seen_alone, voice.seen_with, voice.interpreter_used) == (False, "Ngozi Okafor, mother", True)


def test_a_restricted_child_shows_the_break_glass_notice(world, client_for):
    family = lived_family(world)
    Person.objects.filter(pk=family.middle.pk).update(restricted=True)
    response = client_for(world.mw).get(create_url(family.middle))
    assert response.status_code == 403 and "This record is restricted" in text(response)
    assert "Adaeze" not in text(response)


def test_no_child_or_an_unknown_one_is_a_404(world, client_for):
    client = client_for(world.sw)
    assert client.get("/voice/new/").status_code == 404
    assert client.get("/voice/new/?child=x").status_code == 404
    assert client.get("/voice/new/?child=999999").status_code == 404


# -- Read one -----------------------------------------------------------------------------------------------------


def test_the_childs_words_are_a_quotation_apart_from_the_analysis(world, client_for):
    family = lived_family(world)
    voice = recorded(family.eldest, world.sw, seen_alone=False, seen_with="His teacher",
                     childs_words="When Dean shouts I go under my bed.",
                     observations="Quiet; drew his house with a black cloud over it.",
                     analysis="Chidi lives with fear at home.")
    response = client_for(world.po).get(f"/voice/{voice.pk}/")
    html = response.content.decode()
    page = text(response)
    assert response.status_code == 200
    assert re.search(r"<blockquote[^>]*>When Dean shouts I go under my bed.</blockquote>", html)
    quotation = re.search(r"<blockquote.*?</blockquote>", html, re.S)
    assert quotation is not None and "Chidi lives with fear at home." not in quotation[0]
    assert page.index("In Chidi's own words") < page.index("What Chidi's behaviour and presentation showed") < \
        page.index("Analysis by")
    assert "Recorded by" in page and world.sw.display_name in page and "North Children's Services" in page
    assert "No, with His teacher" in page
    assert AccessLogEntry.objects.filter(user=world.po, record_type="child_voice", record_id=voice.pk,
                                         action="view").exists()


def test_the_detail_query_count_is_fixed(world, client_for, django_assert_num_queries):
    family = lived_family(world)
    voice = recorded(family.eldest, world.sw, childs_words="Hi")
    client = client_for(world.hv)
    client.get(f"/voice/{voice.pk}/")
    # session; user with membership and agency; the audit actor; savepoint; the record with child, agency and
    # practitioner; the access log row; whether the user may see the record the files are on, and the files with
    # their uploaders; the unread badge; release savepoint. However many files it holds.
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(f"/voice/{voice.pk}/")
    assert response.status_code == 200
    for n in range(3):
        Attachment.objects.create(partnership=world.north, record_type="child_voice", record_id=voice.pk,
                                  kind="image", content_type="image/png", original_name=f"drawing{n}.png",
                                  stored_name=f"ab/cd/{n}{voice.pk}", size=10, sha256="0" * 64,
                                  description=f"Drawing {n} of his house", uploaded_by=world.sw)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(f"/voice/{voice.pk}/")
    assert response.content.decode().count('alt="Drawing') == 3


DETAIL_QUERIES = 10


# -- A child's list ---------------------------------------------------------------------------------------------


def test_a_childs_records_newest_first_with_a_button_to_record(world, client_for):
    family = lived_family(world)
    older = recorded(family.eldest, world.sw, days_ago=20)
    newer = recorded(family.eldest, world.po, days_ago=2, method="play")
    recorded(family.middle, world.sw)  # a sibling's record is not his
    response = client_for(world.hv).get(f"/people/{family.eldest.pk}/voice/")
    html = response.content.decode()
    page = text(response)
    assert html.index(f"/voice/{newer.pk}/") < html.index(f"/voice/{older.pk}/")
    assert page.count(": open the record") == 2
    assert "Play" in page and "Shire Police" in page
    assert f'href="/voice/new/?child={family.eldest.pk}"' in html


def test_an_unheard_child_says_so(world, client_for):
    family = lived_family(world)
    page = text(client_for(world.sw).get(f"/people/{family.baby.pk}/voice/"))
    assert "No one has recorded this child's voice yet." in page


def test_the_list_query_count_does_not_grow_with_its_length(world, client_for, django_assert_num_queries):
    family = lived_family(world)
    url = f"/people/{family.eldest.pk}/voice/"
    client = client_for(world.sw)
    recorded(family.eldest, world.sw)
    client.get(url)
    # session; user with membership and agency; the audit actor; savepoint; the child; the access log row; the
    # page's count; the records with practitioner and agency; the unread badge; release savepoint.
    with django_assert_num_queries(LIST_QUERIES):
        one = client.get(url)
    for days in range(2, 7):
        recorded(family.eldest, world.hv, days_ago=days)
    with django_assert_num_queries(LIST_QUERIES):
        six = client.get(url)
    assert text(one).count(": open the record") + 5 == text(six).count(": open the record")


LIST_QUERIES = 10


def test_a_restricted_childs_list_is_for_those_named(world, client_for):
    family = lived_family(world)
    recorded(family.middle, world.sw)
    Person.objects.filter(pk=family.middle.pk).update(restricted=True)
    RestrictedAccess.objects.create(partnership=world.north, person=family.middle, user=world.sw)
    assert client_for(world.sw).get(f"/people/{family.middle.pk}/voice/").status_code == 200
    assert client_for(world.mw).get(f"/people/{family.middle.pk}/voice/").status_code == 403
    assert client_for(world.hv).get(f"/people/{family.middle.pk}/voice/").status_code == 403
    assert client_for(world.te).get(f"/people/{family.middle.pk}/voice/").status_code == 404


def test_the_error_summary_follows_the_page_method_first(world, client_for):
    family = lived_family(world)
    response = client_for(world.sw).post(create_url(family.eldest), {})
    html = response.content.decode()
    summary = html[html.index("govuk-error-summary__list"):html.index("</ul>", html.index("govuk-error-summary__list"))]
    links = re.findall(r'href="#(id_[a-z_]+)"', summary)
    assert links[:4] == ["id_method", "id_recorded_on", "id_recorded_time", "id_seen_alone"]
