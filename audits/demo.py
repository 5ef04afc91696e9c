"""The demo partnership's oversight (SPEC 9): an improvement plan with a red action, and an audit round half-way.

- "Safeguarding partnership improvement plan", started about five months before the seed, with the seeds' five
  themes. Its actions are owned by the agencies and due 3, 6, 9 or 12 months from the start, each with the
  difference it should make; quarterly progress updates carry evidence and a RAG status. The strategy-meeting
  attendance action, due at 3 months, is red and overdue (the improvement-action chase picks it up); one
  action is done; the others are green or amber.
- A "Domestic abuse" case-file audit round of 10 cases, drawn three weeks ago with a recorded seed from the
  cases with activity in the 12 months before (``audits.sampling.sample_draw``: the same seed and moment draw
  the same 10), audited by ``auditor`` and closing in three weeks. Half the cases have children's social
  care's review (every question of the audit tool answered, and a grade); two of those also have the
  police's and health visiting's; three are moderated, with findings and learning points, and one finding has
  raised an action in the plan.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from agencies.models import Agency, Partnership, User
from agencies.rules import DEFAULT_TZ
from audits.models import (
    AuditAnswer,
    AuditCase,
    AuditQuestion,
    AuditReview,
    AuditRound,
    Grade,
    ImprovementAction,
    ImprovementPlan,
    ImprovementTheme,
    ProgressUpdate,
    Rag,
)
from audits.sampling import sample_draw
from audits.services_improvement import improvement_action_add

PLAN_TITLE = "Safeguarding partnership improvement plan"
PLAN_MONTHS_AGO = 5
ROUND_THEME = "Domestic abuse"
ROUND_SEED = 4_820_117_365
ROUND_SIZE = 10
ROUND_DRAWN_DAYS_AGO = 21
ROUND_CLOSES_IN_DAYS = 21

CSC = "Northshire Children's Services"
POLICE = "Northshire Police"
HEALTH_VISITING = "Northshire Health Visiting"
SCHOOL = "Northgate Primary School"
GP = "Riverside Medical Practice"

# (theme, [(action, owner agency, owner username or "", months, expected impact, [(quarter index, rag, progress,
# evidence)], done)]). Quarter 0 is the quarter the plan started in.
THEMES = (
    ("Priority action: strategy meetings", (
        ("Health and police attend or send information to every strategy meeting: a named duty contact in each"
         " agency, and the invitation goes to a shared inbox.", HEALTH_VISITING, "health.visitor.manager", 3,
         "Every strategy meeting hears from the three statutory agencies; attendance or contribution rises from"
         " 65% to 95%.",
         ((0, Rag.AMBER, "Duty contacts named by the police; health's rota is still being agreed.",
           "Police duty rota (v2), circulated to the MASH."),
          (1, Rag.RED, "Health's shared inbox is not yet set up; health attendance fell last quarter.",
           "Dashboard: health attendance or contribution 58% in the last quarter.")), False),
        ("Minutes and actions of every strategy meeting distributed within 1 working day, from the template in"
         " the system.", CSC, "mash.manager", 6,
         "Agencies act on the same record the day after the meeting; minutes on time rise to 90%.",
         ((0, Rag.AMBER, "Template agreed; chairs trained in two sessions.", "Training register, 14 chairs."),
          (1, Rag.GREEN, "Minutes on time up from 62% to 81% this quarter.",
           "Dashboard extract for the quarter; dip sample of 10 meetings.")), False),
    )),
    ("Front door", (
        ("Every referral decided within 1 working day, with a second MASH manager on duty on Mondays.", CSC,
         "mash.manager", 6, "Children wait no longer than a working day for a decision; on-time decisions reach 90%.",
         ((0, Rag.AMBER, "Monday rota in place from the second month.", "MASH rota; decision times by weekday."),
          (1, Rag.GREEN, "Decisions within 1 working day up to 84%.", "Dashboard: decisions within 1 working day.")),
         False),
        ("Every referrer told the decision and why within 1 working day, by the MASH worker who triaged it.", CSC,
         "mash.worker", 3, "Referrers hear back and know what happens next; feedback on time rises above 85%.",
         ((0, Rag.AMBER, "Feedback step added to the MASH worker's checklist.", "Checklist v3."),
          (1, Rag.GREEN, "Done: feedback is part of closing every triage record; the chase covers the rest.",
           "Audit of 30 referrals: 27 fed back within the day.")), True),
    )),
    ("Practice and workforce", (
        ("Safeguarding training compliance to 90% in every agency, with level 3 for every manager.", POLICE,
         "police.officer.manager", 9, "Staff across the partnership recognise and act on risk consistently.",
         ((1, Rag.AMBER, "Compliance at 61% against 90%: expired courses booked for the next two months.",
           "Training compliance report; course bookings."),), False),
        ("Chronologies kept current on every open case, showing the pattern, not single incidents.", CSC,
         "team.manager", 12, "Managers and auditors see cumulative harm at a glance.",
         ((1, Rag.GREEN, "Chronology guidance issued; team manager dip-samples four cases a month.",
           "Dip-sample record, months 2 to 4."),), False),
    )),
    ("Leadership", (
        ("The partnership board reviews the dashboard every quarter and agrees what to do about each red figure.",
         CSC, "senior.manager", 6, "Leaders act on evidence of what is happening to children, not on anecdote.",
         ((0, Rag.GREEN, "First dashboard review held; three red figures owned by named leads.",
           "Board minutes, first quarter."),
          (1, Rag.GREEN, "Second review held; two figures now amber.", "Board minutes, second quarter.")), False),
    )),
    ("Voice of the child", (
        ("Every child on an open case is seen and heard at least every six weeks, and pre-verbal children are"
         " observed, not recorded as 'too young'.", CSC, "team.manager", 6,
         "Each child's own experience shapes their plan; voice recorded in the last 6 weeks above 90%.",
         ((0, Rag.AMBER, "Six-week chase switched on; supervision checks voice records.", "Supervision template."),
          (1, Rag.AMBER, "Most children heard in time, but a few sibling groups still have one child missed.",
           "Dashboard: voice within 6 weeks 86%.")), False),
        ("Health visitors record their observations of babies in the system at every contact where there is a"
         " concern.", HEALTH_VISITING, "health.visitor", 9,
         "Babies' lived experience is known to every agency working with the family.",
         ((1, Rag.GREEN, "Observation records used by all health visiting teams.", "Count of observation records by"
           " team."),), False),
    )),
)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def seed_oversight_demo(*, partnership: Partnership, now: datetime) -> None:
    """The demo partnership's improvement plan and audit round, as they stand at ``now`` (after the history)."""
    today = now.astimezone(DEFAULT_TZ).date()
    users = {user.username: user for user in User.objects.filter(membership__partnership=partnership)
             .select_related("membership__agency")}
    agencies = {agency.name: agency for agency in Agency.objects.filter(partnerships=partnership)}
    plan = _plan(partnership, today, users, agencies)
    _round(partnership, now, plan, users, agencies)


