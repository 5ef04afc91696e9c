"""The form of the add-a-file page (templates/cases/attachments/create.html), in the GOV.UK file upload pattern.

Both fields are checked by the service (``cases.services.attachments``), which the API shares, so the messages are
the same wherever a file comes from; the form only carries what was sent.
"""

from __future__ import annotations

from django import forms

from cases.rules.files import KNOWN

# What the file picker offers first: the types kept, by content type, and the names Office documents go by.
ACCEPT = ",".join([*dict.fromkeys(file_type.content_type.split(";")[0] for file_type in KNOWN), ".docx", ".xlsx",
                   ".pptx", ".odt", ".ods", ".odp", ".txt", ".m4a", ".mov"])


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Upload a file", required=False, allow_empty_file=True,
        help_text="A photo (for example of the child's drawing), audio, video or a document",
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    description = forms.CharField(
        label="What the file shows", required=False, strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Describe it for someone who cannot see or hear it: what the drawing shows, what is said in the "
                  "recording, what the document is",
    )
