"""The case page."""

from __future__ import annotations

from django.urls import URLPattern, path

from cases import views_cases

urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/", views_cases.case_detail_page, name="case-detail"),
]