def _plan(partnership: Partnership, today: date, users: dict[str, User], agencies: dict[str, Agency]
          ) -> ImprovementPlan:
    senior = users["senior.manager"]
    starts_on = today - relativedelta(months=PLAN_MONTHS_AGO)
    plan = ImprovementPlan.objects.create(partnership=partnership, created_by=senior, title=PLAN_TITLE,
                                          starts_on=starts_on)
    quarters = [_quarter_start(starts_on)]
    while quarters[-1] + relativedelta(months=3) <= today:
        quarters.append(quarters[-1] + relativedelta(months=3))
    updates = []
    for position, (title, actions) in enumerate(THEMES):
        theme = ImprovementTheme.objects.create(partnership=partnership, created_by=senior, plan=plan, title=title,
                                                position=position)
        for description, agency, owner, months, impact, progress, done in actions:
            action = improvement_action_add(
                user=senior, theme=theme, description=description, owner_agency=agencies[agency],
                owner=users[owner] if owner else None, timescale_months=months, expected_impact=impact,
            )
            latest = Rag.RED
            for quarter, rag, text, evidence in progress:
                # The plan spans at least two quarters (it started five months ago): the first and the next.
                updates.append(ProgressUpdate(
                    partnership=partnership, created_by=users[owner] if owner else senior, action=action,
                    quarter_starts_on=quarters[min(quarter, len(quarters) - 1)], rag=rag, progress=text,
                    evidence=evidence,
                    by=users[owner] if owner else senior,
                ))
                latest = rag
            fields: dict[str, object] = {"rag": latest}
            if done:
                fields |= {"status": ImprovementAction.Status.DONE,
                           "done_at": datetime.combine(action.due_on - timedelta(days=9), datetime.min.time(),
                                                       tzinfo=DEFAULT_TZ)}
            ImprovementAction.objects.filter(pk=action.pk).update(**fields)
    ProgressUpdate.objects.bulk_create(updates)
    return plan


