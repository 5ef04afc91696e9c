"""The voice pages (SPEC 3.2)."""

from __future__ import annotations

from django.urls import URLPattern, path

from cases import views_voice as views

urlpatterns: list[URLPattern] = [
    path("voice/new/", views.voice_create, name="voice-create"),
    path("voice/<int:voice_id>/", views.voice_detail, name="voice-detail"),
    path("people/<int:person_id>/voice/", views.voice_list, name="voice-list"),
]
