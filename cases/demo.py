"""The demo partnership's families (SPEC 9): what the people and incident features are for, at a glance.

- The Ashdown family: six standard-risk police call-outs in ten months, never referred. The
  system has flagged both children escalating and put a review in the MASH manager's inbox.
- Simon Price, on the adult mental-health caseload, lives with a child on a child protection
  plan: his record carries the alert whichever agency opens it.
- Jayden Smith, recorded with gaps (no ethnicity, language or NHS number): creating "Jaden
  Smyth" born a month and a day apart offers him as a likely duplicate.
- A restricted record, open only to the senior manager, that anyone else must break glass to see.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction

from agencies.models import Agency, Partnership, User
from cases.models import Case, Person, RestrictedAccess
from cases.services.incidents import ChildAtIncident, DashInput, incident_create
from cases.services.people import household_create, person_create, relationship_create

# Three to five "yes" answers each: standard risk every time, which is how the pattern was missed.
ASHDOWN_CALL_OUTS = (
    (300, "Neighbour reported shouting and a door being slammed; Kerry said it was a verbal argument.",
     ("q1", "q4", "q13")),
    (250, "Kerry called police after Dean threw a mug at the wall; the children were upstairs.",
     ("q1", "q2", "q13", "q21")),
    (190, "Dean returned to the address in breach of a request to stay away; argument in the garden.",
     ("q2", "q6", "q13")),
    (130, "Kerry had a bruise to her arm and said she fell; Mia was in the room.",
     ("q1", "q2", "q4", "q13", "q21")),
    (70, "Call from Mia (age 7) saying 'Dean is shouting at Mummy'; call cut off.", ("q2", "q4", "q13")),
    (12, "Dean arrested for criminal damage after breaking a window; Leo was asleep in the house.",
     ("q1", "q2", "q13", "q21", "q22")),
)


def _at(today: date, days_ago: int, hour: int = 22, minute: int = 30) -> datetime:
    from agencies.rules import DEFAULT_TZ

    return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), DEFAULT_TZ)


def _agency(name: str) -> Agency:
    return Agency.objects.get(name=name)


def _user(username: str) -> User:
    return User.objects.select_related("membership__agency").get(username=username)


@transaction.atomic
def seed_cases_demo(*, partnership: Partnership, today: date) -> None:
    police, mental_health, social_worker = _user("police.officer"), _user("mental.health"), _user("social.worker")
    school = _agency("Northgate Primary School")
    gp = _agency("Riverside Medical Practice")
    health_visiting = _agency("Northshire Health Visiting")

    # The Ashdown family, known to the police only.
    kerry = person_create(partnership=partnership, by=police, given_name="Kerry", family_name="Ashdown",
                          date_of_birth=date(today.year - 31, 5, 14), sex=Person.Sex.FEMALE, ethnicity="WBRI",
                          first_language="English", interpreter_needed=False)
    dean = person_create(partnership=partnership, by=police, given_name="Dean", family_name="Walsh",
                         date_of_birth=date(today.year - 34, 11, 2), sex=Person.Sex.MALE, ethnicity="WBRI",
                         first_language="English", interpreter_needed=False)
    mia = person_create(partnership=partnership, by=police, given_name="Mia", family_name="Ashdown",
                        date_of_birth=date(today.year - 7, 9, 20), sex=Person.Sex.FEMALE, ethnicity="WBRI",
                        first_language="English", interpreter_needed=False, nhs_number="9434765919",
                        school=school, gp_practice=gp)
    leo = person_create(partnership=partnership, by=police, given_name="Leo", family_name="Ashdown",
                        date_of_birth=date(today.year - 2, 2, 8), sex=Person.Sex.MALE, ethnicity="WBRI",
                        first_language="English", interpreter_needed=False, nhs_number="9434765870",
                        gp_practice=gp, health_visiting=health_visiting)
    ashdowns = household_create(partnership=partnership, by=police, address="14 Mill Lane\nNorthtown",
                                postcode="NT1 4AB", members=[kerry, dean, mia, leo])
    relationship_create(person=kerry, other=mia, kind="parent", by=police)
    relationship_create(person=kerry, other=leo, kind="parent", by=police)
    relationship_create(person=dean, other=kerry, kind="partner", poses_risk=True, by=police)
    for number, (days_ago, summary, yes) in enumerate(ASHDOWN_CALL_OUTS, start=1):
        answers = {f"q{n}": "no" for n in range(1, 28)} | {q: "yes" for q in yes}
        incident_create(
            partnership=partnership, by=police, occurred_at=_at(today, days_ago), reported_by=police.membership.agency,
            reference=f"NP-{today.year}-{4100 + number}", location="14 Mill Lane, Northtown", summary=summary,
            household=ashdowns, victims=[kerry], perpetrators=[dean],
            children=[ChildAtIncident(mia, present=number in (4, 5)), ChildAtIncident(leo, present=number == 6)],
            dash=DashInput(answers=answers),
        )

    # An adult on the mental-health caseload, living with a child on a child protection plan.
    simon = person_create(partnership=partnership, by=mental_health, given_name="Simon", family_name="Price",
                          date_of_birth=date(today.year - 42, 3, 30), sex=Person.Sex.MALE, ethnicity="WBRI",
                          first_language="English", interpreter_needed=False, nhs_number="9434765838")
    ruby = person_create(partnership=partnership, by=social_worker, given_name="Ruby", family_name="Price",
                         date_of_birth=date(today.year - 9, 6, 11), sex=Person.Sex.FEMALE, ethnicity="WBRI",
                         first_language="English", interpreter_needed=False, school=school, gp_practice=gp)
    household_create(partnership=partnership, by=social_worker, address="3 Canal Street\nNorthtown",
                     postcode="NT2 7QP", members=[simon, ruby])
    relationship_create(person=simon, other=ruby, kind="parent", by=social_worker)
    Case.objects.create(partnership=partnership, created_by=social_worker, child=ruby,
                        status=Case.Status.CHILD_PROTECTION, lead_professional=social_worker,
                        opened_on=today - timedelta(days=75), category_of_abuse="EMO")

    # A record with gaps, and the likely duplicate a MASH worker is about to create.
    person_create(partnership=partnership, by=social_worker, given_name="Jayden", family_name="Smith",
                  date_of_birth=date(2015, 3, 4), sex=Person.Sex.MALE)

    # A staff member's child: restricted to named users.
    harper = person_create(partnership=partnership, by=social_worker, given_name="Harper", family_name="Lewis",
                           date_of_birth=date(today.year - 12, 1, 19), sex=Person.Sex.FEMALE, ethnicity="MWBC",
                           first_language="English", interpreter_needed=False)
    Person.objects.filter(pk=harper.pk).update(restricted=True)
    RestrictedAccess.objects.create(partnership=partnership, created_by=social_worker, person=harper,
                                    user=_user("senior.manager"))
