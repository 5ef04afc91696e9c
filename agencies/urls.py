from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import path

from agencies import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
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
