"""Operation Encompass (SPEC 6): a school hears of its pupil's incident, and of nothing more."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Notification, Role
from cases.models import EncompassNotice
from cases.services.incidents import ChildAtIncident, encompass_notice_send
from tests.cases.test_incidents_helpers import api_as, ashdowns, london, person, record
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

SCHEME_FIELDS = {"id", "child_name", "date", "time", "present", "spoken_to", "police_reference"}


def test_a_teacher_sees_only_the_notice_for_their_pupil(world):
    other_school = AgencyFactory.create(name="Southfield Academy", kind="education", partnerships=[world.north])
    family = ashdowns(world)
    classmate = person(world.north, "Mia", "Cole", date(2016, 1, 1), school=other_school)
    incident = record(
        world, family, london(2026, 3, 4, 22, 15), reference="DA/0042",
        children=(
            ChildAtIncident(family.ellie, present=True, seen=True, spoken_to=False),
            ChildAtIncident(classmate, resident=False, present=True, seen=True),
        ),
    )
    mine = EncompassNotice.objects.get(child=family.ellie)
    theirs = EncompassNotice.objects.get(child=classmate)

    teacher = api_as(world.te)
    listed = teacher.get("/api/v1/encompass-notices/").json()
    assert listed["count"] == 1
    (notice,) = listed["results"]
    assert notice == {
        "id": mine.pk, "child_name": "Ellie Ashdown", "date": "2026-03-04", "time": "22:15", "present": True,
        "spoken_to": False, "police_reference": "DA/0042",
    }
    detail = teacher.get(f"/api/v1/encompass-notices/{mine.pk}/")
    assert detail.status_code == 200
    assert set(detail.json()) == SCHEME_FIELDS
    assert "Mill Lane" not in detail.content.decode() and "Dean" not in detail.content.decode()
    assert teacher.get(f"/api/v1/encompass-notices/{theirs.pk}/").status_code == 404
    assert teacher.get(f"/api/v1/incidents/{incident.pk}/").status_code == 404


def test_police_and_childrens_social_care_see_every_notice_with_its_timings(world):
    family = ashdowns(world)
    record(world, family, london(2026, 3, 4, 22, 15))
    notice = EncompassNotice.objects.get()
    for user in (world.po, world.mw, world.sm, world.ad):
        response = api_as(user).get("/api/v1/encompass-notices/")
        assert response.status_code == 200, user.username
        (row,) = response.json()["results"]
        assert row["incident"] == notice.incident_id and row["school"] == world.school.pk
        assert row["due_by"] and row["sent_at"]


def test_agencies_without_an_inbox_get_404_and_the_other_area_nothing(world):
    family = ashdowns(world)
    record(world, family, london(2026, 3, 4, 22, 15))
    notice = EncompassNotice.objects.get()
    for user in (world.hv, world.mh, world.au):
        assert api_as(user).get("/api/v1/encompass-notices/").status_code == 404, user.username
        assert api_as(user).get(f"/api/v1/encompass-notices/{notice.pk}/").status_code == 404
    out = api_as(world.out)
    assert out.get("/api/v1/encompass-notices/").json()["count"] == 0
    assert out.get(f"/api/v1/encompass-notices/{notice.pk}/").status_code == 404
    assert APIClient().get("/api/v1/encompass-notices/").status_code == 401


def test_police_send_a_notice_held_for_want_of_a_school(world):
    family = ashdowns(world)
    family.ellie.school = None
    family.ellie.save()
    record(world, family, london(2026, 3, 4, 22, 15))
    notice = EncompassNotice.objects.get()
    assert notice.sent_at is None
    assert api_as(world.te).get("/api/v1/encompass-notices/").json()["count"] == 0

    with pytest.raises(PermissionDenied):
        encompass_notice_send(notice=notice, school=world.school, by=world.hv)
    with pytest.raises(ValidationError) as refused:
        encompass_notice_send(notice=notice, school=world.health_visiting, by=world.po)
    assert refused.value.message_dict == {"school": ["North Health Visiting is not a school."]}

    sent = encompass_notice_send(notice=notice, school=world.school, by=world.po)
    assert sent.school == world.school and sent.sent_at is not None and sent.version == 2
    family.ellie.refresh_from_db()
    assert family.ellie.school == world.school
    assert Notification.objects.filter(kind="encompass_notice", recipient=world.te, subject_id=notice.pk).exists()
    assert api_as(world.te).get("/api/v1/encompass-notices/").json()["count"] == 1
    with pytest.raises(ValidationError):
        encompass_notice_send(notice=sent, school=world.school, by=world.po)


def test_the_notice_list_takes_a_fixed_number_of_queries(world, django_assert_num_queries):
    family = ashdowns(world)
    for day in (2, 3, 4, 5, 6):
        record(world, family, london(2026, 3, day, 22))
    UserFactory.create(username="dsl", agency=world.school, role=Role.TEAM_MANAGER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.te).key}")
    client.get("/api/v1/encompass-notices/")  # warm the content types cache
    with django_assert_num_queries(QUERIES):
        response = client.get("/api/v1/encompass-notices/")
    assert response.json()["count"] == 5


# 1 the middleware names no actor yet (token sign-in comes later, in the view); 2 the request's savepoint;
# 3 the token with its user, membership and agency; 4 the actor for the change log; 5 the count;
# 6 the page of notices with their children (select_related); 7 the savepoint's release.
QUERIES = 7
