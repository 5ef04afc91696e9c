"""SPEC 3.2, 6, 7.2: recording people, households and relationships; locking; merging; breaking glass."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from guardian.shortcuts import get_perms

from agencies.models import Agency, Notification, Role
from agencies.services import team_create
from audits.models import AccessLogEntry
from cases.models import (
    BreakGlass,
    Case,
    HouseholdMember,
    Incident,
    IncidentChild,
    IncidentParty,
    InformationShare,
    Person,
    PersonFlag,
    Relationship,
)
from cases.permissions import BREAK_GLASS_LASTS, people_visible, person_get_for, record_share_with
from cases.services.people import (
    StaleRecord,
    household_create,
    household_member_add,
    household_member_remove,
    person_break_glass,
    person_create,
    person_merge,
    person_update,
    relationship_create,
)
from tests.factories import AgencyFactory, HouseholdFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def open_case(child, *, status=Case.Status.CHILD_IN_NEED, **extra):
    return Case.objects.create(partnership_id=child.partnership_id, child=child, status=status,
                               opened_on=timezone.localdate(), **extra)


def incident(world, **extra):
    return Incident.objects.create(partnership=world.north, occurred_at=timezone.now(), reported_by=world.police,
                                   **extra)


# Creating a person

def test_a_person_recorded_by_mental_health_is_shared_with_it_to_view_and_change(world):
    adult = person_create(partnership=world.north, by=world.mh, given_name=" Dean ", family_name="Ashdown",
                          date_of_birth=date(1988, 2, 3), nhs_number="943 476 5919", other_names=["Dino", " "])
    assert (adult.given_name, adult.nhs_number, adult.other_names) == ("Dean", "9434765919", ["Dino"])
    assert adult.search_name == "dean ashdown dino"
    assert set(get_perms(world.mental_health.group, adult)) == {"view_person", "change_person"}
    share = InformationShare.objects.get(record_type="person", record_id=adult.pk)
    assert (share.agency, share.what) == (world.mental_health, "Person record created by the agency")
    assert list(people_visible(world.mh)) == [adult]


def test_a_person_recorded_by_childrens_social_care_needs_no_share(world):
    child = person_create(partnership=world.north, by=world.sw, given_name="Ava", family_name="Ashdown",
                          date_of_birth=date(2016, 5, 17))
    assert not InformationShare.objects.exists()
    assert get_perms(world.csc.group, child) == []
    assert AccessLogEntry.objects.filter(record_type="person", record_id=child.pk, action="create").exists()


def test_bad_details_are_reported_field_by_field_and_nothing_is_saved(world):
    south_school = AgencyFactory.create(name="Southfield School", kind=Agency.Kind.EDUCATION,
                                        partnerships=[world.south])
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        person_create(partnership=world.north, by=world.mh, given_name="", family_name="Ashdown",
                      date_of_birth=tomorrow, expected_date_of_birth=tomorrow, nhs_number="9434765918",
                      upn="12345", sex="other", ethnicity="XXXX", school=south_school, gp_practice=world.police,
                      household=HouseholdFactory.create(by=world.out))
    errors = raised.value.message_dict
    assert set(errors) == {"given_name", "date_of_birth", "expected_date_of_birth", "nhs_number", "upn", "sex",
                           "ethnicity", "school", "gp_practice", "household"}
    assert errors["nhs_number"] == ["Enter a real NHS number: 10 digits, the last of which is a check digit."]
    assert errors["school"] == ["The school must be a school or education provider serving this partnership."]
    assert not Person.objects.exists()
    assert not InformationShare.objects.exists()


def test_names_in_any_script_are_recorded_and_searchable_but_not_punctuation_alone(world):
    person = person_create(partnership=world.north, by=world.sw, given_name="Ναταλία", family_name="محمد")
    assert person.search_name == "ναταλια محمد"
    with pytest.raises(ValidationError) as raised:
        person_create(partnership=world.north, by=world.sw, given_name="-", family_name="?")
    assert set(raised.value.message_dict) == {"given_name", "family_name"}


def test_an_unborn_child_has_an_expected_date_within_ten_months_and_an_estimate_needs_a_date(world):
    unborn = person_create(partnership=world.north, by=world.sw, given_name="Baby", family_name="Ashdown",
                           expected_date_of_birth=timezone.localdate() + timedelta(days=90))
    assert unborn.date_of_birth is None
    with pytest.raises(ValidationError) as raised:
        person_create(partnership=world.north, by=world.sw, given_name="Baby", family_name="Ashdown",
                      expected_date_of_birth=timezone.localdate() + timedelta(days=400),
                      date_of_birth_estimated=True)
    assert set(raised.value.message_dict) == {"expected_date_of_birth", "date_of_birth_estimated"}


def test_a_school_must_serve_the_partnership_and_be_a_school(world):
    child = person_create(partnership=world.north, by=world.sw, given_name="Ava", family_name="Ashdown",
                          date_of_birth=date(2016, 5, 17), school=world.school, health_visiting=world.health_visiting)
    assert child.school == world.school
    with pytest.raises(ValidationError) as raised:
        person_create(partnership=world.north, by=world.sw, given_name="Ava", family_name="Ashdown",
                      school=world.health_visiting, health_visiting=world.mental_health)
    assert set(raised.value.message_dict) == {"school", "health_visiting"}


def test_auditors_and_other_partnerships_staff_may_not_record_people(world):
    with pytest.raises(PermissionDenied):
        person_create(partnership=world.north, by=world.au, given_name="A", family_name="B")
    with pytest.raises(PermissionDenied):
        person_create(partnership=world.north, by=world.out, given_name="A", family_name="B")
    assert not Person.objects.exists()


def test_a_person_can_be_added_to_a_household_as_they_are_recorded(world):
    household = HouseholdFactory.create(by=world.sw)
    child = PersonFactory.create(by=world.sw, household=household)
    assert list(household.memberships.values_list("person_id", flat=True)) == [child.pk]


# Changing a person: optimistic locking

def test_an_update_saves_the_changes_and_moves_the_version_on(world):
    child = PersonFactory.create(by=world.sw, given_name="Jaden", family_name="Smyth")
    updated = person_update(person=child, by=world.sw, version=1, given_name="Jayden", ethnicity="wbri",
                            interpreter_needed=False, school=world.school)
    assert (updated.given_name, updated.ethnicity, updated.interpreter_needed, updated.version) == (
        "Jayden", "WBRI", False, 2)
    assert updated.search_name == "jayden smyth"
    change = AccessLogEntry.objects.filter(record_type="person", record_id=child.pk, action="update").get()
    assert change.fields["given_name"] == ["Jaden", "Jayden"]


def test_the_second_of_two_saves_of_the_same_version_is_refused_and_loses_nothing(world):
    child = PersonFactory.create(by=world.sw, first_language="")
    mine = Person.objects.get(pk=child.pk)
    theirs = Person.objects.get(pk=child.pk)
    person_update(person=theirs, by=world.tm, version=1, first_language="Polish")
    with pytest.raises(StaleRecord) as raised:
        person_update(person=mine, by=world.sw, version=1, first_language="English", religion="None")
    assert raised.value.messages == [
        "Someone else changed this record since you opened it; your changes were not saved"]
    child.refresh_from_db()
    assert (child.first_language, child.religion, child.version) == ("Polish", "", 2)


def test_a_stale_version_is_refused_before_anything_is_checked(world):
    child = PersonFactory.create(by=world.sw)
    with pytest.raises(StaleRecord):
        person_update(person=child, by=world.sw, version=7, nhs_number="nonsense")


def test_an_invalid_change_saves_nothing(world):
    child = PersonFactory.create(by=world.sw, given_name="Ava")
    with pytest.raises(ValidationError) as raised:
        person_update(person=child, by=world.sw, version=1, given_name="Eve", nhs_number="1234567890")
    assert list(raised.value.message_dict) == ["nhs_number"]
    child.refresh_from_db()
    assert (child.given_name, child.version) == ("Ava", 1)


def test_an_update_changing_nothing_keeps_the_version(world):
    child = PersonFactory.create(by=world.sw, given_name="Ava")
    assert person_update(person=child, by=world.sw, version=1, given_name="Ava ").version == 1


# Households and relationships

def test_a_household_with_its_members_is_shared_with_the_agency_that_recorded_it(world):
    adult = PersonFactory.create(by=world.mh)
    household = household_create(partnership=world.north, by=world.mh, address=" 4 Mill Lane ", postcode="nt11aa",
                                 members=[adult])
    assert (household.address, household.postcode) == ("4 Mill Lane", "NT1 1AA")
    assert set(get_perms(world.mental_health.group, household)) == {"view_household", "change_household"}
    assert list(household.memberships.values_list("person_id", flat=True)) == [adult.pk]


def test_a_household_needs_an_address_a_real_postcode_and_members_the_user_can_open(world):
    child = PersonFactory.create(by=world.sw)
    with pytest.raises(ValidationError) as raised:
        household_create(partnership=world.north, by=world.mh, address=" ", postcode="12345", members=[child])
    assert set(raised.value.message_dict) == {"address", "postcode", "members"}
    with pytest.raises(ValidationError) as raised:
        household_create(partnership=world.north, by=world.sw, address="1 Road",
                         members=[child, PersonFactory.create(by=world.out)])
    assert raised.value.message_dict["members"] == [
        "Everyone in a household must be in the household's partnership."]


def test_joining_and_leaving_a_household(world):
    household = HouseholdFactory.create(by=world.sw)
    child = PersonFactory.create(by=world.sw)
    member = household_member_add(household=household, person=child, by=world.sw)
    with pytest.raises(ValidationError):
        household_member_add(household=household, person=child, by=world.sw)
    left = household_member_remove(household=household, person=child, by=world.sw)
    assert left.pk == member.pk and left.left_on == timezone.localdate()
    with pytest.raises(ValidationError):
        household_member_remove(household=household, person=child, by=world.sw)
    household_member_add(household=household, person=child, by=world.sw)
    assert household.memberships.count() == 2


def test_only_an_agency_that_may_change_a_household_adds_or_removes_its_members(world):
    household = HouseholdFactory.create(by=world.sw)
    record_share_with(record=household, agency=world.police, what="Incident at the address", by=world.po)
    adult = PersonFactory.create(by=world.po)
    with pytest.raises(PermissionDenied):
        household_member_add(household=household, person=adult, by=world.po)
    with pytest.raises(ValidationError) as raised:
        PersonFactory.create(by=world.po, household=household)
    assert raised.value.message_dict == {"household": ["You may not change this household."]}
    household_member_add(household=household, person=adult, by=world.sw)
    with pytest.raises(PermissionDenied):
        household_member_remove(household=household, person=adult, by=world.po)
    with pytest.raises(PermissionDenied):
        household_member_remove(household=household, person=adult, by=world.hv)
    police_home = HouseholdFactory.create(by=world.po)
    household_member_add(household=police_home, person=adult, by=world.po)


def test_a_relationship_links_two_people_the_user_can_open_once(world):
    mother = PersonFactory.create(by=world.sw, date_of_birth=date(1990, 1, 1))
    child = PersonFactory.create(by=world.sw)
    link = relationship_create(person=mother, other=child, kind="parent", poses_risk=True, by=world.sw)
    assert (link.person, link.other, link.kind, link.poses_risk) == (mother, child, "parent", True)
    for other, kind, field in ((child, "parent", "kind"), (mother, "sibling", "other"), (child, "cousin", "kind")):
        with pytest.raises(ValidationError) as raised:
            relationship_create(person=mother, other=other, kind=kind, by=world.sw)
        assert field in raised.value.message_dict
    relationship_create(person=mother, other=child, kind="carer", by=world.sw)
    sibling = PersonFactory.create(by=world.sw)
    relationship_create(person=child, other=sibling, kind="sibling", by=world.sw)
    with pytest.raises(ValidationError, match="already recorded"):
        relationship_create(person=sibling, other=child, kind="sibling", by=world.sw)
    with pytest.raises(ValidationError) as raised:
        relationship_create(person=PersonFactory.create(by=world.mh), other=child, kind="parent", by=world.mh)
    assert list(raised.value.message_dict) == ["other"]


# Merging duplicates

@pytest.fixture
def duplicates(world):
    """Jayden recorded by children's social care; "Jaden" recorded again by mental health, with links of his own."""
    keep = PersonFactory.create(by=world.sw, given_name="Jayden", family_name="Smith", date_of_birth=date(2015, 3, 4))
    duplicate = PersonFactory.create(by=world.mh, given_name="Jaden", family_name="Smyth",
                                     date_of_birth=date(2015, 4, 3), other_names=["JJ"])
    return keep, duplicate


