"""The attachments pages (SPEC 3.2)."""

from __future__ import annotations

from django.urls import URLPattern, path

from cases import views_attachments as views

urlpatterns: list[URLPattern] = [
    path("attachments/new/", views.attachment_create_page, name="attachment-create"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment-download"),
]
