"""The dashboard's measures (SPEC 4), in display order. Each is computed in the database over one partnership,
for a period, optionally one agency and one team, and drills down to the records behind its figure."""

from __future__ import annotations

from django.http import Http404

from audits.measures_base import Measure
from audits.measures_children import HARM_MEASURES, VOICE_MEASURES
from audits.measures_front_door import FRONT_DOOR_MEASURES
from audits.measures_meetings import CHILD_PROTECTION_MEASURES, MEETING_MEASURES
from audits.measures_quality import QUALITY_MEASURES

_MEASURES: list[Measure] = [
    *FRONT_DOOR_MEASURES,
    *MEETING_MEASURES,
    *CHILD_PROTECTION_MEASURES,
    *VOICE_MEASURES,
    *HARM_MEASURES,
    *QUALITY_MEASURES,
]
_BY_KEY = {measure.key: measure for measure in _MEASURES}


def measures() -> list[Measure]:
    """Every measure, in the order the dashboard shows them."""
    return list(_MEASURES)


def measure_get(key: str) -> Measure:
    """The measure with this key; 404 for an unknown one."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise Http404("No such measure.") from None
