from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import path

from agencies import api, views, views_two_factor

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views_two_factor.TwoFactorSignInView.as_view(), name="login"),
    # Outside the request transaction, so that wrong codes stay counted toward the lockout.
    path("sign-in/two-factor/", transaction.non_atomic_requests(views_two_factor.verify), name="two-factor-verify"),
    path("sign-in/two-factor/set-up/", views_two_factor.setup, name="two-factor-setup"),
    path("sign-in/two-factor/recovery-codes/", views_two_factor.recovery_codes, name="two-factor-recovery-codes"),
    path("account/two-factor/", views_two_factor.settings_page, name="two-factor"),
    path("account/two-factor/recovery-codes/", views_two_factor.recovery_codes_new, name="two-factor-codes-new"),
    path("account/two-factor/turn-off/", views_two_factor.turn_off, name="two-factor-turn-off"),
    path("account/confirm-it-is-you/", transaction.non_atomic_requests(views_two_factor.reauthenticate),
         name="reauthenticate"),
    path("account/session/", views.session_status, name="session-status"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox-mark-read"),
]

api_urlpatterns = [
    # Outside the request transaction, so that failed attempts stay recorded for the lockout.
    path("auth/token/", transaction.non_atomic_requests(api.TokenObtainView.as_view()), name="api-token"),
    path("partnerships/", api.PartnershipListCreate.as_view(), name="api-partnerships"),
    path("agencies/", api.AgencyListCreate.as_view(), name="api-agencies"),
    path("users/", api.UserListCreate.as_view(), name="api-users"),
    path("notifications/", api.NotificationList.as_view(), name="api-notifications"),
]
