"""Reading a police incident feed (CSV or JSON lines) into checked rows; docs/incident-feed.md is the format.

Parsing only: each row becomes a ``FeedRow`` or a ``Rejected`` with its line number and the
reason. Whether the people exist, and the checks that need them (a child under 18 on the
day), come later, in ``cases.services.incidents.incidents_import``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from cases.rules import dash as dash_rules
from cases.rules.people import nhs_number_normalise, nhs_number_valid
from cases.services.incidents import DashInput

COLUMNS = (
    "reference",
    "occurred_at",
    "location",
    "summary",
    "household_address",
    "victims",
    "perpetrators",
    "children",
    "dash",
    "professional_judgement_level",
    "professional_judgement_reason",
)
REQUIRED_COLUMNS = ("reference", "occurred_at")
CHILD_FLAGS = ("present", "seen", "spoken_to", "not_resident")
# The compact DASH answer string: one character per question, q1 first.
DASH_CHARACTERS = {"Y": dash_rules.YES, "N": dash_rules.NO, "?": dash_rules.NOT_KNOWN}


_Ref = TypeVar("_Ref", "PersonRef", "ChildRef")


class FeedError(Exception):
    """The file as a whole cannot be read (unknown format, missing or unknown columns)."""


class RowError(ValueError):
    pass


@dataclass(frozen=True)
class PersonRef:
    """A person as the feed names them: by NHS number, or by exact name and date of birth."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    nhs_number: str = ""

    @property
    def name_key(self) -> tuple[str, str, date | None]:
        return (self.given_name.lower(), self.family_name.lower(), self.date_of_birth)

    def describe(self) -> str:
        if self.given_name or self.family_name:
            return f"{self.given_name} {self.family_name}".strip()
        return f"NHS number {self.nhs_number}"


@dataclass(frozen=True)
class ChildRef:
    person: PersonRef
    resident: bool = True
    present: bool = False
    seen: bool = False
    spoken_to: bool = False


@dataclass
class FeedRow:
    line: int
    reference: str
    occurred_at: datetime
    location: str = ""
    summary: str = ""
    household_address: str = ""
    victims: list[PersonRef] = field(default_factory=list)
    perpetrators: list[PersonRef] = field(default_factory=list)
    children: list[ChildRef] = field(default_factory=list)
    dash: DashInput | None = None


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class Feed:
    rows: list[FeedRow]
    rejected: list[Rejected]
    total: int


