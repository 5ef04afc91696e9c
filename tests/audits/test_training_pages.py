"""The training compliance pages (SPEC 3.1): compliance per agency against the partnership's target, an agency's
staff with their courses and expiry dates, and a member of staff's record with the form to record a course."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role, TrainingRecord
from agencies.services import training_record_create
from audits.models import AccessLogEntry
from tests.agencies.test_pages import warm
from tests.factories import UserFactory

Course = TrainingRecord.Course


def today() -> date:
    return timezone.localdate()


def hold(user, course: str = Course.SAFEGUARDING_L3, *, expires_in: int = 400) -> TrainingRecord:
    return training_record_create(user=user, course=course, completed_on=today() - timedelta(days=300),
                                  expires_on=today() + timedelta(days=expires_in))


def _date(prefix: str, day) -> dict[str, int | str]:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


@pytest.fixture
def trained(world):
    """Children's social care: three of its six staff compliant (the administrator's training does not count; the
    MASH manager and worker lack DASH, the auditor's level 3 expired); the police officer holds level 2 but not
    DASH; the health visitor holds level 3 (which counts for level 2), expiring soon; the school nothing."""
    for user in (world.sm, world.mm, world.tm, world.sw):
        hold(user)
    hold(world.mw, Course.SAFEGUARDING_L3)  # MASH staff also need DASH: not compliant
    hold(world.au, Course.SAFEGUARDING_L3, expires_in=-1)  # expired yesterday
    hold(world.po, Course.SAFEGUARDING_L2)
    hold(world.hv, Course.SAFEGUARDING_L3, expires_in=10)  # level 3 counts for level 2
    return world


def test_the_senior_manager_sees_every_agency_against_the_target(trained, client_for):
    world = trained
    response = client_for(world.sm).get(reverse("training-compliance"))
    rows = {row.agency_name: row for row in response.context["agencies"]}
    assert {name: (row.compliant, row.staff, row.percent, row.below_target) for name, row in rows.items()} == {
        world.csc.name: (3, 6, 50, True),
        world.police.name: (0, 1, 0, True),
        world.health_visiting.name: (1, 1, 100, False),
        world.mental_health.name: (0, 1, 0, True),
        world.school.name: (0, 1, 0, True),
    }
    total = response.context["total"]
    assert (total.compliant, total.staff, total.percent) == (4, 10, 40)
    text = response.content.decode()
    assert "Below target" in text and "target of 90%" in text


def test_a_team_manager_sees_only_their_team_and_those_they_manage(trained, client_for):
    world = trained
    response = client_for(world.tm).get(reverse("training-compliance"))
    assert [(row.agency_name, row.compliant, row.staff) for row in response.context["agencies"]] == [
        (world.csc.name, 1, 1)]
    assert client_for(world.tm).get(reverse("training-agency", args=[world.police.pk])).status_code == 403


def test_another_agencys_senior_manager_sees_their_own_agency_in_their_partnership(trained, client_for):
    world = trained
    chief = UserFactory.create(username="police.sm", agency=world.police, role=Role.SENIOR_MANAGER,
                               partnership=world.north)
    UserFactory.create(username="south.po", agency=world.police, partnership=world.south)
    hold(chief)
    hold(chief, Course.DASH)  # police staff hold DASH too
    response = client_for(chief).get(reverse("training-compliance"))
    assert [(row.agency_name, row.compliant, row.staff) for row in response.context["agencies"]] == [
        (world.police.name, 1, 2)]
    page = client_for(chief).get(reverse("training-agency", args=[world.police.pk]))
    assert {row.user.username for row in page.context["rows"]} == {"police.sm", "po"}
    assert client_for(chief).get(reverse("training-agency", args=[world.csc.pk])).status_code == 403


def test_the_agency_page_shows_each_persons_courses_expiry_and_compliance(trained, client_for):
    world = trained
    response = client_for(world.ad).get(reverse("training-agency", args=[world.csc.pk]))
    rows = {row.user.username: row for row in response.context["rows"]}
    assert {name: row.compliant for name, row in rows.items()} == {
        "sm": True, "mm": False, "tm": True, "sw": True, "mw": False, "au": False}
    # The MASH manager holds level 3 but not DASH; the auditor's level 3 expired.
    assert [(c.course, c.status) for c in rows["mm"].courses] == [(Course.SAFEGUARDING_L3, "in_date"),
                                                                  (Course.DASH, "missing")]
    assert [c.status for c in rows["au"].courses] == ["expired"]
    text = response.content.decode()
    assert "Not held" in text and "Expired" in text
    health = client_for(world.ad).get(reverse("training-agency", args=[world.health_visiting.pk]))
    (row,) = health.context["rows"]
    assert row.expiring and [c.status for c in row.courses] == ["expiring"]
    assert "Expires soon" in health.content.decode()


def test_the_agency_page_is_paginated(world, client_for):
    for n in range(27):
        UserFactory.create(username=f"hv{n:02}", agency=world.health_visiting)
    first = client_for(world.sm).get(reverse("training-agency", args=[world.health_visiting.pk]))
    assert len(first.context["rows"]) == 25 and first.context["page"].paginator.count == 28
    second = client_for(world.sm).get(reverse("training-agency", args=[world.health_visiting.pk]), {"page": 2})
    assert len(second.context["rows"]) == 3


def test_the_line_manager_records_a_course_with_the_default_expiry(world, client_for):
    client = client_for(world.tm)
    page = client.get(reverse("training-staff", args=[world.sw.pk]))
    assert page.status_code == 200
    assert AccessLogEntry.objects.filter(user=world.tm, record_type="training", record_id=world.sw.pk).exists()
    done = today() - timedelta(days=3)
    response = client.post(reverse("training-staff", args=[world.sw.pk]),
                           {"course": Course.SAFEGUARDING_L3, **_date("completed_on", done)})
    assert response.status_code == 302
    record = TrainingRecord.objects.get(user=world.sw)
    assert (record.completed_on, record.expires_on) == (done, done + relativedelta(years=3))
    client.post(reverse("training-staff", args=[world.sw.pk]), {"course": Course.DASH, **_date("completed_on", done)})
    assert TrainingRecord.objects.get(user=world.sw, course=Course.DASH).expires_on == done + relativedelta(years=1)


def test_a_bad_record_is_refused_field_by_field_and_nothing_is_saved(world, client_for):
    client = client_for(world.sm)
    response = client.post(reverse("training-staff", args=[world.sw.pk]),
                           {"course": "", "completed_on_day": "31", "completed_on_month": "2",
                            "completed_on_year": "2026"})
    assert set(response.context["form"].errors) == {"course", "completed_on"}
    done = today() - timedelta(days=3)
    response = client.post(reverse("training-staff", args=[world.sw.pk]),
                           {"course": Course.DASH, **_date("completed_on", done), **_date("expires_on", done)})
    assert response.context["form"].errors == {"expires_on": ["Expiry date must be after the date completed"]}
    text = response.content.decode()
    assert text.index("govuk-error-summary") < text.index("<h1") and 'href="#id_expires_on"' in text
    assert not TrainingRecord.objects.exists()


def test_a_manager_of_another_team_in_the_same_agency_may_record_but_not_another_agencys(world, client_for):
    assert client_for(world.mm).get(reverse("training-staff", args=[world.sw.pk])).status_code == 200
    assert client_for(world.tm).get(reverse("training-staff", args=[world.po.pk])).status_code == 403


def test_a_member_of_staff_reads_their_own_record_but_does_not_record_their_own(world, client_for):
    hold(world.sw, expires_in=20)
    client = client_for(world.sw)
    page = client.get(reverse("training-staff", args=[world.sw.pk]))
    assert page.status_code == 200 and not page.context["may_record"]
    text = page.content.decode()
    assert "Expires soon" in text and "Record the course" not in text
    body = {"course": Course.SAFEGUARDING_L3, **_date("completed_on", today())}
    assert client.post(reverse("training-staff", args=[world.sw.pk]), body).status_code == 403
    assert client_for(world.sm).get(reverse("training-staff", args=[world.sm.pk])).context["may_record"] is False
    assert TrainingRecord.objects.filter(user=world.sw).count() == 1


@pytest.mark.parametrize("n", [2, 12])
def test_the_compliance_page_queries_stay_fixed_as_staff_grow(world, client_for, django_assert_num_queries, n):
    for i in range(n):
        user = UserFactory.create(username=f"teacher{i}", agency=world.school)
        hold(user, Course.SAFEGUARDING_L2)
    client = client_for(world.sm)
    warm(client, reverse("training-compliance"))
    # session; user with membership, agency and partnership; set_config; SAVEPOINT; compliance per agency;
    # the header badge's count; RELEASE SAVEPOINT.
    with django_assert_num_queries(7):
        client.get(reverse("training-compliance"))


@pytest.mark.parametrize("n", [2, 12])
def test_the_agency_page_queries_stay_fixed_as_staff_grow(world, client_for, django_assert_num_queries, n):
    for i in range(n):
        user = UserFactory.create(username=f"teacher{i}", agency=world.school)
        hold(user, Course.SAFEGUARDING_L2)
        hold(user, Course.SAFEGUARDING_L1)
    client = client_for(world.sm)
    path = reverse("training-agency", args=[world.school.pk])
    warm(client, path)
    # session; user; set_config; SAVEPOINT; the agency; the paginator's count; the page of staff with compliance
    # and membership; their records; the header badge's count; RELEASE SAVEPOINT.
    with django_assert_num_queries(10):
        client.get(path)


@pytest.mark.parametrize("n", [1, 8])
def test_the_staff_page_queries_stay_fixed_as_records_grow(world, client_for, django_assert_num_queries, n):
    for i in range(n):
        hold(world.sw, expires_in=100 + i)
    client = client_for(world.tm)
    path = reverse("training-staff", args=[world.sw.pk])
    warm(client, path)
    # session; user; set_config; SAVEPOINT; the member of staff with membership, agency and line manager; the
    # access-log row; their records; the header badge's count; RELEASE SAVEPOINT.
    with django_assert_num_queries(9):
        client.get(path)
