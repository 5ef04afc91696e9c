"""The chronology's pure rules (SPEC 3.2 "Chronology"): the kinds of event, how significant each is, what its
summary says, and the CSV and PDF exports. No ORM: the selector reads the rows, these rules word them.

Significance follows what a reviewer of a child's history looks for first (the seeds' "incidents dealt with in
isolation"): high for what changed the child's protection (a high-risk incident, a decision to protect, a
section 47 enquiry, a child protection plan, a move onto a plan or into care); medium for the work around it
(referrals, meetings, other plans, MARAC, other case changes); low for the record-keeping that shows the child
was seen and heard and their school told (voice records, agency checks, Operation Encompass notices).
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from agencies.rules import DEFAULT_TZ

# -- Kinds and significance -------------------------------------------------------------------------------------

INCIDENT = "incident"
REFERRAL = "referral"
DECISION = "decision"
AGENCY_CHECK = "agency_check"
STRATEGY_MEETING = "strategy_meeting"
VOICE = "voice"
PLAN = "plan"
CASE = "case"
MARAC = "marac"
ENCOMPASS = "encompass"

# In the order the filter lists them.
KINDS: dict[str, str] = {
    INCIDENT: "Domestic-abuse incident",
    REFERRAL: "Referral",
    DECISION: "Referral decision",
    AGENCY_CHECK: "Agency check answered",
    STRATEGY_MEETING: "Strategy meeting",
    VOICE: "Child's voice",
    PLAN: "Plan",
    CASE: "Case status",
    MARAC: "MARAC referral",
    ENCOMPASS: "Operation Encompass notice",
}

HIGH = "high"
MEDIUM = "medium"
LOW = "low"
SIGNIFICANCE_LABELS = {HIGH: "High significance", MEDIUM: "Medium significance", LOW: "Low significance"}
# GOV.UK tag colours for each level.
SIGNIFICANCE_TAGS = {HIGH: "red", MEDIUM: "yellow", LOW: "grey"}

# Decisions and outcomes that protect a child (referrals.models.Decision.Outcome,
# strategy_meetings.models.StrategyMeeting.Outcome): a section 47 enquiry or immediate protection.
PROTECTING_DECISIONS = frozenset({"strategy_discussion", "immediate_protection"})
PROTECTING_OUTCOMES = frozenset({"section_47_single_agency", "section_47_joint", "immediate_protection"})
# Case statuses (cases.models.Case.Status) that mean the child needs protection or is in care.
PROTECTED_STATUSES = frozenset({"child_protection", "looked_after"})

# Meeting events: the threshold met (the meeting convened), and the meeting held with its outcome.
MEETING_CONVENED = "convened"
MEETING_HELD = "held"
# Plan events: started, and changed (a new version).
PLAN_STARTED = "started"
PLAN_CHANGED = "changed"
# Case events: opened, and a change of status read from the access log.
CASE_OPENED = "opened"
CASE_STATUS = "status"

SUMMARY_TEXT_MAX = 200


@dataclass(frozen=True)
class ChronologyRow:
    """One event as the selector reads it from any source, before it is worded.

    ``code`` and ``code2`` carry the source's own values (a risk level, an outcome, a method, a status);
    ``a`` and ``b`` short texts (a reference, a name, a note); ``moment`` a second time (when the incident
    behind an Operation Encompass notice happened). ``date_only`` events happened on a day, not at a time.
    """

    at: datetime
    kind: str
    code: str = ""
    code2: str = ""
    record_id: int = 0
    link_id: int = 0
    agency_id: int | None = None
    agency_name: str = ""
    a: str = ""
    b: str = ""
    moment: datetime | None = None
    date_only: bool = False


@dataclass(frozen=True)
class ChronologyEvent:
    """One line of a child's chronology: when, what kind, which agency, a short summary, how significant, and
    the page of the record it came from."""

    at: datetime
    kind: str
    kind_label: str
    agency_name: str
    summary: str
    significance: str
    link: str
    agency_id: int | None = None
    date_only: bool = False

    @property
    def significance_label(self) -> str:
        return SIGNIFICANCE_LABELS[self.significance]

    @property
    def significance_tag(self) -> str:
        return SIGNIFICANCE_TAGS[self.significance]


# The choice labels of the sources, by name, handed in by the selector (the rules read no models):
# "risk_level", "urgency", "category", "decision_outcome", "meeting_status", "meeting_outcome", "method",
# "not_spoken_reason", "plan_kind", "case_status".
ChoiceLabels = Mapping[str, Mapping[str, str]]


def significance(row: ChronologyRow) -> str:
    """How significant an event is to the child's protection (see the module's docstring)."""
    if row.kind == INCIDENT:
        return HIGH if row.code == "high" else MEDIUM
    if row.kind == REFERRAL:
        return HIGH if row.code == "immediate" else MEDIUM
    if row.kind == DECISION:
        return HIGH if row.code in PROTECTING_DECISIONS else MEDIUM
    if row.kind == STRATEGY_MEETING:
        return HIGH if row.code == MEETING_HELD and row.code2 in PROTECTING_OUTCOMES else MEDIUM
    if row.kind == PLAN:
        return HIGH if row.code2 == "child_protection" else MEDIUM
    if row.kind == CASE:
        return HIGH if row.code == CASE_STATUS and row.code2 in PROTECTED_STATUSES else MEDIUM
    if row.kind == MARAC:
        return MEDIUM
    return LOW  # voice records, agency checks, Operation Encompass notices


def shorten(text: str, limit: int = SUMMARY_TEXT_MAX) -> str:
    """One line of at most ``limit`` characters, cut at a word with an ellipsis."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut.rstrip(",;:.") + "…"


