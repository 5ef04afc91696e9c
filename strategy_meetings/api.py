"""API.md "Strategy meetings": convene, read, invite, schedule, contribute, hold, actions, minutes, not held; and
beyond API.md, an action marked done and the conference booked.

Thin views over ``strategy_meetings.selectors`` and ``strategy_meetings.services``. Every meeting is fetched
through ``meeting_get_for`` first (404 when the user may not know it exists; the view is logged), then the role
check (403), then the service (400 with field-level messages, through ``config.api``'s exception handler).

Who may do what (ACCESS.md "strategy meeting detail", "contribute to a meeting", "hold / not-held / distribute
minutes"):

- ``POST /strategy-meetings/``: children's social care practitioners and managers (not auditors or admins).
- ``GET /strategy-meetings/``: the meetings the user may see, soonest due first.
- ``GET /strategy-meetings/{id}/``: children's social care and admins; a partner agency once invited.
- ``invitations/``, ``schedule/``, ``actions/``, ``conference/``: children's social care casework staff, or the
  chair.
- ``actions/{action}/done/``: the action's owner, a practitioner or manager of its agency, or those organising.
- ``contributions/``: children's social care casework staff, or a practitioner or manager of an invited agency.
- ``held/``, ``distribute-minutes/``, ``not-held/``: a MASH manager, team manager or senior manager of children's
  social care, or the meeting's chair.

Each write answers with the meeting as ``GET`` shows it, and its ETag. ``schedule/`` and ``conference/`` change
what may already be set: they honour ``If-Match`` (412 when stale) or a body ``version`` (409 when stale).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency, User
from agencies.selectors import agencies_visible, membership_of, users_visible
from cases.permissions import people_visible, sees_whole_partnership
from config.api import etag, stale_response, write_version
from referrals.permissions import referrals_visible
from strategy_meetings import services
from strategy_meetings.models import Action, StrategyMeeting
from strategy_meetings.permissions import (
    NOT_CASEWORK,
    meeting_contribute_check,
    meeting_get_for,
    meeting_manage_check,
    meeting_organise_check,
)
from strategy_meetings.selectors import meeting_detail, meeting_detail_of, meetings_listed
from strategy_meetings.serializers import (
    MeetingActionSerializer,
    MeetingConferenceSerializer,
    MeetingContributeSerializer,
    MeetingConveneSerializer,
    MeetingHoldSerializer,
    MeetingInviteSerializer,
    MeetingMinutesSerializer,
    MeetingNotHeldSerializer,
    MeetingScheduleSerializer,
    StrategyMeetingListItemSerializer,
    StrategyMeetingSerializer,
)


def _user(request: Request) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


_IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False,
                             description="The ETag you read; 412 if the meeting has changed since")


def _detail_response(user: User, meeting: StrategyMeeting, code: int = status.HTTP_200_OK) -> Response:
    meeting.refresh_from_db()
    detail = meeting_detail_of(user=user, meeting=meeting)
    response = Response(StrategyMeetingSerializer(detail).data, status=code)
    response["ETag"] = etag("strategy_meeting", detail.meeting)
    return response


def _body(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    data: dict[str, Any] = body.validated_data
    return data


def _agency(user: User, agency_id: int, field: str) -> Agency:
    agency = agencies_visible(user=user).filter(pk=agency_id).first()
    if agency is None:
        raise serializers.ValidationError({field: ["Unknown agency."]})
    return agency


def _user_named(user: User, user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    named = users_visible(user=user).filter(pk=user_id).first()
    if named is None:
        raise serializers.ValidationError({field: ["Unknown user."]})
    return named


def convene_check(user: User) -> None:
    """Children's social care practitioners and managers convene (auditors and admins do not)."""
    membership = membership_of(user)
    if membership is None or not sees_whole_partnership(user) or membership.role in NOT_CASEWORK:
        raise PermissionDenied("Only children's social care practitioners and managers convene a strategy meeting.")


