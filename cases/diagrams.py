"""Pictures drawn on the server as inline SVG (SPEC 8, issue 10 "pictures over tables"): the family diagram on the
person page and the chronology's density strip. Here the layout is worked out (positions, lines, the words in
each box); the templates only draw it. No queries: both take what the page has already read.

Both are drawn in a narrow coordinate space so that, scaled to fit a 320 px phone, the words stay readable; every
word is cut to the room it has, since SVG text does not wrap."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

# The family diagram's coordinate space: the person on the left, everyone else in a column on the right, in
# boxes: each household they live in, then the people living elsewhere.
WIDTH = 304
_SELF_X, _SELF_W = 4, 96
_BOX_X, _BOX_W = 124, 176
_NODE_X, _NODE_W = 130, 164
_LINE_H = 15
_NODE_PAD = 8
_HEADER_H = 40
_GAP = 10
# Rough widths of a character of the 12 px face, regular and bold, to cut text before it overflows its box.
_CHAR_W, _BOLD_W = 6.3, 7.0


class _Relation(Protocol):
    @property
    def other_is(self) -> str: ...
    @property
    def risk_to_this_person(self) -> bool: ...
    @property
    def risk_from_this_person(self) -> bool: ...


class _Summary(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def is_child(self) -> bool: ...


class _Member(Protocol):
    @property
    def summary(self) -> _Summary: ...
    @property
    def age(self) -> str: ...
    @property
    def is_self(self) -> bool: ...
    @property
    def relations(self) -> Sequence[_Relation]: ...


class _Household(Protocol):
    @property
    def address(self) -> str: ...


@dataclass(frozen=True)
class TextLine:
    x: int
    y: int
    text: str
    # name (bold), meta, relation, risk (bold, and red), heading, note
    style: str


@dataclass(frozen=True)
class Node:
    x: int
    y: int
    width: int
    height: int
    # child (rounded ends), adult (square corners), unknown (slightly rounded: a restricted record, or no age)
    shape: str
    is_self: bool
    poses_risk: bool
    lines: list[TextLine]

    @property
    def rx(self) -> int:
        return {"child": 18, "adult": 0}.get(self.shape, 6)


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int
    apart: bool  # living elsewhere: drawn dashed
    lines: list[TextLine]


@dataclass(frozen=True)
class Line:
    x1: int
    y1: int
    x2: int
    y2: int
    # home (solid), apart (dashed), risk (red, dashed, with an arrowhead at the end the risk is posed to)
    style: str
    arrow_start: bool = False
    arrow_end: bool = False


@dataclass(frozen=True)
class FamilyDiagram:
    width: int
    height: int
    title: str
    description: str
    boxes: list[Box] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


def _fit(text: str, width: float, *, bold: bool = False) -> str:
    """The text cut, with an ellipsis, to what fits in ``width``."""
    most = max(1, int(width / (_BOLD_W if bold else _CHAR_W)))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _wrap(text: str, width: float, *, lines: int, bold: bool = False) -> list[str]:
    """Words onto at most ``lines`` lines of ``width``; the last cut if there is more."""
    most = max(1, int(width / (_BOLD_W if bold else _CHAR_W)))
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= most:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1:])]
    return [_fit(line, width, bold=bold) for line in out]


def _kind(member: _Member) -> tuple[str, str]:
    """The shape, and the words under the name: a child or an adult, never by colour alone."""
    if not member.summary.name:
        return "unknown", ""
    if member.summary.is_child:
        return "child", f"Child, age {member.age}" if member.age else "Child"
    if member.age:
        return "adult", f"Adult, age {member.age}"
    return "unknown", "Age not known"


def _member_words(member: _Member, given_name: str, *, at_home: bool) -> list[tuple[str, str]]:
    """(text, style) of a member's box: how they are related, name, child or adult, and any risk, in words."""
    words: list[tuple[str, str]] = []
    for relation in member.relations:
        words.append((f"{relation.other_is} {given_name}", "relation"))
    if not member.relations and at_home:
        words.append(("Lives here", "relation"))
    words.append((member.summary.name or "A restricted record", "name"))
    _, meta = _kind(member)
    if meta:
        words.append((meta, "meta"))
    if any(r.risk_to_this_person for r in member.relations):
        words.append((f"Poses risk to {given_name}", "risk"))
    if any(r.risk_from_this_person for r in member.relations):
        words.append((f"At risk from {given_name}", "risk"))
    return words


