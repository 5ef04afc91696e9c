"""The DASH risk identification checklist and its scoring (SPEC 3.2): pure rules, no database.

DASH (Domestic Abuse, Stalking and Harassment and Honour-based violence) is the checklist
police forces in England and Wales complete at every domestic-abuse incident (ACPO 2009,
with SafeLives). It has 27 yes / no / not-known questions; partner agencies use the same
checklist without the three questions about children and dependants (24 questions, the
SafeLives "RIC"). The texts below paraphrase the published questions; "the abuser" stands
for the name the officer reads out.

The score is the number of "yes" answers. The partnership sets the bands (``Partnership.
dash_medium_from`` and ``dash_high_from``, by default 1-9 standard, 10-13 medium, 14 and over
high; 0 is standard too). A practitioner's professional judgement may raise the level,
never lower it, and needs a reason.

Unanswered questions are allowed (an officer may be unable to ask all of them) and count as
not "yes", like "not known".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError

STANDARD = "standard"
MEDIUM = "medium"
HIGH = "high"
# Lowest to highest: a level's index is its rank.
LEVELS = (STANDARD, MEDIUM, HIGH)
LEVEL_LABELS = {STANDARD: "Standard", MEDIUM: "Medium", HIGH: "High"}

YES = "yes"
NO = "no"
NOT_KNOWN = "not_known"
ANSWERS = (YES, NO, NOT_KNOWN)
ANSWER_LABELS = {YES: "Yes", NO: "No", NOT_KNOWN: "Not known"}

DEFAULT_MEDIUM_FROM = 10
DEFAULT_HIGH_FROM = 14

CURRENT_SITUATION = "The current situation"
CHILDREN = "Children and dependants"
HISTORY = "Domestic abuse history"
ABUSER = "The abuser"
GROUPS = (CURRENT_SITUATION, CHILDREN, HISTORY, ABUSER)


@dataclass(frozen=True)
class DashQuestion:
    id: str  # "q1" .. "q27", the key in DashAssessment.answers
    number: int
    text: str
    group: str
    # The three questions about children and dependants, left out of the partner version.
    about_children: bool = False


def _q(number: int, group: str, text: str, *, about_children: bool = False) -> DashQuestion:
    return DashQuestion(f"q{number}", number, text, group, about_children)


QUESTIONS: tuple[DashQuestion, ...] = (
    _q(1, CURRENT_SITUATION, "Has the current incident resulted in an injury? (Say what, and whether it is the"
       " first.)"),
    _q(2, CURRENT_SITUATION, "Are you very frightened?"),
    _q(3, CURRENT_SITUATION, "What are you afraid of: further injury or violence? (Say what you think the abuser"
       " might do, and to whom, including the children.)"),
    _q(4, CURRENT_SITUATION, "Do you feel isolated from family and friends: does the abuser try to stop you"
       " seeing friends, family, your doctor or others?"),
    _q(5, CURRENT_SITUATION, "Are you feeling depressed or having suicidal thoughts?"),
    _q(6, CURRENT_SITUATION, "Have you separated, or tried to separate, from the abuser within the past year?"),
    _q(7, CURRENT_SITUATION, "Is there conflict over contact with the children?"),
    _q(8, CURRENT_SITUATION, "Does the abuser constantly text, call, contact, follow, stalk or harass you?"),
    _q(9, CURRENT_SITUATION, "Are you pregnant, or have you had a baby in the last 18 months?"),
    _q(10, CHILDREN, "Are there children or step-children in the household who are not the abuser's, or other"
       " dependants (such as an older relative)?", about_children=True),
    _q(11, CHILDREN, "Has the abuser ever hurt the children or dependants?", about_children=True),
    _q(12, CHILDREN, "Has the abuser ever threatened to hurt or kill the children or dependants?",
       about_children=True),
    _q(13, HISTORY, "Is the abuse happening more often?"),
    _q(14, HISTORY, "Is the abuse getting worse?"),
    _q(15, HISTORY, "Does the abuser try to control everything you do, or are they excessively jealous?"),
    _q(16, HISTORY, "Has the abuser ever used weapons or objects to hurt you?"),
    _q(17, HISTORY, "Has the abuser ever threatened to kill you or someone else, and you believed them?"),
    _q(18, HISTORY, "Has the abuser ever attempted to strangle, choke, suffocate or drown you?"),
    _q(19, HISTORY, "Does the abuser do or say things of a sexual nature that make you feel bad, or that"
       " physically hurt you or someone else?"),
    _q(20, HISTORY, "Is there any other person who has threatened you, or whom you are afraid of?"),
    _q(21, HISTORY, "Do you know whether the abuser has hurt anyone else?"),
    _q(22, HISTORY, "Has the abuser ever mistreated an animal or the family pet?"),
    _q(23, ABUSER, "Are there any financial issues: are you dependent on the abuser for money, have they recently"
       " lost their job, or other financial problems?"),
    _q(24, ABUSER, "Has the abuser had problems in the past year with drugs (prescribed or other), alcohol or"
       " mental health, leading to problems in leading a normal life?"),
    _q(25, ABUSER, "Has the abuser ever threatened or attempted suicide?"),
    _q(26, ABUSER, "Has the abuser ever broken bail, an injunction or a formal agreement about when they may see"
       " you or the children?"),
    _q(27, ABUSER, "Do you know whether the abuser has ever been in trouble with the police or has a criminal"
       " history?"),
)
QUESTION_IDS = tuple(question.id for question in QUESTIONS)
QUESTIONS_BY_ID = {question.id: question for question in QUESTIONS}
CHILD_QUESTION_IDS = tuple(question.id for question in QUESTIONS if question.about_children)
# The partner-agency version: the same checklist without the questions about children.
PARTNER_QUESTIONS: tuple[DashQuestion, ...] = tuple(q for q in QUESTIONS if not q.about_children)


def questions_grouped(questions: Sequence[DashQuestion] = QUESTIONS) -> list[tuple[str, list[DashQuestion]]]:
    """The questions under their headings, in checklist order, for the page."""
    grouped: dict[str, list[DashQuestion]] = {}
    for question in questions:
        grouped.setdefault(question.group, []).append(question)
    return [(group, grouped[group]) for group in GROUPS if group in grouped]


def dash_answers_errors(answers: object, *, questions: Sequence[DashQuestion] = QUESTIONS) -> list[str]:
    """What is wrong with a set of answers (empty when they are valid)."""
    if not isinstance(answers, Mapping):
        return ['Give the answers as {"q1": "yes", ...}.']
    allowed = {question.id for question in questions}
    errors = []
    for key, value in answers.items():
        if key not in allowed:
            if key in CHILD_QUESTION_IDS:
                errors.append(f"{key} is about children and is not in the partner-agency version of the checklist.")
            else:
                errors.append(f"{key!s} is not a DASH question; the questions are q1 to q{len(QUESTIONS)}.")
        elif value not in ANSWERS:
            errors.append(f"{key}: answer yes, no or not_known, not {value!r}.")
    return errors


def dash_answers_validate(answers: object, *, questions: Sequence[DashQuestion] = QUESTIONS) -> dict[str, str]:
    errors = dash_answers_errors(answers, questions=questions)
    if errors or not isinstance(answers, Mapping):
        raise ValidationError({"answers": errors})
    return {str(key): str(value) for key, value in answers.items()}


def dash_score(answers: Mapping[str, str]) -> int:
    """The number of "yes" answers."""
    return sum(1 for value in answers.values() if value == YES)


def dash_level(score: int, *, medium_from: int = DEFAULT_MEDIUM_FROM, high_from: int = DEFAULT_HIGH_FROM) -> str:
    """The level a score falls in, by the partnership's bands."""
    if score < 0:
        raise ValueError(f"A DASH score cannot be negative, got {score}")
    if not 0 < medium_from < high_from:
        raise ValueError(f"The bands must rise: medium from {medium_from}, high from {high_from}")
    if score >= high_from:
        return HIGH
    if score >= medium_from:
        return MEDIUM
    return STANDARD


