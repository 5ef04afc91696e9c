"""``manage.py import_incidents``: a police feed lands once, row by row reasons for what does not (SPEC 7.1)."""

from __future__ import annotations

import csv
import io
import json
import random
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from agencies.models import Notification, Role, User
from agencies.rules import DEFAULT_TZ
from cases.import_feed import feed_read
from cases.models import (
    DashAssessment,
    EncompassNotice,
    Household,
    Incident,
    IncidentChild,
    IncidentParty,
    MaracReferral,
    Person,
    PersonFlag,
)
from cases.permissions import incidents_visible
from cases.rules import risk
from cases.rules.people import nhs_check_digit
from cases.selectors.incidents import child_escalation_counts_each
from cases.services.incidents import _child_counts, _marac_latest_before
from tests.cases.test_incidents_helpers import person
from tests.factories import UserFactory
from tests.perf.feed import feed_write

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = ["reference", "occurred_at", "location", "summary", "household_address", "victims", "perpetrators",
          "children", "dash", "professional_judgement_level", "professional_judgement_reason"]


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_incidents", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def nhs(n: int) -> str:
    """A valid NHS number from a serial number."""
    while True:
        first_nine = f"{400000000 + n:09d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
        n += 7_919_113


def test_the_documented_examples_import(world, tmp_path):
    person(world.north, "Kerry", "Ashdown", date(1992, 5, 1))  # already known: matched, not duplicated
    out, err = run(DOCS / "incidents.csv", "--user", "po")
    assert out.strip() == "imported 3, skipped 0 already present, rejected 0", err
    out, err = run(DOCS / "incidents.jsonl", "--user", "po")
    assert out.strip() == "imported 3, skipped 0 already present, rejected 0", err
    assert Person.objects.filter(given_name="Kerry", family_name="Ashdown").count() == 1
    assert Incident.objects.filter(reported_by=world.police, created_by=world.po).count() == 6
    assert DashAssessment.objects.count() >= 2
    assert incidents_visible(world.po).count() == 6


