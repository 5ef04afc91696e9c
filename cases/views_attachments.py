"""The attachments pages (SPEC 3.2): adding a file to a record, and a file served to those who may see its record.

Adding: the record is fetched through its own access helper (404 when the user may not know it), then the role
check (403), then the service, whose refusals land on the form's fields. Serving: ``attachment_open_for`` checks
the record, logs the download, and the file goes out with its own type, never sniffed, never cached, shown in the
page (photos, audio, video) or downloaded (documents).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_http_methods, require_safe

from agencies.models import User
from cases.forms_attachments import AttachmentForm
from cases.models import Attachment
from cases.permissions import case_get_for, incident_get_for, voice_get_for
from cases.rules.files import DOCX, LABELS, ODP, ODS, ODT, PPTX, TEXT, XLSX, megabytes
from cases.selectors.attachments import OpenedAttachment, attachment_open_for, attachments_of
from cases.services.attachments import attachment_add, attachment_add_check
from strategy_meetings.permissions import meeting_get_for
from strategy_meetings.views import errors_to_form

RecordType = Attachment.RecordType
CHUNK = 64 * 1024
# A single byte range ("bytes=0-", "bytes=100-199", "bytes=-500"), which is all browsers' players ask for.
RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")
RECORD_ID = re.compile(r"[0-9]{1,18}")  # a bigint's worth of ASCII digits
# The file is the whole document: nothing in it may run, load anything or be framed.
FILE_POLICY = "default-src 'none'; sandbox"


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast(User, request.user)


@dataclass(frozen=True)
class RecordRef:
    """The record a file is added to, as the add page names it and links back to it."""

    record_type: str
    record_id: int
    caption: str
    url: str
    back: str


def record_url(record_type: str, record_id: int) -> str:
    """The page of a record files are kept on."""
    paths: dict[str, str] = {
        RecordType.CHILD_VOICE: f"/voice/{record_id}/",
        RecordType.INCIDENT: f"/incidents/{record_id}/",
        RecordType.STRATEGY_MEETING: f"/strategy-meetings/{record_id}/",
        RecordType.CASE: f"/cases/{record_id}/",
    }
    return paths[record_type]


def record_for(user: User, record_type: str, record_id: int, *, log: bool) -> RecordRef:
    """The record through its own access helper: Http404 when the user may not know it (or no such kind)."""
    url = record_url(record_type, record_id) if record_type in RecordType.values else ""
    if record_type == RecordType.CHILD_VOICE:
        voice = voice_get_for(user, record_id, log=log)
        when = dateformat.format(timezone.localtime(voice.recorded_at), "j F Y")
        return RecordRef(record_type, record_id, f"{voice.child.full_name}: the child's voice, {when}", url,
                         "Back to the record of the child's voice")
    if record_type == RecordType.INCIDENT:
        incident = incident_get_for(user, record_id, log=log)
        return RecordRef(record_type, record_id, str(incident), url, "Back to the incident")
    if record_type == RecordType.STRATEGY_MEETING:
        meeting = meeting_get_for(user, record_id, log=log)
        return RecordRef(record_type, record_id, f"Strategy meeting {meeting.pk}", url, "Back to the meeting")
    if record_type == RecordType.CASE:
        case = case_get_for(user, record_id, log=log)
        return RecordRef(record_type, record_id, f"{case.child.full_name}: case {case.pk}", url, "Back to the case")
    raise Http404("No such record")


def _record_asked(request: HttpRequest) -> tuple[str, int]:
    """``?record_type=&record_id=`` from the page's address; Http404 when either is missing or not a record."""
    record_type = request.GET.get("record_type", "")
    record_id = request.GET.get("record_id", "")
    if record_type not in RecordType.values or not RECORD_ID.fullmatch(record_id):
        raise Http404("No such record")
    return record_type, int(record_id)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_create_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    posting = request.method == "POST"
    record_type, record_id = _record_asked(request)
    record = record_for(user, record_type, record_id, log=not posting)
    attachment_add_check(user)
    form = AttachmentForm(request.POST, request.FILES) if posting else AttachmentForm()
    if form.is_bound and form.is_valid():
        try:
            attachment = attachment_add(record_type=record_type, record_id=record_id, by=user,
                                        upload=form.cleaned_data["file"],
                                        description=form.cleaned_data["description"])
        except ValidationError as error:
            errors_to_form(form, error, {})
        else:
            messages.success(request, f"{attachment.original_name} has been added.")
            return redirect(record.url)
    return render(request, "cases/attachments/create.html", {
        "form": form,
        "record": record,
        "attachments": attachments_of(user=user, record_type=record_type, record_id=record_id),
        "limit": megabytes(settings.ATTACHMENT_MAX_BYTES),
        "action": f"{reverse('attachment-create')}?record_type={record_type}&record_id={record_id}",
    })


