"""Pure rules of the case-file audit round (SPEC 3.5): its limits, when it closes, how its report counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

SAMPLE_SIZE_MIN = 1
SAMPLE_SIZE_MAX = 100
# Long enough for each agency to read and grade its cases, short enough that access does not linger.
OPEN_FOR = timedelta(weeks=6)
SEED_MAX = 2**63 - 1


def closes_on_default(drawn_on: date) -> date:
    return drawn_on + OPEN_FOR


def round_open_for_auditors(*, status: str, closes_on: date, today: date) -> bool:
    """Auditors read the sample while the round is open and its closing date has not passed."""
    return status == "open" and today <= closes_on


def case_label(position: int) -> str:
    """How the report calls a sampled case: by its place in the draw, never by the child's name."""
    return f"Case {position}"


@dataclass(frozen=True)
class Tally:
    value: str
    label: str
    count: int


def tallies(counts: Mapping[str, int], choices: Iterable[tuple[str, str]]) -> list[Tally]:
    """Counts in the order of the choices, every choice present (zero when nothing was counted)."""
    return [Tally(value, label, counts.get(value, 0)) for value, label in choices]


def sample_shortfall(*, asked: int, drawn: int) -> str:
    """What to tell the round's creator when fewer cases were eligible than the sample asked for."""
    if drawn >= asked:
        return ""
    if drawn == 0:
        return "No case had activity in the last 12 months, so none was drawn."
    if drawn == 1:
        return f"Only 1 case had activity in the last 12 months, so it was drawn instead of {asked}."
    return f"Only {drawn} cases had activity in the last 12 months, so all of them were drawn instead of {asked}."
