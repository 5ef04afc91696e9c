"""The strategy meeting pages."""

from __future__ import annotations

from django.urls import URLPattern, path

from strategy_meetings import views

urlpatterns: list[URLPattern] = [
    path("strategy-meetings/", views.meeting_list_page, name="meeting-list"),
    path("strategy-meetings/<int:meeting_id>/", views.meeting_detail_page, name="meeting-detail"),
    path("strategy-meetings/<int:meeting_id>/contribute/", views.meeting_contribute_page,
         name="meeting-contribute"),
    path("strategy-meetings/<int:meeting_id>/hold/", views.meeting_hold_page, name="meeting-hold"),
]
