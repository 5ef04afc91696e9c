"""The demo partnership's front door (SPEC 9): a morning's triage queue and the stories around it.

- 30 referrals waiting for a decision, of mixed urgency, from most of the demo agencies: some rated
  red, amber or green, some allocated, two past their deadline. Siblings referred separately (the
  Ashdowns, the Novaks, the Hussains) sit together in the queue; Mia and Leo Ashdown carry their
  escalating flags, Ruby Price her protection plan, Noah Bennett a repeat referral.
- Agency checks: adult mental health has answered about baby Amira Hussain; youth justice has not
  answered about Oskar Kowalczyk, and the check is overdue; the GP has until this afternoon about Zain.
- A health-visitor referral (baby Olivia Grant) decided about three days ago and never fed back:
  the chase has reminded the MASH manager and escalated to the senior manager.
- A GP referral decided and fed back two months ago; a strategy discussion decided this morning for
  Tyler and Jade Morris, with the strategy meeting due; and a school's disagreement with a decision
  that was not answered in time and has climbed to stage 2 on its own.

Everything is written through the services, as the demo's users, at times before ``now``; the
services stamp a few things with the real time (a check's request, an escalation), which the seed
moves back so that their deadlines have passed as the story says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction

from agencies.chasers import chase_run
from agencies.models import Agency, Notification, Partnership, User
from agencies.rules import WorkingCalendar
from agencies.selectors import calendar_for
from cases.models import Person
from cases.services.people import household_create, person_create
from referrals import rules, services
from referrals.models import AgencyCheck, Escalation, EscalationStage, Referral
from referrals.services import NewChild

R = Referral.Category
U = Referral.Urgency
F = Person.Sex.FEMALE
M = Person.Sex.MALE

AGENCY_NAMES = {
    "police.officer": "Northshire Police",
    "health.visitor": "Northshire Health Visiting",
    "gp": "Riverside Medical Practice",
    "midwife": "Northshire Midwifery",
    "school.nurse": "Northshire School Nursing",
    "ed.nurse": "Northshire General Emergency Department",
    "mental.health": "Northshire Adult Mental Health",
    "camhs": "Northshire CAMHS",
    "substance.misuse": "Northshire Substance Misuse Service",
    "teacher": "Northgate Primary School",
    "probation": "Probation Service Northshire",
    "youth.justice": "Northshire Youth Justice Service",
    "cafcass": "Cafcass",
    "housing": "Northshire Homes",
    "early.help": "Northshire Early Help",
    "adult.social.care": "Northshire Adult Social Care",
    "da.worker": "Northshire Domestic Abuse Service",
}


@dataclass(frozen=True)
class Kid:
    given_name: str
    family_name: str
    years: int = 0
    months: int = 0
    sex: str = Person.Sex.UNKNOWN
    unborn_weeks: int = 0  # due this many weeks from today

    def born(self, today: date) -> date | None:
        if self.unborn_weeks:
            return None
        months = self.years * 12 + self.months
        year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
        return date(year, month + 1, min(today.day, 28)) - timedelta(days=11)


@dataclass(frozen=True)
class Family:
    """Siblings recorded together, in a household, by the agency that knows them."""

    by: str
    address: str
    postcode: str
    children: tuple[Kid, ...]


FAMILIES = {
    "novak": Family("teacher", "22 Station Road\nNorthtown", "NT1 2CD",
                    (Kid("Ellie", "Novak", 9, sex=F), Kid("Jakub", "Novak", 6, sex=M))),
    "hussain": Family("health.visitor", "Flat 4, Albion Court\nNorthtown", "NT3 5EF",
                      (Kid("Amira", "Hussain", months=4, sex=F), Kid("Zain", "Hussain", 3, sex=M))),
}


@dataclass(frozen=True)
class Waiting:
    """One referral of the morning's queue."""

    referrer: str  # the referring practitioner's username
    concerns: str
    categories: tuple[str, ...]
    hours_ago: float
    urgency: str = U.STANDARD
    # New children, or the names of children already recorded ("Mia Ashdown"), or a family's children.
    kids: tuple[Kid, ...] = ()
    known: tuple[str, ...] = ()
    # Telephoned in and recorded by the MASH worker, with the caller's name.
    phoned_by: str = ""
    consent: str = Referral.Consent.GIVEN
    rag: str = ""
    allocated_to: str = ""
    overdue: int = 0  # received 1 or 2 working days before now (its deadline is 1 working day after receipt)

    @property
    def first_child(self) -> str:
        return f"{self.kids[0].given_name} {self.kids[0].family_name}" if self.kids else self.known[0]


