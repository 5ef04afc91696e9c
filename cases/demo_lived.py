"""The demo partnership's children's lived experience (SPEC 9): the Brennan children.

Sophie (10), Liam (7) and baby Grace (8 months) live with their mother Jodie and her partner Carl Doyle, who poses
a risk to them; each child has a child-in-need case led by ``social.worker``. What the visitor sees:

- Sophie's voice recorded a week ago in her own words (the three houses); Grace's, a pre-verbal baby, recorded
  two weeks ago as an observation; Liam's last recorded eight weeks ago, so his case page and the social worker's
  home flag him "not heard for 6 weeks", and the chase has reminded the social worker and told her manager.
- A written agreement on Sophie's case with actions for Carl (the person posing risk), for Jodie, for the police
  and for health visiting, distributed to both agencies and given to Jodie; Sophie's chronology shows the voice
  records and the agreement in order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from agencies.chasers import chase_run
from agencies.demo import born_ago, demo_agency, demo_user
from agencies.models import Notification, Partnership
from cases.models import Case, ChildVoice, Person, PlanDistribution
from cases.permissions import record_share_with
from cases.rules.plans import ActionDraft
from cases.services.people import household_create, person_create, relationship_create
from cases.services.plans import plan_create, plan_distribute
from cases.services.voice import voice_record

F = Person.Sex.FEMALE
M = Person.Sex.MALE


def _heard_at(voice: ChildVoice, at: datetime) -> None:
    """A record made on a visit some time ago (the service stamps nothing of its own but the row's creation)."""
    ChildVoice.objects.filter(pk=voice.pk).update(created_at=at)


def seed_lived_demo(*, partnership: Partnership, now: datetime) -> None:
    today = now.date()
    social_worker = demo_user("social.worker")
    health_visitor = demo_user("health.visitor")
    school = demo_agency(partnership, "Northgate Primary School")
    health_visiting = demo_agency(partnership, "Northshire Health Visiting")
    police = demo_agency(partnership, "Northshire Police")
    jodie = person_create(partnership=partnership, by=social_worker, given_name="Jodie", family_name="Brennan",
                          date_of_birth=born_ago(today, 29), sex=F, first_language="English")
    carl = person_create(partnership=partnership, by=social_worker, given_name="Carl", family_name="Doyle",
                         date_of_birth=born_ago(today, 33), sex=M, first_language="English")
    sophie = person_create(partnership=partnership, by=social_worker, given_name="Sophie", family_name="Brennan",
                           date_of_birth=born_ago(today, 10, 3), sex=F, school=school, first_language="English")
    liam = person_create(partnership=partnership, by=social_worker, given_name="Liam", family_name="Brennan",
                         date_of_birth=born_ago(today, 7, 1), sex=M, school=school, first_language="English")
    grace = person_create(partnership=partnership, by=social_worker, given_name="Grace", family_name="Brennan",
                          date_of_birth=born_ago(today, 0, 8), sex=F, health_visiting=health_visiting)
    household_create(partnership=partnership, by=social_worker, address="3 Canal Row\nNorthtown",
                     postcode="NT3 7QP", members=[jodie, carl, sophie, liam, grace])
    for child in (sophie, liam, grace):
        relationship_create(person=jodie, other=child, kind="parent", by=social_worker)
        relationship_create(person=carl, other=child, kind="step_parent", poses_risk=True, by=social_worker)
    cases = {}
    for child in (sophie, liam, grace):
        case = Case.objects.create(partnership=partnership, created_by=social_worker, child=child,
                                   status=Case.Status.CHILD_IN_NEED, opened_on=today - timedelta(weeks=14),
                                   lead_professional=social_worker, primary_need="N1")
        case.involved_agencies.add(health_visiting, police)
        cases[child.pk] = case
        for agency in (health_visiting, police):
            record_share_with(record=child, agency=agency, by=social_worker,
                              what="The child's record, for the child-in-need case the agency is part of.")

    _heard_at(voice_record(
        child=liam, by=social_worker, recorded_at=now - timedelta(weeks=8), method=ChildVoice.Method.PLAY,
        seen_alone=True, childs_words="Carl shouts at Mum when the tea is late. I go under my bed with Grace's"
                                      " blanket.",
        observations="Liam played with the dolls' house and put the father figure outside it, then locked the door.",
        analysis="Liam is frightened at home and is trying to protect his baby sister. He needs to be seen again"
                 " soon, on his own.",
    ), now - timedelta(weeks=8))
    _heard_at(voice_record(
        child=grace, by=health_visitor, recorded_at=now - timedelta(weeks=2),
        method=ChildVoice.Method.OBSERVATION, seen_alone=False, seen_with="Her mother, Jodie",
        observations="Grace startled and cried when a door banged downstairs, and took a long time to settle. She"
                     " reached for her mother and watched the doorway.",
        analysis="Grace's startle and her watchfulness at 8 months suggest she is living with frightening noise.",
        not_spoken_reason=ChildVoice.NotSpokenReason.TOO_YOUNG,
    ), now - timedelta(weeks=2))
    _heard_at(voice_record(
        child=sophie, by=social_worker, recorded_at=now - timedelta(weeks=1),
        method=ChildVoice.Method.STRUCTURED_TOOL, tool="Three houses", seen_alone=True,
        childs_words="House of worries: when Carl comes home drunk. House of good things: school, my friend Ava."
                     " House of dreams: Mum and us living at Nan's.",
        analysis="Sophie names Carl's drinking as what frightens her most and sees school as her safe place.",
    ), now - timedelta(weeks=1))

    agreement = plan_create(
        case=cases[sophie.pk], by=social_worker, kind="written_agreement",
        what_must_change="Sophie, Liam and Grace live without fear of Carl's drinking and shouting.",
        starts_on=today - timedelta(days=5), review_by=today + timedelta(weeks=6),
        actions=[
            ActionDraft(description="Carl will not come to 3 Canal Row after drinking, and will start the"
                                    " domestic abuse perpetrator programme.", party="person_posing_risk",
                        due_by=today + timedelta(weeks=2), family_member_id=carl.pk),
            ActionDraft(description="Jodie will call the police if Carl comes to the house drunk.",
                        party="parent_or_carer", due_by=today + timedelta(weeks=6), family_member_id=jodie.pk),
            ActionDraft(description="Flag the address so that any call-out is known to be a home with three"
                                    " children.", party="agency", agency_id=police.pk,
                        due_by=today + timedelta(days=3)),
            ActionDraft(description="Visit Grace weekly and watch for signs of stress.", party="agency",
                        agency_id=health_visiting.pk, owner_id=health_visitor.pk, due_by=today + timedelta(weeks=1)),
        ],
    )
    plan_distribute(plan=agreement, by=social_worker, parties=[health_visiting, police, jodie], method="in_person")
    PlanDistribution.objects.filter(plan=agreement).update(distributed_at=now - timedelta(days=4))
    Notification.objects.filter(link=f"/plans/{agreement.pk}/").update(created_at=now - timedelta(days=4))
    # The chase of Liam's silence: reminded when six weeks were up, and his worker's manager told the day after.
    chase_run(now=now - timedelta(weeks=2) + timedelta(days=1), rules=["child_voice_overdue"])
    chase_run(now=now, rules=["child_voice_overdue"])
