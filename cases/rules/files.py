"""Pure rules about attached files (SPEC 3.2 "Attachment"): what a file is, judged by its content. No ORM.

The name a file arrives with and the type the browser claims are both the sender's say-so: a program renamed
``drawing.png`` is still a program. So the type is read from the file's first bytes (its "magic number"), and for
the Office and OpenDocument formats, which are ZIP archives, from the members inside. Anything not recognised as a
photo, audio, video or document the partnership keeps is refused, and a program is named as one.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

# Enough of the start of a file for every signature below (Ogg's first page names a Theora stream within it).
HEAD_BYTES = 4096
TEXT_CHUNK = 64 * 1024
# The ODF "mimetype" member is a few dozen bytes; reading more of a hostile archive is pointless.
ODF_MIMETYPE_MAX = 100

IMAGE = "image"
AUDIO = "audio"
VIDEO = "video"
DOCUMENT = "document"

NOT_KEPT = "The file is not a photo, audio, video or document we can keep"
PROGRAM = f"{NOT_KEPT}: it looks like a program"
MACROS = f"{NOT_KEPT}: it contains macros, which are programs. Save it without macros (as .docx or .xlsx) or as a PDF"
OLD_OFFICE = f"{NOT_KEPT}: it is an older Office file. Save it as .docx or .xlsx, or as a PDF"
UNKNOWN = (f"{NOT_KEPT}. Choose a photo (JPEG, PNG, GIF or WebP), audio or video (MP3, WAV, Ogg, M4A, MP4, MOV or "
           "WebM), or a document (PDF, Word, Excel, OpenDocument or plain text)")


@dataclass(frozen=True)
class FileType:
    kind: str  # IMAGE, AUDIO, VIDEO or DOCUMENT
    content_type: str
    label: str  # as a person would name it: "PNG image", "Word document"

    @property
    def inline(self) -> bool:
        """Photos, audio and video are shown in the page; documents are downloaded, never opened by the browser."""
        return self.kind != DOCUMENT


class FileRefused(ValueError):
    """The file is not one the partnership keeps; the message says why, for the person who chose it."""


PNG = FileType(IMAGE, "image/png", "PNG image")
JPEG = FileType(IMAGE, "image/jpeg", "JPEG image")
GIF = FileType(IMAGE, "image/gif", "GIF image")
WEBP = FileType(IMAGE, "image/webp", "WebP image")
MP3 = FileType(AUDIO, "audio/mpeg", "MP3 audio")
WAV = FileType(AUDIO, "audio/wav", "WAV audio")
OGG_AUDIO = FileType(AUDIO, "audio/ogg", "Ogg audio")
OGG_VIDEO = FileType(VIDEO, "video/ogg", "Ogg video")
M4A = FileType(AUDIO, "audio/mp4", "M4A audio")
MP4 = FileType(VIDEO, "video/mp4", "MP4 video")
MOV = FileType(VIDEO, "video/quicktime", "QuickTime video")
WEBM = FileType(VIDEO, "video/webm", "WebM video")
PDF = FileType(DOCUMENT, "application/pdf", "PDF document")
DOCX = FileType(DOCUMENT, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document")
XLSX = FileType(DOCUMENT, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel spreadsheet")
PPTX = FileType(DOCUMENT, "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "PowerPoint presentation")
ODT = FileType(DOCUMENT, "application/vnd.oasis.opendocument.text", "OpenDocument text")
ODS = FileType(DOCUMENT, "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet")
ODP = FileType(DOCUMENT, "application/vnd.oasis.opendocument.presentation", "OpenDocument presentation")
TEXT = FileType(DOCUMENT, "text/plain; charset=utf-8", "Text document")

KNOWN = (PNG, JPEG, GIF, WEBP, MP3, WAV, OGG_AUDIO, OGG_VIDEO, M4A, MP4, MOV, WEBM, PDF, DOCX, XLSX, PPTX, ODT, ODS,
         ODP, TEXT)
LABELS = {file_type.content_type: file_type.label for file_type in KNOWN}

# Executable formats: Windows (MZ), Linux and most Unixes (ELF), macOS (Mach-O, both byte orders and widths,
# and "universal" binaries, whose CAFEBABE Java class files share), WebAssembly, and scripts run by an interpreter.
_PROGRAMS = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"\x00asm",
    b"#!",
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound documents: .doc, .xls, .msi and friends

# ISO base media ("ftyp") brands: audio-only MPEG-4, QuickTime, and the MP4 family.
_M4A_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P ", b"F4A "})
_MOV_BRANDS = frozenset({b"qt  "})
_MP4_BRANDS = frozenset({
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH", b"M4VP",
    b"MSNV", b"dash", b"mmp4", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"f4v ",
})

_OOXML = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX), ("ppt/presentation.xml", PPTX))
_ODF = {file_type.content_type: file_type for file_type in (ODT, ODS, ODP)}
# Members that carry macros in an Office Open XML package.
_MACRO_MEMBERS = ("word/vbaProject.bin", "xl/vbaProject.bin", "ppt/vbaProject.bin")


def file_type_of(stream: BinaryIO) -> FileType:
    """The type of a file from its content, or ``FileRefused`` naming why it is not kept.

    ``stream`` must be seekable; it is read from the start and left at the start.
    """
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    try:
        found = _by_signature(head)
        if found is None:
            # A ZIP archive is a document only if its members make it one; it is never plain text.
            found = _by_zip(stream) if head.startswith(b"PK\x03\x04") else _as_text(head, stream)
    finally:
        stream.seek(0)
    if found is None:
        raise FileRefused(UNKNOWN)
    return found


def _by_signature(head: bytes) -> FileType | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"ID3") or _mpeg_audio_frame(head):
        return MP3
    if head.startswith(b"OggS"):
        # A video's first page introduces its Theora (or VP8) stream; an audio file's its Vorbis, Opus or FLAC.
        return OGG_VIDEO if b"\x80theora" in head or b"OVP80" in head else OGG_AUDIO
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # EBML: WebM names its DocType "webm" in the header; other Matroska files are not ones browsers all play.
        return WEBM if b"webm" in head[:64] else None
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(_OLE):
        raise FileRefused(OLD_OFFICE)
    if head.startswith(_PROGRAMS) or head.lstrip(b"\xef\xbb\xbf").startswith(b"#!"):
        raise FileRefused(PROGRAM)
    return None


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio frame header with no preceding ID3 tag: 11 sync bits, then a version, layer, bit rate and
    sample rate that are not the reserved (or "bad") values. Layer II or III only: layer bits 00 are AAC's ADTS,
    and Layer I's bits would take a UTF-16 text's byte-order mark (FF FE) for a frame."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0b11
    layer = (head[1] >> 1) & 0b11
    bitrate = head[2] >> 4
    sample_rate = (head[2] >> 2) & 0b11
    return version != 0b01 and layer in (0b01, 0b10) and bitrate != 0b1111 and sample_rate != 0b11


def _iso_media(head: bytes) -> FileType | None:
    """An ISO base media file (MP4, M4A, MOV) by its major brand, else by the compatible brands it lists."""
    box_size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    compatible = {head[i:i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
    for brands in ({major}, compatible):
        if brands & _M4A_BRANDS:
            return M4A
        if brands & _MOV_BRANDS:
            return MOV
        if brands & _MP4_BRANDS:
            return MP4
    return None


def _by_zip(stream: BinaryIO) -> FileType | None:
    """Office Open XML (DOCX, XLSX, PPTX) and OpenDocument (ODT, ODS, ODP) files, by the members inside.

    Only the archive's directory and the tiny ODF ``mimetype`` member are read: nothing is extracted.
    """
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(ODF_MIMETYPE_MAX).decode("ascii", "replace").strip()
                return _ODF.get(declared)
            if "[Content_Types].xml" not in names:
                return None
            if names.intersection(_MACRO_MEMBERS):
                raise FileRefused(MACROS)
            return next((file_type for member, file_type in _OOXML if member in names), None)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError):
        # A damaged archive, or one needing a password or a method Python cannot read: not a document we keep.
        return None


def _as_text(head: bytes, stream: BinaryIO) -> FileType | None:
    """Plain text: UTF-8 throughout, with no NUL bytes (which text never has and binary formats nearly always do)."""
    if b"\x00" in head:
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    try:
        while chunk := stream.read(TEXT_CHUNK):
            if b"\x00" in chunk:
                return None
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return TEXT


def megabytes(size: int) -> str:
    """A size limit as people say it: "50MB", "2.5MB" (GOV.UK writes no space before the unit)."""
    value = size / (1024 * 1024)
    return f"{value:.1f}".removesuffix(".0") + "MB" if value >= 0.1 else f"{max(1, round(size / 1024))}KB"


def too_big_message(limit: int) -> str:
    return f"The selected file must be smaller than {megabytes(limit)}"


def name_clean(name: str, *, limit: int = 255) -> str:
    """The file's own name without any folders the browser sent, control characters or surrounding space."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(char for char in base if char.isprintable()).strip().strip(".")
    if len(cleaned) > limit:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (stem[: limit - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 10 else cleaned[:limit]
    return cleaned or "file"
