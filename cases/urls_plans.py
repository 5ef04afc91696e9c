"""The plans pages (SPEC 3.2)."""

from __future__ import annotations

from django.urls import URLPattern, path

from cases import views_plans as views

urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/plans/new/", views.plan_create_page, name="plan-create"),
    path("plans/<int:plan_id>/", views.plan_detail_page, name="plan-detail"),
    path("plans/<int:plan_id>/edit/", views.plan_edit_page, name="plan-edit"),
    path("plans/<int:plan_id>/distribute/", views.plan_distribute_page, name="plan-distribute"),
    path("plans/<int:plan_id>/actions/<int:action_id>/close/", views.plan_action_close_page,
         name="plan-action-close"),
]
