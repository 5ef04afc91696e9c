"""The strategy meeting pages."""

from __future__ import annotations

from django.urls import URLPattern, path

from strategy_meetings import views, views_organise, views_record

urlpatterns: list[URLPattern] = [
    path("strategy-meetings/", views.meeting_list_page, name="meeting-list"),
    path("strategy-meetings/<int:meeting_id>/", views.meeting_detail_page, name="meeting-detail"),
    path("strategy-meetings/<int:meeting_id>/contribute/", views.meeting_contribute_page,
         name="meeting-contribute"),
    path("strategy-meetings/<int:meeting_id>/hold/", views.meeting_hold_page, name="meeting-hold"),
    # Organising: invitations, the time and chair, considered but not held, the conference after section 47.
    path("strategy-meetings/<int:meeting_id>/invite/", views_organise.meeting_invite_page, name="meeting-invite"),
    path("strategy-meetings/<int:meeting_id>/schedule/", views_organise.meeting_schedule_page,
         name="meeting-schedule"),
    path("strategy-meetings/<int:meeting_id>/not-held/", views_organise.meeting_not_held_page,
         name="meeting-not-held"),
    path("strategy-meetings/<int:meeting_id>/conference/", views_organise.meeting_conference_page,
         name="meeting-conference"),
    # After the meeting: actions and minutes.
    path("strategy-meetings/<int:meeting_id>/actions/new/", views_record.meeting_action_add_page,
         name="meeting-action-add"),
    path("strategy-meetings/<int:meeting_id>/actions/<int:action_id>/done/", views_record.meeting_action_done_page,
         name="meeting-action-done"),
    path("strategy-meetings/<int:meeting_id>/minutes/", views_record.meeting_minutes_page, name="meeting-minutes"),
]
