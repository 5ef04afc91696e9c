"""A year of the demo partnership's work (SPEC 9): the history behind every dashboard measure.

Twelve months of the front door and what followed it, ending a few days before the seed runs, so each
measure of SPEC 4 has real numbers, met and missed, spread over the months:

- about 14 referrals a month, each decided by the MASH manager: at first about 60% inside 1 working day,
  rising to about 85% as the year goes on; fed back to the referrer inside 1 working day only about 60% of
  the time (the rest late, and three never: chased to the top of the ladder months ago);
- agency checks answered on time or late, and some agencies much better at it than others (the police
  and the school usually on time, the GP practice usually late);
- sixteen families whose referrals opened cases: child and family assessments inside 45 working days or
  late, some cases since closed; strategy meetings held within 24 hours of the threshold or late, invited
  agencies attending, sending information or sending apologies, minutes distributed inside 1 working day
  or late, two meetings considered and not held with the reason recorded; section 47 enquiries leading to
  initial child protection conferences inside 15 working days or late;
- the children's voices: recent for most open cases, stale for two, under-fives heard by observation and
  play; repeat referrals within 12 months; domestic-abuse incidents with DASH assessments, MARAC referrals
  (one victim a repeat MARAC case), escalating children already reviewed, Operation Encompass notices sent
  before the next school day or late; escalations resolved at every stage, one concluded by the partnership;
  some children recorded with gaps (no ethnicity, language, NHS number or school).

Old work is finished (late, where it was late), so the chasers and the home pages carry only what the other
stories leave open; the three decisions never fed back were chased to the top of the ladder when they fell
due, and those reminders read. Rows are written directly (``bulk_create``), every one within the models'
constraints, with the due times the services would have stored (the partnership's working-day calendar).
Deterministic: a seeded generator and fixed tables, all relative to ``now``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet

from agencies.models import Agency, Chase, Notification, Partnership, User
from agencies.rules import WorkingCalendar
from agencies.selectors import calendar_for
from cases.models import (
    Case,
    ChildVoice,
    DashAssessment,
    EncompassNotice,
    Household,
    HouseholdMember,
    Incident,
    IncidentChild,
    IncidentParty,
    MaracReferral,
    Person,
    PersonFlag,
    Relationship,
)
from cases.rules.people import name_key
from referrals import rules as referral_rules
from referrals.models import AgencyCheck, Decision, Escalation, EscalationStage, Feedback, Referral, ReferralChild
from strategy_meetings import rules as meeting_rules
from strategy_meetings.models import (
    Action,
    Contribution,
    Invitation,
    MinutesDistribution,
    StrategyMeeting,
    StrategyMeetingChild,
)

HISTORY_SEED = 20_251_122
MONTHS = 12
# The history runs from a year before the seed to this many days before it (the other stories are the present).
NEWEST_DAYS_AGO = 5
OLDEST_DAYS_AGO = 364
REFERRALS_PER_MONTH = 14
ASSESSMENT_WORKING_DAYS = 45

CSC = "Northshire Children's Services"
POLICE = "Northshire Police"
HEALTH_VISITING = "Northshire Health Visiting"
GP = "Riverside Medical Practice"
SCHOOL = "Northgate Primary School"
SCHOOL_NURSING = "Northshire School Nursing"
MENTAL_HEALTH = "Northshire Adult Mental Health"

# The referring practitioners of the fillers, weighted by how often each agency refers.
REFERRERS = (
    ("police.officer", 6), ("teacher", 5), ("health.visitor", 4), ("gp", 3), ("school.nurse", 2), ("ed.nurse", 2),
    ("early.help", 2), ("housing", 1), ("mental.health", 1), ("camhs", 1), ("midwife", 1), ("da.worker", 1),
    ("substance.misuse", 1), ("youth.justice", 1), ("probation", 1),
)
# How often each agency answers a check on time: the police and the school reliably, the GP practice rarely.
CHECK_ON_TIME = {POLICE: 0.9, SCHOOL: 0.85, HEALTH_VISITING: 0.7, GP: 0.35, MENTAL_HEALTH: 0.6}
CHECK_ANSWERERS = {POLICE: "police.officer", SCHOOL: "teacher", HEALTH_VISITING: "health.visitor", GP: "gp",
                   MENTAL_HEALTH: "mental.health"}
# How often each kind of invited agency is heard at a strategy meeting (attends or sends information).
HEARD_AT_MEETINGS: dict[str, float] = {Agency.Kind.POLICE: 0.9, Agency.Kind.HEALTH: 0.65}
CONTRIBUTORS = {POLICE: "police.officer", SCHOOL: "teacher", HEALTH_VISITING: "health.visitor"}
CHECK_ANSWERS = {
    POLICE: "No recorded incidents at the address in the last two years; no markers.",
    SCHOOL: "Attendance 93% this year; no safeguarding concerns logged before this one.",
    HEALTH_VISITING: "All reviews up to date; mother engages well; no concerns recorded.",
    GP: "Registered with the practice; two missed appointments last year, otherwise nothing of note.",
    MENTAL_HEALTH: "Parent not known to adult mental health services.",
}

GIVEN_F = ("Amelia", "Isla", "Ava", "Lily", "Freya", "Evie", "Willow", "Phoebe", "Daisy", "Harriet", "Erin",
           "Niamh", "Zara", "Layla", "Imogen", "Florence", "Matilda", "Esme", "Orla", "Holly-Mae", "Keira", "Tia",
           "Leah", "Jasmine", "Courtney", "Skye", "Nadia", "Ruby-Rose", "Aaliyah", "Eden")
GIVEN_M = ("Oliver", "Harry", "Jack", "Charlie", "Alfie", "Archie", "Oscar", "Reuben", "Ethan", "Logan",
           "Riley", "Lewis", "Kieran", "Tyler-James", "Ryan", "Jamie", "Connor", "Dylan", "Bailey", "Kyle", "Zach",
           "Ibrahim", "Yusuf", "Marcus", "Kofi", "Callum-Lee", "Ronan", "Declan", "Ellis", "Harvey-Lee")
FAMILY = ("Ainsworth", "Bradshaw", "Cartwright", "Dunmore", "Ellwood", "Fairbairn", "Garside", "Holroyd",
          "Ibbotson", "Jowett", "Kershaw", "Lumb", "Marsden", "Nuttall", "Ogden", "Pickles", "Quarmby", "Rhodes",
          "Sutcliffe", "Thwaite", "Uttley", "Varley", "Whiteley", "Yeadon", "Ackroyd", "Barraclough", "Crabtree",
          "Dobson", "Earnshaw", "Firth", "Greenwood", "Haigh", "Illingworth", "Jagger", "Kitson", "Lockwood",
          "Mellor", "Normington", "Oldroyd", "Priestley", "Ramsden", "Shackleton", "Tattersall", "Wadsworth")
ETHNICITIES = ("WBRI",) * 10 + ("WOTH", "MWBC", "APKN", "BAFR", "WIRI", "MOTH", "AIND", "BCRB", "WROM", "CHNE")
STREETS = ("Albert Terrace", "Beck Lane", "Clough Road", "Dale View", "Fold Court", "Gate Street", "Hey Lane",
           "Ing Close", "Kiln Row", "Lathe Street", "Moor Road", "Nab Lane", "Owler Gardens", "Park Side",
           "Royd Crescent", "Shaw Lane", "Tenter Fold", "Wharf Street")

FILLER_CONCERNS = {
    Referral.Category.NEGLECT: ("{name} often arrives hungry and in unwashed clothes; the family has not taken up"
                                " offers of help.", "Home conditions are poor: no working heating and little food"
                                                    " when visited."),
    Referral.Category.EMOTIONAL_ABUSE: ("{name} says a parent calls them stupid and useless every day and they are"
                                        " scared to go home.",),
    Referral.Category.PHYSICAL_ABUSE: ("{name} has bruising to the upper arm that the explanation given does not"
                                       " fit.",),
    Referral.Category.DOMESTIC_ABUSE: ("{name} told staff that the adults at home were fighting and that they hid"
                                       " in their room.",),
    Referral.Category.PARENTAL_MENTAL_HEALTH: ("{name}'s parent has been admitted to hospital for their mental"
                                               " health and there is no clear plan for who cares for the child.",),
    Referral.Category.PARENTAL_SUBSTANCE_MISUSE: ("{name}'s parent was found intoxicated while caring for them.",),
    Referral.Category.GOING_MISSING: ("{name} has been reported missing twice this month and will not say where"
                                      " they were.",),
    Referral.Category.OTHER: ("{name}'s family has been evicted and is staying with friends; the school is worried"
                              " about attendance.",),
}
FILLER_OUTCOMES = (
    (Decision.Outcome.NO_FURTHER_ACTION, "No evidence the child is at risk of significant harm; the referrer's"
                                         " agency will keep offering support."),
    (Decision.Outcome.ADVICE_SIGNPOSTING, "Needs can be met by universal services: the family has been signposted"
                                          " to the family hub and the referrer advised."),
    (Decision.Outcome.EARLY_HELP, "Needs are below the threshold for statutory services but need a coordinated"
                                  " plan: early help assessment offered and accepted."),
)


@dataclass(frozen=True)
class Kid:
    given_name: str
    sex: str
    years: int
    months: int = 0


@dataclass(frozen=True)
class CaseFamily:
    """A family whose referral opened children's cases, and what happened next."""

    family_name: str
    street: str
    postcode: str
    mother: str
    children: tuple[Kid, ...]
    referred_days_ago: int
    referrer: str
    concerns: str
    category: str
    # "strategy" (a strategy discussion: a meeting), "not_held" (considered and not held), "assessment" (s17).
    route: str
    # A section 47 outcome at the meeting (the conference follows), else a child and family assessment.
    section_47: bool = False
    # Closed some weeks after the assessment, if that is before today.
    closes: bool = False
    # The partner posing a risk, and the police call-outs to the address (days ago, DASH level).
    perpetrator: str = ""
    incidents: tuple[tuple[int, str], ...] = ()
    # Referred again later (days ago), while the case was open.
    again_days_ago: int = 0
    # The assessment finished late, whatever the year's trend.
    late_assessment: bool = False
    # The children's voice last heard this many days ago, on an open case (stale beyond 42).
    stale_days: int = 0
    # A data-quality gap on the children's records.
    gaps: bool = False