class MeetingListCreate(APIView):
    @extend_schema(operation_id="strategy_meetings_list", responses={200: StrategyMeetingListItemSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """The meetings the user may see, soonest due first."""
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(meetings_listed(user=_user(request)), request, view=self) or []
        return paginator.get_paginated_response(StrategyMeetingListItemSerializer(page, many=True).data)

    @extend_schema(request=MeetingConveneSerializer, responses={201: StrategyMeetingSerializer})
    def post(self, request: Request) -> Response:
        """Convene a meeting: due by the partnership's deadline, with the required and proposed invitations."""
        user = _user(request)
        convene_check(user)
        data = _body(MeetingConveneSerializer, request)
        membership = membership_of(user)
        assert membership is not None  # noqa: S101 - convene_check
        ids = list(dict.fromkeys(data["children"]))
        found = {
            person.pk: person for person in people_visible(user).filter(
                pk__in=ids, partnership_id=membership.partnership_id, merged_into__isnull=True)
        } if ids else {}
        unknown = [f"Unknown child {pk}." for pk in ids if pk not in found]
        if unknown:
            raise serializers.ValidationError({"children": unknown})
        referral = None
        if data["referral"] is not None:
            referral = referrals_visible(user).filter(pk=data["referral"],
                                                      partnership_id=membership.partnership_id).first()
            if referral is None:
                raise serializers.ValidationError({"referral": ["Unknown referral."]})
        meeting = services.meeting_convene(
            partnership=membership.partnership, by=user, children=[found[pk] for pk in ids],
            threshold_met_at=data["threshold_met_at"], reason=data["reason"], referral=referral,
        )
        response = _detail_response(user, meeting, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/strategy-meetings/{meeting.pk}/"
        return response


class MeetingDetailView(APIView):
    @extend_schema(responses={200: StrategyMeetingSerializer})
    def get(self, request: Request, pk: int) -> Response:
        detail = meeting_detail(user=_user(request), meeting_id=pk)
        response = Response(StrategyMeetingSerializer(detail).data)
        response["ETag"] = etag("strategy_meeting", detail.meeting)
        return response


def _action_view(
    *,
    name: str,
    body: type[serializers.Serializer[Any]],
    check: Callable[[User, StrategyMeeting], object],
    act: Callable[[User, StrategyMeeting, dict[str, Any]], object],
    code: int,
    doc: str,
    versioned: bool = False,
) -> type[APIView]:
    """A POST on one meeting: fetch it (404), check the role (403), then the service (400).

    ``versioned``: the write changes what is already set, so it honours the version read (API.md): an ETag in
    ``If-Match`` (412 when stale) or the body's ``version`` (409 when stale)."""

    class MeetingAction(APIView):
        @extend_schema(operation_id=f"strategy_meetings_{name}", request=body,
                       responses={code: StrategyMeetingSerializer}, description=doc,
                       parameters=[_IF_MATCH] if versioned else None)
        def post(self, request: Request, pk: int) -> Response:
            user = _user(request)
            meeting = meeting_get_for(user, pk)
            check(user, meeting)
            data = _body(body, request)
            stale_status: int = status.HTTP_409_CONFLICT
            if versioned and (request.headers.get("If-Match") is not None or data["version"] is not None):
                written = write_version(request, kind="strategy_meeting", record=meeting,
                                        body_version=data["version"])
                if written.version is None:
                    return stale_response(written.stale_status, services.StaleMeeting.MESSAGE)
                stale_status, data["version"] = written.stale_status, written.version
            try:
                act(user, meeting, data)
            except services.StaleMeeting as stale:
                return stale_response(stale_status, stale.MESSAGE)
            return _detail_response(user, meeting, code)

    MeetingAction.__name__ = MeetingAction.__qualname__ = f"Meeting{name.title().replace('_', '')}"
    return MeetingAction


def _invite(user: User, meeting: StrategyMeeting, data: dict[str, Any]) -> object:
    return services.meeting_invite(meeting=meeting, by=user, agency=_agency(user, data["agency"], "agency"),
                                   required=data["required"])


def _schedule(user: User, meeting: StrategyMeeting, data: dict[str, Any]) -> object:
    return services.meeting_schedule(meeting=meeting, by=user, scheduled_for=data["scheduled_for"],
                                     chair=_user_named(user, data["chair"], "chair"), version=data["version"])


def _contribute(user: User, meeting: StrategyMeeting, data: dict[str, Any]) -> object:
    return services.meeting_contribute(meeting=meeting, by=user, information=data["information"])


def _hold(user: User, meeting: StrategyMeeting, data: dict[str, Any]) -> object:
    return services.meeting_hold(
        meeting=meeting, by=user, held_at=data["held_at"],
        attendance={row["agency"]: row["response"] for row in data["attendance"]},
        outcome=data["outcome"], missing_agency_reason=data["missing_agency_reason"],
    )


def _action_add(user: User, meeting: StrategyMeeting, data: dict[str, Any]) -> object:
    return services.meeting_action_add(
        meeting=meeting, by=user, description=data["description"],
        owner_agency=_agency(user, data["owner_agency"], "owner_agency"), due_by=data["due_by"],
        owner=_user_named(user, data["owner"], "owner"),
    )


def _conference(user: User, meeting: StrategyMeeting, data: dict[str, Any]) -> object:
    return services.meeting_conference_book(meeting=meeting, by=user, conference_at=data["conference_at"],
                                            version=data["version"])


def _distribute(user: User, meeting: StrategyMeeting, data: dict[str, Any]) -> object:
    return services.meeting_minutes_distribute(meeting=meeting, by=user, minutes=data["minutes"])


def _not_held(user: User, meeting: StrategyMeeting, data: dict[str, Any]) -> object:
    return services.meeting_not_held(meeting=meeting, by=user, rationale=data["rationale"], instead=data["instead"])


MeetingInvite = _action_view(name="invite", body=MeetingInviteSerializer, check=meeting_organise_check,
                             act=_invite, code=status.HTTP_201_CREATED,
                             doc="Invite one more agency: it may then see the meeting and is told.")
MeetingSchedule = _action_view(name="schedule", body=MeetingScheduleSerializer, check=meeting_organise_check,
                               act=_schedule, code=status.HTTP_200_OK, versioned=True,
                               doc="When the meeting is, and who chairs it: status scheduled.")
MeetingContribute = _action_view(name="contribute", body=MeetingContributeSerializer,
                                 check=meeting_contribute_check, act=_contribute, code=status.HTTP_201_CREATED,
                                 doc="What the user's invited agency knows: marks it sent_information.")
MeetingHold = _action_view(name="hold", body=MeetingHoldSerializer, check=meeting_manage_check, act=_hold,
                           code=status.HTTP_200_OK,
                           doc="Record the meeting held: 400 when a required agency neither attended nor"
                               " contributed and no missing_agency_reason is given.")
MeetingActionAdd = _action_view(name="action_add", body=MeetingActionSerializer, check=meeting_organise_check,
                                act=_action_add, code=status.HTTP_201_CREATED,
                                doc="An action agreed at the (held) meeting, owned by an invited agency.")
MeetingDistribute = _action_view(name="distribute_minutes", body=MeetingMinutesSerializer,
                                 check=meeting_manage_check, act=_distribute, code=status.HTTP_200_OK,
                                 doc="Send the minutes and actions to every invited agency, once.")
MeetingConference = _action_view(name="conference", body=MeetingConferenceSerializer, check=meeting_organise_check,
                                 act=_conference, code=status.HTTP_200_OK, versioned=True,
                                 doc="When the initial child protection conference is booked for, after a section 47"
                                     " outcome; it may be rebooked.")
MeetingNotHeld = _action_view(name="not_held", body=MeetingNotHeldSerializer, check=meeting_manage_check,
                              act=_not_held, code=status.HTTP_200_OK,
                              doc="Considered, not held: why, and what was done instead.")


class MeetingActionDone(APIView):
    @extend_schema(operation_id="strategy_meetings_action_done", request=None,
                   responses={200: StrategyMeetingSerializer})
    def post(self, request: Request, pk: int, action_pk: int) -> Response:
        """Mark an action done: its owner, its agency's practitioners and managers, or those organising."""
        user = _user(request)
        meeting = meeting_get_for(user, pk)
        action = Action.objects.filter(meeting=meeting, pk=action_pk).select_related("meeting", "owner_agency").first()
        if action is None:
            raise Http404("No such action")
        services.meeting_action_done(action=action, by=user)
        return _detail_response(user, meeting)


api_urlpatterns: list[URLPattern] = [
    path("strategy-meetings/", MeetingListCreate.as_view(), name="api-strategy-meetings"),
    path("strategy-meetings/<int:pk>/", MeetingDetailView.as_view(), name="api-strategy-meeting"),
    path("strategy-meetings/<int:pk>/invitations/", MeetingInvite.as_view(), name="api-strategy-meeting-invitations"),
    path("strategy-meetings/<int:pk>/schedule/", MeetingSchedule.as_view(), name="api-strategy-meeting-schedule"),
    path("strategy-meetings/<int:pk>/contributions/", MeetingContribute.as_view(),
         name="api-strategy-meeting-contributions"),
    path("strategy-meetings/<int:pk>/held/", MeetingHold.as_view(), name="api-strategy-meeting-held"),
    path("strategy-meetings/<int:pk>/actions/", MeetingActionAdd.as_view(), name="api-strategy-meeting-actions"),
    path("strategy-meetings/<int:pk>/distribute-minutes/", MeetingDistribute.as_view(),
         name="api-strategy-meeting-distribute-minutes"),
    path("strategy-meetings/<int:pk>/actions/<int:action_pk>/done/", MeetingActionDone.as_view(),
         name="api-strategy-meeting-action-done"),
    path("strategy-meetings/<int:pk>/conference/", MeetingConference.as_view(), name="api-strategy-meeting-conference"),
    path("strategy-meetings/<int:pk>/not-held/", MeetingNotHeld.as_view(), name="api-strategy-meeting-not-held"),
]
