from django.urls import URLPattern, path

from audits import api_rounds, views_rounds

urlpatterns: list[URLPattern] = [
    path("audit-rounds/", views_rounds.round_list_page, name="audit-round-list"),
    path("audit-rounds/new/", views_rounds.round_create_page, name="audit-round-create"),
    path("audit-rounds/<int:round_id>/", views_rounds.round_detail_page, name="audit-round-detail"),
    path("audit-rounds/<int:round_id>/close/", views_rounds.round_close_page, name="audit-round-close"),
    path("audit-rounds/<int:round_id>/report/", views_rounds.round_report_page, name="audit-round-report"),
    path("audit-rounds/<int:round_id>/report.pdf", views_rounds.round_report_pdf, name="audit-round-report-pdf"),
    path("audit-rounds/<int:round_id>/cases/<int:audit_case_id>/", views_rounds.audit_case_page,
         name="audit-case-detail"),
    path("audit-rounds/<int:round_id>/cases/<int:audit_case_id>/moderate/", views_rounds.audit_case_moderate_page,
         name="audit-case-moderate"),
    path("audit-rounds/<int:round_id>/cases/<int:audit_case_id>/actions/new/", views_rounds.audit_action_page,
         name="audit-case-action"),
]

api_urlpatterns: list[URLPattern] = [
    path("audits/", api_rounds.AuditRoundCreate.as_view(), name="api-audit-round-create"),
]
