from django.urls import path

from cases import views_incidents as views

urlpatterns = [
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/new/", views.incident_create_page, name="incident-create"),
    path("incidents/<int:incident_id>/", views.incident_detail_page, name="incident-detail"),
    path("escalating/<int:flag_id>/review/", views.escalating_review, name="escalating-review"),
    path("encompass/", views.encompass_list, name="encompass-list"),
    path("encompass/<int:notice_id>/", views.encompass_detail, name="encompass-detail"),
    path("encompass/<int:notice_id>/send/", views.encompass_send, name="encompass-send"),
]