@login_required
@require_safe
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    opened = attachment_open_for(_user(request), attachment_id)
    return attachment_response(opened, range_header=request.headers.get("Range"))


# The names each kept type goes by; a file saved from the browser under another name gets the right one added, so
# a text file sent as "letter.html" is saved as "letter.html.txt" and never opens as a page.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/png": (".png",), "image/jpeg": (".jpg", ".jpeg"), "image/gif": (".gif",), "image/webp": (".webp",),
    "audio/mpeg": (".mp3",), "audio/wav": (".wav",), "audio/ogg": (".ogg", ".oga", ".opus"),
    "video/ogg": (".ogv", ".ogg"), "audio/mp4": (".m4a", ".m4b", ".mp4"), "video/mp4": (".mp4", ".m4v"),
    "video/quicktime": (".mov", ".qt"), "video/webm": (".webm",), "application/pdf": (".pdf",),
    DOCX.content_type: (".docx",), XLSX.content_type: (".xlsx",), PPTX.content_type: (".pptx",),
    ODT.content_type: (".odt",), ODS.content_type: (".ods",), ODP.content_type: (".odp",),
    TEXT.content_type: (".txt", ".text", ".csv", ".log"),
}
UNKNOWN_TYPE = "application/octet-stream"


def served_type(attachment: Attachment) -> str:
    """The type a file is served as: one of the types kept (read from its content when it was added), else bytes
    to be saved, never anything a browser would run."""
    return attachment.content_type if attachment.content_type in LABELS else UNKNOWN_TYPE


def served_name(attachment: Attachment) -> str:
    """The file's own name, with its type's extension added when the name claims another."""
    name = attachment.original_name or "file"
    extensions = EXTENSIONS.get(served_type(attachment), ())
    if not extensions or name.lower().endswith(extensions):
        return name
    return name + extensions[0]


def attachment_response(opened: OpenedAttachment, *, range_header: str | None) -> HttpResponseBase:
    """The file as the browser should take it: its own type, not sniffed, kept out of every cache, shown in the
    page (photos, audio, video) or downloaded (documents, and anything not of a type kept), and (audio and video,
    whose players seek) one byte range when asked for."""
    attachment = opened.attachment
    content_type = served_type(attachment)
    media = attachment.kind in (Attachment.Kind.AUDIO, Attachment.Kind.VIDEO) and content_type != UNKNOWN_TYPE
    inline = attachment.kind != Attachment.Kind.DOCUMENT and content_type != UNKNOWN_TYPE
    response: HttpResponseBase
    if media and range_header:
        response = _ranged(opened, range_header)
    else:
        response = FileResponse(opened.file, content_type=content_type, as_attachment=not inline,
                                filename=served_name(attachment))
    if media:
        response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = FILE_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _ranged(opened: OpenedAttachment, header: str) -> HttpResponseBase:
    """206 with the bytes asked for, or 416 when the range is not one this file has (RFC 9110 14)."""
    size = opened.size
    match = RANGE.match(header.strip())
    if match is None:
        # Several ranges, or another unit: the whole file, as a server that ignores Range would send.
        return FileResponse(opened.file, content_type=served_type(opened.attachment))
    first, last = match.groups()
    if first:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    elif last:
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = 0, -1
    if start > end or start >= size:
        opened.file.close()
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    response = StreamingHttpResponse(_bytes(opened.file, start, end - start + 1), status=206,
                                     content_type=served_type(opened.attachment))
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Content-Disposition"] = "inline"
    return response


def _bytes(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()

