"""SPEC 3.2, 6: possible duplicates, alerts, "already known?", the person page and find-a-person."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from audits.models import AccessLogEntry
from cases.models import Case, Person, PersonFlag, RestrictedAccess
from cases.permissions import RestrictedRecord, people_known_to, record_share_with
from cases.selectors.people import (
    Alert,
    people_find,
    people_known_search,
    person_agencies_involved,
    person_alerts,
    person_detail,
    person_flags,
    person_possible_duplicates,
)
from cases.services.people import household_member_remove, person_merge, relationship_create
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

JAYDEN_BORN = date(2015, 3, 4)


def open_case(child, *, status=Case.Status.CHILD_IN_NEED, **extra):
    return Case.objects.create(partnership_id=child.partnership_id, child=child, status=status,
                               opened_on=timezone.localdate(), **extra)


def restrict(person):
    Person.objects.filter(pk=person.pk).update(restricted=True)
    person.refresh_from_db()
    return person


# Possible duplicates

def test_jaden_smyth_born_3_april_finds_jayden_smith_born_4_march(world, django_assert_num_queries):
    jayden = PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=JAYDEN_BORN)
    PersonFactory.create(by=world.sw, given_name="Ava", family_name="Ashdown", date_of_birth=JAYDEN_BORN)
    with django_assert_num_queries(1):
        matches = person_possible_duplicates(partnership_id=world.north.pk, given_name="Jaden", family_name="Smyth",
                                             date_of_birth=date(2015, 4, 3))
    assert [m.person_id for m in matches] == [jayden.pk]
    assert matches[0].name == "Jayden Smith" and matches[0].date_of_birth == JAYDEN_BORN
    assert 0.6 <= matches[0].score < 1


def test_a_similar_name_born_years_apart_another_partnership_or_merged_is_no_duplicate(world):
    PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=date(2009, 11, 20))
    PersonFactory.create(by=world.out, given_name="Jayden", family_name="Smith", date_of_birth=JAYDEN_BORN)
    keep = PersonFactory.create(by=world.sw, given_name="Jay", family_name="Smith", date_of_birth=JAYDEN_BORN)
    merged = PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=JAYDEN_BORN)
    person_merge(keep=keep, duplicate=merged, by=world.mm)
    matches = person_possible_duplicates(partnership_id=world.north.pk, given_name="Jayden", family_name="Smith",
                                         date_of_birth=JAYDEN_BORN)
    assert [m.person_id for m in matches] == [keep.pk]


def test_the_same_nhs_number_is_a_duplicate_whatever_the_name_and_unknown_dates_still_count(world):
    by_nhs = PersonFactory.create(by=world.sw, given_name="Bob", family_name="Jones", nhs_number="9434765919",
                                  date_of_birth=date(1980, 1, 1))
    no_date = PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=None)
    matches = person_possible_duplicates(partnership_id=world.north.pk, given_name="Jayden", family_name="Smith",
                                         date_of_birth=JAYDEN_BORN, nhs_number="943 476 5919")
    assert [(m.person_id, m.score) for m in matches] == [(by_nhs.pk, 1.0), (no_date.pk, 0.8)]


def test_duplicates_can_be_narrowed_to_the_people_a_user_may_know(world):
    PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=JAYDEN_BORN)
    mine = PersonFactory.create(by=world.mh, given_name="Jayden", family_name="Smith", date_of_birth=JAYDEN_BORN)
    matches = person_possible_duplicates(partnership_id=world.north.pk, given_name="Jayden", family_name="Smith",
                                         date_of_birth=JAYDEN_BORN, within=people_known_to(world.mh),
                                         exclude_id=None)
    assert [m.person_id for m in matches] == [mine.pk]


# Alerts, flags, agencies

@pytest.fixture
def family(world):
    """Dean, on the adult mental-health caseload, lives with Ava (children's social care's record)."""
    dean = PersonFactory.create(by=world.mh, given_name="Dean", family_name="Ashdown", date_of_birth=date(1988, 2, 3))
    ava = PersonFactory.create(by=world.sw, given_name="Ava", family_name="Ashdown", date_of_birth=date(2016, 5, 17))
    home = HouseholdFactory.create(by=world.sw, members=[dean, ava])
    return dean, ava, home


def test_mental_health_sees_the_alert_on_an_adult_living_with_a_child_on_a_plan(world, family):
    dean, ava, home = family
    open_case(ava, status=Case.Status.CHILD_PROTECTION)
    detail = person_detail(user=world.mh, person_id=dean.pk)
    assert detail.alerts == [
        Alert("household_child_protection", "Lives with a child subject to a child protection plan")]
    # The household was recorded by children's social care and not shared with mental health.
    assert detail.households == []


def test_caring_responsibility_open_case_and_escalating_alerts(world, family, django_assert_num_queries):
    dean, ava, home = family
    relationship_create(person=dean, other=ava, kind="parent", by=world.sw)
    open_case(ava)
    PersonFlag.objects.create(partnership=world.north, person=ava, kind="escalating", raised_at=timezone.now())
    with django_assert_num_queries(1):
        alerts = person_alerts(dean)
    assert [a.message for a in alerts] == [
        "Has parental or caring responsibility for a child with an open case",
        "Has parental or caring responsibility for a child flagged as escalating",
        "Lives with a child with an open case",
        "Lives with a child flagged as escalating",
    ]
    assert person_flags(ava) == ["escalating"]
    assert person_flags(dean) == []


def test_no_alert_for_a_closed_case_a_cleared_flag_or_a_household_left(world, family):
    dean, ava, home = family
    Case.objects.create(partnership=world.north, child=ava, status="closed", opened_on=date(2020, 1, 1),
                        closed_on=date(2021, 1, 1))
    PersonFlag.objects.create(partnership=world.north, person=ava, kind="escalating", raised_at=timezone.now(),
                              cleared_at=timezone.now())
    assert person_alerts(dean) == []
    open_case(ava)
    household_member_remove(household=home, person=dean, by=world.sw)
    assert person_alerts(dean) == []


def test_agencies_involved_are_those_shared_with_and_childrens_social_care_while_a_case_is_open(world, family):
    dean, ava, home = family
    assert person_agencies_involved(ava) == []
    record_share_with(record=ava, agency=world.police, what="Incident", by=world.po)
    open_case(ava)
    assert person_agencies_involved(ava) == [world.csc, world.police]
    assert person_agencies_involved(dean) == [world.mental_health]


# The person page

def test_the_person_page_shows_gaps_households_relationships_and_cases(world, family):
    dean, ava, home = family
    relationship_create(person=dean, other=ava, kind="parent", poses_risk=True, by=world.sw)
    case = open_case(ava, lead_professional=world.sw)
    detail = person_detail(user=world.sw, person_id=ava.pk)
    assert detail.is_child and detail.age == timezone.localdate().year - 2016 - (
        (timezone.localdate().month, timezone.localdate().day) < (5, 17))
    assert detail.data_quality.gaps == ["Ethnicity not recorded", "First language not recorded",
                                        "Interpreter need not recorded", "NHS number missing", "School not recorded",
                                        "Sex not recorded"]
    [household] = detail.households
    assert household.household == home
    assert [(m.name, m.may_open) for m in household.members] == [("Dean Ashdown", True), ("Ava Ashdown", True)]
    [link] = detail.relationships
    assert (link.label, link.other.name, link.risk_from_other, link.risk_to_other) == (
        "Child of", "Dean Ashdown", True, False)
    assert detail.open_cases == [case] and detail.may_change
    assert person_detail(user=world.sw, person_id=dean.pk).relationships[0].label == "Parent of"
    assert AccessLogEntry.objects.filter(action="view", record_type="person", record_id=ava.pk).exists()


def test_a_restricted_member_is_shown_without_a_name(world, family):
    dean, ava, home = family
    restrict(dean)
    [household] = person_detail(user=world.sw, person_id=ava.pk).households
    hidden = next(m for m in household.members if m.person_id == dean.pk)
    assert (hidden.name, hidden.date_of_birth, hidden.may_open, hidden.restricted) == ("", None, False, True)
    RestrictedAccess.objects.create(partnership=world.north, person=dean, user=world.sw)
    [household] = person_detail(user=world.sw, person_id=ava.pk).households
    assert "Dean Ashdown" in [m.name for m in household.members]


def test_the_person_page_refuses_who_may_not_know_and_asks_to_break_glass_on_a_restricted_record(world, family):
    dean, ava, home = family
    with pytest.raises(Http404):
        person_detail(user=world.te, person_id=ava.pk)
    with pytest.raises(Http404):
        person_detail(user=world.out, person_id=ava.pk)
    restrict(ava)
    with pytest.raises(RestrictedRecord):
        person_detail(user=world.sw, person_id=ava.pk)


# "Already known?"

def test_any_practitioner_sees_a_preview_only_and_the_search_is_logged(world, family):
    dean, ava, home = family
    record_share_with(record=ava, agency=world.police, what="Incident", by=world.po)
    open_case(ava, lead_professional=world.sw)
    [preview] = people_known_search(user=world.te, name="ava ashdown", date_of_birth=date(2016, 5, 17))
    assert preview.id == ava.pk and preview.name == "Ava Ashdown" and not preview.restricted
    assert preview.agencies_involved == ["North Children's Services", "Shire Police"]
    assert preview.contact == f"{world.sw.display_name}, North Children's Services"
    assert set(vars(preview)) == {"id", "name", "age", "agencies_involved", "contact", "restricted"}
    search = AccessLogEntry.objects.get(action="search")
    assert (search.username, search.record_type, search.record_id, search.fields) == (
        "te", "person", None, {"name": "ava ashdown", "date_of_birth": "2016-05-17"})


def test_the_date_of_birth_may_be_mistyped_and_the_name_misspelt(world):
    jayden = PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=JAYDEN_BORN)
    PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=date(2015, 6, 9))
    [preview] = people_known_search(user=world.po, name="Jaden Smyth", date_of_birth=date(2015, 4, 3))
    assert preview.id == jayden.pk
    assert preview.contact == "the MASH at North Children's Services"


def test_another_partnerships_worker_sees_only_their_own_partnerships_people(world):
    north = PersonFactory.create(by=world.sw, given_name="Ava", family_name="Ashdown", date_of_birth=date(2016, 5, 17))
    south = PersonFactory.create(by=world.out, given_name="Ava", family_name="Ashdown", date_of_birth=date(2016, 5, 17))
    assert [p.id for p in people_known_search(user=world.out, name="Ava Ashdown", date_of_birth=date(2016, 5, 17))
            ] == [south.pk]
    assert [p.id for p in people_known_search(user=world.po, name="Ava Ashdown", date_of_birth=date(2016, 5, 17))
            ] == [north.pk]
    assert [p.contact for p in people_known_search(user=world.out, name="Ava Ashdown",
                                                   date_of_birth=date(2016, 5, 17))] == [
        "the MASH at South Children's Services"]


def test_a_restricted_record_shows_only_that_it_exists_and_whom_to_ask(world):
    rosa = restrict(PersonFactory.create(by=world.sw, given_name="Rosa", family_name="Quill",
                                         date_of_birth=date(2014, 9, 1)))
    [preview] = people_known_search(user=world.mw, name="Rosa Quill", date_of_birth=date(2014, 9, 1))
    assert (preview.id, preview.name, preview.age, preview.agencies_involved, preview.restricted) == (
        None, None, None, [], True)
    assert preview.notice == "A restricted record exists. Contact the MASH at North Children's Services."
    RestrictedAccess.objects.create(partnership=world.north, person=rosa, user=world.mw)
    [preview] = people_known_search(user=world.mw, name="Rosa Quill", date_of_birth=date(2014, 9, 1))
    assert preview.name == "Rosa Quill"


def test_the_known_search_takes_the_same_number_of_queries_however_many_match(world, django_assert_num_queries):
    def grow(n):
        for i in range(n):
            child = PersonFactory.create(by=world.mh, given_name="Ava", family_name="Ashdown",
                                         date_of_birth=date(2016, 5, 17))
            record_share_with(record=child, agency=world.police, what="Incident", by=world.po)
            open_case(child, lead_professional=world.sw if i % 2 else None)
            PersonFactory.create(by=world.sw, given_name="Ava", family_name=f"Other{i}")

    for size in (1, 4):
        grow(size)
        # the log row; the matching people; open cases with lead professionals and their agencies;
        # the agencies each is shared with; the partnership's children's social care
        with django_assert_num_queries(5):
            found = people_known_search(user=world.te, name="Ava Ashdown", date_of_birth=date(2016, 5, 17))
        assert len(found) == {1: 1, 4: 5}[size]


def test_the_known_search_of_a_user_outside_any_partnership_finds_nothing_but_is_logged(world, admin_user):
    PersonFactory.create(by=world.sw, given_name="Ava", family_name="Ashdown", date_of_birth=date(2016, 5, 17))
    assert people_known_search(user=admin_user, name="Ava Ashdown", date_of_birth=date(2016, 5, 17)) == []
    assert AccessLogEntry.objects.filter(action="search", username="admin").exists()


# Find a person

def test_find_a_person_by_name_fragment_nhs_number_or_date_of_birth_among_those_the_user_may_open(world):
    mine = PersonFactory.create(by=world.mh, given_name="Dean", family_name="Ashdown", nhs_number="9434765919",
                                date_of_birth=date(1988, 2, 3))
    PersonFactory.create(by=world.sw, given_name="Dean", family_name="Ashdown", date_of_birth=date(1988, 2, 3))
    assert [p.person_id for p in people_find(user=world.mh, q="Ashd")] == [mine.pk]
    assert [p.person_id for p in people_find(user=world.mh, q="Deen Ashdown")] == [mine.pk]
    assert [p.person_id for p in people_find(user=world.mh, q="943 476 5919")] == [mine.pk]
    assert [p.person_id for p in people_find(user=world.mh, q="03/02/1988")] == [mine.pk]
    assert len(people_find(user=world.sw, q="1988-02-03")) == 2
    assert people_find(user=world.mh, q="  ") == []
    found = people_find(user=world.mh, q="dean")[0]
    assert found.age == (timezone.localdate() - timedelta(days=0)).year - 1988 - (
        (timezone.localdate().month, timezone.localdate().day) < (2, 3)) and not found.is_child
