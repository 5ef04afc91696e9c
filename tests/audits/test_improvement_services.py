"""Improvement plan services (SPEC 3.5): a plan with its themes, a theme, quarterly progress and completion;
field-level refusals with nothing saved half-way."""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from audits.models import ImprovementAction, ImprovementPlan, ImprovementTheme, ProgressUpdate
from audits.services_improvement import (
    SEED_THEMES,
    improvement_action_done,
    improvement_plan_create,
    improvement_progress_add,
    improvement_theme_add,
    quarter_end,
    quarter_name,
    quarter_start,
    quarters_reportable,
)
from tests.audits.test_improvement_helpers import add_action, make_plan, today


def test_quarters_are_calendar_quarters():
    assert quarter_start(date(2026, 5, 17)) == date(2026, 4, 1)
    assert quarter_start(date(2026, 12, 31)) == date(2026, 10, 1)
    assert quarter_end(date(2026, 10, 1)) == date(2026, 12, 31)
    assert quarter_name(date(2026, 4, 1)) == "April to June 2026"
    assert quarters_reportable(plan_starts_on=date(2026, 2, 10), today=date(2026, 8, 3)) == [
        date(2026, 7, 1), date(2026, 4, 1), date(2026, 1, 1)]
    assert quarters_reportable(plan_starts_on=date(2026, 9, 1), today=date(2026, 8, 3)) == []


def test_a_plan_is_made_with_its_themes_in_order(world):
    plan = make_plan(world, starts_on=date(2026, 1, 5))
    assert plan.partnership == world.north
    assert list(ImprovementTheme.objects.filter(plan=plan).order_by("position").values_list("title", flat=True)) == [
        *SEED_THEMES]


def test_a_plan_with_nothing_filled_in_is_refused_on_every_field_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as caught:
        improvement_plan_create(user=world.sm, partnership=world.north, title=" ", starts_on=None, themes=["", " "])
    assert set(caught.value.message_dict) == {"title", "starts_on", "themes"}
    assert not ImprovementPlan.objects.exists()


def test_a_theme_given_twice_is_refused_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as caught:
        improvement_plan_create(user=world.sm, partnership=world.north, title="Plan", starts_on=date(2026, 1, 5),
                                themes=["Leadership", "leadership "])
    assert "given twice" in caught.value.message_dict["themes"][0]
    assert not ImprovementPlan.objects.exists() and not ImprovementTheme.objects.exists()


def test_a_theme_is_added_at_the_end_once(world):
    plan = make_plan(world)
    theme = improvement_theme_add(user=world.sm, plan=plan, title="  Early   help ")
    assert (theme.title, theme.position) == ("Early help", len(SEED_THEMES) + 1)
    with pytest.raises(ValidationError) as caught:
        improvement_theme_add(user=world.sm, plan=plan, title="LEADERSHIP")
    assert caught.value.message_dict == {"title": ["This plan already has a theme with that title."]}
    assert ImprovementTheme.objects.filter(plan=plan).count() == len(SEED_THEMES) + 1


def test_an_action_falls_due_at_its_timescale_from_the_plans_start(world):
    plan = make_plan(world, starts_on=date(2026, 1, 31))
    assert add_action(world, plan, months=3).due_on == date(2026, 4, 30)
    assert add_action(world, plan, months=12, position=5).due_on == date(2027, 1, 31)


def test_a_progress_update_sets_the_actions_rag_once_per_quarter(world):
    plan = make_plan(world)
    action = add_action(world, plan)
    assert action.rag == "red"
    quarter = quarter_start(today())
    update = improvement_progress_add(user=world.mm, action=action, quarter_starts_on=quarter, rag="amber",
                                      progress="Eight in ten meetings held within 24 hours.",
                                      evidence="The dashboard's strategy meeting figure for the quarter.")
    action.refresh_from_db()
    assert (update.by, action.rag) == (world.mm, "amber")
    with pytest.raises(ValidationError) as caught:
        improvement_progress_add(user=world.sm, action=action, quarter_starts_on=quarter, rag="green",
                                 progress="All held.", evidence="Dashboard.")
    assert list(caught.value.message_dict) == ["quarter_starts_on"]
    assert "already has an update" in caught.value.message_dict["quarter_starts_on"][0]
    assert ProgressUpdate.objects.filter(action=action).count() == 1


def test_an_earlier_quarters_update_leaves_the_latest_rag(world):
    plan = make_plan(world)
    action = add_action(world, plan)
    current = quarter_start(today())
    improvement_progress_add(user=world.sm, action=action, quarter_starts_on=current, rag="green",
                             progress="On track.", evidence="Audit of ten meetings.")
    improvement_progress_add(user=world.sm, action=action, quarter_starts_on=current - relativedelta(months=3),
                             rag="red", progress="Late start.", evidence="Minutes of the board.")
    action.refresh_from_db()
    assert action.rag == "green"


def test_progress_without_evidence_or_a_quarter_is_refused_on_each_field_and_nothing_is_saved(world):
    plan = make_plan(world)
    action = add_action(world, plan)
    with pytest.raises(ValidationError) as caught:
        improvement_progress_add(user=world.sm, action=action, quarter_starts_on=None, rag="purple",
                                 progress=" ", evidence="")
    assert set(caught.value.message_dict) == {"quarter_starts_on", "rag", "progress", "evidence"}
    future = quarter_start(today()) + relativedelta(months=3)
    with pytest.raises(ValidationError) as caught:
        improvement_progress_add(user=world.sm, action=action, quarter_starts_on=future, rag="green",
                                 progress="Ahead.", evidence="None yet.")
    assert list(caught.value.message_dict) == ["quarter_starts_on"]
    action.refresh_from_db()
    assert (ProgressUpdate.objects.count(), action.rag, action.version) == (0, "red", 1)


def test_an_action_is_done_once_and_then_takes_no_progress(world):
    plan = make_plan(world)
    action = improvement_action_done(user=world.sm, action=add_action(world, plan))
    assert action.status == ImprovementAction.Status.DONE and action.done_at is not None
    with pytest.raises(ValidationError):
        improvement_action_done(user=world.sm, action=action)
    with pytest.raises(ValidationError) as caught:
        improvement_progress_add(user=world.sm, action=action, quarter_starts_on=quarter_start(today()),
                                 rag="green", progress="Done.", evidence="Audit.")
    assert "done" in caught.value.message_dict["progress"][0]
