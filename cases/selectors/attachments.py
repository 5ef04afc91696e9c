"""Every read of attachments a user makes: a record's files, and one file opened for download (logged)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.http import Http404

from agencies.models import User
from audits.services import access_record
from cases.models import Attachment
from cases.permissions import attachment_get_for, attachments_visible
from cases.rules.files import LABELS
from cases.services.attachments import attachments_root


def attachments_of(*, user: User, record_type: str, record_id: int) -> list[Attachment]:
    """The files on one record, oldest first, with who added each; none when the user may not see the record.

    Two queries whatever the number of files: whether the user may see the record, then the files with their
    uploaders (attachment_record_idx).
    """
    return list(attachments_visible(user, record_type, record_id).select_related("uploaded_by"))


def attachment_label(attachment: Attachment) -> str:
    """The file's type as a person would name it ("PNG image", "Word document")."""
    return LABELS.get(attachment.content_type, attachment.get_kind_display())


def attachment_path(attachment: Attachment) -> Path:
    """Where the file is kept; never outside the attachments' root, whatever the row says."""
    root = attachments_root().resolve()
    path = (root / attachment.stored_name).resolve()
    if not path.is_relative_to(root) or path == root:
        raise Http404("No such file")
    return path


@dataclass
class OpenedAttachment:
    attachment: Attachment
    file: BinaryIO
    size: int


def attachment_open_for(user: User, attachment_id: int) -> OpenedAttachment:
    """The file of an attachment on a record the user may see (Http404 otherwise, or when the file is missing),
    open for reading; the download is written to the access log."""
    attachment = attachment_get_for(user, attachment_id, log=False)
    path = attachment_path(attachment)
    try:
        handle = path.open("rb")
    except (FileNotFoundError, IsADirectoryError) as missing:
        raise Http404("The file is missing") from missing
    access_record(user=user, action="download", record_type="attachment", record_id=attachment.pk,
                  partnership_id=attachment.partnership_id)
    return OpenedAttachment(attachment=attachment, file=handle, size=os.fstat(handle.fileno()).st_size)
