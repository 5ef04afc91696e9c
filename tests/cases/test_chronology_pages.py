"""The chronology page and its CSV and PDF downloads (cases/views_chronology.py)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from agencies.models import Agency
from audits.models import AccessLogEntry
from cases.models import ChildVoice, Person, RestrictedAccess
from tests.cases.lived import lived_family
from tests.cases.test_chronology_helpers import chronicled, days_ago, voice

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    """The page as a reader sees it: the words, without the markup."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def url(person: Person, suffix: str = "chronology/") -> str:
    return f"/people/{person.pk}/{suffix}"


def titles(response: Any) -> list[str]:
    return re.findall(r'<h3 class="moj-timeline__title">([^<]+)</h3>', unescape(response.content.decode()))


def test_the_timeline_shows_every_agencys_events_newest_first_with_agency_significance_and_link(world, client_for):
    c = chronicled(world)
    response = client_for(world.sw).get(url(c.child))
    assert response.status_code == 200
    page = text(response)
    assert "Chronology" in page and "Chidi Okafor" in page
    assert titles(response) == ["Operation Encompass notice", "Operation Encompass notice", "Child's voice",
                                "Strategy meeting", "Referral", "Domestic-abuse incident", "Domestic-abuse incident",
                                "Case status"]
    assert "by Northgate Primary School" in page and "by Shire Police" in page
    assert "High significance" in page and "Low significance" in page
    html = response.content.decode()
    for link in (f"/voice/{c.voice.pk}/", f"/strategy-meetings/{c.meeting.pk}/", f"/referrals/{c.referral.pk}/",
                 f"/incidents/{c.police_incident.pk}/"):
        assert f'href="{link}"' in html
    assert "Showing 1 to 8 of 8 events." in page
    assert 'class="moj-timeline"' in html and 'class="moj-timeline__date"' in html
    assert AccessLogEntry.objects.filter(user=world.sw, action="view", record_type="person",
                                         record_id=c.child.pk).exists()


def test_the_police_see_only_what_the_police_may_see(world, client_for):
    c = chronicled(world)
    response = client_for(world.po).get(url(c.child))
    html = response.content.decode()
    assert f'href="/incidents/{c.police_incident.pk}/"' in html
    assert f'href="/incidents/{c.health_incident.pk}/"' not in html
    assert f'href="/referrals/{c.referral.pk}/"' not in html
    assert "Northgate Primary School</option>" not in html


def test_filters_narrow_the_events_and_are_kept_in_the_downloads(world, client_for):
    c = chronicled(world)
    client = client_for(world.sw)
    by_police = client.get(url(c.child), {"agency": world.police.pk})
    assert titles(by_police) == ["Operation Encompass notice", "Domestic-abuse incident"]
    assert "that match the filters" in text(by_police)
    html = by_police.content.decode()
    assert f'href="/people/{c.child.pk}/chronology.csv?agency={world.police.pk}"' in html
    assert f'href="/people/{c.child.pk}/chronology.pdf?agency={world.police.pk}"' in html
    assert "Clear filters" in text(by_police)

    kinds = client.get(url(c.child), {"kind": ["voice", "referral"]})
    assert titles(kinds) == ["Child's voice", "Referral"]
    assert 'value="voice" checked' in kinds.content.decode()

    today = timezone.localdate()
    start, end = today - timedelta(days=32), today - timedelta(days=15)
    period = client.get(url(c.child), {
        "since_day": start.day, "since_month": start.month, "since_year": start.year,
        "until_day": end.day, "until_month": end.month, "until_year": end.year,
    })
    assert titles(period) == ["Strategy meeting", "Referral"]

    nothing = client.get(url(c.child), {"kind": "plan"})
    assert "No events match the filters." in text(nothing)


def test_a_mistyped_period_is_explained_and_the_other_filters_still_apply(world, client_for):
    c = chronicled(world)
    client = client_for(world.sw)
    response = client.get(url(c.child), {"kind": "voice", "since_day": "31", "since_month": "2", "since_year": "2026",
                                         "until_day": "1", "until_month": "1", "until_year": "20"})
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert "From date must be a real date" in page and "Year must include 4 numbers" in page
    assert 'href="#id_since"' in response.content.decode()
    assert titles(response) == ["Child's voice"]
    today = timezone.localdate()
    backwards = client.get(url(c.child), {
        "since_day": today.day, "since_month": today.month, "since_year": today.year,
        "until_day": "1", "until_month": "1", "until_year": "2020"})
    assert "To date must be the same as or after the from date" in text(backwards)
    unknown = client.get(url(c.child), {"agency": "999999"})
    assert "Choose an agency from the list" in text(unknown)


