"""The attachment pages: adding a file to a record, the files shown in the record's page, and a file served only
to those who may see its record, every time in the access log."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from audits.models import AccessLogEntry
from cases.models import Attachment
from cases.selectors.attachments import attachments_of
from cases.services.attachments import attachment_add
from tests.cases import test_attachments_helpers as samples
from tests.cases.test_attachments_helpers import drawing, drawing_voice, family, upload
from tests.cases.test_attachments_rules import PROGRAM
from tests.matrix import incidents_api, strategy_meetings_api

DESCRIPTION = "Chidi's drawing of himself and his mother at the park, both smiling."


@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"
    return Path(settings.ATTACHMENTS_ROOT)


def text(response: Any) -> str:
    """The page as a reader sees it: the words, without the markup."""
    html = response if isinstance(response, str) else response.content.decode()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def add_url(record_type: str, record_id: int) -> str:
    return f"/attachments/new/?record_type={record_type}&record_id={record_id}"


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def downloads(attachment: Attachment) -> list[str]:
    return list(AccessLogEntry.objects.filter(action="download", record_type="attachment", record_id=attachment.pk)
                .order_by("pk").values_list("username", flat=True))


# -- The must-show ----------------------------------------------------------------------------------


def test_a_photo_of_a_drawing_on_a_voice_record_is_shown_to_the_social_worker_hidden_from_others_and_logged(
        world, client_for):
    voice = drawing_voice(world)
    sw = client_for(world.sw)

    page = sw.get(add_url("child_voice", voice.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert f'href="/voice/{voice.pk}/" class="govuk-back-link"' in html
    assert 'class="govuk-file-upload' in html
    assert "Chidi Okafor: the child's voice" in text(page)

    added = sw.post(add_url("child_voice", voice.pk),
                    {"file": upload("drawing.png", samples.PNG, "image/png"), "description": DESCRIPTION})
    assert added.status_code == 302 and added["Location"] == f"/voice/{voice.pk}/"
    assert [str(message) for message in get_messages(added.wsgi_request)] == ["drawing.png has been added."]
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.description) == ("image", DESCRIPTION)

    # Inline in the record's page, the description its alternative text.
    shown = render_to_string("cases/attachments/_list.html", {
        "attachments": attachments_of(user=world.sw, record_type="child_voice", record_id=voice.pk),
        "record_type": "child_voice", "record_id": voice.pk, "may_add": True})
    assert f'<img src="/attachments/{attachment.pk}/" alt="{escape(DESCRIPTION)}"' in shown
    assert f'href="/attachments/new/?record_type=child_voice&amp;record_id={voice.pk}"' in shown

    served = sw.get(f"/attachments/{attachment.pk}/")
    assert served.status_code == 200 and body(served) == samples.PNG
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"].startswith("inline")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"] == "private, no-store"
    assert downloads(attachment) == ["sw"]

    # An agency the child's record is not shared with does not learn the file (or the record) exists.
    for outsider in (world.mh, world.te, world.out, world.au):
        assert client_for(outsider).get(f"/attachments/{attachment.pk}/").status_code == 404
        assert attachments_of(user=outsider, record_type="child_voice", record_id=voice.pk) == []
    assert downloads(attachment) == ["sw"]


def test_a_renamed_program_is_refused_on_its_field_and_nothing_is_kept(world, client_for, attachments_root):
    voice = drawing_voice(world)
    response = client_for(world.sw).post(add_url("child_voice", voice.pk), {
        "file": upload("drawing.png", samples.EXE, "image/png"), "description": DESCRIPTION})
    assert response.status_code == 200
    page = text(response)
    assert page.startswith("Error: Add a file")
    assert "There is a problem" in page and page.count(PROGRAM) == 2  # the summary and the field
    assert 'href="#id_file"' in response.content.decode()
    assert not Attachment.objects.exists()
    assert not attachments_root.exists() or not any(path.is_file() for path in attachments_root.rglob("*"))


def test_without_a_file_or_a_description_both_are_asked_for(world, client_for):
    response = client_for(world.hv).post(add_url("child_voice", drawing_voice(world).pk), {"description": " "})
    page = text(response)
    assert "Select a file" in page
    assert "Enter what the file shows, for someone who cannot see or hear it" in page
    assert not Attachment.objects.exists()


def test_an_empty_file_and_one_too_big_are_refused_naming_the_limit(world, client_for, settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    client = client_for(world.sw)
    url = add_url("child_voice", drawing_voice(world).pk)
    assert "smaller than 2MB" in text(client.get(url))
    assert "The selected file is empty" in text(client.post(url, {"file": upload("empty.png", b""),
                                                                  "description": "Nothing"}))
    big = samples.PNG + b"\x00" * (2 * 1024 * 1024)
    assert "The selected file must be smaller than 2MB" in text(client.post(url, {"file": upload("big.png", big),
                                                                                  "description": "Big"}))
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("query", ["", "?record_type=child_voice", "?record_type=plan&record_id=1",
                                   "?record_type=child_voice&record_id=x", "?record_type=case&record_id=%C2%B2",
                                   "?record_type=case&record_id=999999"])
def test_an_add_page_for_no_record_is_not_found(world, client_for, query):
    assert client_for(world.sw).get(f"/attachments/new/{query}").status_code == 404


@pytest.mark.parametrize(("record_type", "back"), [("case", "/cases/{}/"), ("incident", "/incidents/{}/"),
                                                   ("strategy_meeting", "/strategy-meetings/{}/")])
def test_the_add_page_leads_back_to_its_record(world, client_for, record_type, back):
    okafors = family(world)
    record_id = {"case": lambda: okafors.case_of(okafors.eldest).pk,
                 "incident": lambda: incidents_api.subject(world).pk,
                 "strategy_meeting": lambda: strategy_meetings_api.subject(world).pk}[record_type]()
    client = client_for(world.sw)
    page = client.get(add_url(record_type, record_id))
    assert f'href="{back.format(record_id)}" class="govuk-back-link"' in page.content.decode()
    added = client.post(add_url(record_type, record_id), {"file": upload("notes.pdf", samples.PDF),
                                                          "description": "The notes"})
    assert added["Location"] == back.format(record_id)


# -- How each kind is served --------------------------------------------------------------------------------


def test_a_document_is_downloaded_never_shown_in_the_page(world, client_for):
    attachment = attachment_add(record_type="child_voice", record_id=drawing_voice(world).pk, by=world.sw,
                                upload=upload("Chidi's plan.pdf", samples.PDF, "text/html"), description="His plan")
    served = client_for(world.hv).get(f"/attachments/{attachment.pk}/")
    assert served.status_code == 200 and body(served) == samples.PDF
    assert served["Content-Type"] == "application/pdf"  # its content's type, not the one the browser claimed
    assert served["Content-Disposition"].startswith("attachment;") and "plan.pdf" in served["Content-Disposition"]
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    shown = render_to_string("cases/attachments/_list.html", {"attachments": [attachment], "record_type": "child_voice",
                                                               "record_id": attachment.record_id, "may_add": False})
    assert "<img" not in shown and "download>Chidi&#x27;s plan.pdf" in shown
    assert f"(Document, {len(samples.PDF)} bytes) His plan" in text(shown)
    assert "Add a photo" not in shown


def test_audio_plays_in_the_page_and_a_player_may_ask_for_part_of_it(world, client_for):
    sound = samples.wav()
    attachment = attachment_add(record_type="child_voice", record_id=drawing_voice(world).pk, by=world.sw,
                                upload=upload("visit.wav", sound), description="Chidi singing his favourite song")
    shown = render_to_string("cases/attachments/_list.html", {"attachments": [attachment], "record_type": "child_voice",
                                                               "record_id": attachment.record_id, "may_add": False})
    assert f'<audio controls preload="none" src="/attachments/{attachment.pk}/"' in shown
    client = client_for(world.sw)
    whole = client.get(f"/attachments/{attachment.pk}/")
    assert whole["Accept-Ranges"] == "bytes" and whole["Content-Disposition"].startswith("inline")
    part = client.get(f"/attachments/{attachment.pk}/", headers={"Range": "bytes=4-11"})
    assert part.status_code == 206 and body(part) == sound[4:12]
    assert part["Content-Range"] == f"bytes 4-11/{len(sound)}" and part["Content-Length"] == "8"
    tail = client.get(f"/attachments/{attachment.pk}/", headers={"Range": "bytes=-4"})
    assert tail.status_code == 206 and body(tail) == sound[-4:]
    beyond = client.get(f"/attachments/{attachment.pk}/", headers={"Range": f"bytes={len(sound)}-"})
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(sound)}"
    assert len(downloads(attachment)) == 4  # every request for the file, whole or in part


def test_a_file_missing_from_disk_is_not_found_and_no_download_is_logged(world, client_for, attachments_root):
    attachment = drawing(world)
    (attachments_root / attachment.stored_name).unlink()
    assert client_for(world.sw).get(f"/attachments/{attachment.pk}/").status_code == 404
    assert downloads(attachment) == []


# -- Query counts -------------------------------------------------------------------------------------------


def _files(world, count: int) -> None:
    for n in range(count):
        attachment_add(record_type="child_voice", record_id=drawing_voice(world).pk, by=world.sw,
                       upload=upload(f"drawing-{n}.png", samples.PNG), description=f"Drawing {n}")


@pytest.mark.parametrize("count", [1, 5])
def test_a_record_s_files_are_listed_in_two_queries_however_many(world, django_assert_num_queries, count):
    _files(world, count)
    voice = drawing_voice(world)
    sw = type(world.sw).objects.select_related("membership__agency").get(pk=world.sw.pk)
    with django_assert_num_queries(2):
        # 1. may the user see the voice record (its child among the people they may open);
        # 2. the record's files with their uploaders. Rendering asks for nothing more.
        html = render_to_string("cases/attachments/_list.html", {
            "attachments": attachments_of(user=sw, record_type="child_voice", record_id=voice.pk),
            "record_type": "child_voice", "record_id": voice.pk, "may_add": True})
    assert html.count("<img ") == count


def test_the_add_page_s_queries_do_not_grow_with_the_files_on_the_record(world, client_for):
    client = client_for(world.sw)
    url = add_url("child_voice", drawing_voice(world).pk)
    _files(world, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _files(world, 4)
    with CaptureQueriesContext(connection) as five:
        assert text(client.get(url)).count("Added by") == 5
    assert len(five) == len(one)
