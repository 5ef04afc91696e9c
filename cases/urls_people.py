from django.urls import URLPattern, path

from cases import views_people as views

urlpatterns: list[URLPattern] = [
    path("people/", views.people_find, name="people-find"),
    path("people/known/", views.people_known, name="people-known"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/duplicates/", views.person_duplicates, name="person-duplicates"),
    path("people/<int:person_id>/", views.person_detail, name="person-detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:person_id>/merge/", views.person_merge, name="person-merge"),
    path("people/<int:person_id>/break-glass/", views.person_break_glass, name="person-break-glass"),
    path("households/new/", views.household_create, name="household-create"),
    path("households/<int:household_id>/", views.household_detail, name="household-detail"),
]
