from django.urls import path

from audits import api, urls_dashboard, urls_improvement, urls_rounds, urls_training, views

urlpatterns = [
    path("history/<slug:record_type>/<int:record_id>/", views.history, name="history"),
    *urls_dashboard.urlpatterns,
    *urls_rounds.urlpatterns,
    *urls_improvement.urlpatterns,
    *urls_training.urlpatterns,
]

api_urlpatterns = [
    path("access-log/", api.AccessLogList.as_view(), name="api-access-log"),
    *urls_dashboard.api_urlpatterns,
    *urls_rounds.api_urlpatterns,
    *urls_improvement.api_urlpatterns,
    *urls_training.api_urlpatterns,
]