def when_text(moment: datetime) -> str:
    """"3 May 2026 at 22:10", in the partnership's time."""
    local = moment.astimezone(DEFAULT_TZ)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def day_text(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _label(labels: ChoiceLabels, name: str, value: str) -> str:
    return labels.get(name, {}).get(value, value.replace("_", " ").capitalize())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."


def _flags(text: str) -> list[bool]:
    """Booleans the selector sends as "true,false,…"."""
    return [part == "true" for part in text.split(",")] if text else []


def _incident(row: ChronologyRow, labels: ChoiceLabels) -> str:
    title = "Domestic-abuse incident" + (f" {row.a}" if row.a else "")
    risk = (f"{_label(labels, 'risk_level', row.code).lower()} risk" if row.code
            else "no DASH risk assessment recorded")
    present, seen, spoken_to = (_flags(row.code2) + [False, False, False])[:3]
    if not present:
        child = "The child was not present"
    else:
        done = [word for flag, word in ((seen, "seen"), (spoken_to, "spoken to")) if flag]
        child = "The child was present" + (f", {' and '.join(done)}" if done else ", not seen")
    parts = [f"{title}, {risk}.", f"{child}."]
    if row.b:
        parts.append(_sentence(shorten(row.b)))
    return " ".join(parts)


def _referral(row: ChronologyRow, labels: ChoiceLabels) -> str:
    urgency = "" if row.code in ("", "standard") else f" ({row.code})"
    categories = [_label(labels, "category", c) for c in row.a.split(",") if c]
    text = f"Referral from {row.agency_name or 'an agency'}{urgency}"
    text += f": {', '.join(categories).lower()}." if categories else "."
    if row.code2 == "true":
        text += " A repeat referral within 12 months."
    return text


def _meeting(row: ChronologyRow, labels: ChoiceLabels) -> str:
    if row.code == MEETING_HELD:
        return f"Strategy meeting held. Outcome: {_label(labels, 'meeting_outcome', row.code2).lower()}."
    after = {
        "due": " Not yet held.",
        "scheduled": " Scheduled, not yet held.",
        "considered_not_held": " Considered, not held.",
        "cancelled": " Cancelled.",
    }.get(row.code2, "")
    return "Threshold for a strategy discussion met: strategy meeting convened." + after


def _voice(row: ChronologyRow, labels: ChoiceLabels) -> str:
    who = f" by {row.a}" if row.a else ""
    text = f"The child's voice recorded{who} ({_label(labels, 'method', row.code).lower()})."
    if row.code2:
        text += f" Not spoken to: {_label(labels, 'not_spoken_reason', row.code2).lower()}."
    if row.b == "true":
        text += " Seen alone."
    return text


def _plan(row: ChronologyRow, labels: ChoiceLabels) -> str:
    kind = _label(labels, "plan_kind", row.code2)
    if row.code == PLAN_CHANGED:
        note = f": {shorten(row.b, 150)}" if row.b else ""
        return _sentence(f"{kind} changed (version {row.a}){note}")
    return f"{kind} started." + (" It has since ended." if row.a == "ended" else "")


def _case(row: ChronologyRow, labels: ChoiceLabels) -> str:
    if row.code == CASE_OPENED:
        return "Case opened by children's social care."
    if row.code2 == "closed":
        return "Case closed."
    before = _label(labels, "case_status", row.a).lower() if row.a else ""
    after = _label(labels, "case_status", row.code2).lower()
    return f"Case status changed from {before} to {after}." if before else f"Case status now {after}."


def _marac(row: ChronologyRow) -> str:
    text = "The adult victim referred to MARAC (multi-agency risk assessment conference)"
    text += f" after incident {row.a}." if row.a else "."
    if row.code == "true":
        text += " A repeat MARAC referral within 12 months."
    return text


def _encompass(row: ChronologyRow) -> str:
    happened = f" on {when_text(row.moment)}" if row.moment is not None else ""
    present, spoken_to = (_flags(row.code) + [False, False])[:2]
    child = ("the child was present" + (" and spoken to" if spoken_to else "")) if present else (
        "the child lives there and was not present")
    if row.b != "sent":
        return f"Operation Encompass notice of a domestic-abuse incident{happened} not sent: no school is recorded."
    school = row.a or "the school"
    return f"Operation Encompass: {school} told of a domestic-abuse incident{happened}; {child}."


def summary(row: ChronologyRow, labels: ChoiceLabels) -> str:
    """A short summary of the event, from what the row says (which is only what the reader may see)."""
    if row.kind == INCIDENT:
        return _incident(row, labels)
    if row.kind == REFERRAL:
        return _referral(row, labels)
    if row.kind == DECISION:
        return f"MASH decision on the referral: {_label(labels, 'decision_outcome', row.code).lower()}."
    if row.kind == AGENCY_CHECK:
        return f"{row.agency_name or 'An agency'} answered the MASH's check on the referral."
    if row.kind == STRATEGY_MEETING:
        return _meeting(row, labels)
    if row.kind == VOICE:
        return _voice(row, labels)
    if row.kind == PLAN:
        return _plan(row, labels)
    if row.kind == CASE:
        return _case(row, labels)
    if row.kind == MARAC:
        return _marac(row)
    if row.kind == ENCOMPASS:
        return _encompass(row)
    return KINDS.get(row.kind, row.kind)


def event(row: ChronologyRow, *, link: str, labels: ChoiceLabels) -> ChronologyEvent:
    return ChronologyEvent(
        at=row.at,
        kind=row.kind,
        kind_label=KINDS.get(row.kind, row.kind),
        agency_name=row.agency_name or "Children's social care",
        summary=summary(row, labels),
        significance=significance(row),
        link=link,
        agency_id=row.agency_id,
        date_only=row.date_only,
    )


def event_time_iso(event: ChronologyEvent) -> str:
    """The event's time in ISO 8601 with the UK offset; a day-only event as its date."""
    local = event.at.astimezone(DEFAULT_TZ)
    return local.date().isoformat() if event.date_only else local.isoformat(timespec="minutes")


def event_time_text(event: ChronologyEvent) -> str:
    local = event.at.astimezone(DEFAULT_TZ)
    return day_text(local.date()) if event.date_only else when_text(event.at)


# -- CSV ---------------------------------------------------------------------------------------------------------

CSV_HEADER = ("When", "Kind", "Agency", "Significance", "Summary", "Link")
# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): quoted so it stays text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def csv_text(events: Iterable[ChronologyEvent], *, link_base: str = "") -> str:
    """The chronology as CSV: a header row, then one row per event (ISO times, links made absolute with
    ``link_base``), every cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in events:
        writer.writerow([csv_cell(cell) for cell in (
            event_time_iso(e), e.kind_label, e.agency_name, e.significance_label.replace(" significance", ""),
            e.summary, link_base + e.link,
        )])
    return out.getvalue()


# -- PDF ---------------------------------------------------------------------------------------------------------
# A plain A4 document in the PDF's standard Helvetica (no fonts embedded, nothing to install): text is
# encoded as Windows-1252, so any character outside it prints as "?".

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4, in points
MARGIN = 56
_HELVETICA = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 "
    "611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 500 222 833 "
    "556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"
)
_HELVETICA_BOLD = (
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 722 667 "
    "611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 556 333 611 611 278 278 556 278 889 "
    "611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584"
)
_WIDTHS = {
    False: dict(zip(range(32, 127), map(int, _HELVETICA.split()), strict=True)),
    True: dict(zip(range(32, 127), map(int, _HELVETICA_BOLD.split()), strict=True)),
}


@dataclass(frozen=True)
class PdfText:
    """A paragraph: its text, size in points, bold or not, and the space before it."""

    text: str
    size: float = 10
    bold: bool = False
    space_before: float = 0


def _encoded(text: str) -> bytes:
    return text.encode("cp1252", errors="replace")


def _width(data: bytes, size: float, bold: bool) -> float:
    widths = _WIDTHS[bold]
    return sum(widths.get(byte, 600) for byte in data) * size / 1000


def _wrapped(text: str, size: float, bold: bool, width: float) -> list[bytes]:
    """The paragraph's lines, broken between words (and inside a word longer than a line)."""
    lines: list[bytes] = []
    current = b""
    for word in _encoded(" ".join(text.split())).split(b" "):
        candidate = word if not current else current + b" " + word
        if _width(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while _width(word, size, bold) > width:
            cut = len(word)
            while cut > 1 and _width(word[:cut], size, bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    lines.append(current)
    return lines


def _escaped(data: bytes) -> bytes:
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b" ")


def pdf_document(paragraphs: Sequence[PdfText], *, title: str, footer: str = "") -> bytes:
    """A PDF of the paragraphs, broken into lines and pages, each page numbered ("Page 2 of 3") under the
    footer; its text kept readable in the file (content streams not compressed), so it can be searched."""
    usable = PAGE_WIDTH - 2 * MARGIN
    pages: list[list[bytes]] = [[]]
    y: float = PAGE_HEIGHT - MARGIN
    for paragraph in paragraphs:
        leading = paragraph.size * 1.3
        y -= paragraph.space_before
        for line in _wrapped(paragraph.text, paragraph.size, paragraph.bold, usable):
            if y - leading < MARGIN + 24:
                pages.append([])
                y = PAGE_HEIGHT - MARGIN
            y -= leading
            font = b"/F2" if paragraph.bold else b"/F1"
            pages[-1].append(b"BT %s %g Tf %d %.2f Td (%s) Tj ET" % (font, paragraph.size, MARGIN, y, _escaped(line)))
    count = len(pages)
    streams = []
    for number, commands in enumerate(pages, start=1):
        foot = f"{footer}  Page {number} of {count}".strip()
        commands = [*commands, b"BT /F1 8 Tf %d %d Td (%s) Tj ET" % (MARGIN, MARGIN - 8, _escaped(_encoded(foot)))]
        streams.append(b"\n".join(commands))

    # Objects: 1 catalog, 2 page tree, 3 and 4 fonts, 5 information, then a page and its content per page.
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (6 + 2 * i) for i in range(count)), count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title (%s) /Producer (Safeguarding partnership) >>" % _escaped(_encoded(title)),
    ]
    for i, stream in enumerate(streams):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >>"
            b" /Contents %d 0 R >>" % (PAGE_WIDTH, PAGE_HEIGHT, 7 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream) + 1, stream))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    document_id = b"%032x" % zlib.crc32(bytes(out))
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, document_id, document_id, xref)
    return bytes(out)