NO_CONSENT = "Asking the family first could put the child at risk of significant harm."

QUEUE = (
    Waiting("teacher", "Mia told her class teacher that Dean hit Mummy last night and that she hid under the bed"
            " with Leo. She was tired and tearful all morning.", (R.DOMESTIC_ABUSE,), 2.5, U.URGENT,
            known=("Mia Ashdown",), phoned_by="Mrs Jo Carter, designated safeguarding lead",
            consent=Referral.Consent.NOT_SOUGHT, rag="red", allocated_to="mash.worker"),
    Waiting("health.visitor", "Leo was seen at a routine review; mum had a bruise to her cheek and said Dean is back"
            " living at the house. Leo's weight has dropped from the 50th to the 9th centile.",
            (R.DOMESTIC_ABUSE, R.NEGLECT), 1.0, known=("Leo Ashdown",),
            phoned_by="Nadia Clarke, health visitor", consent=Referral.Consent.NOT_SOUGHT),
    Waiting("teacher", "Ellie has come to school hungry most days this month, in the same uniform, and says there is"
            " no food at home. Attendance is 78%.", (R.NEGLECT,), 17.0, known=("Ellie Novak",), rag="amber"),
    Waiting("school.nurse", "Jakub has untreated head lice and impetigo, has missed both pre-school immunisations and"
            " mum has not answered three letters.", (R.NEGLECT,), 3.5, known=("Jakub Novak",),
            phoned_by="Sian Lloyd, school nurse"),
    Waiting("health.visitor", "Mum disclosed low mood and intrusive thoughts of harming Amira at the 3-month contact;"
            " dad works nights and there is no family nearby.", (R.PARENTAL_MENTAL_HEALTH,), 6.0, U.URGENT,
            known=("Amira Hussain",), rag="red", allocated_to="mash.worker"),
    Waiting("ed.nurse", "Zain brought in with a burn to the back of his right hand; mum's and dad's accounts of how it"
            " happened differ, and he was brought in 30 hours after the injury.", (R.PHYSICAL_ABUSE,), 0.75,
            U.IMMEDIATE, known=("Zain Hussain",), phoned_by="Charge Nurse Ade Bello", rag="red",
            allocated_to="mash.manager"),
    Waiting("police.officer", "Oskar has been reported missing four times in three weeks and was found in a car with"
            " two adult men known for drug supply, with £400 in cash and two phones.",
            (R.GOING_MISSING, R.EXPLOITATION), 0, U.URGENT, kids=(Kid("Oskar", "Kowalczyk", 15, sex=M),),
            rag="amber", overdue=2),
    Waiting("early.help", "Brooke's mum has withdrawn from the early help plan; Brooke says she is called names and"
            " locked in her room as a punishment.", (R.EMOTIONAL_ABUSE,), 0, kids=(Kid("Brooke", "Tanner", 11, sex=F),),
            rag="green", overdue=1),
    Waiting("gp", "Noah has missed three hospital appointments for his asthma since the early help plan ended, and was"
            " admitted last week with a severe attack.", (R.NEGLECT,), 15.0, known=("Noah Bennett",), rag="amber"),
    Waiting("teacher", "Ruby said her dad shouts at her every night and that she wants to live with her nan. She has a"
            " child protection plan.", (R.EMOTIONAL_ABUSE,), 4.0, U.URGENT, known=("Ruby Price",),
            phoned_by="Mrs Jo Carter, designated safeguarding lead", allocated_to="mash.worker"),
    Waiting("housing", "The family was evicted on Friday and is sofa-surfing; Callum, 14, is sleeping in the car.",
            (R.NEGLECT,), 19.0, kids=(Kid("Callum", "Reeves", 14, sex=M),), rag="green"),
    Waiting("midwife", "Mother, 24 weeks pregnant, disclosed daily heroin use and has missed her last two antenatal"
            " appointments.", (R.PARENTAL_SUBSTANCE_MISUSE,), 5.0, U.URGENT,
            kids=(Kid("Baby", "Foster", unborn_weeks=16),), consent=Referral.Consent.REFUSED),
    Waiting("probation", "Harvey's father is to be released on licence on Monday for assault on Harvey's mother; his"
            " licence forbids contact, but he has given the family home as his address.", (R.DOMESTIC_ABUSE,), 18.0,
            kids=(Kid("Harvey", "Doyle", 10, sex=M),), rag="amber"),
    Waiting("police.officer", "Police attended a domestic incident at 02:10; Sophie and Jack were in the room when"
            " their mother was strangled. DASH high risk; the suspect is in custody.", (R.DOMESTIC_ABUSE,), 5.5,
            U.IMMEDIATE, kids=(Kid("Sophie", "Marsh", 8, sex=F), Kid("Jack", "Marsh", 5, sex=M)), rag="red",
            allocated_to="mash.worker"),
    Waiting("school.nurse", "Aisha has cuts to both forearms and said she is scared to go home; she would not say why.",
            (R.OTHER,), 2.0, U.URGENT, kids=(Kid("Aisha", "Begum", 13, sex=F),)),
    Waiting("youth.justice", "Kai has been arrested in another county with class A drugs; he says he owes money and"
            " cannot come home.", (R.EXPLOITATION,), 7.0, U.URGENT, kids=(Kid("Kai", "Robinson", 16, sex=M),)),
    Waiting("gp", "Ella has missed her 1-year and 2-year reviews and all immunisations; the practice cannot reach"
            " the family.", (R.NEGLECT,), 16.0, kids=(Kid("Ella", "Hughes", 2, sex=F),), rag="green"),
    Waiting("da.worker", "Freddie's mother has fled to a refuge; the father has turned up at Freddie's school twice"
            " asking where they are.", (R.DOMESTIC_ABUSE,), 8.0, U.URGENT, kids=(Kid("Freddie", "Clarke", 7, sex=M),),
            rag="amber", allocated_to="mash.worker"),
    Waiting("camhs", "Maya says her stepfather tells her she is worthless and that her mother does not intervene;"
            " she has stopped eating.", (R.EMOTIONAL_ABUSE,), 14.0, kids=(Kid("Maya", "Chen", 12, sex=F),)),
    Waiting("ed.nurse", "Theo, 4, has a fractured forearm; he was brought in two days after the fall his parents"
            " describe.", (R.PHYSICAL_ABUSE,), 1.5, U.URGENT, kids=(Kid("Theo", "Barker", 4, sex=M),), rag="amber"),
    Waiting("mental.health", "Grace's mother was detained under the Mental Health Act overnight; Grace is with a"
            " neighbour and there is no other family.", (R.PARENTAL_MENTAL_HEALTH,), 9.0, U.URGENT,
            kids=(Kid("Grace", "Ali", 9, sex=F),)),
    Waiting("substance.misuse", "Ben's father has relapsed into heavy drinking; Ben, 14, is doing the shopping and"
            " getting his sister to school.", (R.PARENTAL_SUBSTANCE_MISUSE,), 13.0,
            kids=(Kid("Ben", "Lloyd", 14, sex=M),), rag="green"),
    Waiting("cafcass", "In private law proceedings Rosie described her father hitting her mother; both parents deny"
            " it.", (R.DOMESTIC_ABUSE, R.EMOTIONAL_ABUSE), 12.0, kids=(Kid("Rosie", "Evans", 6, sex=F),)),
    Waiting("police.officer", "Jayden was found by officers in the town centre at 01:00 with older boys; his mother"
            " did not know he was out.", (R.GOING_MISSING,), 4.5, known=("Jayden Smith",),
            phoned_by="PC Rob Hale, Northshire Police"),
    Waiting("early.help", "Isla's nursery reports she is often collected late by an adult who smells of alcohol.",
            (R.NEGLECT,), 11.0, kids=(Kid("Isla", "Ward", 3, sex=F),)),
    Waiting("adult.social.care", "Daniel, 15, is the sole carer for his mother after her stroke and has not been at"
            " school for six weeks.", (R.OTHER,), 10.0, kids=(Kid("Daniel", "Okoro", 15, sex=M),)),
    Waiting("police.officer", "Neighbours called police to a flat where a baby had been crying for hours; Poppy was"
            " alone and both parents returned intoxicated.", (R.NEGLECT, R.PARENTAL_SUBSTANCE_MISUSE), 3.0, U.URGENT,
            kids=(Kid("Poppy", "Shaw", 1, sex=F),), allocated_to="mash.worker"),
    Waiting("teacher", "Harry has finger-tip bruises on both upper arms; he said his mum's boyfriend grabbed him.",
            (R.PHYSICAL_ABUSE,), 0.5, U.URGENT, kids=(Kid("Harry", "Cole", 11, sex=M),), rag="amber",
            allocated_to="mash.worker"),
    Waiting("housing", "The flat has no heating or working cooker; damp and mould in Evie's bedroom, and the family"
            " has refused repairs access twice.", (R.NEGLECT,), 18.5, kids=(Kid("Evie", "Turner", 8, sex=F),),
            rag="green"),
    Waiting("school.nurse", "Mason, 13, has a 19-year-old 'girlfriend' who collects him from school and buys him"
            " phones and vapes.", (R.EXPLOITATION,), 6.5, U.URGENT, kids=(Kid("Mason", "Hale", 13, sex=M),)),
)