def _round(partnership: Partnership, now: datetime, plan: ImprovementPlan, users: dict[str, User],
           agencies: dict[str, Agency]) -> None:
    auditor, senior = users["auditor"], users["senior.manager"]
    drawn_at = now - timedelta(days=ROUND_DRAWN_DAYS_AGO)
    drawn = sample_draw(partnership_id=partnership.pk, seed=ROUND_SEED, size=ROUND_SIZE, drawn_at=drawn_at)
    # Drawn by the senior manager, as the service lets only them (and administrators) draw a round.
    audit_round = AuditRound.objects.create(
        partnership=partnership, created_by=senior, theme=ROUND_THEME, sample_size=ROUND_SIZE, seed=ROUND_SEED,
        drawn_at=drawn_at, closes_on=now.astimezone(DEFAULT_TZ).date() + timedelta(days=ROUND_CLOSES_IN_DAYS),
    )
    audit_round.auditors.add(auditor)
    audit_cases = AuditCase.objects.bulk_create([
        AuditCase(partnership=partnership, created_by=senior, round=audit_round, case_id=case_id, position=position)
        for position, case_id in enumerate(drawn, start=1)
    ])
    reviews, answers = [], []
    # Half the sample reviewed so far, by the round's auditor for children's social care. Reviews never name the
    # child: the report built from them is read by practitioners.
    for index, audit_case in enumerate(audit_cases[: len(audit_cases) // 2]):
        grade, pattern = REVIEW_PATTERNS[index % len(REVIEW_PATTERNS)]
        review = AuditReview(
            partnership=partnership, created_by=auditor, audit_case=audit_case, agency=agencies[CSC],
            reviewer=auditor, grade=grade, submitted_at=drawn_at + timedelta(days=3 + 2 * index),
            strengths="The child was seen and the risk was named early.",
            concerns="Agencies did not share the pattern of incidents; the plan's actions have no dates.",
        )
        reviews.append(review)
        for question, answer in zip(AuditQuestion.values, pattern, strict=True):
            answers.append(AuditAnswer(partnership=partnership, created_by=auditor, review=review,
                                       question=question, answer=answer, comment=ANSWER_COMMENTS.get(answer, "")))
    AuditReview.objects.bulk_create(reviews)
    AuditAnswer.objects.bulk_create(answers)
    for index, (grade, findings, learning) in enumerate(MODERATIONS):
        audit_case = audit_cases[index]
        AuditCase.objects.filter(pk=audit_case.pk).update(
            moderated_grade=grade, moderated_by=auditor, moderated_at=drawn_at + timedelta(days=10 + index),
            findings=findings, learning_points=learning,
        )
    voice = ImprovementTheme.objects.get(plan=plan, title="Voice of the child")
    improvement_action_add(
        user=users["senior.manager"], theme=voice, owner_agency=agencies[CSC], owner=users["team.manager"],
        timescale_months=9, audit_round=audit_round, audit_case=audit_cases[1],
        description="Every domestic-abuse assessment records what each child in the household said or showed about"
                    " the abuse, in their own words or by observation.",
        expected_impact="The audit finds each child's experience of the abuse recorded and acted on.",
    )


Y, P, N, NA = (AuditAnswer.Answer.YES, AuditAnswer.Answer.PARTLY, AuditAnswer.Answer.NO,
               AuditAnswer.Answer.NOT_APPLICABLE)
# (grade, one answer per question in AuditQuestion order: threshold, checks, strategy meeting, voice,
# chronology, risk, plan, escalation, impact)
REVIEW_PATTERNS = (
    (Grade.REQUIRES_IMPROVEMENT, (Y, P, P, N, P, P, N, NA, P)),
    (Grade.INADEQUATE, (N, P, N, N, N, P, N, N, N)),
    (Grade.GOOD, (Y, Y, Y, P, Y, Y, P, NA, Y)),
    (Grade.REQUIRES_IMPROVEMENT, (Y, Y, P, P, N, P, P, NA, P)),
    (Grade.GOOD, (Y, Y, Y, Y, P, Y, Y, NA, Y)),
)
ANSWER_COMMENTS = {
    AuditAnswer.Answer.NO: "Not found in the record.",
    AuditAnswer.Answer.PARTLY: "Some evidence, but not consistent across agencies.",
}
MODERATIONS = (
    (Grade.REQUIRES_IMPROVEMENT,
     "The decision was right and timely, but the strategy meeting went ahead without health and no one followed"
     " up its information. The child's voice is recorded once, at the start.",
     "Chairs record why a required agency was missing and get its information the same day."),
    (Grade.INADEQUATE,
     "Four police call-outs were treated one at a time; no agency put the pattern together until the fifth. The"
     " children's own experience of the abuse is not recorded anywhere.",
     "Look at the whole history of incidents, not the latest one; record each child's experience separately."),
    (Grade.GOOD,
     "Timely, well-attended strategy meeting; the plan names actions for the person posing risk and the child was"
     " seen alone at every visit.",
     "Share this case as an example of a specific plan with the person posing risk held to account."),
)
