"""What a file is, judged by its content (cases.rules.files): every kind kept, and programs however named."""

from __future__ import annotations

import io

import pytest

from cases.rules import files
from tests.cases import test_attachments_helpers as samples

PROGRAM = "The file is not a photo, audio, video or document we can keep: it looks like a program"


@pytest.mark.parametrize(("content", "kind", "content_type"), [
    (samples.PNG, "image", "image/png"),
    (samples.JPEG, "image", "image/jpeg"),
    (samples.GIF, "image", "image/gif"),
    (samples.WEBP, "image", "image/webp"),
    (samples.MP3_ID3, "audio", "audio/mpeg"),
    (samples.MP3_FRAME, "audio", "audio/mpeg"),
    (samples.wav(), "audio", "audio/wav"),
    (samples.OGG, "audio", "audio/ogg"),
    (samples.OGG_THEORA, "video", "video/ogg"),
    (samples.M4A, "audio", "audio/mp4"),
    (samples.MP4, "video", "video/mp4"),
    (samples.MOV, "video", "video/quicktime"),
    (samples.WEBM, "video", "video/webm"),
    (samples.PDF, "document", "application/pdf"),
    (samples.docx(), "document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (samples.xlsx(), "document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (samples.odt(), "document", "application/vnd.oasis.opendocument.text"),
    (samples.TEXT, "document", "text/plain; charset=utf-8"),
], ids=["png", "jpeg", "gif", "webp", "mp3-id3", "mp3-frame", "wav", "ogg", "ogg-theora", "m4a", "mp4", "mov",
        "webm", "pdf", "docx", "xlsx", "odt", "text"])
def test_each_kind_kept_is_recognised_by_its_content(content, kind, content_type):
    found = files.file_type_of(io.BytesIO(content))
    assert (found.kind, found.content_type) == (kind, content_type)


def test_the_stream_is_left_at_its_start_for_the_writer():
    stream = io.BytesIO(samples.TEXT)
    files.file_type_of(stream)
    assert stream.tell() == 0


@pytest.mark.parametrize("content", [samples.EXE, samples.ELF, samples.SCRIPT, b"\xef\xbb\xbf#!/usr/bin/env python\n",
                                     b"\xcf\xfa\xed\xfe" + b"\x00" * 28, b"\x00asm\x01\x00\x00\x00"],
                         ids=["windows", "linux", "shell-script", "script-after-bom", "macos", "webassembly"])
def test_a_program_is_refused_as_a_program_whatever_its_name(content):
    with pytest.raises(files.FileRefused) as refused:
        files.file_type_of(io.BytesIO(content))
    assert str(refused.value) == PROGRAM


@pytest.mark.parametrize(("content", "says"), [
    (samples.plain_zip(), "Choose a photo (JPEG, PNG, GIF or WebP)"),
    (samples.docm(), "it contains macros"),
    (samples.OLD_WORD, "older Office file"),
    (b"\x00\x01\x02binary", "Choose a photo"),
    ("caf\u00e9".encode("latin-1") + b" menu", "Choose a photo"),  # not UTF-8
    (b"\xff\xfeh\x00i\x00", "Choose a photo"),  # UTF-16 text, whose byte-order mark is not an MP3 frame
    (b"PK\x03\x04 not really a zip", "Choose a photo"),
    (b"\x1a\x45\xdf\xa3\x93\x42\x82\x88matroska", "Choose a photo"),
], ids=["zip", "macros", "old-office", "binary", "latin-1", "utf-16", "broken-zip", "matroska"])
def test_anything_else_is_refused_saying_what_is_kept(content, says):
    with pytest.raises(files.FileRefused) as refused:
        files.file_type_of(io.BytesIO(content))
    assert str(refused.value).startswith("The file is not a photo, audio, video or document we can keep")
    assert says in str(refused.value)


def test_photos_audio_and_video_are_shown_in_the_page_documents_downloaded():
    assert files.PNG.inline and files.MP3.inline and files.MP4.inline
    assert not files.PDF.inline and not files.TEXT.inline


@pytest.mark.parametrize(("size", "said"), [
    (50 * 1024 * 1024, "50MB"), (int(2.5 * 1024 * 1024), "2.5MB"), (1024 * 1024, "1MB"), (300 * 1024, "0.3MB"),
    (2000, "2KB"),
])
def test_the_size_limit_is_said_in_megabytes(size, said):
    assert files.megabytes(size) == said
    assert files.too_big_message(size) == f"The selected file must be smaller than {said}"


@pytest.mark.parametrize(("sent", "kept"), [
    ("drawing.png", "drawing.png"),
    ("C:\\Users\\sam\\Pictures\\drawing.png", "drawing.png"),
    ("../../etc/passwd", "passwd"),
    ("bad\x00\nname.pdf", "badname.pdf"),
    ("", "file"),
    ("..", "file"),
    ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
])
def test_the_name_kept_is_the_file_s_own_without_folders_or_control_characters(sent, kept):
    assert files.name_clean(sent) == kept
