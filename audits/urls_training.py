from django.urls import URLPattern, path

from audits import views_training as views

urlpatterns: list[URLPattern] = [
    path("training/", views.training_compliance_page, name="training-compliance"),
    path("training/agencies/<int:agency_id>/", views.training_agency_page, name="training-agency"),
    path("training/staff/<int:user_id>/", views.training_staff_page, name="training-staff"),
]

api_urlpatterns: list[URLPattern] = []
