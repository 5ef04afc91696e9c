"""Keeping a file (cases.services.attachments.attachment_add): checked before anything is written, kept outside the
web root under a random name, readable by the application alone, and the row and the file standing or falling
together."""

from __future__ import annotations

import hashlib
import stat
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404

from cases.models import Attachment
from cases.services.attachments import attachment_add
from config import settings as configured
from tests.cases import test_attachments_helpers as samples
from tests.cases.test_attachments_helpers import drawing_voice, family, upload
from tests.cases.test_attachments_rules import PROGRAM


@pytest.fixture(autouse=True)
def attachments_root(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"
    return Path(settings.ATTACHMENTS_ROOT)


def kept_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def add(world, content: bytes, *, name: str = "drawing.png", description: str = "Chidi's drawing of his family",
        by=None, record_type: str = "child_voice", record_id: int | None = None) -> Attachment:
    return attachment_add(record_type=record_type, record_id=record_id or drawing_voice(world).pk, by=by or world.sw,
                          upload=upload(name, content), description=description)


def refused(world, content: bytes | None, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        if content is None:
            attachment_add(record_type="child_voice", record_id=drawing_voice(world).pk, by=world.sw, upload=None,
                           description=kwargs.get("description", "A drawing"))
        else:
            add(world, content, **kwargs)
    return error.value.message_dict


def test_a_photo_is_kept_outside_the_web_root_under_a_random_name_readable_by_the_application_alone(
        world, attachments_root):
    attachment = add(world, samples.PNG, name="C:\\Pictures\\drawing.png")
    path = attachments_root / attachment.stored_name
    assert path.read_bytes() == samples.PNG
    assert (attachment.kind, attachment.content_type, attachment.original_name) == ("image", "image/png",
                                                                                    "drawing.png")
    assert attachment.size == len(samples.PNG)
    assert attachment.sha256 == hashlib.sha256(samples.PNG).hexdigest()
    # A random name (a UUID's hex), in two levels of folders named by its first four characters.
    first, second, name = attachment.stored_name.split("/")
    assert uuid.UUID(hex=name).version == 4 and (first, second) == (name[:2], name[2:4])
    assert "drawing" not in attachment.stored_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert kept_files(attachments_root) == [path]  # no temporary file left beside it
    for served in (configured.BASE_DIR / "static", configured.BASE_DIR / "templates"):
        assert not path.resolve().is_relative_to(served.resolve())
    assert (attachment.record_type, attachment.record_id, attachment.uploaded_by, attachment.partnership) == (
        "child_voice", drawing_voice(world).pk, world.sw, world.north)


def test_the_configured_root_is_outside_the_static_files_and_templates():
    # The module's own value: the ``settings`` fixture above points the tests' files elsewhere.
    root = Path(configured.ATTACHMENTS_ROOT).resolve()
    served = [Path(configured.STATIC_ROOT), *map(Path, configured.STATICFILES_DIRS), configured.BASE_DIR / "templates"]
    for folder in served:
        assert not root.is_relative_to(folder.resolve()), f"attachments kept under {folder}"


def test_a_renamed_program_is_refused_and_nothing_is_kept(world, attachments_root):
    errors = refused(world, samples.EXE, name="drawing.png")
    assert errors == {"file": [PROGRAM]}
    assert not Attachment.objects.exists()
    assert kept_files(attachments_root) == []


def test_an_empty_file_a_missing_file_and_a_missing_description_are_refused_together(world, attachments_root):
    assert refused(world, b"", description="") == {
        "description": ["Enter what the file shows, for someone who cannot see or hear it"],
        "file": ["The selected file is empty"],
    }
    assert refused(world, None) == {"file": ["Select a file"]}
    assert refused(world, samples.PNG, description="   ") == {
        "description": ["Enter what the file shows, for someone who cannot see or hear it"]}
    assert refused(world, samples.PNG, description="x" * 501) == {
        "description": ["What the file shows must be 500 characters or fewer"]}
    assert not Attachment.objects.exists() and kept_files(attachments_root) == []


def test_a_file_over_the_limit_is_refused_naming_the_limit(world, settings, attachments_root):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    assert refused(world, samples.PNG + b"\x00" * (1024 * 1024)) == {
        "file": ["The selected file must be smaller than 1MB"]}
    assert add(world, samples.PNG + b"\x00" * (1024 * 1024 - len(samples.PNG))).size == 1024 * 1024


def test_a_file_the_row_cannot_be_saved_for_leaves_nothing_on_disk(world, attachments_root, monkeypatch):
    # The stored name is unique in the database; a row already holding the name the next file draws makes the
    # insert fail for real, after the file has been written.
    taken = uuid.uuid4()
    Attachment.objects.create(
        partnership=world.north, record_type="child_voice", record_id=drawing_voice(world).pk, kind="image",
        content_type="image/png", original_name="earlier.png",
        stored_name=f"{taken.hex[:2]}/{taken.hex[2:4]}/{taken.hex}", size=1, sha256="0" * 64,
        description="An earlier photo", uploaded_by=world.sw)
    monkeypatch.setattr("cases.services.attachments.uuid.uuid4", lambda: taken)
    with pytest.raises(IntegrityError):
        add(world, samples.PNG)
    assert kept_files(attachments_root) == []
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("recording.mp3", samples.MP3_ID3, "audio"), ("visit.wav", samples.wav(), "audio"),
    ("life-story.mp4", samples.MP4, "video"), ("plan.pdf", samples.PDF, "document"),
    ("letter.docx", samples.docx(), "document"), ("notes.txt", samples.TEXT, "document"),
])
def test_audio_video_and_documents_are_kept_by_their_content(world, name, content, kind):
    assert add(world, content, name=name).kind == kind


def test_a_file_on_a_record_the_user_may_not_see_is_refused_as_if_the_record_did_not_exist(world, attachments_root):
    for outsider in (world.mh, world.te, world.out, world.au):
        with pytest.raises(Http404):
            add(world, samples.PNG, by=outsider)
    with pytest.raises(Http404):
        add(world, samples.PNG, record_type="plan")
    with pytest.raises(Http404):
        add(world, samples.PNG, record_id=10**9)
    assert kept_files(attachments_root) == []


def test_an_administrator_who_sees_the_record_may_not_add_to_it(world, attachments_root):
    with pytest.raises(PermissionDenied):
        add(world, samples.PNG, by=world.ad)
    assert kept_files(attachments_root) == []


def test_files_are_kept_on_cases_by_the_agencies_involved(world):
    okafors = family(world)
    case = okafors.case_of(okafors.baby)
    attachment = add(world, samples.PDF, name="assessment.pdf", by=world.hv, record_type="case", record_id=case.pk,
                     description="The health visitor's assessment")
    assert (attachment.record_type, attachment.kind, attachment.uploaded_by) == ("case", "document", world.hv)
    with pytest.raises(Http404):  # the police are not involved in the baby's case
        add(world, samples.PDF, by=world.po, record_type="case", record_id=case.pk)