def _node(member: _Member, given_name: str, *, y: int, at_home: bool) -> Node:
    words = _member_words(member, given_name, at_home=at_home)
    room = _NODE_W - 2 * _NODE_PAD
    lines = [
        TextLine(_NODE_X + _NODE_PAD, y + _NODE_PAD + 11 + i * _LINE_H,
                 _fit(text, room, bold=style in ("name", "risk")), style)
        for i, (text, style) in enumerate(words)
    ]
    shape, _ = _kind(member)
    return Node(_NODE_X, y, _NODE_W, 2 * _NODE_PAD + len(words) * _LINE_H, shape, False,
                any(r.risk_to_this_person for r in member.relations), lines)


def _risk_sentences(members: Sequence[_Member], given_name: str) -> list[str]:
    sentences = []
    for member in members:
        name = member.summary.name or "A restricted record"
        if any(r.risk_to_this_person for r in member.relations):
            sentences.append(f"{name} poses a risk to {given_name}.")
        if any(r.risk_from_this_person for r in member.relations):
            sentences.append(f"{given_name} poses a risk to {name}.")
    return sentences


def family_diagram(
    *,
    full_name: str,
    given_name: str,
    age: str,
    is_child: bool,
    households: Sequence[tuple[_Household, Sequence[_Member]]],
    elsewhere: Sequence[_Member],
) -> FamilyDiagram | None:
    """The person's family as a diagram, from the same people the page lists (a restricted record the viewer may
    not open stays unnamed); None when there is no one to draw but the person."""
    others_at_home = [[m for m in members if not m.is_self] for _, members in households]
    if not any(others_at_home) and not elsewhere:
        return None
    boxes: list[Box] = []
    nodes: list[Node] = []
    placed: list[tuple[Node, _Member, bool]] = []
    y = 4
    sections: list[tuple[str, str, Sequence[_Member], bool]] = [
        (f"Living with {given_name}", household.address.splitlines()[0] if household.address else "", others, False)
        for (household, _), others in zip(households, others_at_home, strict=True)
    ]
    if elsewhere:
        sections.append(("Living elsewhere", "", elsewhere, True))
    for heading, note, members, apart in sections:
        top = y
        head = [TextLine(_BOX_X + _NODE_PAD, top + 17, _fit(heading, _BOX_W - 2 * _NODE_PAD, bold=True), "heading")]
        if note:
            head.append(TextLine(_BOX_X + _NODE_PAD, top + 32, _fit(note, _BOX_W - 2 * _NODE_PAD), "note"))
        y = top + (_HEADER_H if note else _HEADER_H - 14)
        if not members:
            head.append(TextLine(_BOX_X + _NODE_PAD, y + 12, "No one else", "note"))
            y += 20
        for member in members:
            node = _node(member, given_name, y=y, at_home=not apart)
            nodes.append(node)
            placed.append((node, member, apart))
            y += node.height + _GAP
        y += 4
        boxes.append(Box(_BOX_X, top, _BOX_W, y - top, apart, head))
        y += 12
    height = y - 8
    # The person, level with the middle of everyone else, their name wrapped onto up to two lines.
    name_lines = _wrap(full_name, _SELF_W - 2 * _NODE_PAD, lines=2, bold=True)
    self_kind = "Child" if is_child else "Adult"
    self_words = [(line, "name") for line in name_lines]
    self_words += [(self_kind, "meta"), *([(f"Age {age}", "meta")] if age else []), ("This person", "meta")]
    self_h = 2 * _NODE_PAD + len(self_words) * _LINE_H
    self_y = max(4, (height - self_h) // 2)
    height = max(height, self_y + self_h + 4)
    self_lines = [TextLine(_SELF_X + _NODE_PAD, self_y + _NODE_PAD + 11 + i * _LINE_H,
                           _fit(text, _SELF_W - 2 * _NODE_PAD, bold=style == "name"), style)
                  for i, (text, style) in enumerate(self_words)]
    self_shape = "child" if is_child else "adult" if age else "unknown"
    me = Node(_SELF_X, self_y, _SELF_W, self_h, self_shape, True, False, self_lines)
    # One line from the person to each box, leaving the person's edge at its own height so that lines (and their
    # arrowheads) stay apart.
    lines: list[Line] = []
    count = len(placed)
    for i, (node, member, apart) in enumerate(placed):
        at_self = me.y + 10 + round((me.height - 20) * (i + 0.5) / count)
        at_node = node.y + node.height // 2
        risk_to_self = any(r.risk_to_this_person for r in member.relations)
        risk_from_self = any(r.risk_from_this_person for r in member.relations)
        if risk_to_self or risk_from_self:
            # Drawn from the person at risk's side; arrowheads point at whoever the risk is posed to.
            lines.append(Line(me.x + me.width, at_self, node.x, at_node, "risk",
                              arrow_start=risk_to_self, arrow_end=risk_from_self))
        else:
            lines.append(Line(me.x + me.width, at_self, node.x, at_node, "apart" if apart else "home"))
    at_home = sum(len(others) for others in others_at_home)
    summary = (
        f"{full_name} and the people recorded with them: {at_home} living with {given_name} and "
        f"{len(elsewhere)} living elsewhere."
    )
    risks = _risk_sentences([m for _, m, _ in placed], given_name)
    description = " ".join([summary, *risks, "The same people are listed below, with how each is related."])
    return FamilyDiagram(WIDTH, height, f"Family diagram of {full_name}", description, boxes, [me, *nodes], lines)


# The chronology's density strip: one bar a month, from the first month with an entry to the last.

STRIP_WIDTH = 260
_STRIP_BARS_H = 56
_STRIP_TOP = 16
_STRIP_LABELS = 4


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class MonthLabel:
    x: int
    text: str
    anchor: str


@dataclass(frozen=True)
class MonthRow:
    month: date
    text: str
    count: int
    href: str


@dataclass(frozen=True)
class DensityStrip:
    width: int
    height: int
    baseline: int
    label: str
    most: int
    bars: list[Bar]
    labels: list[MonthLabel]
    # Only the months with entries, for the table beside the picture.
    rows: list[MonthRow]


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _entries(count: int) -> str:
    return f"{count} entr{'y' if count == 1 else 'ies'}"


def density_strip(months: Sequence[tuple[date, int]], *, href: Callable[[date], str]) -> DensityStrip | None:
    """Bars for the months from the first to the last in ``months`` ((first day of the month, entries), ascending),
    a month with none drawn as a gap; ``href`` gives the timeline of one month. None when there are no entries."""
    counts = {month.replace(day=1): count for month, count in months if count}
    if not counts:
        return None
    first, last = min(counts), max(counts)
    every: list[date] = []
    month = first
    while month <= last:
        every.append(month)
        month = _next_month(month)
    most = max(counts.values())
    slot = STRIP_WIDTH / len(every)
    gap = 1.0 if slot >= 4 else 0.0
    baseline = _STRIP_TOP + _STRIP_BARS_H
    bars: list[Bar] = []
    for i, month in enumerate(every):
        count = counts.get(month, 0)
        if not count:
            continue
        tall = max(2.0, _STRIP_BARS_H * count / most)
        bars.append(Bar(round(i * slot + gap / 2, 2), round(baseline - tall, 2), round(max(slot - gap, 0.5), 2),
                        round(tall, 2), f"{month:%B %Y}: {_entries(count)}"))
    step = math.ceil(len(every) / _STRIP_LABELS)
    labels = []
    for i in range(0, len(every), step):
        centre = round(i * slot + slot / 2)
        anchor = "start" if centre < 24 else "end" if centre > STRIP_WIDTH - 24 else "middle"
        x = 0 if anchor == "start" else STRIP_WIDTH if anchor == "end" else centre
        labels.append(MonthLabel(x, f"{every[i]:%b %Y}", anchor))
    total = sum(counts.values())
    span = f"{first:%B %Y}" if first == last else f"{first:%B %Y} to {last:%B %Y}"
    label = (f"Entries by month, {span}: {_entries(total)} in {len(counts)} month{'s' if len(counts) != 1 else ''}, "
             f"at most {most} in a month.")
    rows = [MonthRow(month, f"{month:%B %Y}", counts[month], href(month))
            for month in reversed(every) if month in counts]
    return DensityStrip(STRIP_WIDTH, baseline + 15, baseline, label, most, bars, labels, rows)