def test_a_10000_row_feed_lands_every_good_row_once(world, tmp_path):
    UserFactory.create(username="dsl", agency=world.school, role=Role.TEAM_MANAGER)
    UserFactory.create(username="sergeant", agency=world.police, role=Role.TEAM_MANAGER, partnership=world.north)
    random.seed(20260304)
    rows: list[dict[str, str]] = []
    start = datetime(2025, 12, 1, tzinfo=DEFAULT_TZ)
    households = 2500
    for h in range(households):
        mother = f"Mum{h}|Family{h}|1990-01-{1 + h % 28:02d}|{nhs(h)}"
        father = f"Dad{h}|Family{h}|1988-02-{1 + h % 28:02d}"
        child = f"Kid{h}|Family{h}|2016-03-{1 + h % 28:02d}||present+seen"
        baby = f"{nhs(100000 + h)}"  # an NHS number alone: recorded on the first row that names the baby
        for i in range(4):
            children = [child]
            if i == 0:
                children.append(f"Baby{h}|Family{h}|2025-06-{1 + h % 28:02d}|{nhs(100000 + h)}|not_resident")
            elif i == 3:
                children.append(baby)
            high = h % 100 == 0
            rows.append({
                "reference": f"SP/{h:05d}/{i}",
                "occurred_at": (start + timedelta(days=20 * i, minutes=h)).isoformat(),
                "location": f"{h} Long Road",
                "summary": "Call-out to a domestic argument.",
                "household_address": f"{h} Long Road, Northtown",
                "victims": mother,
                "perpetrators": father,
                "children": ";".join(children),
                # A DASH on every high-risk household's call-outs and on one in five others.
                "dash": ("Y" * 16).ljust(27, "N") if high else ("YYY?".ljust(27, "N") if (h + i) % 5 == 0 else ""),
                "professional_judgement_level": "",
                "professional_judgement_reason": "",
            })
    assert len(rows) == 10_000
    broken: dict[int, str] = {}  # index in rows -> what is wrong
    # Never a household's first row, which is the one that names the baby in full.
    picks = random.sample([i for i in range(len(rows)) if i % 4], 50)
    for n, index in enumerate(picks):
        row = rows[index]
        kind = n % 5
        if kind == 0:
            row["occurred_at"] = "2026-13-45T25:00:00+00:00"
            broken[index] = "is not an ISO-8601 date and time"
        elif kind == 1:
            row["reference"] = ""
            broken[index] = "reference is missing"
        elif kind == 2:
            row["children"] = row["children"].replace("present+seen", "present+maybe")
            broken[index] = "unknown flag(s) maybe"
        elif kind == 3:
            row["dash"] = "Y" * 27
            row["professional_judgement_level"] = "extreme"
            broken[index] = "'extreme' is not standard, medium or high"
        else:
            row["reference"] = rows[index - 1]["reference"] or "SP/dup"
            broken[index] = "already appears on line"
    # A broken row's own neighbour must be good for the duplicate to be a duplicate of something.
    for index, reason in list(broken.items()):
        if reason == "already appears on line" and (index - 1) in broken:
            rows[index]["reference"] = "SP/00000/0"
    path = write_csv(tmp_path / "feed.csv", rows)

    began = time.monotonic()
    out, err = run(path, "--user", "po")
    seconds = time.monotonic() - began
    print(f"\n10,000-row feed: {seconds:.1f} s, {9950 / seconds:,.0f} incidents a second")
    assert out.strip() == "imported 9,950, skipped 0 already present, rejected 50", err[-2000:]
    reported = [line for line in err.splitlines() if line.startswith("line ")]
    assert len(reported) == 50
    assert {int(line.split(":")[0].split()[1]) for line in reported} == {index + 2 for index in broken}
    for line in reported:
        number = int(line.split(":")[0].split()[1])
        assert broken[number - 2] in line, line
    assert "\r10,000/10,000 rows" in err

    assert Incident.objects.count() == 9950
    assert Household.objects.count() == households
    assert Person.objects.filter(given_name__startswith="Mum").count() == households
    assert Person.objects.filter(nhs_number=nhs(100000)).count() == 1
    assert IncidentChild.objects.filter(child__nhs_number=nhs(100000)).count() == 2 - (3 in broken)
    assert IncidentParty.objects.count() == 2 * 9950
    assert MaracReferral.objects.filter(repeat=False).exists() and MaracReferral.objects.filter(repeat=True).exists()
    # The pupils were at three or four call-outs in 12 months: flagged escalating, once each.
    flagged = PersonFlag.objects.filter(kind="escalating", person__given_name__startswith="Kid")
    assert flagged.count() >= households - 50
    assert flagged.filter(incident_count=4).count() >= households - 100
    escalating = PersonFlag.objects.filter(kind="escalating").count()
    assert Notification.objects.filter(kind="escalating_review", recipient=world.mm).count() == escalating
    assert EncompassNotice.objects.filter(child__given_name__startswith="Kid").count() == IncidentChild.objects.filter(
        child__given_name__startswith="Kid").count()

    out, err = run(path, "--user", "po")
    assert out.strip() == "imported 0, skipped 9,950 already present, rejected 50"
    assert Incident.objects.count() == 9950
    assert Person.objects.filter(given_name__startswith="Mum").count() == households


