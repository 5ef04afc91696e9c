"""Drafts of long forms (SPEC 7.4: nothing typed is ever lost), through the child's voice page: kept as typed,
offered back to their author only, under the page's access rules and in the access log, gone once saved."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agencies.models import Draft
from audits.models import AccessLogEntry
from cases.models import ChildVoice
from tests.cases.lived import lived_family
from tests.cases.test_voice_pages import create_url, form

pytestmark = pytest.mark.django_db

DRAFT: dict[str, Any] = {"HTTP_X_APP_DRAFT": "save", "HTTP_ACCEPT": "application/json"}
WORDS = "Mummy shouts at night and I hide under the duvet with my rabbit."


def text(response: Any) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def checked(html: str, name: str) -> list[str]:
    """The values of the ticked boxes or chosen radios called ``name``."""
    inputs = re.findall(r"<input[^>]*>", html)
    return [re.search(r'value="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
            for tag in inputs if f'name="{name}"' in tag and " checked" in tag]


def half_typed(**more: Any) -> dict[str, Any]:
    return form(**{"childs_words": WORDS, **more})


def test_what_is_typed_is_kept_and_offered_back_with_every_word_and_choice(world, client_for):
    family = lived_family(world)
    client = client_for(world.hv)
    answer = client.post(create_url(family.baby), half_typed(seen_alone="no", seen_with="Her mother"), **DRAFT)
    assert answer.status_code == 200
    assert re.fullmatch(r"\d\d:\d\d", answer.json()["saved_at_text"])
    assert ChildVoice.objects.count() == 0  # a draft is not the record

    page = client.get(create_url(family.baby))
    html = page.content.decode()
    assert "Your draft" in text(page) and "is filled in below" in text(page)
    assert WORDS in unescape(html)
    assert checked(html, "method") == ["direct_conversation"]
    assert checked(html, "seen_alone") == ["no"]
    assert checked(html, "interpreter_used") == ["no"]
    assert 'value="Her mother"' in html
    today = form()
    for part in ("day", "month", "year"):
        assert re.search(rf'name="recorded_on_{part}"[^>]*value="{today[f"recorded_on_{part}"]}"', html)


def test_a_second_save_replaces_the_first_and_there_is_one_draft_per_author_and_form(world, client_for):
    family = lived_family(world)
    client = client_for(world.hv)
    client.post(create_url(family.baby), half_typed(), **DRAFT)
    client.post(create_url(family.baby), half_typed(analysis="Frightened at night."), **DRAFT)
    draft = Draft.objects.get()
    assert draft.data["analysis"] == ["Frightened at night."]
    assert "csrfmiddlewaretoken" not in draft.data


def test_a_draft_is_its_authors_alone(world, client_for):
    family = lived_family(world)
    client_for(world.hv).post(create_url(family.baby), half_typed(), **DRAFT)
    colleague = client_for(world.sw).get(create_url(family.baby))
    assert colleague.status_code == 200
    assert WORDS not in unescape(colleague.content.decode())
    assert "Your draft" not in text(colleague)


def test_who_may_not_record_a_voice_can_keep_no_draft_of_one(world, client_for):
    family = lived_family(world)
    for user in (world.au, world.ad):
        answer = client_for(user).post(create_url(family.baby), half_typed(), **DRAFT)
        assert answer.status_code == 403
    assert client_for(world.out).post(create_url(family.baby), half_typed(), **DRAFT).status_code == 404
    assert not Draft.objects.exists()


def test_a_draft_needs_the_pages_csrf_token(world):
    family = lived_family(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.hv)
    assert client.post(create_url(family.baby), half_typed(), **DRAFT).status_code == 403
    assert not Draft.objects.exists()


def test_saving_the_record_removes_the_draft(world, client_for):
    family = lived_family(world)
    client = client_for(world.hv)
    client.post(create_url(family.baby), half_typed(), **DRAFT)
    saved = client.post(create_url(family.baby), form(childs_words=WORDS, seen_alone="yes"))
    assert saved.status_code == 302
    assert ChildVoice.objects.get().childs_words == WORDS
    assert not Draft.objects.exists()
    assert "Your draft" not in text(client.get(create_url(family.baby)))


def test_a_refused_save_keeps_the_draft(world, client_for):
    family = lived_family(world)
    client = client_for(world.hv)
    client.post(create_url(family.baby), half_typed(), **DRAFT)
    refused = client.post(create_url(family.baby), form(childs_words=WORDS, method=""))
    assert refused.status_code == 200 and "There is a problem" in text(refused)
    assert Draft.objects.filter(author=world.hv).exists()


def test_discarding_starts_again_with_an_empty_form(world, client_for):
    family = lived_family(world)
    client = client_for(world.hv)
    client.post(create_url(family.baby), half_typed(), **DRAFT)
    answer = client.post(create_url(family.baby), {"draft-discard": "yes"})
    assert answer.status_code == 302 and answer["Location"] == create_url(family.baby)
    assert not Draft.objects.exists()
    assert WORDS not in unescape(client.get(create_url(family.baby)).content.decode())


def test_drafts_are_in_the_access_log_without_what_was_typed(world, client_for):
    family = lived_family(world)
    client = client_for(world.hv)
    client.post(create_url(family.baby), half_typed(), **DRAFT)
    client.post(create_url(family.baby), half_typed(analysis="More."), **DRAFT)
    client.get(create_url(family.baby))
    client.post(create_url(family.baby), {"draft-discard": "yes"})
    rows = list(AccessLogEntry.objects.filter(record_type="draft").order_by("id"))
    assert [row.action for row in rows] == ["create", "update", "view", "delete"]
    assert all(row.user_id == world.hv.pk for row in rows)
    for row in rows:
        assert WORDS not in str(row.fields) and "More." not in str(row.fields)


def test_the_form_page_asks_the_same_queries_with_a_draft_whatever_its_size(world, client_for,
                                                                               django_assert_max_num_queries):
    family = lived_family(world)
    client = client_for(world.hv)
    client.post(create_url(family.baby), half_typed(), **DRAFT)
    client.get(create_url(family.baby))
    client.post(create_url(family.baby), half_typed(analysis="x" * 5000, observations="y" * 5000), **DRAFT)
    with django_assert_max_num_queries(14):
        page = client.get(create_url(family.baby))
    assert "x" * 5000 in page.content.decode()


# -- The home page's list of unfinished drafts ----------------------------------------------------------------


def home_drafts(client: Client) -> str:
    html = client.get("/").content.decode()
    found = re.search(r'<section[^>]*aria-labelledby="section-unfinished-drafts".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_home_lists_the_users_unfinished_drafts_linking_back_to_each_form(world, client_for):
    family = lived_family(world)
    client = client_for(world.hv)
    assert home_drafts(client) == ""  # none, no section
    client.post(create_url(family.eldest), half_typed(), **DRAFT)
    section = home_drafts(client)
    assert f"Record {family.eldest.given_name}'s voice" in unescape(section)
    assert f'href="{create_url(family.eldest)}"' in unescape(section)
    assert "Saved at" in section
    assert WORDS not in unescape(section)  # what was typed stays on the form's page
    assert home_drafts(client_for(world.sw)) == ""  # a colleague's home shows none of it


def test_home_does_not_name_a_child_the_author_may_no_longer_open(world, client_for):
    family = lived_family(world)
    client = client_for(world.hv)
    client.post(create_url(family.eldest), half_typed(), **DRAFT)
    type(family.eldest).objects.filter(pk=family.eldest.pk).update(restricted=True)
    section = unescape(home_drafts(client))
    assert "Record a child's voice" in section
    assert family.eldest.given_name not in section


def test_home_asks_one_query_for_drafts_and_one_for_names_however_many(world, client_for):
    family = lived_family(world)
    client = client_for(world.hv)
    client.get("/")

    def home_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/")
        return len(captured)

    without = home_queries()  # the drafts asked for, none found
    client.post(create_url(family.eldest), half_typed(), **DRAFT)
    one = home_queries()
    for child in (family.middle, family.baby):
        client.post(create_url(child), half_typed(), **DRAFT)
    assert one == without + 1 == home_queries()  # + the children's names
