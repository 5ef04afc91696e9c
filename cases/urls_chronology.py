"""The chronology pages (SPEC 3.2): the timeline, and its CSV and PDF downloads."""

from __future__ import annotations

from django.urls import URLPattern, path

from cases import views_chronology as views

urlpatterns: list[URLPattern] = [
    path("people/<int:person_id>/chronology/", views.chronology_page, name="chronology"),
    path("people/<int:person_id>/chronology.csv", views.chronology_csv, name="chronology-csv"),
    path("people/<int:person_id>/chronology.pdf", views.chronology_pdf, name="chronology-pdf"),
]
