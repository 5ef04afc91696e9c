"""SPEC 3.2 "Plan and Plan action": the pure rules of what a plan must say."""

from __future__ import annotations

from datetime import date

import pytest

from cases.rules import plans as rules
from cases.rules.plans import ActionDraft, PlanFacts

CHILD, MOTHER, PARTNER, AUNT = 1, 2, 3, 4
POLICE, SCHOOL = 10, 11
OFFICER = 20
START = date(2026, 3, 2)
FACTS = PlanFacts(child_id=CHILD, agencies={POLICE, SCHOOL}, owners={OFFICER: POLICE},
                  family={CHILD, MOTHER, PARTNER, AUNT}, posing_risk={PARTNER})


def draft(party: str = "agency", *, text: str = "Visit weekly.", due: date | None = date(2026, 3, 16),
          agency: int | None = POLICE, owner: int | None = None, member: int | None = None) -> ActionDraft:
    return rules.action_normalised(
        ActionDraft(description=text, party=party, due_by=due, agency_id=agency, owner_id=owner,
                    family_member_id=member),
        child_id=CHILD,
    )


def errors_of(*actions: ActionDraft, kind: str = "child_in_need", facts: PlanFacts = FACTS,
              what: str = "Live free of violence.", review: date | None = None) -> dict[str, list[str]]:
    return rules.plan_errors(kind=kind, what_must_change=what, starts_on=START, review_by=review,
                             actions=list(actions), facts=facts)


def test_a_written_agreement_with_actions_only_for_the_victim_is_refused_with_a_clear_message():
    errors = errors_of(draft("parent_or_carer", member=MOTHER, agency=None), draft("agency"),
                       kind="written_agreement")
    assert errors == {"actions": [
        "A written agreement must say what the person posing risk will do. An agreement that only asks the victim"
        " to keep the children safe leaves her to police him."]}


def test_a_written_agreement_with_an_action_for_the_person_posing_risk_is_accepted():
    assert errors_of(draft("parent_or_carer", member=MOTHER), draft("person_posing_risk", member=PARTNER),
                     kind="written_agreement") == {}


def test_a_written_agreement_where_no_one_is_recorded_posing_risk_says_to_record_it_first():
    facts = PlanFacts(CHILD, {POLICE}, {}, {CHILD, MOTHER}, set())
    (message,) = errors_of(draft("parent_or_carer", member=MOTHER), kind="written_agreement", facts=facts)["actions"]
    assert message.endswith("record the relationship on the family's records first.")


def test_a_closed_action_for_the_person_posing_risk_still_counts():
    errors = rules.plan_errors(kind="written_agreement", what_must_change="x", starts_on=START, review_by=None,
                               actions=[draft("parent_or_carer", member=MOTHER)], facts=FACTS,
                               kept_parties=["person_posing_risk"])
    assert errors == {}


def test_a_plan_needs_an_action_and_says_what_must_change():
    assert errors_of(what=" ") == {"what_must_change": ["Say what must change for the child"],
                                  "actions": [rules.NEEDS_AN_ACTION]}


@pytest.mark.parametrize(("action", "field", "message"), [
    (draft(text="  "), "description", "Say what is to be done"),
    (draft("someone"), "party", "Choose who does it"),
    (draft(agency=None), "agency", "Choose the agency that does it"),
    (draft(agency=99), "agency", "Choose an agency that works in this partnership"),
    (draft(agency=SCHOOL, owner=OFFICER), "owner", "Choose someone who works for the agency chosen, or no one"),
    (draft("other_family", member=None), "family_member", "Choose the member of the family who does it"),
    (draft("other_family", member=99), "family_member", "Choose someone recorded as part of the child's family"),
    (draft("person_posing_risk", member=MOTHER), "family_member",
     "Choose someone recorded as posing a risk to the child, or say they do it as another member of the family"),
    (draft("parent_or_carer", member=PARTNER), "party",
     "This person is recorded as posing a risk to the child: choose \"The person posing risk\""),
    (draft(due=None), "due_by", "Enter the date the action is due by"),
    (draft(due=date(2026, 3, 1)), "due_by", "The action cannot be due before the plan starts"),
])
def test_each_action_says_what_who_and_by_when(action, field, message):
    assert errors_of(draft(), action) == {f"actions.1.{field}": [message]}


def test_an_action_due_the_day_the_plan_starts_is_accepted_and_a_review_before_it_is_not():
    assert errors_of(draft(due=START)) == {}
    assert errors_of(draft(), review=date(2026, 3, 1)) == {
        "review_by": ["The review date must be on or after the day the plan starts"]}


def test_normalising_keeps_only_the_who_of_the_party_and_names_the_child_for_the_child():
    agency = draft("agency", member=MOTHER, owner=OFFICER)
    assert (agency.agency_id, agency.owner_id, agency.family_member_id) == (POLICE, OFFICER, None)
    family = draft("other_family", member=AUNT, owner=OFFICER)
    assert (family.agency_id, family.owner_id, family.family_member_id) == (None, None, AUNT)
    assert draft("child", member=None).family_member_id == CHILD
    assert draft(text="  Visit.  ").description == "Visit."


def test_an_action_is_overdue_only_after_its_due_date_and_while_open():
    today = date(2026, 3, 10)
    assert rules.action_overdue(status="open", due_by=date(2026, 3, 9), today=today)
    assert not rules.action_overdue(status="open", due_by=today, today=today)
    assert not rules.action_overdue(status="done", due_by=date(2026, 3, 9), today=today)
