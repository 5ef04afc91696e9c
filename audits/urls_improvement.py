from django.urls import URLPattern, path

from audits import views_improvement as views

urlpatterns: list[URLPattern] = [
    path("improvement-plans/", views.improvement_plan_list_page, name="improvement-plan-list"),
    path("improvement-plans/new/", views.improvement_plan_create_page, name="improvement-plan-create"),
    path("improvement-plans/<int:plan_id>/", views.improvement_plan_detail_page, name="improvement-plan-detail"),
    path("improvement-plans/<int:plan_id>/themes/new/", views.improvement_theme_add_page,
         name="improvement-theme-add"),
    path("improvement-plans/<int:plan_id>/actions/new/", views.improvement_action_add_page,
         name="improvement-action-add"),
    path("improvement-actions/<int:action_id>/progress/", views.improvement_progress_add_page,
         name="improvement-progress-add"),
    path("improvement-actions/<int:action_id>/done/", views.improvement_action_done_page,
         name="improvement-action-done"),
]

api_urlpatterns: list[URLPattern] = []
