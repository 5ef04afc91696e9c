"""The chronology's density strip: events counted by month in one query (cases.selectors.chronology), laid out as
bars (cases.diagrams.density_strip) above the timeline, with the same counts as a table of links."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from cases import diagrams
from cases.selectors.chronology import ChronologyFilters, chronology_months
from tests.cases.lived import lived_family
from tests.cases.test_chronology_helpers import voice

pytestmark = pytest.mark.django_db

VOICE = frozenset({"voice"})


@pytest.fixture
def heard_family(world):
    """The eldest Okafor child heard three times in March 2026, once just after midnight on 1 April (UK time,
    still 31 March in UTC) and once in May."""
    family = lived_family(world)
    child = family.eldest
    for moment in (datetime(2026, 3, 2, 10, tzinfo=UTC), datetime(2026, 3, 9, 10, tzinfo=UTC),
                   datetime(2026, 3, 16, 10, tzinfo=UTC), datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
                   datetime(2026, 5, 20, 9, tzinfo=UTC)):
        voice(world, family, child, moment)
    return family, child


@pytest.fixture
def heard(heard_family):
    return heard_family[1]


def test_events_are_counted_by_uk_month_in_one_query(world, heard, django_assert_num_queries):
    with django_assert_num_queries(1):
        months = chronology_months(user=world.sw, child=heard, filters=ChronologyFilters(kinds=VOICE))
    assert months == [(date(2026, 3, 1), 3), (date(2026, 4, 1), 1), (date(2026, 5, 1), 1)]


def test_the_counts_respect_the_filters(world, heard):
    assert chronology_months(user=world.sw, child=heard, filters=ChronologyFilters(
        kinds=VOICE, agency_id=world.police.pk)) == []
    assert chronology_months(user=world.sw, child=heard, filters=ChronologyFilters(
        kinds=VOICE, since=date(2026, 4, 1))) == [(date(2026, 4, 1), 1), (date(2026, 5, 1), 1)]


def strip_of(response) -> str:
    found = re.search(r'<svg class="app-density__svg".*?</svg>', response.content.decode(), re.S)
    assert found, "the chronology has no density strip"
    return found.group(0)


def test_the_strip_shows_a_bar_a_month_with_its_count_and_a_table_linking_to_each_month(world, client_for, heard):
    client = client_for(world.sw)
    response = client.get(f"/people/{heard.pk}/chronology/", {"kind": "voice"})
    svg = unescape(strip_of(response))
    assert 'role="img"' in svg and 'aria-labelledby="density-title"' in svg
    title = re.search(r"<title id=\"density-title\">(.*?)</title>", svg)
    assert title and title.group(1) == (
        "Entries by month, March 2026 to May 2026: 5 entries in 3 months, at most 3 in a month.")
    assert re.findall(r"<rect [^>]*><title>([^<]+)</title>", svg) == [
        "March 2026: 3 entries", "April 2026: 1 entry", "May 2026: 1 entry"]
    heights = [float(h) for h in re.findall(r'<rect class="app-density__bar"[^>]* height="([\d.]+)"', svg)]
    assert heights[0] == pytest.approx(3 * heights[1], abs=0.05) and heights[1] == heights[2]
    html = unescape(response.content.decode())
    assert "Events by month as a table" in html
    rows = re.findall(r'<a class="govuk-link" href="(\?[^"]+)">(\w+ \d{4})<span', html)
    assert [month for _, month in rows] == ["May 2026", "April 2026", "March 2026"]
    march = parse_qs(urlsplit(rows[2][0]).query)
    assert march["kind"] == ["voice"]
    assert (march["since_day"], march["since_month"], march["since_year"]) == (["1"], ["3"], ["2026"])
    assert (march["until_day"], march["until_month"], march["until_year"]) == (["31"], ["3"], ["2026"])
    # Following the month's link shows that month's events only.
    only_march = client.get(f"/people/{heard.pk}/chronology/{rows[2][0].split('#')[0]}")
    page = " ".join(unescape(re.sub(r"<[^>]+>", " ", only_march.content.decode())).split())
    assert "Showing 1 to 3 of 3 events that match the filters." in page


def test_no_strip_when_no_event_matches(world, client_for, heard):
    response = client_for(world.sw).get(f"/people/{heard.pk}/chronology/",
                                        {"kind": "voice", "since_day": "1", "since_month": "6", "since_year": "2026"})
    assert response.status_code == 200
    assert "app-density" not in response.content.decode()


def test_the_page_adds_one_query_for_the_strip_whatever_the_number_of_events(
        world, client_for, heard_family, django_assert_num_queries):
    family, child = heard_family
    client = client_for(world.sw)
    path = f"/people/{child.pk}/chronology/"
    client.get(path)
    # As tests/cases/test_chronology_pages.py counts them, with the events counted by month the one more.
    with django_assert_num_queries(13):
        client.get(path)
    for day in range(1, 29):
        voice(world, family, child, datetime(2025, 2, day, 10, tzinfo=UTC))
    with django_assert_num_queries(13):
        response = client.get(path)
    assert "February 2025: 28 entries" in response.content.decode()


# Layout, without the database


def test_empty_months_are_gaps_and_labels_are_sparse():
    months = [(date(2024, 1, 1), 2), (date(2025, 12, 1), 5)]
    strip = diagrams.density_strip(months, href=lambda month: f"?m={month:%Y-%m}")
    assert strip is not None
    assert len(strip.bars) == 2 and [bar.title for bar in strip.bars] == ["January 2024: 2 entries",
                                                                          "December 2025: 5 entries"]
    assert strip.bars[1].x > strip.bars[0].x and strip.bars[1].x + strip.bars[1].width <= strip.width
    assert 2 <= len(strip.labels) <= 6 and strip.labels[0].text == "Jan 2024"
    assert all(0 <= label.x <= strip.width for label in strip.labels)
    assert [row.href for row in strip.rows] == ["?m=2025-12", "?m=2024-01"]
    assert diagrams.density_strip([], href=str) is None
