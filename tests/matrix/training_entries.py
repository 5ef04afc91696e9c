"""Access matrix: training compliance, every persona.

Managers (MM, TM, SM) and the administrator see compliance; practitioners, social workers and the auditor may
not (403). The senior manager of children's social care and the administrator open any agency of the
partnership; children's social care's other managers their own agency only (403 on the police). A member of
staff's record (the social worker's) is for their line manager (TM), a manager of their agency (MM), the senior
manager and the administrator; the social worker (and the police officer) may read, not record on, their own.
South's social worker (OUT) may not know North's own agencies or staff (404); the police force serves South too,
so OUT may know it exists (403).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from agencies.models import TrainingRecord
from tests.access_matrix_base import SIGN_IN_REDIRECT, Entry, statuses

MANAGERS_AND_ADMIN = {"MM": 200, "TM": 200, "SM": 200, "AD": 200}
WHOLE_PARTNERSHIP = {"SM": 200, "AD": 200}


def _record_body(w: Any, user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {"course": TrainingRecord.Course.SAFEGUARDING_L3, "completed_on_day": today.day,
            "completed_on_month": today.month, "completed_on_year": today.year}


ENTRIES: list[Entry] = [
    Entry("training-compliance", lambda w: "/training/", statuses(403, SIGN_IN_REDIRECT, **MANAGERS_AND_ADMIN)),
    Entry("training-agency", lambda w: f"/training/agencies/{w.csc.pk}/",
          statuses(403, SIGN_IN_REDIRECT, OUT=404, **MANAGERS_AND_ADMIN)),
    Entry("training-agency", lambda w: f"/training/agencies/{w.police.pk}/",
          statuses(403, SIGN_IN_REDIRECT, **WHOLE_PARTNERSHIP)),
    Entry("training-staff", lambda w: f"/training/staff/{w.sw.pk}/",
          statuses(403, SIGN_IN_REDIRECT, OUT=404, SW=200, **MANAGERS_AND_ADMIN)),
    Entry("training-staff", lambda w: f"/training/staff/{w.sw.pk}/",
          statuses(403, SIGN_IN_REDIRECT, OUT=404, **{code: 302 for code in MANAGERS_AND_ADMIN}), method="POST",
          data=_record_body),
    Entry("training-staff", lambda w: f"/training/staff/{w.po.pk}/",
          statuses(403, SIGN_IN_REDIRECT, OUT=404, PO=200, **WHOLE_PARTNERSHIP)),
]