def _user(username: str) -> User:
    return User.objects.select_related("membership__agency", "membership__partnership").get(username=username)


def _working_at(calendar: WorkingCalendar, day: date, hour: int, minute: int = 0) -> datetime:
    """``hour``:``minute`` on ``day``, or on the working day before it when ``day`` is not one."""
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, time(hour, minute), calendar.tz)


def _back_until(calendar: WorkingCalendar, now: datetime, *, hour: int, working_days: int) -> datetime:
    """The latest working day at ``hour`` from which ``working_days`` working days have passed by ``now``."""
    moment = _working_at(calendar, now.astimezone(calendar.tz).date() - timedelta(days=1), hour)
    while calendar.add_working_days(moment, working_days) > now - timedelta(minutes=30):
        moment = _working_at(calendar, moment.date() - timedelta(days=1), hour)
    return moment


class _Seed:
    def __init__(self, partnership: Partnership, now: datetime) -> None:
        self.partnership = partnership
        self.now = now
        self.today = now.astimezone(calendar_for(partnership).tz).date()
        self.calendar = calendar_for(partnership)
        self.users: dict[str, User] = {}
        self.agencies = {agency.name: agency for agency in Agency.objects.filter(partnerships=partnership)}
        self.people: dict[str, Person] = {
            person.full_name: person
            for person in Person.objects.filter(
                partnership=partnership,
                given_name__in=("Mia", "Leo", "Ruby", "Jayden"),
                family_name__in=("Ashdown", "Price", "Smith"),
            )
        }

    def user(self, username: str) -> User:
        if username not in self.users:
            self.users[username] = _user(username)
        return self.users[username]

    def agency_of(self, username: str) -> Agency:
        return self.agencies[AGENCY_NAMES[username]]

    def family(self, family: Family) -> None:
        by = self.user(family.by)
        children = [
            person_create(partnership=self.partnership, by=by, given_name=kid.given_name,
                          family_name=kid.family_name, date_of_birth=kid.born(self.today), sex=kid.sex)
            for kid in family.children
        ]
        household_create(partnership=self.partnership, by=by, address=family.address, postcode=family.postcode,
                         members=children)
        self.people.update((child.full_name, child) for child in children)

    def refer(self, spec: Waiting, received_at: datetime) -> Referral:
        phoned = bool(spec.phoned_by)
        by = self.user("mash.worker" if phoned else spec.referrer)
        referral = services.referral_create(
            by=by,
            received_at=received_at,
            referrer_agency=self.agency_of(spec.referrer),
            children=[self.people[name] for name in spec.known],
            new_children=[
                NewChild(kid.given_name, kid.family_name, date_of_birth=kid.born(self.today),
                         expected_date_of_birth=(self.today + timedelta(weeks=kid.unborn_weeks)
                                                 if kid.unborn_weeks else None), sex=kid.sex)
                for kid in spec.kids
            ],
            concerns=spec.concerns,
            categories=spec.categories,
            urgency=spec.urgency,
            consent=spec.consent,
            consent_reason="" if spec.consent == Referral.Consent.GIVEN else NO_CONSENT,
            referrer_name=spec.phoned_by,
            family_told="That we are sharing our worries with children's services."
            if spec.consent == Referral.Consent.GIVEN else "",
        )
        if spec.rag:
            services.referral_rate(referral=referral, by=self.user("mash.worker"), rag=spec.rag)
        if spec.allocated_to:
            services.referral_allocate(referral=referral, by=self.user("mash.manager"),
                                       to=self.user(spec.allocated_to))
        return referral

    def received_at(self, spec: Waiting) -> datetime:
        if spec.overdue:
            # Past its deadline; the longest-waiting one also has an agency check past its own.
            return _back_until(self.calendar, self.now, hour=10 if spec.overdue == 2 else 14,
                               working_days=spec.overdue)
        return self.now - timedelta(hours=spec.hours_ago, minutes=7)

    def backdate_check(self, check: AgencyCheck, requested_at: datetime) -> None:
        due_at = rules.check_due_at(requested_at, red=False, calendar=self.calendar)
        AgencyCheck.objects.filter(pk=check.pk).update(requested_at=requested_at, due_at=due_at)
        Notification.objects.filter(link=f"/checks/{check.pk}/").update(created_at=requested_at, due_at=due_at)


