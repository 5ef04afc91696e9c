"""Builders the chronology tests share: the Okafor family's eldest child with events from every agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count

from django.utils import timezone

from cases.models import ChildVoice, Incident, Person
from cases.services.incidents import ChildAtIncident, DashInput, incident_create
from referrals import services as referral_services
from referrals.models import Referral
from strategy_meetings import services as meeting_services
from strategy_meetings.models import StrategyMeeting
from tests.cases.lived import LivedFamily, lived_family
from tests.cases.test_incidents_helpers import answers
from tests.conftest import World

_refs = count(1)


def days_ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


def incident(w: World, family: LivedFamily, child: Person, at: datetime, *, by=None, high: bool = False,
             present: bool = True) -> Incident:
    """A domestic-abuse incident at the Okafors' (the mother the victim, her partner the alleged perpetrator)."""
    by = by or w.po
    return incident_create(
        partnership=w.north, by=by, occurred_at=at, reported_by=by.membership.agency,
        reference=f"OK/{next(_refs):05d}", location="4 Orchard Close",
        summary="Shouting heard by neighbours; the mother had a bruised arm.",
        victims=[family.mother], perpetrators=[family.partner],
        children=(ChildAtIncident(child, resident=True, present=present, seen=present, spoken_to=False),),
        dash=DashInput(answers=answers(15 if high else 3)),
    )


def school_referral(w: World, child: Person, at: datetime) -> Referral:
    return referral_services.referral_create(
        by=w.mw, received_at=at, referrer_agency=w.school, children=[child],
        concerns="Chidi said he is scared to go home when his mother's partner is there.",
        categories=["domestic_abuse", "emotional_abuse"], consent="given",
    )


def meeting(w: World, child: Person, at: datetime) -> StrategyMeeting:
    return meeting_services.meeting_convene(
        partnership=w.north, by=w.mm, children=[child], threshold_met_at=at,
        reason="Repeated incidents; the child is frightened of the mother's partner.",
    )


def voice(w: World, family: LivedFamily, child: Person, at: datetime, *, by=None) -> ChildVoice:
    by = by or w.sw
    return ChildVoice.objects.create(
        partnership=w.north, created_by=by, child=child, case=family.case_of(child), recorded_at=at,
        practitioner=by, agency=by.membership.agency, method=ChildVoice.Method.DIRECT_CONVERSATION,
        seen_alone=True, childs_words="I hide under my bed when they shout.",
    )


@dataclass
class Chronicled:
    family: LivedFamily
    child: Person
    police_incident: Incident
    health_incident: Incident
    referral: Referral
    meeting: StrategyMeeting
    voice: ChildVoice


def chronicled(w: World) -> Chronicled:
    """The eldest Okafor child with a police incident (40 days ago), an incident health visiting recorded (35),
    a referral from the school (30), a strategy meeting (20) and a voice record (10)."""
    family = lived_family(w)
    child = family.eldest
    return Chronicled(
        family=family,
        child=child,
        police_incident=incident(w, family, child, days_ago(40), high=True),
        health_incident=incident(w, family, child, days_ago(35), by=w.hv),
        referral=school_referral(w, child, days_ago(30)),
        meeting=meeting(w, child, days_ago(20)),
        voice=voice(w, family, child, days_ago(10)),
    )