def _more_voices(world, family, child, n: int) -> None:
    ChildVoice.objects.bulk_create(
        ChildVoice(partnership=world.north, created_by=world.sw, child=child, case=family.case_of(child),
                   recorded_at=days_ago(200 + i), practitioner=world.sw, agency=world.csc, method="observation",
                   observations="Sat close to his mother and watched the door.")
        for i in range(n)
    )


# The session; the user with membership and agency; the audit actor; savepoint; the person (people_known_to) and
# the access-log row; the agencies for the filter; one page of events; the events by month (the density strip);
# the alerts; the flags; the unread badge;
# release savepoint.
PAGE_QUERIES = 13


def test_the_page_query_count_does_not_grow_with_the_number_of_events(world, client_for, django_assert_num_queries):
    family = lived_family(world)
    child = family.eldest
    voice(world, family, child, days_ago(1))
    client = client_for(world.sw)
    client.get(url(child))
    with django_assert_num_queries(PAGE_QUERIES):
        few = client.get(url(child))
    _more_voices(world, family, child, 120)
    with django_assert_num_queries(PAGE_QUERIES):
        many = client.get(url(child))
    assert len(titles(few)) == 2 and len(titles(many)) == 50
    assert "Showing 1 to 50 of 122 events." in text(many)


def test_pages_keep_the_filters(world, client_for):
    family = lived_family(world)
    child = family.eldest
    _more_voices(world, family, child, 60)
    client = client_for(world.sw)
    first = client.get(url(child), {"kind": "voice"})
    assert 'href="?kind=voice&amp;page=2"' in first.content.decode()
    second = client.get(url(child), {"kind": "voice", "page": "2"})
    assert "Showing 51 to 60 of 60 events" in text(second)
    assert 'href="?kind=voice&amp;page=1"' in second.content.decode()
    assert "(page 2 of 2)" in second.content.decode()


def test_a_restricted_child_shows_the_restricted_notice_to_all_but_those_named(world, client_for):
    c = chronicled(world)
    Person.objects.filter(pk=c.child.pk).update(restricted=True)
    RestrictedAccess.objects.create(partnership=world.north, person=c.child, user=world.sw)
    for suffix in ("chronology/", "chronology.csv", "chronology.pdf"):
        refused = client_for(world.tm).get(url(c.child, suffix))
        assert refused.status_code == 403
        assert "This record is restricted" in text(refused) and "Chidi" not in text(refused)
        assert client_for(world.sw).get(url(c.child, suffix)).status_code == 200
        assert client_for(world.hv).get(url(c.child, suffix)).status_code == 403  # shared: may know it exists
        assert client_for(world.te).get(url(c.child, suffix)).status_code == 404


def test_signed_out_the_page_asks_to_sign_in(world):
    c = lived_family(world)
    response = Client().get(url(c.eldest))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_the_csv_download_has_every_filtered_event_and_is_logged(world, client_for):
    c = chronicled(world)
    Agency.objects.filter(pk=world.school.pk).update(name="=HYPERLINK(\"http://x\")")
    response = client_for(world.sw).get(url(c.child, "chronology.csv"), {"kind": ["referral", "incident"]})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="chronology-{c.child.pk}.csv"'
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["When", "Kind", "Agency", "Significance", "Summary", "Link"]
    assert [r[1] for r in rows[1:]] == ["Referral", "Domestic-abuse incident", "Domestic-abuse incident"]
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d[+-]\d\d:\d\d", rows[1][0])
    assert rows[1][5] == f"http://testserver/referrals/{c.referral.pk}/"
    logged = AccessLogEntry.objects.get(user=world.sw, action="download", record_type="person", record_id=c.child.pk)
    assert logged.fields == {"chronology": "csv", "filters": ["Kinds: Domestic-abuse incident, Referral"]}


def test_the_pdf_download_names_the_child_and_the_filters_and_is_logged(world, client_for):
    c = chronicled(world)
    response = client_for(world.po).get(url(c.child, "chronology.pdf"), {"agency": world.police.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert b"(Chronology: Chidi Okafor) Tj" in pdf
    assert b"(Filters: Agency: Shire Police) Tj" in pdf
    assert b"Domestic-abuse incident" in pdf and b"Referral from" not in pdf
    assert AccessLogEntry.objects.filter(user=world.po, action="download", record_type="person",
                                         record_id=c.child.pk, fields__chronology="pdf").count() == 1
    # A download is logged as a download, not as a view as well.
    assert not AccessLogEntry.objects.filter(user=world.po, action="view", record_type="person").exists()