def _chase(now: datetime, rule: str) -> None:
    (result,) = chase_run(now=now, rules=[rule])
    if result.failed:
        raise RuntimeError(f"The {rule} chase failed while seeding the demo; see the log.")


def _decided(seed: _Seed, *, referrer: str, kids: Sequence[Kid], concerns: str, categories: Sequence[str],
             received_at: datetime, outcome: str, rationale: str, decided_at: datetime,
             known: Sequence[str] = ()) -> Referral:
    referral = services.referral_create(
        by=seed.user(referrer), received_at=received_at, referrer_agency=seed.agency_of(referrer),
        children=[seed.people[name] for name in known],
        new_children=[NewChild(kid.given_name, kid.family_name, date_of_birth=kid.born(seed.today), sex=kid.sex)
                      for kid in kids],
        concerns=concerns, categories=categories, consent=Referral.Consent.GIVEN,
        family_told="That we are asking children's services for help.",
    )
    services.referral_decide(referral=referral, by=seed.user("mash.manager"), outcome=outcome, rationale=rationale,
                             decided_at=decided_at)
    return referral


@transaction.atomic
def seed_referrals_demo(*, partnership: Partnership, now: datetime) -> None:
    """The front door of the demo partnership, as it stands at ``now`` (after ``seed_cases_demo``)."""
    seed = _Seed(partnership, now)
    calendar = seed.calendar

    # Decided and fed back two months ago: Noah's new referral this morning is a repeat.
    noah_received = _working_at(calendar, seed.today - timedelta(days=61), 11)
    noah = _decided(
        seed, referrer="gp", kids=(Kid("Noah", "Bennett", 5, sex=M),),
        concerns="Noah is often brought to the surgery by a neighbour; his mother has missed his asthma reviews.",
        categories=(R.NEGLECT,), received_at=noah_received, outcome="early_help",
        rationale="Needs met by early help: mother agrees to support with appointments; no significant harm.",
        decided_at=noah_received + timedelta(hours=20),
    )
    services.referral_feedback_record(referral=noah, by=seed.user("mash.worker"), method="phone",
                                      shared_at=noah_received + timedelta(hours=22),
                                      note="Told Dr Shah the outcome and the early help worker's name.")
    seed.people["Noah Bennett"] = noah.children.get().child

    for family in FAMILIES.values():
        seed.family(family)

    # The morning's queue.
    waiting = {spec.first_child: seed.refer(spec, seed.received_at(spec)) for spec in QUEUE}
    amira, zain, oskar = waiting["Amira Hussain"], waiting["Zain Hussain"], waiting["Oskar Kowalczyk"]
    mash_worker = seed.user("mash.worker")
    answered = services.agency_check_request(referral=amira, by=mash_worker, agency=seed.agency_of("mental.health"),
                                             question="Is mother known to adult mental health services?")
    services.agency_check_answer(
        check=answered, by=seed.user("mental.health"),
        information="Mother was seen by the perinatal team in 2024 for postnatal depression after Zain's birth;"
                    " discharged well. No current involvement. We will offer an urgent perinatal assessment.",
    )
    services.agency_check_request(referral=zain, by=mash_worker, agency=seed.agency_of("gp"),
                                  question="Any earlier injuries or missed appointments for Zain or Amira?")
    late = services.agency_check_request(referral=oskar, by=mash_worker, agency=seed.agency_of("youth.justice"),
                                         question="Is Oskar known to you? Any associates of concern?")
    seed.backdate_check(late, oskar.received_at + timedelta(hours=1))

    # A health-visitor referral decided about three days ago (two working days at least) and never fed back:
    # the chase has reminded its maker and gone on to level 2.
    decided_at = _back_until(calendar, now, hour=11, working_days=2)
    _decided(
        seed, referrer="health.visitor", kids=(Kid("Olivia", "Grant", months=8, sex=F),),
        concerns="Olivia's mother is 17 and living in a hostel; she is struggling with feeding and has no support.",
        categories=(R.OTHER,), received_at=decided_at - timedelta(hours=20), outcome="advice_signposting",
        rationale="Health visiting and the hostel's support worker can meet the needs; signposted to the young"
                  " parents' group.",
        decided_at=decided_at,
    )
    _chase(now, "decision_not_fed_back")

    # A strategy discussion decided this morning: the strategy meeting is due within the partnership's deadline.
    _decided(
        seed, referrer="police.officer",
        kids=(Kid("Tyler", "Morris", 10, sex=M), Kid("Jade", "Morris", 7, sex=F)),
        concerns="Tyler disclosed to officers that his stepfather hits him with a belt; Jade has marks on her legs.",
        categories=(R.PHYSICAL_ABUSE,), received_at=now - timedelta(hours=16), outcome="strategy_discussion",
        rationale="Reasonable cause to suspect both children are suffering significant harm: section 47 threshold"
                  " met. Strategy discussion with police and health today.",
        decided_at=now - timedelta(minutes=50),
    )

    # The school disagrees with a decision; stage 1 was not answered in time and has climbed to stage 2.
    opened_at = _back_until(calendar, now, hour=15, working_days=rules.ESCALATION_STAGE_WORKING_DAYS[1])
    received = _working_at(calendar, opened_at.date() - timedelta(days=3), 9, 30)
    kacper = _decided(
        seed, referrer="teacher", kids=(Kid("Kacper", "Lis", 8, sex=M),),
        concerns="Kacper has told staff that he is left alone overnight while his mother works; he is 8.",
        categories=(R.NEGLECT,), received_at=received, outcome="no_further_action",
        rationale="Mother says a neighbour sits with Kacper; no evidence he is left alone.",
        decided_at=received + timedelta(hours=5),
    )
    services.referral_feedback_record(referral=kacper, by=mash_worker, method="secure_email",
                                      shared_at=received + timedelta(hours=6))
    escalation = services.escalation_raise(
        referral=kacper, by=seed.user("teacher"),
        reason="Kacper has said twice more that he was alone all night. Nobody has spoken to him or the neighbour.",
    )
    stage_due = rules.escalation_stage_due_at(opened_at, 1, calendar)
    Escalation.objects.filter(pk=escalation.pk).update(raised_at=opened_at)
    EscalationStage.objects.filter(escalation=escalation, number=1).update(opened_at=opened_at, due_at=stage_due)
    Notification.objects.filter(link=f"/escalations/{escalation.pk}/").update(created_at=opened_at,
                                                                              due_at=stage_due)
    _chase(now, "escalation_stage_unanswered")
