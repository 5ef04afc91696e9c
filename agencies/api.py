from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies import reauth, selectors, services, two_factor
from agencies.models import Agency, Notification, Partnership, User
from agencies.serializers import (
    AgencySerializer,
    NotificationSerializer,
    PartnershipSerializer,
    UserCreateSerializer,
    UserSerializer,
)


class TokenRequestSerializer(AuthTokenSerializer):
    code = serializers.CharField(
        required=False, allow_blank=True, write_only=True,
        help_text="The code from the authenticator app, or a recovery code: needed by anyone who signs in with one.",
    )


SET_UP_FIRST = (
    "Your role signs in with two-factor authentication: sign in to the service once to set up your "
    "authenticator app, then send its code with your password."
)


class TokenObtainView(APIView):
    """Exchange a username and password (and, for anyone who signs in with two factors, a code) for an API token
    (API.md, Authentication). The code is asked for here as at the sign-in page: a token is a signed-in session
    that lasts, and must not be a way round the second factor."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        if serializer.is_valid():
            user = serializer.validated_data["user"]
            refused = self._second_factor_refusal(request, user, serializer.validated_data.get("code", ""))
            if refused is not None:
                return refused
            token, _ = Token.objects.get_or_create(user=user)
            return Response({"token": token.key})
        # The lockout check flags the request rather than raising through authenticate().
        if getattr(request, "axes_locked_out", False):
            return Response(
                {
                    "detail": "This account is locked after repeated failed sign-ins. "
                    "Try again later or ask your administrator."
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        # Answered, not raised: a raised error would roll back the recorded failure.
        return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)

    @staticmethod
    def _second_factor_refusal(request: Request, user: User, code: str) -> Response | None:
        if two_factor.has_two_factor(user):
            errors = reauth.code_errors(request._request, user=user, code=code)
            return Response(errors, status=status.HTTP_400_BAD_REQUEST) if errors else None
        if two_factor.two_factor_required(user):
            return Response({"detail": SET_UP_FIRST}, status=status.HTTP_403_FORBIDDEN)
        return None


class RolePermission(BasePermission):
    """The role must carry the model permission named for the method (a superuser has all)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        perm = view.role_permissions.get(request.method)
        return perm is None or bool(request.user.has_perm(perm))




class PartnershipListCreate(generics.ListCreateAPIView[Partnership]):
    serializer_class = PartnershipSerializer
    permission_classes = [RolePermission]
    role_permissions = {"GET": "agencies.view_partnership", "POST": "agencies.add_partnership"}

    def get_queryset(self) -> QuerySet[Partnership]:
        return selectors.partnerships_of(self.request.user)  # type: ignore[arg-type]

    def perform_create(self, serializer: Any) -> None:
        with transaction.atomic():
            serializer.instance = services.partnership_create(**serializer.validated_data)


class AgencyListCreate(generics.ListCreateAPIView[Agency]):
    serializer_class = AgencySerializer
    permission_classes = [RolePermission]
    role_permissions = {"GET": "agencies.view_agency", "POST": "agencies.add_agency"}

    def get_queryset(self) -> QuerySet[Agency]:
        return selectors.agencies_visible(user=self.request.user)  # type: ignore[arg-type]

    def perform_create(self, serializer: Any) -> None:
        with transaction.atomic():
            serializer.instance = services.agency_create(**serializer.validated_data)


class UserListCreate(generics.ListCreateAPIView[User]):
    permission_classes = [RolePermission]
    role_permissions = {"GET": "agencies.view_user", "POST": "agencies.add_user"}

    def get_serializer_class(self) -> Any:
        return UserCreateSerializer if self.request.method == "POST" else UserSerializer

    def get_queryset(self) -> QuerySet[User]:
        return selectors.users_visible(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = UserCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            user = services.user_create(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class NotificationList(generics.ListAPIView[Notification]):
    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notifications_for(user=self.request.user)  # type: ignore[arg-type]
