"""``manage.py generate_partnership`` (SPEC 7.1's synthetic partnership, for the benchmark): the sizes asked
for, records that hang together as the product's own do, a front door with a day's work waiting, and pages that
work on it. Run at 1/1000 of full size."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F

from agencies.models import Agency, Partnership, Role, User
from agencies.synthetic import CODE, Size
from cases.models import Case, ChildVoice, Incident, IncidentChild, IncidentParty, Person
from cases.rules.people import nhs_number_valid
from referrals.models import Decision, Referral, ReferralChild
from strategy_meetings.models import StrategyMeeting, StrategyMeetingChild

FRACTION = 0.001


@pytest.fixture
def generated(db) -> tuple[Partnership, Size]:
    out = StringIO()
    call_command("generate_partnership", "--fraction", str(FRACTION), stdout=out)
    assert f"Created the synthetic partnership {CODE} at {FRACTION:g} of full size" in out.getvalue()
    return Partnership.objects.get(code=CODE), Size.of(FRACTION)


def scalar(sql: str, *params: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return int(cursor.fetchone()[0])


def test_it_makes_the_sizes_asked_for(generated):
    partnership, size = generated
    people = Person.objects.filter(partnership=partnership)
    assert people.count() == size.children + size.adults
    assert Incident.objects.filter(partnership=partnership).count() == size.incidents
    assert Referral.objects.filter(partnership=partnership).count() == size.referrals + size.queue
    assert Agency.objects.filter(partnerships=partnership).count() == 40
    assert User.objects.filter(membership__partnership=partnership).count() >= size.staff
    # A strategy discussion for about one referral in seven: SPEC 7.1's 60,000 meetings for 400,000 referrals.
    meetings = StrategyMeeting.objects.filter(partnership=partnership).count()
    assert 0.5 * size.meetings < meetings < 1.5 * size.meetings


def test_the_records_hang_together(generated):
    partnership, _ = generated
    # Every incident has its victim; every referral and meeting has a child; no child has two open cases.
    assert not Incident.objects.filter(partnership=partnership).exclude(
        pk__in=IncidentParty.objects.filter(role="victim").values("incident_id")).exists()
    assert not Referral.objects.exclude(pk__in=ReferralChild.objects.values("referral_id")).exists()
    assert not StrategyMeeting.objects.exclude(pk__in=StrategyMeetingChild.objects.values("meeting_id")).exists()
    assert scalar("SELECT count(*) FROM (SELECT child_id FROM cases_case WHERE status <> 'closed' GROUP BY child_id"
                  " HAVING count(*) > 1) x") == 0
    # Children at an incident were born by then; a decision comes after its referral; a case's voice records
    # are its child's.
    assert scalar("SELECT count(*) FROM cases_incidentchild ic JOIN cases_incident i ON i.id = ic.incident_id"
                  " JOIN cases_person p ON p.id = ic.child_id WHERE p.date_of_birth > i.occurred_at::date") == 0
    assert scalar("SELECT count(*) FROM referrals_decision d JOIN referrals_referral r ON r.id = d.referral_id"
                  " WHERE d.decided_at < r.received_at") == 0
    assert not ChildVoice.objects.filter(case__isnull=False).exclude(case__child=F("child")).exists()
    # Every NHS number given is a valid one (modulus 11).
    numbers = Person.objects.filter(partnership=partnership).exclude(nhs_number="").values_list("nhs_number",
                                                                                                  flat=True)
    assert numbers and all(nhs_number_valid(number) for number in numbers)
    # Brothers and sisters: some households have several children, and some children many incidents.
    assert scalar("SELECT max(n) FROM (SELECT count(*) AS n FROM cases_householdmember m JOIN cases_person p"
                  " ON p.id = m.person_id WHERE p.date_of_birth > now() - interval '18 years'"
                  " GROUP BY m.household_id) x") >= 3
    most = IncidentChild.objects.values("child").order_by().annotate(n=Count("pk")).order_by("-n")[0]["n"]
    assert most >= 40


def test_the_front_door_has_a_day_s_work_waiting(generated, client):
    partnership, size = generated
    waiting = Referral.objects.filter(partnership=partnership, status=Referral.Status.AWAITING_DECISION)
    assert waiting.count() == size.queue
    assert Decision.objects.filter(partnership=partnership).count() == size.referrals
    assert Case.objects.filter(partnership=partnership).exclude(status="closed").exists()
    worker = User.objects.filter(membership__partnership=partnership,
                                 membership__role=Role.MASH_PRACTITIONER).order_by("username")[0]
    client.force_login(worker)
    response = client.get("/referrals/")
    assert response.status_code == 200
    oldest = waiting.order_by("received_at")[0]
    child = oldest.children.select_related("child")[0].child
    assert child.family_name in response.content.decode()


def test_a_second_run_changes_nothing(generated):
    partnership, _ = generated
    people = Person.objects.filter(partnership=partnership).count()
    with pytest.raises(CommandError, match="already in this database"):
        call_command("generate_partnership", "--fraction", str(FRACTION), stdout=StringIO())
    assert Person.objects.filter(partnership=partnership).count() == people


def test_a_fraction_out_of_range_is_refused(db):
    with pytest.raises(CommandError, match="more than 0 and at most 1"):
        call_command("generate_partnership", "--fraction", "2", stdout=StringIO())
    assert not Partnership.objects.filter(code=CODE).exists()
