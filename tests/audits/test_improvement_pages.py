"""The improvement plan pages (SPEC 3.5): the partnership's plans with their counts, a plan with its themes,
actions, RAG tags and evidence; a plan made, a theme and an action added, progress recorded, an action done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from audits.models import AuditRound, ImprovementAction, ImprovementPlan, ImprovementTheme, ProgressUpdate
from audits.services_improvement import SEED_THEMES, improvement_progress_add, quarter_name, quarter_start
from tests.agencies.test_pages import warm
from tests.audits.test_improvement_helpers import add_action, days_ago, make_plan, set_due, today
from tests.factories import UserFactory


def _date(prefix: str, day) -> dict[str, int]:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _progress(action, rag: str = "amber", quarter=None) -> ProgressUpdate:
    return improvement_progress_add(
        user=action.created_by, action=action, quarter_starts_on=quarter or quarter_start(today()), rag=rag,
        progress="Seven in ten meetings held within 24 hours.", evidence="Dip sample of 20 meetings by the MASH.")


def _round(world, theme: str = "domestic abuse") -> AuditRound:
    return AuditRound.objects.create(
        partnership=world.north, created_by=world.sm, theme=theme, sample_size=10, seed=42,
        drawn_at=timezone.now(), closes_on=today() + timedelta(days=30))


def test_the_list_counts_each_plans_actions_by_rag_and_overdue(world, client_for):
    plan = make_plan(world)
    overdue = set_due(add_action(world, plan), days_ago(3))
    _progress(add_action(world, plan, months=6, position=2), rag="green")
    add_action(world, plan, months=9, position=3)
    make_plan(world, title="Neglect strategy action plan")
    response = client_for(world.tm).get(reverse("improvement-plan-list"))
    assert response.status_code == 200
    listed = {p.title: p for p in response.context["plans"]}
    row = listed["Priority action plan"]
    assert (row.actions_count, row.red, row.amber, row.green, row.overdue, row.done) == (3, 2, 0, 1, 1, 0)
    assert listed["Neglect strategy action plan"].actions_count == 0
    assert overdue.rag == "red"
    assert b"Make a plan" not in response.content


def test_the_plan_shows_each_theme_with_its_actions_tags_latest_evidence_and_source(world, client_for):
    plan = make_plan(world)
    overdue = set_due(add_action(world, plan, agency=world.police), days_ago(1))
    updated = add_action(world, plan, months=6, position=2, owner=world.mm,
                         description="Screen every contact at the front door within 24 hours.")
    _progress(updated, rag="red", quarter=quarter_start(today()) - relativedelta(months=3))
    _progress(updated, rag="amber")
    audited = add_action(world, plan, months=12, position=5, description="Record the child's words at every visit.")
    ImprovementAction.objects.filter(pk=audited.pk).update(audit_round=_round(world))
    response = client_for(world.sm).get(reverse("improvement-plan-detail", args=[plan.pk]))
    text = response.content.decode()
    for theme in SEED_THEMES:
        assert theme.replace("'", "&#x27;") in text
    detail = response.context["detail"]
    assert detail.counts == {"actions": 3, "red": 2, "amber": 1, "green": 0, "overdue": 1, "done": 0}
    rows = {row.action.pk: row for section in detail.themes for row in section.actions}
    assert rows[overdue.pk].overdue and not rows[updated.pk].overdue
    assert rows[updated.pk].latest.update.rag == "amber" and len(rows[updated.pk].earlier) == 1
    assert "Overdue" in text and "govuk-tag--orange" in text
    assert world.police.name in text and "Dip sample of 20 meetings by the MASH." in text
    assert quarter_name(quarter_start(today())) in text
    assert "From the domestic abuse case-file audit" in text
    assert "Add an action" in text and "Mark as done" in text


def test_a_police_manager_records_progress_on_their_agencys_action_only(world, client_for):
    manager = UserFactory.create(username="pm", agency=world.police, role=Role.TEAM_MANAGER, partnership=world.north)
    plan = make_plan(world)
    theirs = add_action(world, plan, agency=world.police)
    csc_action = add_action(world, plan, months=6)
    client = client_for(manager)
    page = client.get(reverse("improvement-plan-detail", args=[plan.pk])).content.decode()
    assert reverse("improvement-progress-add", args=[theirs.pk]) in page
    assert reverse("improvement-progress-add", args=[csc_action.pk]) not in page
    body = {"quarter_starts_on": quarter_start(today()).isoformat(), "rag": "green",
            "progress": "Every officer briefed.", "evidence": "Briefing register, 96% attendance."}
    response = client.post(reverse("improvement-progress-add", args=[theirs.pk]), body)
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.rag == "green"
    assert client.post(reverse("improvement-progress-add", args=[csc_action.pk]), body).status_code == 403
    assert not ProgressUpdate.objects.filter(action=csc_action).exists()


def test_progress_missing_its_evidence_is_refused_on_the_field_and_nothing_is_saved(world, client_for):
    plan = make_plan(world)
    action = add_action(world, plan)
    response = client_for(world.sm).post(reverse("improvement-progress-add", args=[action.pk]), {
        "quarter_starts_on": quarter_start(today()).isoformat(), "rag": "", "progress": "Started.", "evidence": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"rag", "evidence"}
    text = response.content.decode()
    assert text.index("govuk-error-summary") < text.index("<h1")
    assert 'href="#id_evidence"' in text and "<title>Error: " in text
    assert not ProgressUpdate.objects.exists()


def test_a_second_update_for_the_same_quarter_is_refused_on_the_quarter(world, client_for):
    plan = make_plan(world)
    action = add_action(world, plan)
    _progress(action)
    response = client_for(world.sm).post(reverse("improvement-progress-add", args=[action.pk]), {
        "quarter_starts_on": quarter_start(today()).isoformat(), "rag": "green", "progress": "More.",
        "evidence": "Audit."})
    assert list(response.context["form"].errors) == ["quarter_starts_on"]
    assert ProgressUpdate.objects.count() == 1


def test_the_senior_manager_makes_a_plan_from_the_seed_themes_and_adds_a_theme_and_an_action(world, client_for):
    client = client_for(world.sm)
    form = client.get(reverse("improvement-plan-create")).context["form"]
    assert form.initial["themes"] == list(SEED_THEMES)
    starts = today().replace(day=1)
    response = client.post(reverse("improvement-plan-create"), {
        "title": "Priority action plan", **_date("starts_on", starts), "themes": list(SEED_THEMES[:2]),
        "other_themes": "Early help\n\n"})
    plan = ImprovementPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("improvement-plan-detail", args=[plan.pk])
    assert list(plan.themes.values_list("title", flat=True)) == [*SEED_THEMES[:2], "Early help"]
    response = client.post(reverse("improvement-theme-add", args=[plan.pk]), {"title": "Leadership"})
    assert response.status_code == 302
    theme = ImprovementTheme.objects.get(plan=plan, title="Leadership")
    page = client.get(reverse("improvement-plan-detail", args=[plan.pk])).content.decode()
    add_here = f"{reverse('improvement-action-add', args=[plan.pk])}?theme={theme.pk}"
    assert add_here in page
    assert client.get(add_here).context["form"]["theme"].value() == str(theme.pk)
    response = client.post(reverse("improvement-action-add", args=[plan.pk]), {
        "theme": theme.pk, "description": "Chair a monthly practice-quality board.", "owner_agency": world.csc.pk,
        "owner": world.tm.pk, "timescale_months": 6, "expected_impact": "Leaders know frontline practice."})
    assert response.status_code == 302
    action = ImprovementAction.objects.get()
    assert (action.theme, action.owner, action.due_on) == (theme, world.tm, starts + relativedelta(months=6))


def test_an_empty_plan_form_is_refused_field_by_field(world, client_for):
    response = client_for(world.ad).post(reverse("improvement-plan-create"), {"title": "", "other_themes": ""})
    assert set(response.context["form"].errors) == {"title", "starts_on", "themes"}
    assert not ImprovementPlan.objects.exists()


def test_an_owner_from_another_agency_is_refused_on_the_owner(world, client_for):
    plan = make_plan(world)
    response = client_for(world.sm).post(reverse("improvement-action-add", args=[plan.pk]), {
        "theme": plan.themes.order_by("position")[0].pk, "description": "Brief every officer.",
        "owner_agency": world.police.pk, "owner": world.tm.pk, "timescale_months": 3,
        "expected_impact": "Children are referred sooner."})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["owner"]
    assert not ImprovementAction.objects.exists()


def test_the_owner_marks_the_action_done_and_it_leaves_the_overdue_count(world, client_for):
    plan = make_plan(world)
    action = set_due(add_action(world, plan, owner=world.tm), days_ago(5))
    response = client_for(world.tm).post(reverse("improvement-action-done", args=[action.pk]))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    detail = client_for(world.sm).get(reverse("improvement-plan-detail", args=[plan.pk])).context["detail"]
    assert (detail.counts["overdue"], detail.counts["done"]) == (0, 1)
    again = client_for(world.tm).post(reverse("improvement-action-done", args=[action.pk]), follow=True)
    assert "already done" in again.content.decode()


def _grow(world, plan, n: int) -> None:
    for i in range(n):
        action = add_action(world, plan, months=(3, 6, 9, 12)[i % 4], position=i % 5 + 1,
                            agency=(world.csc, world.police)[i % 2], owner=world.mm if i % 2 == 0 else None,
                            description=f"Action {i}")
        _progress(action)
        ImprovementAction.objects.filter(pk=action.pk).update(audit_round=_round(world, f"theme {i}"))


@pytest.mark.parametrize("n", [1, 6])
def test_the_list_queries_stay_fixed_as_plans_grow(world, client_for, django_assert_num_queries, n):
    for i in range(n):
        _grow(world, make_plan(world, title=f"Plan {i}"), 2)
    client = client_for(world.sm)
    warm(client, reverse("improvement-plan-list"))
    # session; the user with membership, agency and partnership; the actor's set_config; SAVEPOINT; the plans
    # with their counts; the header badge's count; RELEASE SAVEPOINT.
    with django_assert_num_queries(7):
        client.get(reverse("improvement-plan-list"))


@pytest.mark.parametrize("n", [1, 8])
def test_the_plan_queries_stay_fixed_as_actions_grow(world, client_for, django_assert_num_queries, n):
    plan = make_plan(world)
    _grow(world, plan, n)
    client = client_for(world.sm)
    path = reverse("improvement-plan-detail", args=[plan.pk])
    warm(client, path)
    # session; user; set_config; SAVEPOINT; the plan; the themes; their actions with owner, agency and audit
    # round; the actions' updates with who recorded them; the header badge's count; RELEASE SAVEPOINT.
    with django_assert_num_queries(10):
        client.get(path)


def test_the_progress_page_queries_stay_fixed_as_updates_grow(world, client_for, django_assert_num_queries):
    plan = make_plan(world, starts_on=today() - relativedelta(months=24))
    action = add_action(world, plan)
    for back in range(6):
        _progress(action, quarter=quarter_start(today()) - relativedelta(months=3 * back))
    client = client_for(world.sm)
    path = reverse("improvement-progress-add", args=[action.pk])
    warm(client, path)
    # session; user; set_config; SAVEPOINT; the action with its theme, plan, agency and owner; its updates with
    # who recorded them; the header badge's count; RELEASE SAVEPOINT.
    with django_assert_num_queries(8):
        client.get(path)


def test_another_agencys_senior_manager_reads_plans_and_updates_only_their_agencys_actions(world, client_for):
    chief = UserFactory.create(username="police.sm", agency=world.police, role=Role.SENIOR_MANAGER,
                               partnership=world.north)
    plan = make_plan(world)
    theirs = add_action(world, plan, agency=world.police)
    csc_action = add_action(world, plan, months=6)
    client = client_for(chief)
    assert client.get(reverse("improvement-plan-list")).status_code == 200
    page = client.get(reverse("improvement-plan-detail", args=[plan.pk]))
    assert page.status_code == 200 and not page.context["may_change"]
    assert client.get(reverse("improvement-plan-create")).status_code == 403
    assert client.get(reverse("improvement-action-add", args=[plan.pk])).status_code == 403
    assert client.get(reverse("improvement-progress-add", args=[theirs.pk])).status_code == 200
    assert client.post(reverse("improvement-action-done", args=[csc_action.pk])).status_code == 403
    csc_action.refresh_from_db()
    assert csc_action.status == "open"