def test_a_merge_moves_everything_onto_the_record_kept_and_keeps_both_histories(world, duplicates):
    keep, duplicate = duplicates
    shared_home = HouseholdFactory.create(by=world.sw, members=[keep, duplicate])
    own_home = HouseholdFactory.create(by=world.sw, members=[duplicate])
    mother = PersonFactory.create(by=world.sw, date_of_birth=date(1990, 1, 1))
    relationship_create(person=mother, other=duplicate, kind="parent", by=world.sw)
    relationship_create(person=mother, other=keep, kind="parent", by=world.sw)
    sister = PersonFactory.create(by=world.sw)
    relationship_create(person=duplicate, other=sister, kind="sibling", by=world.sw)
    relationship_create(person=keep, other=duplicate, kind="sibling", by=world.sw)
    callout = incident(world)
    IncidentChild.objects.create(partnership=world.north, incident=callout, child=duplicate)
    IncidentParty.objects.create(partnership=world.north, incident=callout, person=duplicate, role="victim")
    case = open_case(duplicate)
    PersonFlag.objects.create(partnership=world.north, person=duplicate, kind="escalating", raised_at=timezone.now())
    person_get_for(world.mh, duplicate.pk)  # a view of the duplicate, to be kept

    kept = person_merge(keep=keep, duplicate=duplicate, by=world.mm)

    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    assert kept.other_names == ["Jaden Smyth", "JJ"] and "jaden smyth" in kept.search_name
    assert set(HouseholdMember.objects.filter(person=kept, left_on__isnull=True).values_list(
        "household_id", flat=True)) == {shared_home.pk, own_home.pk}
    # The duplicate's listing in the home they share ends rather than moving, so nobody is listed twice.
    assert HouseholdMember.objects.get(person=duplicate).left_on == timezone.localdate()
    assert set(Relationship.objects.filter(other=kept).values_list("person_id", "kind")) == {(mother.pk, "parent")}
    assert Relationship.objects.filter(other=duplicate, person=mother).count() == 1  # already recorded on keep
    assert Relationship.objects.filter(person=kept, other=sister).exists()
    assert IncidentChild.objects.get(incident=callout).child == kept
    assert IncidentParty.objects.get(incident=callout).person == kept
    case.refresh_from_db()
    assert case.child == kept
    assert PersonFlag.objects.get().person == kept
    # Mental health could open the duplicate, so it can open the record kept, with a sharing record for it.
    assert set(get_perms(world.mental_health.group, kept)) == {"view_person", "change_person"}
    assert InformationShare.objects.filter(record_type="person", record_id=kept.pk,
                                           agency=world.mental_health).exists()
    assert list(people_visible(world.mh)) == [kept]
    merged = AccessLogEntry.objects.get(record_type="person", record_id=kept.pk, fields__has_key="merged")
    assert (merged.action, merged.fields, merged.username) == ("update", {"merged": [duplicate.pk, kept.pk]}, "mm")
    for record in (kept, duplicate):
        assert AccessLogEntry.objects.filter(record_type="person", record_id=record.pk, action="create").exists()
    assert AccessLogEntry.objects.filter(record_type="person", record_id=duplicate.pk, action="view").exists()
    assert AccessLogEntry.objects.filter(record_type="person", record_id=duplicate.pk, action="update",
                                         fields__has_key="merged_into_id").exists()


