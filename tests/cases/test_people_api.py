"""API.md "Records": people, households and relationships; ETag and If-Match; errors; query counts."""

from datetime import date

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Notification
from audits.models import AccessLogEntry
from cases.models import Case, Household, Person, PersonFlag, Relationship
from cases.permissions import record_share_with
from cases.services.people import relationship_create
from tests.factories import PASSWORD, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

STALE = "Someone else changed this record since you opened it; your changes were not saved"


@pytest.fixture
def api():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def etag(person):
    return f'W/"person-{person.pk}-v{person.version}"'


# Creating people

def test_recording_a_person_answers_201_with_is_child_and_the_possible_duplicates(world, api):
    jayden = PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=date(2015, 3, 4))
    response = api(world.po).post("/api/v1/people/", {
        "given_name": "Jaden", "family_name": "Smyth", "date_of_birth": "2015-04-03", "sex": "male",
        "ethnicity": "WBRI", "first_language": "English", "interpreter_needed": False, "nhs_number": "943 476 5919",
        "school": world.school.pk, "other_names": ["JJ"],
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    created = Person.objects.get(pk=body["id"])
    assert (created.partnership, created.created_by, created.nhs_number) == (world.north, world.po, "9434765919")
    assert body["is_child"] is True and body["version"] == 1 and body["school"] == world.school.pk
    # The police officer may not open Jayden's record, but may know a possible duplicate exists.
    assert body["possible_duplicates"] == []
    assert response["ETag"] == etag(created)

    response = api(world.mw).post("/api/v1/people/", {"given_name": "Jaden", "family_name": "Smyth",
                                                      "date_of_birth": "2015-04-03"}, format="json")
    duplicates = response.json()["possible_duplicates"]
    assert [d["id"] for d in duplicates] == [created.pk, jayden.pk]
    assert all(set(d) == {"id", "score"} and 0 < d["score"] <= 1 for d in duplicates)


def test_an_unborn_child_is_a_child(world, api):
    response = api(world.hv).post("/api/v1/people/", {"given_name": "Baby", "family_name": "Ashdown",
                                                      "expected_date_of_birth": str(timezone.localdate())},
                                  format="json")
    assert response.status_code == 201 and response.json()["is_child"] is True


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"given_name", "family_name"}),
    ({"given_name": "A", "family_name": "B", "date_of_birth": "31/02/2015"}, {"date_of_birth"}),
    ({"given_name": "A", "family_name": "B", "nhs_number": "9434765918"}, {"nhs_number"}),
    ({"given_name": "A", "family_name": "B", "date_of_birth": "2099-01-01"}, {"date_of_birth"}),
    ({"given_name": "A", "family_name": "B", "ethnicity": "Martian", "sex": "x"}, {"ethnicity", "sex"}),
    ({"given_name": "A", "family_name": "B", "school": 999999, "household": "abc"}, {"school", "household"}),
    ({"given_name": "A", "family_name": "B", "gp_practice": "police"}, {"gp_practice"}),
    ({"given_name": "A", "family_name": "B", "other_names": "not a list"}, {"other_names"}),
    ({"given_name": "A" * 101, "family_name": "B"}, {"given_name"}),
])
def test_bad_input_is_a_400_naming_each_field_and_nothing_is_saved(world, api, body, fields):
    response = api(world.sw).post("/api/v1/people/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not Person.objects.exists()


def test_a_police_agency_is_not_a_school(world, api):
    response = api(world.sw).post("/api/v1/people/", {"given_name": "A", "family_name": "B",
                                                      "school": world.police.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "school": ["The school must be a school or education provider serving this partnership."]}


def test_auditors_may_not_record_people_and_anonymous_callers_are_asked_to_sign_in(world, api):
    assert api(world.au).post("/api/v1/people/", {"given_name": "A", "family_name": "B"}).status_code == 403
    assert APIClient().post("/api/v1/people/", {"given_name": "A", "family_name": "B"}).status_code == 401


# Reading a person

@pytest.fixture
def family(world):
    dean = PersonFactory.create(by=world.mh, given_name="Dean", family_name="Ashdown", date_of_birth=date(1988, 2, 3))
    ava = PersonFactory.create(by=world.sw, given_name="Ava", family_name="Ashdown", date_of_birth=date(2016, 5, 17))
    HouseholdFactory.create(by=world.sw, members=[dean, ava])
    Case.objects.create(partnership=world.north, child=ava, status="child_protection", opened_on=date(2025, 1, 6),
                        lead_professional=world.sw)
    PersonFlag.objects.create(partnership=world.north, person=ava, kind="escalating", raised_at=timezone.now())
    return dean, ava


def test_a_person_comes_with_alerts_flags_data_quality_version_and_an_etag(world, api, family):
    dean, ava = family
    response = api(world.mh).get(f"/api/v1/people/{dean.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == etag(dean)
    assert body["alerts"] == [
        {"kind": "household_child_protection", "message": "Lives with a child subject to a child protection plan"},
        {"kind": "household_escalating", "message": "Lives with a child flagged as escalating"},
    ]
    assert body["flags"] == [] and body["version"] == 1 and body["is_child"] is False
    assert body["data_quality"]["gaps"] == ["Ethnicity not recorded", "First language not recorded",
                                            "Interpreter need not recorded", "NHS number missing", "Sex not recorded"]
    assert 0 <= body["data_quality"]["score"] < 100
    assert body["agencies_involved"] == [{"id": world.mental_health.pk, "name": "North Adult Mental Health"}]
    assert body["households"] == []  # not shared with mental health
    assert body["may_change"] is True

    body = api(world.sw).get(f"/api/v1/people/{ava.pk}/").json()
    assert body["flags"] == ["escalating"]
    assert body["open_cases"][0]["status"] == "child_protection"
    assert [m["name"] for m in body["households"][0]["members"]] == ["Dean Ashdown", "Ava Ashdown"]


def test_who_may_not_know_the_person_gets_404(world, api, family):
    dean, ava = family
    for user in (world.te, world.hv, world.au, world.out):
        assert api(user).get(f"/api/v1/people/{ava.pk}/").status_code == 404
    assert api(world.sw).get("/api/v1/people/999999/").status_code == 404


def test_a_restricted_record_answers_403_with_how_to_break_glass_and_then_opens(world, api, family):
    dean, ava = family
    Person.objects.filter(pk=ava.pk).update(restricted=True)
    client = api(world.mw)
    response = client.get(f"/api/v1/people/{ava.pk}/")
    assert response.status_code == 403
    body = response.json()
    assert body["restricted"] is True and body["break_glass"] == f"/api/v1/people/{ava.pk}/break-glass/"
    assert "restricted" in body["detail"] and "reason" in body["detail"]
    assert "Ava" not in str(body)

    assert client.post(body["break_glass"], {"reason": "short", "password": PASSWORD}, format="json").json() == {
        "reason": ["Say why you need to open this record, in at least 10 characters."]}
    response = client.post(body["break_glass"], {"reason": "Strategy discussion at 3pm", "password": PASSWORD},
                           format="json")
    assert response.status_code == 201
    assert set(response.json()) == {"id", "person", "reason", "opened_at", "expires_at"}
    assert client.get(f"/api/v1/people/{ava.pk}/").status_code == 200
    assert Notification.objects.filter(kind="break_glass", subject_id=ava.pk).exists()
    assert api(world.te).post(
        body["break_glass"], {"reason": "Strategy discussion at 3pm", "password": PASSWORD}
    ).status_code == 404


def test_breaking_glass_on_a_record_that_is_not_restricted_is_a_400(world, api, family):
    dean, ava = family
    response = api(world.sw).post(
        f"/api/v1/people/{ava.pk}/break-glass/", {"reason": "A perfectly good reason", "password": PASSWORD}
    )
    assert response.status_code == 400 and "non_field_errors" in response.json()


# Changing a person: If-Match and version

def test_a_patch_with_the_etag_saves_and_answers_the_new_etag(world, api, family):
    dean, ava = family
    client = api(world.sw)
    tag = client.get(f"/api/v1/people/{ava.pk}/")["ETag"]
    response = client.patch(f"/api/v1/people/{ava.pk}/", {"first_language": "Polish", "interpreter_needed": True},
                            format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2 and response["ETag"] == f'W/"person-{ava.pk}-v2"'
    ava.refresh_from_db()
    assert (ava.first_language, ava.interpreter_needed) == ("Polish", True)


def test_a_stale_if_match_is_a_412_and_a_stale_body_version_a_409_and_nothing_is_overwritten(world, api, family):
    dean, ava = family
    client = api(world.sw)
    tag = client.get(f"/api/v1/people/{ava.pk}/")["ETag"]
    assert api(world.tm).patch(f"/api/v1/people/{ava.pk}/", {"religion": "Quaker", "version": 1},
                               format="json").status_code == 200
    response = client.patch(f"/api/v1/people/{ava.pk}/", {"religion": "None"}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 412
    assert response.json() == {"non_field_errors": [STALE]}
    response = client.patch(f"/api/v1/people/{ava.pk}/", {"religion": "None", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json() == {"non_field_errors": [STALE]}
    response = client.patch(f"/api/v1/people/{ava.pk}/", {"religion": "None"}, format="json",
                            HTTP_IF_MATCH=f'W/"person-{dean.pk}-v2"')
    assert response.status_code == 412
    ava.refresh_from_db()
    assert (ava.religion, ava.version) == ("Quaker", 2)


def test_a_patch_without_a_version_or_with_bad_values_is_a_400(world, api, family):
    dean, ava = family
    client = api(world.sw)
    assert client.patch(f"/api/v1/people/{ava.pk}/", {"religion": "None"}, format="json").json() == {
        "version": ["Send the version you read, or its ETag in an If-Match header."]}
    response = client.patch(f"/api/v1/people/{ava.pk}/", {"nhs_number": "123", "version": 1}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["nhs_number"]
    response = client.patch(f"/api/v1/people/{ava.pk}/", {"version": "one"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["version"]


def test_an_agency_the_record_is_shared_with_to_view_may_not_change_it(world, api, family):
    dean, ava = family
    record_share_with(record=ava, agency=world.police, what="Incident", by=world.po)
    assert api(world.po).get(f"/api/v1/people/{ava.pk}/").status_code == 200
    assert api(world.po).patch(f"/api/v1/people/{ava.pk}/", {"religion": "x", "version": 1},
                               format="json").status_code == 403
    assert api(world.mh).patch(f"/api/v1/people/{dean.pk}/", {"religion": "x", "version": 1},
                               format="json").status_code == 200


# Already known?

def test_already_known_answers_a_paginated_preview(world, api, family):
    dean, ava = family
    response = api(world.te).get("/api/v1/people/known/", {"name": "Ava Ashdown", "date_of_birth": "2016-05-17"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [preview] = body["results"]
    assert set(preview) == {"id", "name", "age", "agencies_involved", "contact", "restricted", "notice"}
    assert (preview["id"], preview["name"], preview["agencies_involved"]) == (
        ava.pk, "Ava Ashdown", ["North Children's Services"])
    assert AccessLogEntry.objects.filter(action="search", username="te").count() == 1


def test_already_known_needs_a_name_and_a_date_of_birth(world, api):
    response = api(world.te).get("/api/v1/people/known/", {"name": "A", "date_of_birth": "yesterday"})
    assert response.status_code == 400 and set(response.json()) == {"name", "date_of_birth"}
    assert not AccessLogEntry.objects.filter(action="search").exists()


# Households, relationships, duplicates, merging

def test_a_household_is_recorded_with_members_the_user_can_open(world, api):
    dean = PersonFactory.create(by=world.mh)
    ava = PersonFactory.create(by=world.sw)
    client = api(world.mh)
    response = client.post("/api/v1/households/", {"address": "4 Mill Lane", "postcode": "nt1 1aa",
                                                   "members": [dean.pk]}, format="json")
    assert response.status_code == 201
    assert response.json()["members"] == [dean.pk] and response.json()["postcode"] == "NT1 1AA"
    response = client.post("/api/v1/households/", {"address": "", "members": [ava.pk]}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"address", "members"}
    assert Household.objects.count() == 1


def test_a_relationship_is_recorded_between_people_the_user_can_open(world, api):
    dean = PersonFactory.create(by=world.mh, date_of_birth=date(1988, 2, 3))
    ava = PersonFactory.create(by=world.sw)
    body = {"person": dean.pk, "other": ava.pk, "kind": "parent", "poses_risk": True}
    response = api(world.sw).post("/api/v1/relationships/", body, format="json")
    assert response.status_code == 201 and response.json()["poses_risk"] is True
    assert api(world.sw).post("/api/v1/relationships/", body, format="json").json() == {
        "kind": ["This relationship is already recorded."]}
    response = api(world.mh).post("/api/v1/relationships/", {**body, "kind": "carer"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["other"]
    assert Relationship.objects.count() == 1


def test_duplicates_on_demand_and_a_merge_by_a_manager(world, api):
    jayden = PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=date(2015, 3, 4))
    jaden = PersonFactory.create(by=world.sw, given_name="Jaden", family_name="Smyth", date_of_birth=date(2015, 4, 3))
    body = api(world.mw).get(f"/api/v1/people/{jayden.pk}/duplicates/").json()
    assert [(d["id"], d["name"], d["date_of_birth"]) for d in body["results"]] == [
        (jaden.pk, "Jaden Smyth", "2015-04-03")]

    assert api(world.mw).post(f"/api/v1/people/{jayden.pk}/merge/", {"duplicate": jaden.pk}).status_code == 403
    assert api(world.mm).post(f"/api/v1/people/{jayden.pk}/merge/", {"duplicate": 0}).status_code == 400
    response = api(world.mm).post(f"/api/v1/people/{jayden.pk}/merge/", {"duplicate": jaden.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["other_names"] == ["Jaden Smyth"] and response.json()["version"] == 2
    assert api(world.mm).get(f"/api/v1/people/{jaden.pk}/").status_code == 404
    assert api(world.mm).post(f"/api/v1/people/{jayden.pk}/merge/", {"duplicate": jaden.pk}).status_code == 400


# Query counts

def test_a_persons_page_takes_the_same_queries_however_much_is_linked(world, api, django_assert_num_queries):
    adult = PersonFactory.create(by=world.mh, given_name="Dean", family_name="Ashdown", date_of_birth=date(1988, 2, 3))
    client = api(world.mh)

    def grow():
        home = HouseholdFactory.create(by=world.mh, members=[adult])
        for _ in range(3):
            child = PersonFactory.create(by=world.sw)
            HouseholdFactory.create(by=world.sw, members=[child])
            home.memberships.create(partnership=world.north, person=child)
            relationship_create(person=adult, other=child, kind="parent", by=world.sw)
            Case.objects.create(partnership=world.north, child=child, status="child_protection",
                                opened_on=date(2025, 1, 6), lead_professional=world.sw)
            PersonFlag.objects.create(partnership=world.north, person=child, kind="escalating",
                                      raised_at=timezone.now())
            record_share_with(record=child, agency=world.mental_health, what="Case", by=world.sw)

    client.get(f"/api/v1/people/{adult.pk}/")  # the process's first request also caches permission content types
    for _ in range(2):
        grow()
        # actor for the change log; savepoint; the person (visibility) and its view logged; the person with
        # school, GP and health visiting; the current members of the households mental health may see;
        # relationships; which of the linked people it may open; may it change the record; alerts; flags;
        # agencies involved; open cases; release savepoint
        with django_assert_num_queries(14):
            response = client.get(f"/api/v1/people/{adult.pk}/")
        assert response.status_code == 200
        assert len(response.json()["relationships"]) in (3, 6)


def test_the_known_search_endpoint_takes_the_same_queries_however_many_match(world, api, django_assert_num_queries):
    client = api(world.po)
    for size in (1, 3):
        for _ in range(size):
            child = PersonFactory.create(by=world.sw, given_name="Ava", family_name="Ashdown",
                                         date_of_birth=date(2016, 5, 17))
            record_share_with(record=child, agency=world.health_visiting, what="Birth", by=world.sw)
        # actor; savepoint; the log row; the matching people; open cases and lead professionals;
        # the agencies each is shared with; the partnership's children's social care; release savepoint
        with django_assert_num_queries(8):
            response = client.get("/api/v1/people/known/", {"name": "Ava Ashdown", "date_of_birth": "2016-05-17"})
        assert response.json()["count"] == {1: 1, 3: 4}[size]


def test_breaking_glass_through_the_api_needs_the_password_and_saves_nothing_without_it(world, api, family):
    dean, ava = family
    Person.objects.filter(pk=ava.pk).update(restricted=True)
    url = f"/api/v1/people/{ava.pk}/break-glass/"
    reason = "Strategy discussion at 3pm"
    missing = api(world.mw).post(url, {"reason": reason}, format="json")
    assert missing.status_code == 400 and list(missing.json()) == ["password"]
    wrong = api(world.mw).post(url, {"reason": reason, "password": "not-my-password"}, format="json")
    assert wrong.status_code == 400 and list(wrong.json()) == ["password"]
    assert not Notification.objects.filter(kind="break_glass", subject_id=ava.pk).exists()
    assert api(world.mw).get(f"/api/v1/people/{ava.pk}/").status_code == 403
    assert api(world.mw).post(url, {"reason": reason, "password": PASSWORD}, format="json").status_code == 201
