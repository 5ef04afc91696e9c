from cases import (
    urls_attachments,
    urls_cases,
    urls_chronology,
    urls_incidents,
    urls_people,
    urls_plans,
    urls_voice,
)

urlpatterns = [
    *urls_people.urlpatterns,
    *urls_incidents.urlpatterns,
    *urls_cases.urlpatterns,
    *urls_voice.urlpatterns,
    *urls_attachments.urlpatterns,
    *urls_plans.urlpatterns,
    *urls_chronology.urlpatterns,
]