def test_only_childrens_social_care_managers_merge(world, duplicates):
    keep, duplicate = duplicates
    for user in (world.mw, world.sw, world.ad, world.mh):
        with pytest.raises(PermissionDenied):
            person_merge(keep=keep, duplicate=duplicate, by=user)
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_a_merge_is_refused_when_both_have_an_open_case_or_either_is_already_merged(world, duplicates):
    keep, duplicate = duplicates
    open_case(keep)
    open_case(duplicate)
    with pytest.raises(ValidationError, match="Both people have an open case"):
        person_merge(keep=keep, duplicate=duplicate, by=world.tm)
    third = PersonFactory.create(by=world.sw)
    person_merge(keep=third, duplicate=keep, by=world.tm)
    with pytest.raises(ValidationError, match="already been merged"):
        person_merge(keep=duplicate, duplicate=keep, by=world.tm)
    with pytest.raises(ValidationError):
        person_merge(keep=third, duplicate=third, by=world.tm)


def test_every_link_to_a_person_is_handled_by_the_merge():
    """A new model pointing at Person must be moved by person_merge (or stay with the duplicate on purpose)."""
    moved = {"household_memberships", "addresses", "relationships_from", "relationships_to", "incident_parts",
             "incident_appearances", "marac_referrals", "encompass_notices", "cases", "flags",
             "persongroupobjectpermission_set", "personuserobjectpermission_set", "named_users",
             "referral_appearances", "strategy_meeting_appearances", "voice_records", "plan_actions"}
    stays = {"merged", "break_glass"}  # history of the duplicate itself
    links = {rel.get_accessor_name() or rel.name for rel in Person._meta.related_objects}
    assert links == moved | stays


