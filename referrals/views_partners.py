"""Front-door pages (SPEC 3.3, 8)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
