"""API.md "Records": POST /api/v1/attachments/ (multipart), a record's files, and the logged download."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audits.models import AccessLogEntry
from cases.models import Attachment
from tests.cases import test_attachments_helpers as samples
from tests.cases.test_attachments_helpers import drawing, drawing_voice, upload
from tests.cases.test_attachments_pages import body
from tests.cases.test_attachments_rules import PROGRAM

DESCRIPTION = "Chidi's drawing of himself and his mother at the park"


@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"
    return Path(settings.ATTACHMENTS_ROOT)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(user, content: bytes | None, *, name: str = "drawing.png", record_id: int, **extra):
    data = {"record_type": "child_voice", "record_id": record_id, "description": DESCRIPTION, **extra}
    if content is not None:
        data["file"] = upload(name, content, "image/png")
    return api(user).post("/api/v1/attachments/", data, format="multipart")


def test_a_file_posted_is_kept_and_answered_with_its_type_from_its_content(world):
    voice = drawing_voice(world)
    response = post(world.po, samples.docx(), name="statement.docx", record_id=voice.pk)
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert response.json() == {
        "id": attachment.pk, "record_type": "child_voice", "record_id": voice.pk, "kind": "document",
        "content_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "original_name": "statement.docx", "size": len(samples.docx()), "description": DESCRIPTION,
        "download": f"/api/v1/attachments/{attachment.pk}/download/",
    }
    assert response["Location"] == f"/api/v1/attachments/{attachment.pk}/download/"


def test_a_renamed_program_an_empty_file_and_no_description_are_400_field_by_field(world):
    voice = drawing_voice(world)
    assert post(world.sw, samples.EXE, record_id=voice.pk).json() == {"file": [PROGRAM]}
    response = post(world.sw, b"", record_id=voice.pk, description="")
    assert response.status_code == 400
    assert response.json() == {"file": ["The selected file is empty"],
                               "description": ["Enter what the file shows, for someone who cannot see or hear it"]}
    assert post(world.sw, None, record_id=voice.pk).json() == {"file": ["Select a file"]}
    assert "record_type" in post(world.sw, samples.PNG, record_id=voice.pk, record_type="plan").json()
    assert not Attachment.objects.exists()


def test_a_record_the_user_may_not_see_is_404_and_an_administrator_403(world):
    voice = drawing_voice(world)
    for outsider in (world.mh, world.te, world.au, world.out):
        assert post(outsider, samples.PNG, record_id=voice.pk).status_code == 404
    assert post(world.ad, samples.PNG, record_id=voice.pk).status_code == 403
    assert not Attachment.objects.exists()


def test_the_download_is_the_file_as_its_own_type_and_is_logged(world):
    attachment = drawing(world)
    # A client asking for anything (or for something else) still gets the file as what it is.
    response = api(world.hv).get(f"/api/v1/attachments/{attachment.pk}/download/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert body(response) == samples.PNG
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    entry = AccessLogEntry.objects.get(action="download", record_id=attachment.pk)
    assert (entry.record_type, entry.username, entry.agency_id, entry.partnership_id) == (
        "attachment", "hv", world.health_visiting.pk, world.north.pk)
    missing = api(world.mh).get(f"/api/v1/attachments/{attachment.pk}/download/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert AccessLogEntry.objects.filter(action="download").count() == 1


def test_a_record_s_files_are_listed_in_queries_that_do_not_grow(world):
    attachment = drawing(world)
    query = {"record_type": "child_voice", "record_id": str(attachment.record_id)}
    client = api(world.sw)
    assert client.get("/api/v1/attachments/", query).json()[0]["id"] == attachment.pk
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/attachments/", query)
    for _ in range(3):
        post(world.sw, samples.PNG, record_id=attachment.record_id)
    with CaptureQueriesContext(connection) as four:
        assert len(client.get("/api/v1/attachments/", query).json()) == 4
    assert len(four) == len(one)
    assert api(world.mh).get("/api/v1/attachments/", query).status_code == 404