def level_rank(level: str) -> int:
    return LEVELS.index(level)


def risk_level(dash_level: str, judgement_level: str = "") -> str:
    """The incident's level: the DASH level, or the professional judgement where that is higher.

    Judgement may raise the level and never lower it (SafeLives: a practitioner's concern
    can make a case high risk whatever the score); a lower judgement is refused.
    """
    if dash_level not in LEVELS:
        raise ValueError(f"Unknown DASH level {dash_level!r}")
    if not judgement_level:
        return dash_level
    if judgement_level not in LEVELS:
        raise ValidationError(
            {"professional_judgement_level": [f"Choose standard, medium or high, not {judgement_level!r}."]}
        )
    if level_rank(judgement_level) < level_rank(dash_level):
        raise ValidationError(
            {
                "professional_judgement_level": [
                    f"Professional judgement can raise the level but not lower it: the DASH answers make this"
                    f" {LEVEL_LABELS[dash_level].lower()} risk, so judgement cannot make it"
                    f" {LEVEL_LABELS[judgement_level].lower()}."
                ]
            }
        )
    return judgement_level


def judgement_errors(judgement_level: str, judgement_reason: str) -> list[str]:
    """A judgement level needs its reason (dash_judgement_has_reason)."""
    if judgement_level and not judgement_reason.strip():
        return ["Say why your professional judgement sets the level."]
    return []