# Breaking glass

@pytest.fixture
def restricted(world):
    child = PersonFactory.create(by=world.sw, given_name="Rosa", family_name="Quill")
    Person.objects.filter(pk=child.pk).update(restricted=True)
    child.refresh_from_db()
    return child


def test_breaking_glass_opens_the_record_for_8_hours_logs_it_and_tells_the_team_manager(world, restricted):
    team = team_create(agency=world.csc, name="Assessment team")
    world.tm.membership.teams.add(team)
    open_case(restricted, allocated_team=team, lead_professional=world.sw)
    assert not people_visible(world.mw).filter(pk=restricted.pk).exists()

    glass = person_break_glass(person=restricted, user=world.mw, reason="  Checking before the strategy meeting ")

    assert glass.reason == "Checking before the strategy meeting"
    assert glass.expires_at - glass.opened_at == BREAK_GLASS_LASTS
    assert people_visible(world.mw).filter(pk=restricted.pk).exists()
    entry = AccessLogEntry.objects.get(action="break_glass")
    assert (entry.record_type, entry.record_id, entry.reason, entry.username) == (
        "person", restricted.pk, "Checking before the strategy meeting", "mw")
    told = Notification.objects.get()
    assert (told.recipient, told.kind, told.subject_type, told.subject_id) == (
        world.tm, "break_glass", "person", restricted.pk)
    assert "Checking before the strategy meeting" in told.message