F = Person.Sex.FEMALE
M = Person.Sex.MALE
DA = Referral.Category.DOMESTIC_ABUSE

CASE_FAMILIES = (
    CaseFamily("Ackerley", "Beck Lane", "NT5 1AA", "Donna", (Kid("Kayden", M, 6), Kid("Paige", F, 3)), 350,
               "police.officer", "Third call-out in four months: Paige was in her mother's arms when she was"
               " pushed.", DA, "strategy", section_47=True, closes=True, perpetrator="Wayne Hirst",
               incidents=((362, "standard"), (356, "medium"), (351, "high"))),
    CaseFamily("Brightmore", "Clough Road", "NT5 2BB", "Lisa", (Kid("Tegan", F, 11),), 330, "teacher",
               "Tegan disclosed that her mother's partner touched her inappropriately.",
               Referral.Category.SEXUAL_ABUSE, "strategy", section_47=True, late_assessment=True),
    CaseFamily("Copley", "Dale View", "NT5 3CC", "Stacey", (Kid("Alfie-James", M, 1, 4),), 318, "health.visitor",
               "Mother has been drinking heavily and Alfie-James was left alone in the flat.",
               Referral.Category.PARENTAL_SUBSTANCE_MISUSE, "assessment", closes=True),
    CaseFamily("Dewhirst", "Fold Court", "NT5 4DD", "Michelle", (Kid("Brandon", M, 14), Kid("Chloe", F, 9)), 300,
               "police.officer", "Domestic incident: Brandon stepped between his mother and her partner and was"
               " punched.", DA, "strategy", section_47=True, perpetrator="Lee Fenton",
               incidents=((305, "high"), (240, "medium"), (150, "high")), again_days_ago=150),
    CaseFamily("Entwistle", "Gate Street", "NT5 5EE", "Kelly", (Kid("Maisie", F, 0, 5),), 285, "midwife",
               "Baby Maisie's father has a conviction for violence to a previous baby; mother does not accept the"
               " risk.", Referral.Category.PHYSICAL_ABUSE, "not_held", gaps=True),
    CaseFamily("Fothergill", "Hey Lane", "NT5 6FF", "Sharon", (Kid("Jordan", M, 15),), 262, "youth.justice",
               "Jordan has been found with drugs and cash far from home twice.", Referral.Category.EXPLOITATION,
               "assessment", closes=True, late_assessment=True),
    CaseFamily("Gledhill", "Ing Close", "NT5 7GG", "Joanne", (Kid("Summer", F, 7), Kid("River", M, 4),
                                                             Kid("Storm", F, 1)), 240, "health.visitor",
               "Home conditions very poor; the children are often unwashed and River has tooth decay needing"
               " extractions.", Referral.Category.NEGLECT, "assessment", again_days_ago=60),
    CaseFamily("Hinchliffe", "Kiln Row", "NT5 8HH", "Amy", (Kid("Lola", F, 8), Kid("Noel", M, 2)), 215,
               "police.officer", "Police called to the home; Amy had been strangled; both children were in the"
               " house.", DA, "strategy", section_47=True, perpetrator="Craig Moss",
               incidents=((218, "high"), (120, "high"), (40, "medium"))),
    CaseFamily("Illsley", "Lathe Street", "NT5 9JJ", "Natalie", (Kid("Owen", M, 12),), 195, "camhs",
               "Owen has been self-harming and says his stepfather hits him when he is drunk.",
               Referral.Category.PHYSICAL_ABUSE, "strategy", section_47=False, closes=True),
    CaseFamily("Jessop", "Moor Road", "NT6 1KK", "Claire", (Kid("Frankie", F, 3),), 175, "ed.nurse",
               "Frankie, 3, brought in with a spiral fracture of the arm and no explanation.",
               Referral.Category.PHYSICAL_ABUSE, "strategy", section_47=True, stale_days=50),
    CaseFamily("Kilner", "Nab Lane", "NT6 2LL", "Gemma", (Kid("Bethany", F, 13), Kid("Mason-Lee", M, 10)), 150,
               "teacher", "Bethany says her mother's new partner shouts and throws things; Mason-Lee is wetting the"
               " bed.", DA, "assessment", perpetrator="Jason Pell", incidents=((160, "standard"), (100, "medium")),
               gaps=True),
    CaseFamily("Lindley", "Owler Gardens", "NT6 3MM", "Rachel", (Kid("Theo", M, 0, 9),), 128, "health.visitor",
               "Mother has severe postnatal depression and has said she cannot keep Theo safe.",
               Referral.Category.PARENTAL_MENTAL_HEALTH, "not_held"),
    CaseFamily("Mitchell", "Park Side", "NT6 4NN", "Hayley", (Kid("Ruby-Mae", F, 5), Kid("Louie", M, 3)), 100,
               "police.officer", "Repeat incident at the address; Ruby-Mae told officers 'Daddy hurt Mummy's neck'.",
               DA, "strategy", section_47=True, perpetrator="Dale Mitchell", incidents=((104, "high"), (55, "high"))),
    CaseFamily("Newsome", "Royd Crescent", "NT6 5PP", "Kirsty", (Kid("Aiden", M, 9),), 80, "school.nurse",
               "Aiden has lost weight, is always hungry and has head lice that are never treated.",
               Referral.Category.NEGLECT, "assessment", stale_days=46),
    CaseFamily("Oddy", "Shaw Lane", "NT6 6QQ", "Tanya", (Kid("Mia-Rose", F, 4), Kid("Jenson", M, 0, 7)), 45,
               "gp", "Jenson has a bruise on his cheek at 7 months and is not yet mobile.",
               Referral.Category.PHYSICAL_ABUSE, "strategy", section_47=True),
    CaseFamily("Pearson", "Tenter Fold", "NT6 7RR", "Leanne", (Kid("Kacey", F, 16),), 20, "police.officer",
               "Kacey was found in a flat with adult men; she says she is in a relationship with a 24-year-old.",
               Referral.Category.EXPLOITATION, "strategy", section_47=True),
)


