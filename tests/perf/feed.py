"""A realistic police incident feed (docs/incident-feed.md's CSV) for timing ``manage.py import_incidents``.

``feed_write`` draws, from one seed, incidents over the last two years at households whose people
are about 60% people already recorded (passed in by the caller, as the database has them) and the
rest new; a household called out again keeps its address and its people, as repeat incidents do.
Every row is one the import accepts, so the rate measured is the rate of incidents recorded.

    python -m tests.perf.feed OUT.csv --rows 20000 [--seed 1] [--prefix BENCH] [--partnership CODE]

reads the people of the partnership (the demo's only one by default) from the database named by
DATABASE_URL.
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from cases.rules.people import nhs_check_digit

# A recorded person as the caller read them: given name, family name, date of birth, NHS number ("" if none).
PersonRow = tuple[str, str, date | None, str]

COLUMNS = (
    "reference", "occurred_at", "location", "summary", "household_address", "victims", "perpetrators",
    "children", "dash", "professional_judgement_level", "professional_judgement_reason",
)
KNOWN_SHARE = 0.6  # of the people a row names, the share already recorded
DASH_SHARE = 0.7  # of the rows, those with a DASH checklist
DAYS = 730

GIVEN = (
    "Amelia", "Olivia", "Isla", "Ava", "Mia", "Grace", "Sophie", "Chloe", "Jessica", "Kerry", "Leanne", "Sasha",
    "Aisha", "Fatima", "Zara", "Priya", "Megan", "Holly", "Natalie", "Gemma", "Oliver", "Harry", "Jack", "George",
    "Noah", "Leo", "Charlie", "Jacob", "Dean", "Lee", "Wayne", "Craig", "Darren", "Mohammed", "Omar", "Tobi",
    "Kyle", "Jordan", "Reece", "Connor", "Ellie", "Alfie", "Freya", "Ruby", "Archie", "Theo", "Evie", "Poppy",
)
FAMILY = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel",
    "Khan", "Ahmed", "Hussain", "Okafor", "Adeyemi", "Mensah", "Kowalski", "Nowak", "Murphy", "Kelly", "Ashdown",
    "Grant", "Hughes", "Edwards", "Lewis", "Harris", "Martin", "Cooper", "Ward", "Morris", "Turner", "Hill",
)
STREETS = (
    "Mill Lane", "Church Street", "Station Road", "Victoria Road", "Park Avenue", "Canal Court", "High Street",
    "Queen Street", "Long Road", "Windmill Close", "Orchard Way", "Bridge Street", "Chapel Row", "Elm Grove",
)
TOWNS = (("Northtown", "NT"), ("Southbridge", "SB"), ("Easton", "EA"), ("Westmoor", "WM"))
SUMMARIES = (
    "Neighbours called police to shouting; the victim had visible injuries.",
    "Verbal argument; both parties calm on arrival.",
    "Ex-partner attended despite a non-molestation order.",
    "Victim reported threats by text message overnight.",
    "Call from a child in the household; officers attended within 20 minutes.",
    "Criminal damage to the front door; perpetrator left before officers arrived.",
    "Third-party report from a family member of controlling behaviour.",
)
JUDGEMENT_REASONS = (
    "Escalating frequency of call-outs",
    "Credible threat to kill",
    "Victim too frightened to answer the checklist fully",
    "Recent separation and stalking",
)


@dataclass
class _Household:
    address: str
    victims: list[str]
    perpetrators: list[str]
    # (how the child is written without flags, their date of birth or None)
    children: list[tuple[str, date | None]]
    risk: float  # chance of each DASH answer being yes


class _People:
    """Draws the people a household names: recorded ones (each once a household), else new."""

    def __init__(self, rng: random.Random, *, adults: list[PersonRow], children: list[PersonRow], today: date,
                 taken_nhs: set[str]) -> None:
        self.rng = rng
        self.today = today
        self.adults = adults
        # A recorded child is usable where they were born before the earliest incident and under 18 at every one.
        earliest, adult_from = today - timedelta(days=DAYS), _years_before(today, 18)
        self.children = [c for c in children if c[2] is not None and adult_from < c[2] <= earliest] + [
            c for c in children if c[2] is None and c[3]
        ]
        self.taken_nhs = set(taken_nhs)
        self.serial = 400_000_000 + rng.randrange(0, 500_000_000)

    def adult(self, used: set[object], family: str) -> str:
        known = self._recorded(self.adults, used)
        if known is not None:
            return self._known(known)
        born = self.today - timedelta(days=self.rng.randrange(19 * 365, 60 * 365))
        return self._new(family, born, used)

    def child(self, used: set[object], family: str) -> tuple[str, date | None]:
        known = self._recorded(self.children, used)
        if known is not None:
            return self._known(known), known[2]
        born = self.today - timedelta(days=self.rng.randrange(DAYS + 30, 16 * 365))
        return self._new(family, born, used), born

    def _recorded(self, pool: list[PersonRow], used: set[object]) -> PersonRow | None:
        """Most of the time a recorded person not yet in the household (no one is named twice in a row)."""
        if not pool or self.rng.random() >= KNOWN_SHARE:
            return None
        for _ in range(5):
            given, family, born, nhs = self.rng.choice(pool)
            key = (given.lower(), family.lower(), born)
            if key not in used and (not nhs or nhs not in used):
                used.update({key, nhs} - {""})
                return given, family, born, nhs
        return None

    def _known(self, person: PersonRow) -> str:
        given, family, born, nhs = person
        if nhs and self.rng.random() < 0.15:
            return nhs  # an NHS number alone, as forces often send for someone on their systems
        return _person_text(given, family, born, nhs)

    def _new(self, family: str, born: date, used: set[object]) -> str:
        while True:
            given = self.rng.choice(GIVEN)
            if (given.lower(), family.lower(), born) not in used:
                break
            born += timedelta(days=1)
        used.add((given.lower(), family.lower(), born))
        nhs = self._nhs() if self.rng.random() < 0.5 else ""
        return _person_text(given, family, born, nhs)

    def _nhs(self) -> str:
        """A valid NHS number no one recorded has."""
        while True:
            self.serial += 1
            first_nine = f"{self.serial % 1_000_000_000:09d}"
            check = nhs_check_digit(first_nine)
            number = f"{first_nine}{check}"
            if check is not None and number not in self.taken_nhs:
                self.taken_nhs.add(number)
                return number


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _person_text(given: str, family: str, born: date | None, nhs: str) -> str:
    return "|".join([given, family, born.isoformat() if born else "", nhs]).rstrip("|")


def _household(rng: random.Random, people: _People, number: int) -> _Household:
    family = rng.choice(FAMILY)
    town, postcode = rng.choice(TOWNS)
    address = (
        f"{number % 400 + 1} {rng.choice(STREETS)}, {town} {postcode}{rng.randrange(1, 20)}"
        f" {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        if rng.random() < 0.9 else ""
    )
    used: set[object] = set()
    victims = [people.adult(used, family) for _ in range(1 if rng.random() < 0.85 else 2)]
    perpetrators = [people.adult(used, family) for _ in range(rng.choices((0, 1, 2), (15, 75, 10))[0])]
    children = [people.child(used, family) for _ in range(rng.choices((0, 1, 2, 3), (35, 30, 25, 10))[0])]
    return _Household(address, victims, perpetrators, children, risk=rng.choice((0.1, 0.2, 0.3, 0.5, 0.7)))


def _child_text(rng: random.Random, written: str, born: date | None, occurred: datetime) -> str:
    flags = []
    if rng.random() < 0.1:
        flags.append("not_resident")
    if rng.random() < 0.6:
        flags.append("present")
    if born is None or born <= occurred.date():
        if rng.random() < 0.5:
            flags.append("seen")
            if rng.random() < 0.4:
                flags.append("spoken_to")
    parts = written.split("|") if "|" in written else ["", "", "", written]
    parts += [""] * (4 - len(parts))
    return "|".join([*parts, "+".join(flags)]).rstrip("|")


def _dash(rng: random.Random, risk: float) -> tuple[str, str, str]:
    """The DASH string, and a professional judgement that never lowers the level (default bands: 10 and 14)."""
    length = 24 if rng.random() < 0.1 else 27
    answers = "".join(rng.choices("Y?N", (risk, 0.05, 0.95 - risk))[0] for _ in range(length))
    yes = answers.count("Y")
    if rng.random() < 0.08:
        level = "high" if yes >= 10 or rng.random() < 0.5 else "medium"
        return answers, level, rng.choice(JUDGEMENT_REASONS)
    return answers, "", ""


def feed_write(
    path: Path,
    *,
    rows: int,
    adults: list[PersonRow],
    children: list[PersonRow],
    seed: int = 1,
    prefix: str = "BENCH",
) -> None:
    """Write ``rows`` incidents to ``path`` as CSV, the same file for the same seed, people and day.

    ``adults`` are recorded people who may be victims or alleged perpetrators, ``children`` recorded
    children; each is (given name, family name, date of birth, NHS number or "").
    """
    rng = random.Random(seed)
    now = datetime.combine(datetime.now(tz=UTC).date(), time(), tzinfo=UTC)
    people = _People(rng, adults=adults, children=children, today=now.date(),
                     taken_nhs={p[3] for p in (*adults, *children) if p[3]})
    households: list[_Household] = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(1, rows + 1):
            # About a third of call-outs are to a household the police have been to before.
            if households and rng.random() < 0.35:
                household = rng.choice(households[-2000:])
            else:
                household = _household(rng, people, len(households))
                households.append(household)
            occurred = now - timedelta(seconds=rng.randrange(3600, DAYS * 86400))
            dash, judgement, reason = _dash(rng, household.risk) if rng.random() < DASH_SHARE else ("", "", "")
            stamp = occurred.isoformat()
            writer.writerow((
                f"{prefix}-{n}",
                stamp.replace("+00:00", "Z") if n % 3 == 0 else stamp,
                household.address.split(",")[0] if household.address and rng.random() < 0.8 else "Public place",
                rng.choice(SUMMARIES),
                household.address,
                ";".join(household.victims),
                ";".join(household.perpetrators),
                ";".join(_child_text(rng, written, born, occurred) for written, born in household.children),
                dash,
                judgement,
                reason,
            ))


def _people_read(code: str | None) -> tuple[list[PersonRow], list[PersonRow]]:
    from agencies.models import Partnership
    from cases.models import Person

    partnership = Partnership.objects.get(code__iexact=code) if code else Partnership.objects.order_by("pk").first()
    today = datetime.now(tz=UTC).date()
    adult_from = _years_before(today, 18)
    adults: list[PersonRow] = []
    children: list[PersonRow] = []
    for given, family, born, nhs in (
        Person.objects.filter(partnership=partnership, merged_into__isnull=True)
        .order_by("pk")
        .values_list("given_name", "family_name", "date_of_birth", "nhs_number")
    ):
        if not given or not family or any(ch in f"{given}{family}" for ch in "|;\n"):
            continue
        (children if born is not None and born > adult_from else adults).append((given, family, born, nhs))
    return adults, children


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.feed", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prefix", default="BENCH")
    parser.add_argument("--partnership", help="The partnership's code (default: the first)")
    args = parser.parse_args(argv)

    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    adults, children = _people_read(args.partnership)
    feed_write(args.out, rows=args.rows, adults=adults, children=children, seed=args.seed, prefix=args.prefix)
    print(f"{args.out}: {args.rows:,} incidents; {len(adults):,} recorded adults, {len(children):,} children")


if __name__ == "__main__":
    main()