def feed_read(path: Path) -> Feed:
    """Every row of the file, parsed; rows sharing a reference after the first are rejected."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = _csv_rows(path)
    elif suffix in (".jsonl", ".ndjson"):
        raw = _jsonl_rows(path)
    else:
        raise FeedError(f"{path.name}: give a .csv or .jsonl file")
    rows: list[FeedRow] = []
    rejected: list[Rejected] = []
    first_line: dict[str, int] = {}
    total = 0
    for line, values in raw:
        total += 1
        if isinstance(values, Rejected):
            rejected.append(values)
            continue
        try:
            row = row_parse(line, values)
        except RowError as error:
            rejected.append(Rejected(line, str(error)))
            continue
        if row.reference in first_line:
            earlier = first_line[row.reference]
            rejected.append(Rejected(line, f"reference {row.reference} already appears on line {earlier}"))
            continue
        first_line[row.reference] = line
        rows.append(row)
    return Feed(rows, rejected, total)


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in (reader.fieldnames or [])]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise FeedError(f"{path.name}: no {', '.join(missing)} column (the header is line 1)")
        unknown = [name for name in header if name not in COLUMNS]
        if unknown:
            raise FeedError(
                f"{path.name}: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}"
            )
        reader.fieldnames = header
        line = reader.line_num + 1
        for values in reader:
            if None in values:
                yield line, Rejected(line, f"{len(header) + len(values[None])} values for {len(header)} columns")
            elif any(v is None for v in values.values()):
                yield line, Rejected(line, f"fewer values than the {len(header)} columns")
            elif any((v or "").strip() for v in values.values()):
                yield line, values
            line = reader.line_num + 1


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | Rejected]]:
    with path.open(encoding="utf-8-sig") as handle:
        for line, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                values = json.loads(text)
            except json.JSONDecodeError as error:
                yield line, Rejected(line, f"not JSON ({error.msg})")
                continue
            if not isinstance(values, dict):
                yield line, Rejected(line, "each line must be one JSON object")
                continue
            unknown = [name for name in values if name not in COLUMNS]
            if unknown:
                yield line, Rejected(line, f"unknown field(s) {', '.join(map(str, unknown))}")
                continue
            yield line, values


def row_parse(line: int, values: dict[str, Any]) -> FeedRow:
    reference = _text(values.get("reference"), "reference").strip()
    if not reference:
        raise RowError("reference is missing")
    if len(reference) > 60:
        raise RowError("reference is longer than 60 characters")
    return FeedRow(
        line=line,
        reference=reference,
        occurred_at=_moment(values.get("occurred_at")),
        location=_text(values.get("location"), "location").strip(),
        summary=_text(values.get("summary"), "summary").strip(),
        household_address=" ".join(_text(values.get("household_address"), "household_address").split()),
        victims=_people(values.get("victims"), "victims"),
        perpetrators=_people(values.get("perpetrators"), "perpetrators"),
        children=_children(values.get("children")),
        dash=_dash(values),
    )


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RowError(f"{name} must be text")
    return value


def _moment(value: Any) -> datetime:
    text = _text(value, "occurred_at").strip()
    if not text:
        raise RowError("occurred_at is missing")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"occurred_at {text!r} is not an ISO-8601 date and time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RowError(f"occurred_at {text!r} has no time zone offset (add one, e.g. +00:00 or Z)")
    return moment


def _date(text: str, who: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RowError(f"{who}: date of birth {text!r} is not a date (YYYY-MM-DD)") from None


def _nhs(text: str, who: str) -> str:
    text = text.strip()
    if not text:
        return ""
    digits = text if text.isdigit() else nhs_number_normalise(text)
    if digits and not nhs_number_valid(digits):
        raise RowError(f"{who}: {text.strip()!r} is not a valid NHS number")
    return digits


def _person_ref(given: str, family: str, born: str, nhs: str, who: str) -> PersonRef:
    ref = PersonRef(
        given_name=" ".join(given.split()), family_name=" ".join(family.split()), date_of_birth=_date(born, who),
        nhs_number=_nhs(nhs, who),
    )
    if not ref.nhs_number and not (ref.given_name and ref.family_name):
        raise RowError(f"{who}: give an NHS number, or a given and a family name")
    return ref


def _split_people(value: Any, name: str) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(";")) if part]
    if isinstance(value, list):
        return value
    raise RowError(f"{name} must be a list")


def _person_parts(item: str, who: str) -> list[str]:
    parts = [part.strip() for part in item.split("|")]
    if len(parts) == 1 and parts[0].replace(" ", "").isdigit():
        return ["", "", "", parts[0], ""]
    if len(parts) > 5:
        raise RowError(f"{who}: at most five parts, given|family|date of birth|NHS number|flags")
    return parts + [""] * (5 - len(parts))


def _people(value: Any, name: str) -> list[PersonRef]:
    refs = []
    for position, item in enumerate(_split_people(value, name), start=1):
        who = f"{name} {position}"
        if isinstance(item, str):
            refs.append(_seen_before(_adult_text, item, who))
        elif isinstance(item, dict):
            refs.append(_person_from_object(item, who))
        else:
            raise RowError(f"{who} must be text or an object")
    return refs


def _adult_text(item: str, who: str) -> PersonRef:
    given, family, born, nhs, extra = _person_parts(item, who)
    if extra:
        raise RowError(f"{who}: only children have flags")
    return _person_ref(given, family, born, nhs, who)


def _seen_before(parse: Callable[[str, str], _Ref], item: str, who: str) -> _Ref:
    """``parse(item, who)``, read once for a text the feed repeats: a household's people are named on each of
    its call-outs. A text that cannot be read is read again, for the reason to name where it is."""
    try:
        return _parsed(parse, item)
    except RowError:
        return parse(item, who)


@lru_cache(maxsize=100_000)
def _parsed(parse: Callable[[str, str], Any], item: str) -> Any:
    return parse(item, "")


def _person_from_object(item: dict[str, Any], who: str) -> PersonRef:
    known = {"given_name", "family_name", "date_of_birth", "nhs_number"}
    unknown = [key for key in item if key not in known | {"resident", "present", "seen", "spoken_to"}]
    if unknown:
        raise RowError(f"{who}: unknown field(s) {', '.join(map(str, unknown))}")
    return _person_ref(
        _text(item.get("given_name"), who), _text(item.get("family_name"), who),
        _text(item.get("date_of_birth"), who), _text(item.get("nhs_number"), who), who,
    )


def _children(value: Any) -> list[ChildRef]:
    children = []
    for position, item in enumerate(_split_people(value, "children"), start=1):
        who = f"child {position}"
        if isinstance(item, str):
            child = _seen_before(_child_text, item, who)
        elif isinstance(item, dict):
            for key in ("resident", "present", "seen", "spoken_to"):
                if key in item and not isinstance(item[key], bool):
                    raise RowError(f"{who}: {key} must be true or false")
            child = ChildRef(
                _person_from_object(item, who), resident=item.get("resident", True),
                present=item.get("present", False), seen=item.get("seen", False),
                spoken_to=item.get("spoken_to", False),
            )
        else:
            raise RowError(f"{who} must be text or an object")
        if child.person.date_of_birth is None and not child.person.nhs_number:
            raise RowError(f"{who}: a child needs a date of birth or an NHS number")
        children.append(child)
    return children


def _child_text(item: str, who: str) -> ChildRef:
    given, family, born, nhs, flag_text = _person_parts(item, who)
    flags = {flag for flag in flag_text.replace("+", " ").split() if flag}
    unknown = sorted(flags - set(CHILD_FLAGS))
    if unknown:
        raise RowError(f"{who}: unknown flag(s) {', '.join(unknown)}; the flags are {', '.join(CHILD_FLAGS)}")
    return ChildRef(
        _person_ref(given, family, born, nhs, who), resident="not_resident" not in flags,
        present="present" in flags, seen="seen" in flags, spoken_to="spoken_to" in flags,
    )


def _dash(values: dict[str, Any]) -> DashInput | None:
    raw = values.get("dash")
    level = _text(values.get("professional_judgement_level"), "professional_judgement_level").strip().lower()
    reason = _text(values.get("professional_judgement_reason"), "professional_judgement_reason").strip()
    if raw is None or raw == "":
        if level:
            raise RowError("professional_judgement_level needs the DASH answers")
        return None
    if isinstance(raw, dict):
        answers = raw.get("answers", raw)
        level = str(raw.get("professional_judgement_level", level) or "").strip().lower()
        reason = str(raw.get("professional_judgement_reason", reason) or "").strip()
    elif isinstance(raw, str):
        answers = _dash_string(raw.strip())
    else:
        raise RowError("dash must be a string of answers or an object")
    errors = dash_rules.dash_answers_errors(answers)
    if errors:
        raise RowError(f"dash: {errors[0]}")
    if level and level not in dash_rules.LEVELS:
        raise RowError(f"professional_judgement_level {level!r} is not standard, medium or high")
    return DashInput(answers=answers, professional_judgement_level=level, professional_judgement_reason=reason)


def _dash_string(text: str) -> dict[str, str]:
    """27 characters (Y, N or ?) for q1 to q27, or 24 for the partner version without q10 to q12."""
    if len(text) == len(dash_rules.QUESTIONS):
        questions = dash_rules.QUESTIONS
    elif len(text) == len(dash_rules.PARTNER_QUESTIONS):
        questions = dash_rules.PARTNER_QUESTIONS
    else:
        raise RowError(f"dash has {len(text)} answers; give 27 (or 24 for the partner version), each Y, N or ?")
    bad = sorted({ch for ch in text.upper() if ch not in DASH_CHARACTERS})
    if bad:
        raise RowError(f"dash: {', '.join(map(repr, bad))} is not an answer; use Y, N or ?")
    return {q.id: DASH_CHARACTERS[ch] for q, ch in zip(questions, text.upper(), strict=True)}
