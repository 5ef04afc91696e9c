"""Every write to attachments (SPEC 3.2 "Attachment"): a photo, audio, video or document kept on a child's voice
record, an incident, a strategy meeting or a case.

The file is checked before anything is written: its type by its content (``cases.rules.files``), its size against
``settings.ATTACHMENT_MAX_BYTES``, and a description of what it shows is required (the alternative text for those
who cannot see or hear it). It is then kept under ``settings.ATTACHMENTS_ROOT``, outside the web root, under a
random name in two levels of folders, readable by the application's user alone, and written whole or not at all
(a temporary file, flushed, then renamed). The row and the file stand or fall together: if the row cannot
be saved, the file is removed. Adding the row is logged by the database's change capture.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404

from agencies.models import User
from agencies.selectors import membership_of
from cases.models import Attachment, Case, ChildVoice, Incident
from cases.permissions import NOT_CASEWORK, attachment_record_visible
from cases.rules.files import FileRefused, FileType, file_type_of, name_clean, too_big_message
from config.errors import ErrorDict, error_add
from strategy_meetings.models import StrategyMeeting

FILE_REQUIRED = "Select a file"
FILE_EMPTY = "The selected file is empty"
DESCRIPTION_REQUIRED = "Enter what the file shows, for someone who cannot see or hear it"
DESCRIPTION_MAX = 500
DESCRIPTION_TOO_LONG = f"What the file shows must be {DESCRIPTION_MAX} characters or fewer"

FOLDER_MODE = 0o700
FILE_MODE = 0o600

RECORD_MODELS: dict[str, type[Case | ChildVoice | Incident | StrategyMeeting]] = {
    Attachment.RecordType.CHILD_VOICE: ChildVoice,
    Attachment.RecordType.INCIDENT: Incident,
    Attachment.RecordType.STRATEGY_MEETING: StrategyMeeting,
    Attachment.RecordType.CASE: Case,
}


def attachment_may_add(user: User) -> bool:
    """Practitioners and managers add files to a record they may see; auditors and administrators do not."""
    membership = membership_of(user)
    return membership is not None and membership.role not in NOT_CASEWORK


def attachment_add_check(user: User) -> None:
    if not attachment_may_add(user):
        raise PermissionDenied("Only practitioners and managers add files to a record.")


def attachment_record_check(user: User, record_type: str, record_id: int) -> None:
    """Http404 unless the user may see the record (an unknown kind of record included), then PermissionDenied unless
    they may add files to it."""
    if not attachment_record_visible(user, record_type, record_id):
        raise Http404("No such record")
    attachment_add_check(user)


def attachment_checked(*, upload: UploadedFile | None, description: str) -> tuple[ErrorDict, FileType | None]:
    """What is wrong with a file and its description, field by field ("file", "description"), and the file's type
    when it is one we keep. Nothing is written."""
    errors: ErrorDict = {}
    if not description:
        error_add(errors, "description", DESCRIPTION_REQUIRED)
    elif len(description) > DESCRIPTION_MAX:
        error_add(errors, "description", DESCRIPTION_TOO_LONG)
    limit: int = settings.ATTACHMENT_MAX_BYTES
    file_type = None
    if upload is None:
        error_add(errors, "file", FILE_REQUIRED)
    elif not upload.size:
        error_add(errors, "file", FILE_EMPTY)
    elif upload.size > limit:
        error_add(errors, "file", too_big_message(limit))
    else:
        try:
            file_type = file_type_of(cast(BinaryIO, upload))
        except FileRefused as refusal:
            error_add(errors, "file", str(refusal))
    return errors, file_type


@transaction.atomic
def attachment_add(
    *, record_type: str, record_id: int, by: User, upload: UploadedFile | None, description: str
) -> Attachment:
    """Keep a file on a record the user may see: Http404 when they may not, PermissionDenied when they may see it
    but not add to it, ValidationError ("file", "description") when the file or its description is refused."""
    attachment_record_check(by, record_type, record_id)
    description = (description or "").strip()
    errors, file_type = attachment_checked(upload=upload, description=description)
    if errors or upload is None or file_type is None:
        raise ValidationError(errors or {"file": [FILE_REQUIRED]})
    partnership_id = RECORD_MODELS[record_type].objects.filter(pk=record_id).values_list(
        "partnership_id", flat=True).get()
    stored_name, sha256, size = _file_store(upload)
    try:
        # A savepoint of its own, so a refused row leaves the surrounding transaction usable as well as the disk clean.
        with transaction.atomic():
            return Attachment.objects.create(
                partnership_id=partnership_id,
                created_by=by,
                record_type=record_type,
                record_id=record_id,
                kind=file_type.kind,
                content_type=file_type.content_type,
                original_name=name_clean(upload.name or ""),
                stored_name=stored_name,
                size=size,
                sha256=sha256,
                description=description,
                uploaded_by=by,
            )
    except BaseException:
        _file_remove(stored_name)
        raise


def attachments_root() -> Path:
    return Path(settings.ATTACHMENTS_ROOT)


def _folder_make(path: Path) -> None:
    """Each level made readable by the application's user alone (``mkdir(parents=True)`` would use the umask)."""
    for level in reversed([path, *path.parents]):
        if not level.exists():
            level.mkdir(mode=FOLDER_MODE, exist_ok=True)


def _file_store(upload: UploadedFile) -> tuple[str, str, int]:
    """Write the upload under a random name: to a temporary file in its final folder, flushed to disk, then renamed
    to its name (atomic within a file system), so no reader ever sees half a file. Returns the name relative to the
    root, the SHA-256 and the size."""
    name = uuid.uuid4().hex
    relative = f"{name[:2]}/{name[2:4]}/{name}"
    folder = attachments_root() / name[:2] / name[2:4]
    _folder_make(folder)
    digest = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")  # mode 0o600
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks():
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return relative, digest.hexdigest(), size


def _file_remove(stored_name: str) -> None:
    (attachments_root() / stored_name).unlink(missing_ok=True)