class _History:
    def __init__(self, partnership: Partnership, now: datetime) -> None:
        self.partnership = partnership
        self.now = now
        self.calendar: WorkingCalendar = calendar_for(partnership)
        self.tz = self.calendar.tz
        self.today = now.astimezone(self.tz).date()
        # Seeded on purpose: the demo is the same story every time it is made.
        self.rng = random.Random(HISTORY_SEED)  # noqa: S311
        self.agencies = {agency.name: agency for agency in Agency.objects.filter(partnerships=partnership)}
        self.users = {
            user.username: user
            for user in User.objects.filter(membership__partnership=partnership).select_related("membership__agency")
        }
        self.nhs_serial = 0
        self.reference_serial = 0
        # (child pk) -> receipt times of their referrals, for repeat referrals.
        self.referred: dict[int, list[datetime]] = defaultdict(list)
        self.never_fed_back: list[_Referral] = []
        # (measure, month or key) -> [met, all], for ``met``.
        self.tallies: dict[tuple[str, object], list[int]] = defaultdict(lambda: [0, 0])

    # -- time --------------------------------------------------------------------------------------------------

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def working_day(self, day: date) -> date:
        while not self.calendar.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.tz)

    def working_at(self, days_ago: int) -> datetime:
        """A moment in working hours on the working day ``days_ago`` days ago (or the one before)."""
        return self.at(self.working_day(self.day(days_ago)), self.rng.randint(9, 15), self.rng.choice((0, 15, 30, 45)))

    def between(self, start: datetime, end: datetime) -> datetime:
        """A moment strictly between ``start`` and ``end``, to the minute."""
        minutes = max(int((end - start).total_seconds() // 60) - 2, 1)
        return start + timedelta(minutes=self.rng.randint(1, minutes))

    def months_ago(self, at: datetime | date) -> int:
        """0 for this calendar month, 1 for last month, and so on."""
        day = at.astimezone(self.tz).date() if isinstance(at, datetime) else at
        return (self.today.year * 12 + self.today.month) - (day.year * 12 + day.month)

    def progress(self, at: datetime | date) -> float:
        """0 a year ago, 1 this month: how far the partnership's improvement has come."""
        return min(max(1 - self.months_ago(at) / MONTHS, 0.0), 1.0)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def met(self, measure: str, at: datetime | date, rate: float, key: object = None) -> bool:
        """Whether the next record of ``measure`` in ``at``'s month (or of ``key``) met its timescale, so that
        the month's share of records met is ``rate`` rounded, whatever the order they come in."""
        tally = self.tallies[(measure, key if key is not None else self.months_ago(at))]
        tally[1] += 1
        hit = tally[0] < round(rate * tally[1])
        tally[0] += hit
        return hit

    # -- people ------------------------------------------------------------------------------------------------

    def user(self, username: str) -> User:
        return self.users[username]

    def agency(self, name: str) -> Agency:
        return self.agencies[name]

    def agency_of(self, username: str) -> Agency:
        return self.users[username].membership.agency

    def nhs_number(self) -> str:
        """A valid NHS number (modulus 11 check digit) in the demo's own range."""
        while True:
            self.nhs_serial += 1
            digits = [int(d) for d in f"943{self.nhs_serial:06d}"]
            check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
            if check == 11:
                check = 0
            if check != 10:
                return "".join(map(str, digits)) + str(check)

    def born(self, years: int, months: int = 0, *, days_ago: int = 0) -> date:
        """A date of birth making someone ``years`` and ``months`` old ``days_ago`` days ago."""
        return self.day(days_ago) - timedelta(days=years * 365 + months * 30 + self.rng.randint(5, 25))

    def child(self, given: str, family: str, sex: str, born: date, *, by: User, gaps: bool = False) -> Person:
        age = (self.today - born).days / 365
        ethnicity = self.rng.choice(ETHNICITIES)
        return Person(
            partnership=self.partnership, created_by=by, given_name=given, family_name=family,
            search_name=name_key(given, family), date_of_birth=born, sex=sex,
            ethnicity="" if gaps else ethnicity, first_language="" if gaps else "English",
            interpreter_needed=None if gaps else False, nhs_number="" if gaps else self.nhs_number(),
            school=self.agency(SCHOOL) if 5 <= age < 16 and not gaps else None,
            gp_practice=self.agency(GP), health_visiting=self.agency(HEALTH_VISITING) if age < 5 else None,
        )

    def adult(self, given: str, family: str, sex: str, *, by: User) -> Person:
        return Person(
            partnership=self.partnership, created_by=by, given_name=given, family_name=family,
            search_name=name_key(given, family), date_of_birth=self.born(self.rng.randint(24, 42)), sex=sex,
            ethnicity="WBRI", first_language="English", interpreter_needed=False,
        )


def _months_back(first: date, months: int) -> date:
    """The first day of the month ``months`` before the month starting ``first`` (negative: after it)."""
    year, month = divmod(first.year * 12 + first.month - 1 - months, 12)
    return date(year, month + 1, 1)


def _bulk(model: type[Any], rows: list[Any]) -> list[Any]:
    return model.objects.bulk_create(rows, batch_size=500) if rows else []


@dataclass
class _Referral:
    """A referral to write, with what followed it."""

    referral: Referral
    children: list[Person]
    outcome: str
    rationale: str
    decided_at: datetime
    feedback_at: datetime | None
    checks: list[AgencyCheck] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


# Every child of the history has one of these family names, and no child of the other stories does.
HISTORY_FAMILY_NAMES = frozenset(FAMILY) | frozenset(family.family_name for family in CASE_FAMILIES)


def history_referrals() -> QuerySet[Referral]:
    """The referrals of the year of history, told apart from the other stories' by their children's names."""
    return Referral.objects.filter(children__child__family_name__in=HISTORY_FAMILY_NAMES).distinct()


def seed_history(*, partnership: Partnership, now: datetime) -> None:
    """Write the year of history of the demo partnership, as it stands at ``now`` (after the other stories)."""
    history = _History(partnership, now)
    writer = _Writer(history)
    writer.families()
    writer.fillers()
    writer.write()


class _Writer:
    def __init__(self, history: _History) -> None:
        self.h = history
        self.referrals: list[_Referral] = []
        self.meetings: list[tuple[StrategyMeeting, list[Person], list[tuple[Agency, str, bool]], int]] = []
        self.voices: list[ChildVoice] = []
        self.incidents: list[tuple[Incident, DashAssessment, list[Person], Person, Person | None, Household]] = []
        self.cases: list[Case] = []
        self.case_agencies: list[tuple[Case, Agency]] = []
        self.households: list[tuple[Household, list[Person]]] = []
        self.relationships: list[tuple[Person, Person, str, bool]] = []
        self.people: list[Person] = []
        self.flags: list[PersonFlag] = []
        self.marac: list[MaracReferral] = []
        self.escalations: list[tuple[Escalation, list[EscalationStage]]] = []

    # -- the families with cases -------------------------------------------------------------------------------

    def families(self) -> None:
        h = self.h
        social_worker = h.user("social.worker")
        for family in CASE_FAMILIES:
            kids = [h.child(kid.given_name, family.family_name, kid.sex,
                            h.born(kid.years, kid.months, days_ago=family.referred_days_ago),
                            by=social_worker, gaps=family.gaps and index == 0)
                    for index, kid in enumerate(family.children)]
            mother = h.adult(family.mother, family.family_name, F, by=social_worker)
            partner = None
            if family.perpetrator:
                given, surname = family.perpetrator.split(" ", 1)
                partner = h.adult(given, surname, M, by=social_worker)
            adults = [mother] + ([partner] if partner else [])
            self.people.extend(kids + adults)
            number = h.rng.randint(2, 98)
            household = Household(partnership=h.partnership, created_by=social_worker,
                                  address=f"{number} {family.street}\nNorthtown", postcode=family.postcode)
            self.households.append((household, kids + adults))
            for kid in kids:
                self.relationships.append((mother, kid, "parent", False))
                if partner is not None:
                    self.relationships.append((partner, kid, "step_parent", True))
            if partner is not None:
                self.relationships.append((partner, mother, "partner", True))
            incidents = [self.incident(kids, mother, partner, household, days_ago, level)
                         for days_ago, level in family.incidents]
            self.family_referrals(family, kids, incidents)

    def incident(self, kids: list[Person], victim: Person, perpetrator: Person | None, household: Household,
                 days_ago: int, level: str) -> Incident:
        h = self.h
        police = h.user("police.officer")
        h.reference_serial += 1
        occurred = h.at(h.day(days_ago), h.rng.choice((19, 21, 22, 23)), h.rng.choice((5, 20, 40)))
        incident = Incident(
            partnership=h.partnership, created_by=police, occurred_at=occurred, reported_by=h.agency(POLICE),
            reference=f"NPH-{h.reference_serial:05d}", location=household.address.replace("\n", ", "),
            summary="Officers attended a report of a domestic argument; the children were in the house.",
            household=household, risk_level=level,
        )
        yes = {"standard": h.rng.randint(3, 7), "medium": h.rng.randint(10, 12), "high": h.rng.randint(14, 17)}[level]
        answers = {f"q{n}": "yes" if n <= yes else "no" for n in range(1, 28)}
        dash = DashAssessment(partnership=h.partnership, created_by=police, answers=answers, score=yes, level=level,
                              answered_by=police, answered_at=occurred + timedelta(hours=1))
        self.incidents.append((incident, dash, kids, victim, perpetrator, household))
        return incident

    def family_referrals(self, family: CaseFamily, kids: list[Person], incidents: list[Incident]) -> None:
        h = self.h
        received = h.working_at(family.referred_days_ago)

        def latest_before(moment: datetime) -> Incident | None:
            earlier = [incident for incident in incidents if incident.occurred_at < moment]
            return earlier[-1] if earlier and family.category == DA else None

        if family.route == "assessment":
            outcome = Decision.Outcome.CHILD_AND_FAMILY_ASSESSMENT
            rationale = "The children may be in need: a child and family assessment (section 17) is needed."
        else:
            outcome = Decision.Outcome.STRATEGY_DISCUSSION
            rationale = ("Reasonable cause to suspect significant harm: the threshold for a strategy discussion is"
                         " met.")
        made = self.referral(family.referrer, kids, family.concerns, [family.category], received, outcome, rationale,
                             urgency=Referral.Urgency.URGENT, incident=latest_before(received))
        opened_on = made.decided_at.astimezone(h.tz).date()
        meeting_held: datetime | None = None
        if family.route in ("strategy", "not_held"):
            meeting_held = self.meeting(family, kids, made)
        cases = [self.case(family, kid, opened_on, meeting_held) for kid in kids]
        made.cases = cases
        if family.again_days_ago:
            again = h.working_at(family.again_days_ago)
            repeat = self.referral(
                "teacher" if family.family_name != "Dewhirst" else "police.officer", kids,
                f"New concerns for the {family.family_name} children while the case is open: the children say the"
                " shouting has started again.", [family.category], again, Decision.Outcome.ALREADY_OPEN,
                "The children's cases are open: the new information has gone to their social worker.",
                incident=latest_before(again))
            repeat.cases = [case for case in cases if case.closed_on is None or case.closed_on >= again.date()]

    def meeting(self, family: CaseFamily, kids: list[Person], made: _Referral) -> datetime | None:
        """The strategy meeting the decision convened; when it was held (None when considered and not held)."""
        h = self.h
        threshold = made.decided_at
        chair = h.user("mash.manager")
        due_by = threshold + timedelta(hours=h.partnership.strategy_meeting_due_hours)
        meeting = StrategyMeeting(
            partnership=h.partnership, created_by=chair, referral=made.referral, reason=family.concerns,
            threshold_met_at=threshold, due_by=due_by, chair=chair,
        )
        under_five = any((h.today - kid.date_of_birth).days < 5 * 365 for kid in kids if kid.date_of_birth)
        health = h.agency(HEALTH_VISITING if under_five else SCHOOL_NURSING)
        invited = [(h.agency(CSC), True), (h.agency(POLICE), True), (health, True)]
        if any(kid.school_id for kid in kids):
            invited.append((h.agency(SCHOOL), False))
        if family.route == "not_held":
            meeting.status = StrategyMeeting.Status.CONSIDERED_NOT_HELD
            meeting.not_held_rationale = (
                "Discussed with the police and health by telephone within the hour: no reasonable cause to suspect"
                " significant harm once the facts were checked; the concern is one of need, not harm."
            )
            meeting.not_held_instead = "A child and family assessment (section 17) with health visiting involved."
            self.meetings.append((meeting, kids, [], 0))
            return None
        on_time = h.met("meeting", threshold, 0.45 + 0.4 * h.progress(threshold), key="all")
        held_at = threshold + timedelta(hours=h.rng.randint(3, 22) if on_time else h.rng.randint(27, 60))
        held_at = min(held_at, h.now - timedelta(days=2))
        meeting.status = StrategyMeeting.Status.HELD
        meeting.scheduled_for = held_at
        meeting.held_at = held_at
        if family.section_47:
            meeting.outcome = StrategyMeeting.Outcome.SECTION_47_JOINT if h.chance(0.6) else (
                StrategyMeeting.Outcome.SECTION_47_SINGLE_AGENCY)
            meeting.icpc_due_by = meeting_rules.icpc_due_by(held_at, h.calendar)
            within = h.met("conference", held_at, 0.5 + 0.3 * h.progress(held_at), key="all")
            days = h.rng.randint(10, 15) if within else h.rng.randint(17, 22)
            conference_day = h.calendar.add_working_days(held_at, days).date()
            meeting.icpc_at = h.at(conference_day, 10)
        else:
            meeting.outcome = StrategyMeeting.Outcome.CHILD_AND_FAMILY_ASSESSMENT
        responses: list[tuple[Agency, str, bool]] = []
        for agency, required in invited:
            if agency.kind == Agency.Kind.CHILDRENS_SOCIAL_CARE:
                response = Invitation.Response.ATTENDED
            else:
                heard = h.chance(HEARD_AT_MEETINGS.get(agency.kind, 0.7))
                response = (h.rng.choice((Invitation.Response.ATTENDED, Invitation.Response.SENT_INFORMATION))
                            if heard else Invitation.Response.APOLOGIES)
            responses.append((agency, response, required))
        if any(required and response == Invitation.Response.APOLOGIES for _, response, required in responses):
            meeting.missing_agency_reason = ("Health sent apologies and nothing in writing; the children could not"
                                             " wait, so the meeting went ahead and health's records were asked"
                                             " for straight after.")
        meeting.minutes = (f"Strategy meeting about the {family.family_name} children. {family.concerns} Outcome:"
                           f" {StrategyMeeting.Outcome(meeting.outcome).label}. Actions as listed.")
        minutes_on_time = h.met("minutes", held_at, 0.5 + 0.35 * h.progress(held_at), key="all")
        if minutes_on_time:
            distributed = h.between(held_at, h.calendar.add_working_days(held_at, 1))
        else:
            distributed = h.calendar.add_working_days(held_at, h.rng.randint(2, 4)) + timedelta(minutes=30)
        meeting.minutes_distributed_at = min(distributed, h.now - timedelta(days=1))
        self.meetings.append((meeting, kids, responses, 2))
        return held_at

    def case(self, family: CaseFamily, kid: Person, opened_on: date, held_at: datetime | None) -> Case:
        h = self.h
        started = opened_on
        due = h.calendar.add_working_days(h.at(started, 12), ASSESSMENT_WORKING_DAYS).date()
        on_time = not family.late_assessment and h.met("assessment", started, 0.75, key="all")
        if on_time:
            completed = due - timedelta(days=h.rng.randint(2, 30))
        else:
            completed = due + timedelta(days=h.rng.randint(4, 25))
        completed = max(completed, started + timedelta(days=7))
        case = Case(
            partnership=h.partnership, created_by=h.user("mash.manager"), child=kid,
            lead_professional=h.user("social.worker"), opened_on=opened_on, assessment_started_on=started,
            primary_need="N1", factors=["3A", "3C"] if family.category == DA else [],
        )
        if completed <= h.today - timedelta(days=2):
            case.assessment_completed_on = completed
            section_47 = held_at is not None and family.section_47
            case.status = Case.Status.CHILD_PROTECTION if section_47 else Case.Status.CHILD_IN_NEED
            if section_47:
                case.category_of_abuse = "EMO" if family.category == DA else "PHY"
            closes_on = completed + timedelta(days=h.rng.randint(40, 110))
            if family.closes and closes_on <= h.today - timedelta(days=3):
                case.status = Case.Status.CLOSED
                case.closed_on = closes_on
                case.closure_reason = "RC8" if not section_47 else "RC7"
        else:
            case.status = Case.Status.ASSESSMENT
        self.cases.append(case)
        self.case_agencies.append((case, h.agency_of(family.referrer)))
        if family.category == DA:
            self.case_agencies.append((case, h.agency(POLICE)))
        if kid.health_visiting_id:
            self.case_agencies.append((case, h.agency(HEALTH_VISITING)))
        self.case_voices(family, kid, case)
        return case

    def case_voices(self, family: CaseFamily, kid: Person, case: Case) -> None:
        """The child heard at the start of the assessment and then about monthly while the case is open."""
        h = self.h
        start = h.at(case.opened_on + timedelta(days=h.rng.randint(1, 4)), h.rng.randint(10, 16))
        end = (h.at(case.closed_on, 12) if case.closed_on else h.now) - timedelta(days=1)
        if family.stale_days:
            end = h.now - timedelta(days=family.stale_days + 25)
        moment = min(start, end)
        while moment <= end:
            self.voices.append(self.voice(kid, case, moment))
            moment += timedelta(days=h.rng.randint(21, 38))
        if family.stale_days:
            # Last heard more than six weeks ago, and less long ago than the other stories' unheard children.
            self.voices.append(self.voice(kid, case, h.now - timedelta(days=family.stale_days)))

    def voice(self, kid: Person, case: Case, at: datetime) -> ChildVoice:
        h = self.h
        age = (at.date() - kid.date_of_birth).days / 365 if kid.date_of_birth else 8
        by = h.user("social.worker")
        voice = ChildVoice(partnership=h.partnership, created_by=by, child=kid, case=case, recorded_at=at,
                           practitioner=by, agency=by.membership.agency, seen_alone=age >= 4)
        if age < 2:
            if h.chance(0.5):
                voice.practitioner = voice.created_by = h.user("health.visitor")
                voice.agency = h.agency(HEALTH_VISITING)
            voice.method = ChildVoice.Method.OBSERVATION
            voice.seen_with = "Mother"
            voice.observations = h.rng.choice((
                f"{kid.given_name} was quiet and watchful, and did not look to their mother for comfort when upset.",
                f"{kid.given_name} babbled and reached for their mother, settled quickly when picked up.",
                f"{kid.given_name} flinched at raised voices in the next room and took a long time to settle.",
            ))
            voice.not_spoken_reason = ChildVoice.NotSpokenReason.TOO_YOUNG
        elif age < 5:
            voice.method = h.rng.choice((ChildVoice.Method.PLAY, ChildVoice.Method.OBSERVATION))
            voice.seen_with = "" if voice.seen_alone else "Mother"
            voice.observations = (f"{kid.given_name} played with the farm set; the toy animals 'shouted' and then"
                                  " hid in the barn.")
            voice.childs_words = "Mummy cry. Me hide." if h.chance(0.5) else ""
        else:
            voice.method = h.rng.choice((ChildVoice.Method.DIRECT_CONVERSATION, ChildVoice.Method.STRUCTURED_TOOL,
                                         ChildVoice.Method.DRAWING))
            if voice.method == ChildVoice.Method.STRUCTURED_TOOL:
                voice.tool = h.rng.choice(("Three houses", "Wishes and feelings"))
            voice.childs_words = h.rng.choice((
                "I like it when it's calm at home. I don't like it when they argue at night.",
                "School is my favourite place. I worry about Mum when I'm there.",
                "Things are better since the last time you came. Nobody shouts now.",
                "I want to stay at home but I want the fighting to stop.",
            ))
        voice.analysis = (f"What {kid.given_name} said and showed tells us how home feels; it is shared with the plan"
                          " and the next visit will check whether it has changed.")
        return voice

    # -- the referrals -----------------------------------------------------------------------------------------

    def referral(self, referrer: str, kids: list[Person], concerns: str, categories: list[str], received: datetime,
                 outcome: str, rationale: str, *, urgency: str = Referral.Urgency.STANDARD,
                 incident: Incident | None = None, never_fed_back: bool = False) -> _Referral:
        h = self.h
        by = h.user(referrer)
        due = referral_rules.decision_due_at(received, h.calendar)
        progress = h.progress(received)
        if h.met("decision", received, 0.6 + 0.25 * progress):
            decided = h.between(received + timedelta(minutes=40), due)
        else:
            decided = due + timedelta(hours=h.rng.randint(2, 30))
        decided = min(decided, h.now - timedelta(days=3))
        feedback_at = None
        if not never_fed_back:
            feedback_due = referral_rules.feedback_due_at(decided, h.calendar)
            if h.met("feedback", decided, 0.55 + 0.1 * progress):
                feedback_at = h.between(decided, feedback_due)
            else:
                feedback_at = h.calendar.add_working_days(feedback_due, h.rng.randint(1, 6)) + timedelta(hours=1)
            feedback_at = min(feedback_at, h.now - timedelta(days=1))
        if urgency == Referral.Urgency.IMMEDIATE:
            rag = "red"
        else:
            rag = h.rng.choice(("red", "amber") if urgency == Referral.Urgency.URGENT else ("amber", "green", "green"))
        referral = Referral(
            partnership=h.partnership, created_by=by, received_at=received, referrer_agency=by.membership.agency,
            referrer_name=f"{by.first_name} {by.last_name}".strip(),
            source_code=by.membership.agency.referral_source_code,
            concerns=concerns, categories=categories, urgency=urgency, incident=incident,
            family_told="That we are asking children's services for help.", consent=Referral.Consent.GIVEN,
            decision_due_at=due,
            status=Referral.Status.FED_BACK if feedback_at else Referral.Status.DECIDED,
            rag=rag, rag_by=h.user("mash.worker"), allocated_to=h.user("mash.worker"),
        )
        made = _Referral(referral, kids, outcome, rationale, decided, feedback_at)
        if never_fed_back:
            h.never_fed_back.append(made)
        # Agency checks: most referrals ask one or two agencies what they know.
        askable = [POLICE, GP]
        if any(kid.school_id for kid in kids):
            askable.append(SCHOOL)
        if any(kid.health_visiting_id for kid in kids):
            askable.append(HEALTH_VISITING)
        if Referral.Category.PARENTAL_MENTAL_HEALTH in categories:
            askable.append(MENTAL_HEALTH)
        if h.chance(0.7):
            for name in h.rng.sample(askable, k=min(len(askable), h.rng.choice((1, 1, 2)))):
                made.checks.append(self.check(made, name, received, decided))
        self.referrals.append(made)
        return made

    def check(self, made: _Referral, name: str, received: datetime, decided: datetime) -> AgencyCheck:
        h = self.h
        requested = received + timedelta(minutes=h.rng.randint(20, 90))
        due = referral_rules.check_due_at(requested, red=made.referral.rag == "red", calendar=h.calendar)
        if h.met("check", received, CHECK_ON_TIME[name], key=name):
            answered = h.between(requested, due)
        else:
            answered = due + timedelta(hours=h.rng.randint(1, 30))
        answered = min(answered, h.now - timedelta(days=2))
        answerer = h.user(CHECK_ANSWERERS[name])
        return AgencyCheck(
            partnership=h.partnership, created_by=h.user("mash.worker"), agency=h.agency(name),
            question="What does your agency know about the children and the adults in the household?",
            requested_at=requested, due_at=due, information=CHECK_ANSWERS[name], answered_at=answered,
            answered_by=answerer,
        )

    def fillers(self) -> None:
        """The rest of each month's referrals: children not taken on, some referred more than once."""
        h = self.h
        per_month: dict[int, int] = defaultdict(int)
        for made in self.referrals:
            per_month[h.months_ago(made.referral.received_at)] += 1
        names = [(g, F) for g in GIVEN_F] + [(g, M) for g in GIVEN_M]
        pairs = [(given, sex, family) for given, sex in names for family in FAMILY]
        h.rng.shuffle(pairs)
        referrers = [username for username, weight in REFERRERS for _ in range(weight)]
        earlier: list[tuple[Person, datetime]] = []
        # Months ago -> how far the month's escalation climbed (see ``escalation``); the months of the
        # decisions never fed back.
        escalation_months = {1: 1, 3: 2, 4: 3, 6: 1, 7: 4, 8: 1, 9: 2, 10: 5}
        never_months = {2, 5, 8}
        for month in range(MONTHS, -1, -1):
            first = _months_back(h.today.replace(day=1), month)
            last = _months_back(h.today.replace(day=1), month - 1) - timedelta(days=1)
            oldest = min((h.today - first).days, OLDEST_DAYS_AGO)
            newest = max((h.today - last).days, NEWEST_DAYS_AGO)
            if oldest < newest:
                continue
            share = (oldest - newest + 1) / ((last - first).days + 1)
            count = round(REFERRALS_PER_MONTH * share) - per_month[month]
            for index in range(count):
                days_ago = h.rng.randint(newest, oldest)
                received = h.working_at(days_ago)
                if h.months_ago(received) != month or (h.now - received).days > OLDEST_DAYS_AGO:
                    received = h.at(h.day(days_ago), h.rng.randint(10, 16))  # a weekend or holiday referral
                child: Person | None = None
                if earlier and h.chance(0.12):
                    # Referred again, within the 12 months since the child's first referral.
                    again, referred = h.rng.choice(earlier)
                    if referred < received <= referred + timedelta(days=300):
                        child = again
                if child is None:
                    given, sex, family = pairs.pop()
                    years = h.rng.choice((0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16))
                    child = h.child(given, family, sex, h.born(years, h.rng.randint(0, 11), days_ago=days_ago),
                                    by=h.user("mash.worker"), gaps=h.chance(0.15))
                    self.people.append(child)
                    earlier.append((child, received))
                category = h.rng.choice(list(FILLER_CONCERNS))
                concerns = h.rng.choice(FILLER_CONCERNS[category]).format(name=child.given_name)
                outcome, rationale = h.rng.choice(FILLER_OUTCOMES)
                never = month in never_months and index == 0
                made = self.referral(h.rng.choice(referrers), [child], concerns, [category], received, outcome,
                                     rationale, never_fed_back=never)
                stages = escalation_months.get(month)
                if stages and index == 1:
                    self.escalation(made, stages)

    def escalation(self, made: _Referral, pattern: int) -> None:
        """A referrer's disagreement with the decision, climbing as far as ``pattern`` says, then closed.

        1: resolved at stage 1; 2: escalated, resolved at 2; 3: stage 1 not answered in time, resolved at 2;
        4: resolved by the senior manager at 3; 5: concluded by the partnership at 4.
        """
        h = self.h
        referral = made.referral
        raiser = referral.created_by
        assert raiser is not None  # noqa: S101 - every history referral names its maker
        raised = h.calendar.add_working_days(made.decided_at, 1)
        escalation = Escalation(
            partnership=h.partnership, created_by=raiser, referral=referral, raised_by=raiser,
            raised_by_agency=referral.referrer_agency, raised_at=raised,
            reason="We do not agree: the child has told us more since, and the family has not taken up the help.",
        )
        climb = {1: ["resolved"], 2: ["escalate", "resolved"], 3: ["timed_out", "resolved"],
                 4: ["escalate", "escalate", "resolved"], 5: ["escalate", "escalate", "escalate", "resolved"]}[pattern]
        respondents = {1: "mash.manager", 2: "senior.manager", 3: "senior.manager", 4: "senior.manager"}
        stages = []
        opened = raised
        for number, outcome in enumerate(climb, start=1):
            due = referral_rules.escalation_stage_due_at(opened, number, h.calendar)
            responded = due if outcome == "timed_out" else h.between(opened, due)
            respondent = h.user(respondents[number])
            stages.append(EscalationStage(
                partnership=h.partnership, created_by=raiser, number=number, opened_at=opened, due_at=due,
                respondent=respondent, outcome=outcome,
                response="" if outcome == "timed_out" else (
                    "Agreed: the decision is changed to an early help assessment." if outcome == "resolved"
                    else "The decision stands on what we knew; I have asked my manager to look again."),
                responded_at=responded, responded_by=None if outcome == "timed_out" else respondent,
            ))
            opened = responded
        escalation.stage = len(climb)
        escalation.status = Escalation.Status.CONCLUDED if pattern == 5 else Escalation.Status.RESOLVED
        escalation.closed_at = opened
        if opened > h.now - timedelta(days=1):
            raise ValueError("An escalation of the history would end after the seed: move it earlier.")
        self.escalations.append((escalation, stages))

    # -- writing -----------------------------------------------------------------------------------------------

    def write(self) -> None:
        h = self.h
        _bulk(Person, self.people)
        _bulk(Household, [household for household, _ in self.households])
        _bulk(HouseholdMember, [
            HouseholdMember(partnership=h.partnership, created_by=household.created_by, household=household,
                            person=person)
            for household, members in self.households for person in members
        ])
        _bulk(Relationship, [
            Relationship(partnership=h.partnership, created_by=h.user("social.worker"), person=person, other=other,
                         kind=kind, poses_risk=risk)
            for person, other, kind, risk in self.relationships
        ])
        self.write_incidents()
        self.write_referrals()
        self.write_meetings()
        _bulk(ChildVoice, self.voices)
        self.write_escalations()
        self.never_fed_back_chased()

    def write_incidents(self) -> None:
        h = self.h
        _bulk(Incident, [incident for incident, *_ in self.incidents])
        for incident, dash, *_ in self.incidents:
            dash.incident = incident
        _bulk(DashAssessment, [dash for _, dash, *_ in self.incidents])
        parties, appearances, notices = [], [], []
        police = h.user("police.officer")
        counts: dict[int, list[datetime]] = defaultdict(list)
        marac_at: dict[int, list[datetime]] = defaultdict(list)
        for incident, _dash, kids, victim, perpetrator, _household in self.incidents:
            parties.append(IncidentParty(partnership=h.partnership, created_by=police, incident=incident,
                                         person=victim, role=IncidentParty.Role.VICTIM))
            if perpetrator is not None:
                parties.append(IncidentParty(partnership=h.partnership, created_by=police, incident=incident,
                                             person=perpetrator, role=IncidentParty.Role.PERPETRATOR))
            for kid in kids:
                age = (incident.occurred_at.date() - kid.date_of_birth).days / 365 if kid.date_of_birth else 8
                present = h.chance(0.5)
                seen = present and h.chance(0.8)
                appearances.append(IncidentChild(partnership=h.partnership, created_by=police, incident=incident,
                                                 child=kid, resident=True, present=present, seen=seen,
                                                 spoken_to=seen and age >= 4))
                counts[kid.pk].append(incident.occurred_at)
                if kid.school_id:
                    due = h.calendar.next_school_day_start(incident.occurred_at)
                    on_time = h.met("encompass", incident.occurred_at, 0.6, key="all")
                    sent = (h.between(incident.occurred_at + timedelta(minutes=30), due) if on_time
                            else due + timedelta(hours=h.rng.randint(2, 26)))
                    notices.append(EncompassNotice(
                        partnership=h.partnership, created_by=police, incident=incident, child=kid,
                        school_id=kid.school_id, occurred_at=incident.occurred_at, present=present,
                        spoken_to=seen and age >= 4, police_reference=incident.reference, due_by=due,
                        sent_at=min(sent, h.now - timedelta(days=1)),
                    ))
            if incident.risk_level == Incident.RiskLevel.HIGH:
                referred = incident.occurred_at + timedelta(days=1)
                repeat = any(referred - timedelta(days=365) <= earlier < referred for earlier in marac_at[victim.pk])
                self.marac.append(MaracReferral(partnership=h.partnership, created_by=police, victim=victim,
                                                incident=incident, referred_at=referred, repeat=repeat))
                if repeat:
                    self.flags.append(PersonFlag(
                        partnership=h.partnership, created_by=police, person=victim,
                        kind=PersonFlag.Kind.REPEAT_MARAC, raised_at=referred,
                        reason="A new high-risk incident within 12 months of a MARAC referral.",
                    ))
                marac_at[victim.pk].append(referred)
        _bulk(IncidentParty, parties)
        _bulk(IncidentChild, appearances)
        _bulk(EncompassNotice, notices)
        _bulk(MaracReferral, self.marac)
        # Three incidents in 12 months: the child was flagged escalating and reviewed by the MASH manager.
        by_pk = {person.pk: person for person in self.people}
        for child_pk, moments in counts.items():
            moments.sort()
            for index in range(2, len(moments)):
                if moments[index] - moments[index - 2] <= timedelta(days=365):
                    raised = moments[index] + timedelta(hours=2)
                    self.flags.append(PersonFlag(
                        partnership=h.partnership, created_by=police, person=by_pk[child_pk],
                        kind=PersonFlag.Kind.ESCALATING, raised_at=raised, incident_count=index + 1,
                        reason=f"{index + 1} domestic-abuse incidents in 12 months.",
                        reviewed_at=h.calendar.add_working_days(raised, 0) + timedelta(hours=3),
                        reviewed_by=h.user("mash.manager"),
                    ))
                    break
        _bulk(PersonFlag, self.flags)

    def write_referrals(self) -> None:
        h = self.h
        _bulk(Case, self.cases)
        through = Case.involved_agencies.through
        pairs = sorted({(case.pk, agency.pk) for case, agency in self.case_agencies})
        _bulk(through, [through(case_id=case_id, agency_id=agency_id) for case_id, agency_id in pairs])
        self.referrals.sort(key=lambda made: made.referral.received_at)
        _bulk(Referral, [made.referral for made in self.referrals])
        children = []
        for made in self.referrals:
            for kid in made.children:
                times = h.referred[kid.pk]
                repeat = any(referral_rules.is_repeat(earlier, made.referral.received_at) for earlier in times)
                times.append(made.referral.received_at)
                children.append(ReferralChild(partnership=h.partnership, created_by=made.referral.created_by,
                                              referral=made.referral, child=kid, repeat=repeat))
        _bulk(ReferralChild, children)
        checks = []
        for made in self.referrals:
            for check in made.checks:
                check.referral = made.referral
                checks.append(check)
        _bulk(AgencyCheck, checks)
        manager, worker = h.user("mash.manager"), h.user("mash.worker")
        decisions = _bulk(Decision, [
            Decision(partnership=h.partnership, created_by=manager, referral=made.referral, outcome=made.outcome,
                     rationale=made.rationale, decided_by=manager, decided_at=made.decided_at)
            for made in self.referrals
        ])
        linked = Decision.cases.through
        _bulk(linked, [linked(decision_id=decision.pk, case_id=case.pk)
                        for decision, made in zip(decisions, self.referrals, strict=True) for case in made.cases])
        _bulk(Feedback, [
            Feedback(partnership=h.partnership, created_by=worker, referral=made.referral,
                     method=h.rng.choice(list(Feedback.Method.values)), shared_at=made.feedback_at, shared_by=worker,
                     note="Told the referrer the outcome and who to contact.")
            for made in self.referrals if made.feedback_at is not None
        ])

    def write_meetings(self) -> None:
        h = self.h
        meetings = [meeting for meeting, *_ in self.meetings]
        for meeting in meetings:
            assert meeting.referral is not None  # noqa: S101 - every history meeting was convened by a decision
            meeting.referral_id = meeting.referral.pk
        _bulk(StrategyMeeting, meetings)
        children, invitations, contributions, distributions, actions = [], [], [], [], []
        chair = h.user("mash.manager")
        for meeting, kids, responses, action_count in self.meetings:
            children += [StrategyMeetingChild(partnership=h.partnership, created_by=chair, meeting=meeting, child=kid)
                         for kid in kids]
            invited_at = meeting.threshold_met_at + timedelta(minutes=20)
            for agency, response, required in responses:
                invitations.append(Invitation(partnership=h.partnership, created_by=chair, meeting=meeting,
                                              agency=agency, required=required, response=response,
                                              invited_at=invited_at,
                                              proposed_because="" if required else "The children's school."))
                if response == Invitation.Response.SENT_INFORMATION and meeting.held_at is not None:
                    by = h.user(CONTRIBUTORS.get(agency.name, "school.nurse"))
                    contributions.append(Contribution(
                        partnership=h.partnership, created_by=by, meeting=meeting, agency=agency, by=by,
                        at=h.between(invited_at, meeting.held_at),
                        information="What our records hold about the children and the adults, sent before the"
                                    " meeting.",
                    ))
                if meeting.minutes_distributed_at is not None:
                    distributions.append(MinutesDistribution(partnership=h.partnership, created_by=chair,
                                                             meeting=meeting, agency=agency,
                                                             distributed_at=meeting.minutes_distributed_at))
            if meeting.held_at is not None:
                for number in range(action_count):
                    due_by = (meeting.held_at + timedelta(days=7 * (number + 1))).date()
                    done = min(h.at(due_by, 11) - timedelta(days=h.rng.randint(0, 4)), h.now - timedelta(days=1))
                    actions.append(Action(
                        partnership=h.partnership, created_by=chair, meeting=meeting,
                        description=("Joint visit to see and speak to each child alone." if number == 0
                                     else "Share the health chronology with the social worker."),
                        owner_agency=h.agency(CSC if number == 0 else HEALTH_VISITING), due_by=due_by,
                        status=Action.Status.DONE, done_at=max(done, meeting.held_at + timedelta(hours=2)),
                    ))
        _bulk(StrategyMeetingChild, children)
        _bulk(Invitation, invitations)
        _bulk(Contribution, contributions)
        _bulk(MinutesDistribution, distributions)
        _bulk(Action, actions)

    def write_escalations(self) -> None:
        for escalation, _ in self.escalations:
            escalation.referral_id = escalation.referral.pk
        _bulk(Escalation, [escalation for escalation, _ in self.escalations])
        stages = []
        for escalation, escalation_stages in self.escalations:
            for stage in escalation_stages:
                stage.escalation = escalation
                stages.append(stage)
        _bulk(EscalationStage, stages)

    def never_fed_back_chased(self) -> None:
        """The decisions never fed back were chased to the top of the ladder when they fell due; read since."""
        h = self.h
        manager, senior = h.user("mash.manager"), h.user("senior.manager")
        for made in h.never_fed_back:
            referral, decided_at = made.referral, made.decided_at
            level_1 = referral_rules.feedback_due_at(decided_at, h.calendar)
            level_2 = h.calendar.add_working_days(level_1, 1)
            for level, due_at, recipient in ((1, level_1, manager), (2, level_2, senior)):
                chase = Chase.objects.create(rule="decision_not_fed_back", subject_type="referral",
                                             subject_id=referral.pk, level=level, due_at=due_at, sent_at=due_at,
                                             recipient=recipient, partnership=h.partnership)
                notification = Notification.objects.create(
                    recipient=recipient, kind="decision_not_fed_back", subject_type="referral", subject_id=referral.pk,
                    message=(f"{'Reminder' if level == 1 else 'Escalation (level 2 of 2)'}: the decision on referral"
                             f" {referral.pk} has not been fed back to {referral.referrer_agency.name}."),
                    link=f"/referrals/{referral.pk}/", level=level, chase=chase, due_at=due_at,
                    read_at=due_at + timedelta(hours=2), emailed_at=due_at,
                )
                Notification.objects.filter(pk=notification.pk).update(created_at=due_at)