def test_jsonl_rows_and_their_errors(world, tmp_path):
    good = {
        "reference": "J/1", "occurred_at": "2026-03-04T22:15:00Z",
        "victims": [{"given_name": "Kerry", "family_name": "Ashdown", "date_of_birth": "1992-05-01"}],
        "perpetrators": [{"given_name": "Dean", "family_name": "Ashdown"}],
        "children": [{"given_name": "Ellie", "family_name": "Ashdown", "date_of_birth": "2017-03-03",
                      "present": True, "seen": True}],
        "dash": {"answers": {"q1": "yes", "q2": "yes"}, "professional_judgement_level": "high",
                 "professional_judgement_reason": "Threats to kill"},
    }
    lines = [
        json.dumps(good),
        "",
        "{not json",
        json.dumps([1, 2]),
        json.dumps({**good, "reference": "J/2", "colour": "red"}),
        json.dumps({**good, "reference": "J/3", "occurred_at": "2026-03-04T22:15:00"}),
        json.dumps({**good, "reference": "J/4", "children": [{"given_name": "Old", "family_name": "Ashdown",
                                                              "date_of_birth": "2000-01-01"}]}),
        json.dumps({**good, "reference": "J/5", "children": [{"given_name": "Ellie", "family_name": "Ashdown",
                                                              "date_of_birth": "2017-03-03", "spoken_to": True}]}),
        json.dumps({**good, "reference": "J/6", "victims": [{"nhs_number": "9434765919"}]}),
        json.dumps({**good, "reference": "J/7", "victims": [{"nhs_number": "9434765918", "given_name": "A",
                                                             "family_name": "B"}]}),
        json.dumps({**good, "reference": "J/8", "children": [{"given_name": "Ellie", "family_name": "Ashdown"}]}),
        json.dumps({**good, "reference": "J/9", "dash": "YYN"}),
        json.dumps({**good, "reference": "J/10", "occurred_at": "2099-01-01T00:00:00Z"}),
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = run(path, "--user", "po")
    assert out.strip() == "imported 1, skipped 0 already present, rejected 11"
    reasons = dict(line.split(": ", 1) for line in err.splitlines() if line.startswith("line "))
    assert reasons["line 3"].startswith("not JSON")
    assert reasons["line 4"] == "each line must be one JSON object"
    assert reasons["line 5"] == "unknown field(s) colour"
    assert "no time zone offset" in reasons["line 6"]
    assert reasons["line 7"].startswith("Old Ashdown was 18 or over")
    assert reasons["line 8"] == "Ellie Ashdown: a child spoken to must also be recorded as seen."
    assert reasons["line 9"] == "no one with NHS number 9434765919 is recorded; give their name as well"
    assert reasons["line 10"] == "victims 1: '9434765918' is not a valid NHS number"
    assert reasons["line 11"] == "child 1: a child needs a date of birth or an NHS number"
    assert reasons["line 12"].startswith("dash has 3 answers")
    assert reasons["line 13"].startswith("The incident cannot be in the future.")
    incident = Incident.objects.get()
    assert (incident.risk_level, incident.dash.score) == ("high", 2)


def test_the_file_must_be_a_known_format_with_known_columns(world, tmp_path):
    with pytest.raises(CommandError, match="give a .csv or .jsonl file"):
        run(write_csv(tmp_path / "feed.txt", []), "--user", "po")
    bad = tmp_path / "bad.csv"
    bad.write_text("reference,occurred_at,colour\n", encoding="utf-8")
    with pytest.raises(CommandError, match="unknown column"):
        run(bad, "--user", "po")
    bad.write_text("reference,summary\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no occurred_at column"):
        run(bad, "--user", "po")


def test_who_the_import_runs_as(world, tmp_path):
    path = DOCS / "incidents.csv"
    with pytest.raises(CommandError, match="Say which agency"):
        run(path)
    with pytest.raises(CommandError, match="serves several partnerships"):
        run(path, "--agency", str(world.police.pk))
    with pytest.raises(CommandError, match="does not work for"):
        run(path, "--user", "po", "--agency", str(world.csc.pk))
    with pytest.raises(CommandError, match="Auditors and administrators"):
        run(path, "--user", "au")
    out, _ = run(path, "--agency", str(world.police.pk), "--partnership", "n01")
    assert out.startswith("imported 3,")
    assert set(Incident.objects.values_list("created_by", flat=True)) == {None}


def test_csv_line_numbers_count_quoted_newlines(world, tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text(
        "reference,occurred_at,summary\n"
        'A/1,2026-03-04T22:00:00+00:00,"two\nlines"\n'
        "A/2,not a date,\n",
        encoding="utf-8",
    )
    out, err = run(path, "--user", "po")
    assert out.strip() == "imported 1, skipped 0 already present, rejected 1"
    assert "line 4: occurred_at 'not a date' is not an ISO-8601 date and time" in err


def test_parsing_keeps_the_first_row_of_a_reference(tmp_path):
    path = write_csv(tmp_path / "feed.csv", [
        {"reference": "R/1", "occurred_at": "2026-03-04T22:00:00+00:00"},
        {"reference": "R/1", "occurred_at": "2026-03-05T22:00:00+00:00"},
    ])
    feed = feed_read(path)
    assert [row.line for row in feed.rows] == [2]
    assert [str(r) for r in feed.rejected] == ["line 3: reference R/1 already appears on line 2"]


# -- The change log of a bulk import, and the batch rules behind the speed (SPEC 7.1) ------------------------

# (table, record type, the column naming the record, columns left out besides password, last_login, updated_at)
LOGGED_BY_IMPORT = (
    ("cases_person", "person", "id", ("search_name",)),
    ("cases_household", "household", "id", ()),
    ("cases_incident", "incident", "id", ()),
    ("cases_incidentparty", "incident", "incident_id", ()),
    ("cases_incidentchild", "incident", "incident_id", ()),
    ("cases_dashassessment", "incident", "incident_id", ()),
    ("cases_encompassnotice", "incident", "incident_id", ()),
    ("cases_maracreferral", "incident", "incident_id", ()),
)


def rows_not_logged_as_by_row(
    user: User, table: str, record_type: str, id_column: str, exclude: tuple[str, ...]
) -> int:
    """The user's rows of ``table`` without exactly one "create" entry as the row-level trigger wrote it: every
    column but the excluded as [null, value], the row's partnership and record, the user and their agency."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*) FROM {table} AS r
             WHERE r.created_by_id = %s
               AND (SELECT count(*) FROM audits_accesslogentry AS a
                     WHERE a.action = 'create' AND a.record_type = %s AND a.record_id = r.{id_column}
                       AND a.fields = (SELECT jsonb_object_agg(e.key, jsonb_build_array(NULL::jsonb, e.value))
                                         FROM jsonb_each(to_jsonb(r) - %s::text[]) AS e)
                       AND a.partnership_id = r.partnership_id AND a.reason = ''
                       AND (a.user_id, a.username, a.agency_id) = (%s, %s, %s)) <> 1
            """,  # noqa: S608 (the tables are this module's constants)
            [user.pk, record_type, ["password", "last_login", "updated_at", *exclude], user.pk, user.username,
             user.membership.agency_id],
        )
        return int(cursor.fetchone()[0])


def recorded_people(world) -> tuple[list, list]:
    """A few recorded adults and children of partnership North, as the feed generator takes them."""
    adults = [person(world.north, "Kerry", "Ashdown", date(1992, 5, 1), nhs_number=nhs(1)),
              person(world.north, "Dean", "Ashdown", date(1989, 2, 11)),
              person(world.north, "Sasha", "Okafor", None)]
    today = datetime.now(tz=DEFAULT_TZ).date()
    children = [person(world.north, "Ellie", "Ashdown", today.replace(year=today.year - 9, day=1),
                       school=world.school, health_visiting=world.health_visiting),
                person(world.north, "Tobi", "Okafor", today.replace(year=today.year - 6, day=1), nhs_number=nhs(2))]
    return (
        [(p.given_name, p.family_name, p.date_of_birth, p.nhs_number) for p in adults],
        [(p.given_name, p.family_name, p.date_of_birth, p.nhs_number) for p in children],
    )


def test_every_row_a_bulk_import_inserts_is_logged_as_the_row_level_trigger_logged_it(world, tmp_path):
    """Inserts are logged a statement at a time (audits.db): a feed's statements of hundreds of rows and the
    documented example's of a few rows write the same entries, field for field, as a trigger for each row did."""
    adults, children = recorded_people(world)
    feed_write(tmp_path / "feed.csv", rows=150, adults=adults, children=children, seed=7, prefix="LOG")
    out, err = run(tmp_path / "feed.csv", "--user", "po")
    assert out.strip() == "imported 150, skipped 0 already present, rejected 0", err
    out, err = run(DOCS / "incidents.csv", "--user", "po")
    assert out.startswith("imported 3,"), err
    assert IncidentParty.objects.filter(created_by=world.po).count() > 150
    for table, record_type, id_column, exclude in LOGGED_BY_IMPORT:
        assert rows_not_logged_as_by_row(world.po, table, record_type, id_column, exclude) == 0, table


def test_a_statement_of_a_few_rows_and_one_of_many_log_alike(world):
    """Both ways the statement-level trigger builds an entry (under and over 16 rows) give the same fields."""
    for count in (3, 40):
        Household.objects.bulk_create(
            Household(partnership=world.north, created_by=world.po, address=f"{n} Mill Lane") for n in range(count)
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cases_household h JOIN audits_accesslogentry a ON a.record_type = 'household'"
            " AND a.record_id = h.id AND a.action = 'create' AND a.partnership_id = h.partnership_id"
            " AND a.fields = (SELECT jsonb_object_agg(e.key, jsonb_build_array(NULL::jsonb, e.value))"
            "                   FROM jsonb_each(to_jsonb(h) - array['password', 'last_login', 'updated_at']) e)"
        )
        assert cursor.fetchone()[0] == 43


def test_the_batch_counts_agree_with_the_selectors_whatever_the_order_incidents_arrive_in(world, tmp_path):
    """The import counts a child's incidents, and finds each victim's last MARAC referral in the 12 months before
    an incident, in one pass over their history: the answers of ``child_escalation_counts_each``, and of every
    referral looked at one by one."""
    adults, children = recorded_people(world)
    feed_write(tmp_path / "feed.csv", rows=400, adults=adults, children=children, seed=11, prefix="ORDER")
    out, err = run(tmp_path / "feed.csv", "--user", "po", "--chunk-size", "60")  # out of time order, in chunks
    assert out.strip() == "imported 400, skipped 0 already present, rejected 0", err

    moments = list(Incident.objects.values_list("occurred_at", flat=True)[:40])
    child_keys = list(IncidentChild.objects.values_list("child_id", "incident__occurred_at"))
    child_keys += [(child_id, moment) for child_id in {c for c, _ in child_keys} for moment in moments[:5]]
    assert _child_counts(child_keys) == child_escalation_counts_each(child_keys)

    victim_keys = list(IncidentParty.objects.filter(role="victim").values_list("person_id", "incident__occurred_at"))
    victim_keys += [(victim_id, moment) for victim_id in {v for v, _ in victim_keys} for moment in moments]
    made: dict[int, list[datetime]] = {}
    for referral in MaracReferral.objects.select_related("incident"):
        made.setdefault(referral.victim_id, []).append(referral.referred_at or referral.incident.occurred_at)
    expected = {}
    for victim_id, at in victim_keys:
        before = [moment for moment in made.get(victim_id, []) if risk.window_start(at) <= moment < at]
        if before:
            expected[(victim_id, at)] = max(before)
    assert MaracReferral.objects.filter(repeat=True).exists()
    assert _marac_latest_before(victim_keys) == expected


@given(
    st.lists(st.integers(min_value=-800, max_value=800), max_size=12),
    st.integers(min_value=-400, max_value=400),
)
def test_the_repeat_marac_rule_by_bisection_is_the_rule(days, at_day):
    """``is_repeat_marac_sorted`` (for long histories) answers as ``is_repeat_marac`` does, boundaries included."""
    start = datetime(2026, 1, 1, tzinfo=DEFAULT_TZ)
    dates = sorted(start + timedelta(days=d, hours=d % 5) for d in days)
    at = start + timedelta(days=at_day)
    for moment in (at, *dates, *(d + risk.WINDOW for d in dates)):
        assert risk.is_repeat_marac_sorted(dates, moment) == risk.is_repeat_marac(dates, moment)


def test_the_benchmark_feed_is_the_same_for_a_seed_and_imports_whole(world, tmp_path):
    adults, children = recorded_people(world)
    for name, seed in (("a.csv", 5), ("b.csv", 5), ("c.csv", 6)):
        feed_write(tmp_path / name, rows=200, adults=adults, children=children, seed=seed, prefix="SEED")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()
    rows = list(csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8")))
    assert [row["reference"] for row in rows] == [f"SEED-{n}" for n in range(1, 201)]
    assert 0.6 < sum(1 for row in rows if row["dash"]) / len(rows) < 0.8
    out, err = run(tmp_path / "a.csv", "--user", "po")
    assert out.strip() == "imported 200, skipped 0 already present, rejected 0", err
    # Recorded people were matched, not recorded again.
    assert Person.objects.filter(given_name="Kerry", family_name="Ashdown").count() == 1
    assert IncidentParty.objects.filter(person__given_name="Kerry", person__family_name="Ashdown").exists()
