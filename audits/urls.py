from django.urls import path

from audits import api, views

urlpatterns = [
    path("history/<slug:record_type>/<int:record_id>/", views.history, name="history"),
]

api_urlpatterns = [
    path("access-log/", api.AccessLogList.as_view(), name="api-access-log"),
]