def pdf_paragraphs(
    events: Sequence[ChronologyEvent], *, child_name: str, born: str, filters: Sequence[str], produced: str,
) -> list[PdfText]:
    """The chronology's PDF: the child's name, the filters applied, then each event (time, kind, agency and
    significance on one line, the summary beneath)."""
    paragraphs = [
        PdfText("OFFICIAL-SENSITIVE: personal information about a child. Keep it secure; do not forward it.", 8),
        PdfText(f"Chronology: {child_name}", 18, bold=True, space_before=6),
        PdfText(born, 10, space_before=2) if born else PdfText("", 2),
        PdfText("Filters: " + ("; ".join(filters) if filters else "none (every event you may see)"), 10,
                space_before=6),
        PdfText(produced, 9, space_before=2),
        PdfText(f"{len(events)} event{'s' if len(events) != 1 else ''}, newest first.", 10, space_before=2),
    ]
    for e in events:
        heading = f"{event_time_text(e)}  |  {e.kind_label}  |  {e.agency_name}  |  {e.significance_label}"
        paragraphs.append(PdfText(heading, 10, bold=True, space_before=10))
        paragraphs.append(PdfText(e.summary, 10, space_before=2))
    if not events:
        paragraphs.append(PdfText("There are no events to show.", 10, space_before=10))
    return paragraphs
