from django.urls import URLPattern, path

from audits import api_dashboard, views_dashboard

urlpatterns: list[URLPattern] = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/<slug:key>/", views_dashboard.dashboard_records, name="dashboard-records"),
]

api_urlpatterns: list[URLPattern] = [
    path("dashboard/", api_dashboard.DashboardFigures.as_view(), name="api-dashboard"),
]