def test_glass_broken_on_a_child_with_no_allocated_team_tells_the_lead_professionals_line_manager(world, restricted):
    open_case(restricted, lead_professional=world.sw)
    person_break_glass(person=restricted, user=world.mw, reason="Police asking about the family tonight")
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["tm"]


def test_without_an_open_case_the_senior_managers_are_told(world, restricted):
    second = UserFactory.create(username="sm2", agency=world.csc, role=Role.SENIOR_MANAGER)
    person_break_glass(person=restricted, user=world.sw, reason="Police asking about the family tonight")
    assert set(Notification.objects.values_list("recipient", flat=True)) == {world.sm.pk, second.pk}


def test_the_glass_expires(world, restricted):
    glass = person_break_glass(person=restricted, user=world.sw, reason="Police asking about the family tonight")
    BreakGlass.objects.filter(pk=glass.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not people_visible(world.sw).filter(pk=restricted.pk).exists()


def test_breaking_glass_needs_a_reason_a_restricted_record_and_someone_who_cannot_open_it_yet(world, restricted):
    with pytest.raises(ValidationError) as raised:
        person_break_glass(person=restricted, user=world.sw, reason=" because ")
    assert list(raised.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError, match="not restricted"):
        person_break_glass(person=PersonFactory.create(by=world.sw), user=world.sw, reason="A good long reason")
    person_break_glass(person=restricted, user=world.sw, reason="A good long reason")
    with pytest.raises(ValidationError, match="already open"):
        person_break_glass(person=restricted, user=world.sw, reason="A good long reason")
    with pytest.raises(PermissionDenied):
        person_break_glass(person=restricted, user=world.hv, reason="A good long reason")
    assert BreakGlass.objects.count() == 1 and Notification.objects.count() == 1


def test_police_with_the_record_shared_may_break_glass_too(world, restricted):
    record_share_with(record=restricted, agency=world.police, what="Incident", by=world.po)
    person_break_glass(person=restricted, user=world.po, reason="Officer attending the address now")
    assert person_get_for(world.po, restricted.pk) == restricted
