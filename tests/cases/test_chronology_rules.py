"""The chronology's pure rules: significance, summaries, and the CSV and PDF writers (cases/rules/chronology.py)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from cases.rules import chronology as rules
from cases.rules.chronology import ChronologyEvent, ChronologyRow

AT = datetime(2026, 5, 3, 21, 10, tzinfo=UTC)  # 22:10 in the UK (summer time)


def row(kind: str, **values) -> ChronologyRow:
    return ChronologyRow(at=AT, kind=kind, **values)


def event(summary: str = "Something happened.", **values: Any) -> ChronologyEvent:
    fields: dict[str, Any] = {"at": AT, "kind": rules.INCIDENT, "kind_label": "Domestic-abuse incident",
                              "agency_name": "Shire Police", "summary": summary, "significance": rules.HIGH,
                              "link": "/incidents/1/"}
    fields.update(values)
    return ChronologyEvent(**fields)


def found(pattern: bytes, data: bytes) -> bytes:
    match = re.search(pattern, data)
    assert match is not None, pattern
    return match.group(1)


@pytest.mark.parametrize(("source", "expected"), [
    (row(rules.INCIDENT, code="high"), rules.HIGH),
    (row(rules.INCIDENT, code="medium"), rules.MEDIUM),
    (row(rules.INCIDENT, code=""), rules.MEDIUM),
    (row(rules.REFERRAL, code="immediate"), rules.HIGH),
    (row(rules.REFERRAL, code="standard"), rules.MEDIUM),
    (row(rules.DECISION, code="strategy_discussion"), rules.HIGH),
    (row(rules.DECISION, code="immediate_protection"), rules.HIGH),
    (row(rules.DECISION, code="early_help"), rules.MEDIUM),
    (row(rules.AGENCY_CHECK), rules.LOW),
    (row(rules.STRATEGY_MEETING, code=rules.MEETING_CONVENED, code2="due"), rules.MEDIUM),
    (row(rules.STRATEGY_MEETING, code=rules.MEETING_HELD, code2="section_47_joint"), rules.HIGH),
    (row(rules.STRATEGY_MEETING, code=rules.MEETING_HELD, code2="no_further_action"), rules.MEDIUM),
    (row(rules.VOICE, code="observation"), rules.LOW),
    (row(rules.PLAN, code=rules.PLAN_STARTED, code2="child_protection"), rules.HIGH),
    (row(rules.PLAN, code=rules.PLAN_CHANGED, code2="child_in_need"), rules.MEDIUM),
    (row(rules.CASE, code=rules.CASE_STATUS, code2="looked_after"), rules.HIGH),
    (row(rules.CASE, code=rules.CASE_STATUS, code2="closed"), rules.MEDIUM),
    (row(rules.CASE, code=rules.CASE_OPENED, code2="child_protection"), rules.MEDIUM),
    (row(rules.MARAC, code="true"), rules.MEDIUM),
    (row(rules.ENCOMPASS, code="true,true"), rules.LOW),
])
def test_significance(source, expected):
    assert rules.significance(source) == expected


LABELS = {
    "risk_level": {"high": "High", "standard": "Standard"},
    "category": {"domestic_abuse": "Domestic abuse", "neglect": "Neglect"},
    "decision_outcome": {"already_open": "Already open to children's social care"},
    "meeting_outcome": {"section_47_joint": "Section 47 enquiry (joint with police)"},
    "method": {"observation": "Observation"},
    "not_spoken_reason": {"too_young": "Too young to talk"},
    "plan_kind": {"child_protection": "Child protection plan"},
    "case_status": {"child_in_need": "Child in need", "child_protection": "Child protection"},
}


@pytest.mark.parametrize(("source", "expected"), [
    (row(rules.INCIDENT, code="high", code2="true,true,false", a="DA/1", b="The mother had a cut lip"),
     "Domestic-abuse incident DA/1, high risk. The child was present, seen. The mother had a cut lip."),
    (row(rules.INCIDENT, code="", code2="false,false,false"),
     "Domestic-abuse incident, no DASH risk assessment recorded. The child was not present."),
    (row(rules.REFERRAL, code="urgent", code2="true", a="domestic_abuse,neglect", agency_name="Northgate Primary"),
     "Referral from Northgate Primary (urgent): domestic abuse, neglect. A repeat referral within 12 months."),
    (row(rules.DECISION, code="already_open"),
     "MASH decision on the referral: already open to children's social care."),
    (row(rules.AGENCY_CHECK, agency_name="North Health Visiting"),
     "North Health Visiting answered the MASH's check on the referral."),
    (row(rules.STRATEGY_MEETING, code=rules.MEETING_HELD, code2="section_47_joint"),
     "Strategy meeting held. Outcome: section 47 enquiry (joint with police)."),
    (row(rules.STRATEGY_MEETING, code=rules.MEETING_CONVENED, code2="considered_not_held"),
     "Threshold for a strategy discussion met: strategy meeting convened. Considered, not held."),
    (row(rules.VOICE, code="observation", code2="too_young", a="Ama Boateng", b="false"),
     "The child's voice recorded by Ama Boateng (observation). Not spoken to: too young to talk."),
    (row(rules.PLAN, code=rules.PLAN_CHANGED, code2="child_protection", a="3", b="Contact supervised"),
     "Child protection plan changed (version 3): Contact supervised."),
    (row(rules.PLAN, code=rules.PLAN_STARTED, code2="child_protection", a="ended"),
     "Child protection plan started. It has since ended."),
    (row(rules.CASE, code=rules.CASE_STATUS, code2="child_protection", a="child_in_need"),
     "Case status changed from child in need to child protection."),
    (row(rules.CASE, code=rules.CASE_STATUS, code2="closed", a="child_in_need"), "Case closed."),
    (row(rules.MARAC, code="true", a="DA/9"),
     "The adult victim referred to MARAC (multi-agency risk assessment conference) after incident DA/9."
     " A repeat MARAC referral within 12 months."),
    (row(rules.ENCOMPASS, code="true,true", a="Northgate Primary", b="sent", moment=AT),
     "Operation Encompass: Northgate Primary told of a domestic-abuse incident on 3 May 2026 at 22:10;"
     " the child was present and spoken to."),
    (row(rules.ENCOMPASS, code="false,false", b="", moment=AT),
     "Operation Encompass notice of a domestic-abuse incident on 3 May 2026 at 22:10 not sent: no school is"
     " recorded."),
])
def test_summaries(source, expected):
    assert rules.summary(source, LABELS) == expected


def test_a_long_text_is_cut_at_a_word():
    text = "word " * 100
    cut = rules.shorten(text, 30)
    assert len(cut) <= 30 and cut.endswith("…") and "  " not in cut


@pytest.mark.parametrize(("cell", "safe"), [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("+1", "'+1"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("Referral from Northgate", "Referral from Northgate"), ("2026-05-03", "2026-05-03"),
])
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(cell, safe):
    assert rules.csv_cell(cell) == safe


def test_the_csv_has_a_header_iso_times_and_absolute_links():
    events = [event("=cmd|' /C calc'!A0"), event("Plan started.", kind=rules.PLAN, kind_label="Plan",
                                                 significance=rules.MEDIUM, link="/plans/4/", date_only=True)]
    rows = list(csv.reader(io.StringIO(rules.csv_text(events, link_base="https://example.org"))))
    assert rows[0] == ["When", "Kind", "Agency", "Significance", "Summary", "Link"]
    assert rows[1] == ["2026-05-03T22:10+01:00", "Domestic-abuse incident", "Shire Police", "High",
                       "'=cmd|' /C calc'!A0", "https://example.org/incidents/1/"]
    assert rows[2][0] == "2026-05-03" and rows[2][3] == "Medium"


def _pdf_objects_where_the_table_says(pdf: bytes) -> None:
    """The cross-reference table points at each object, and startxref at the table (a reader's first check)."""
    start = int(found(rb"startxref\n(\d+)\n%%EOF\n$", pdf))
    assert pdf[start:start + 4] == b"xref"
    count = int(found(rb"^xref\n0 (\d+)\n", pdf[start:]))
    offsets = re.findall(rb"(\d{10}) 00000 n \n", pdf[start:])
    assert len(offsets) == count - 1
    for number, offset in enumerate(offsets, start=1):
        assert pdf[int(offset):].startswith(b"%d 0 obj\n" % number)
    for length, stream in re.findall(rb"<< /Length (\d+) >>\nstream\n(.*?)endstream", pdf, re.S):
        assert int(length) == len(stream)


def test_the_pdf_names_the_child_and_the_filters_and_holds_together():
    paragraphs = rules.pdf_paragraphs(
        [event("The child (9) was present."), event("Seen alone.", kind=rules.VOICE, kind_label="Child's voice")],
        child_name="Chidi Okafor", born="Born 1 March 2017", filters=["Agency: Shire Police"],
        produced="Produced today.",
    )
    pdf = rules.pdf_document(paragraphs, title="Chronology: Chidi Okafor", footer="Chronology of Chidi Okafor.")
    assert pdf.startswith(b"%PDF-1.4")
    assert b"(Chronology: Chidi Okafor) Tj" in pdf
    assert b"(Filters: Agency: Shire Police) Tj" in pdf
    # Brackets in the text are escaped, or the reader would end the string there.
    assert rb"The child \(9\) was present." in pdf
    assert b"Page 1 of 1" in pdf
    _pdf_objects_where_the_table_says(pdf)


def test_a_long_chronology_runs_onto_numbered_pages_with_nothing_past_the_margin():
    events = [event("A long summary that goes on " * 12) for _ in range(120)]
    pdf = rules.pdf_document(rules.pdf_paragraphs(events, child_name="Chidi Okafor", born="", filters=[],
                                                  produced="Produced today."), title="Chronology")
    pages = int(found(rb"/Type /Pages /Kids \[[^\]]*\] /Count (\d+)", pdf))
    assert pages > 5
    assert b"Page %d of %d" % (pages, pages) in pdf
    assert b"(Filters: none \\(every event you may see\\)) Tj" in pdf
    _pdf_objects_where_the_table_says(pdf)
    for x, y in re.findall(rb"BT /F[12] [\d.]+ Tf (\d+) ([\d.]+) Td \(", pdf):
        assert int(x) == rules.MARGIN and rules.MARGIN - 8 <= float(y) <= rules.PAGE_HEIGHT - rules.MARGIN
    widest = max(rules._width(line, 10, False) for line in rules._wrapped("A long summary " * 40, 10, False, 483))
    assert widest <= rules.PAGE_WIDTH - 2 * rules.MARGIN


def test_characters_the_pdf_font_lacks_print_as_question_marks_not_errors():
    pdf = rules.pdf_document([rules.PdfText("Zoë Ng 吴")], title="Zoë")
    assert "(Zoë Ng ?) Tj".encode("cp1252") in pdf
