from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agencies import urls as agencies_urls
from audits import urls as audits_urls
from cases import api_attachments, api_chronology, api_incidents, api_people, api_plans, api_voice
from cases import urls as cases_urls
from referrals import api as referrals_api
from referrals import urls as referrals_urls
from strategy_meetings import api as strategy_meetings_api
from strategy_meetings import urls as strategy_meetings_urls

api_urlpatterns = [
    *agencies_urls.api_urlpatterns,
    *audits_urls.api_urlpatterns,
    *api_people.api_urlpatterns,
    *api_incidents.api_urlpatterns,
    *api_voice.api_urlpatterns,
    *api_attachments.api_urlpatterns,
    *api_plans.api_urlpatterns,
    *api_chronology.api_urlpatterns,
    *referrals_api.api_urlpatterns,
    *strategy_meetings_api.api_urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", include(agencies_urls.urlpatterns)),
    path("", include(audits_urls.urlpatterns)),
    path("", include(cases_urls.urlpatterns)),
    path("", include(referrals_urls.urlpatterns)),
    path("", include(strategy_meetings_urls.urlpatterns)),
    path("api/v1/", include(api_urlpatterns)),
]

# An address under /api/ that names no endpoint is answered in JSON like every other API refusal.
handler404 = "config.api.not_found"
