"""API.md "Front door": referrals, the triage queue, agency checks, decisions, feedback and escalations.

Thin views over ``referrals.selectors`` and ``referrals.services``. Every record is fetched through the access
helpers of ``referrals.permissions`` first (404 when the user may not know it exists, and the view is logged),
then the role check (403), then the service (400 with field-level messages, through ``config.api``).

Who may do what (ACCESS.md):

- ``POST /referrals/``: any practitioner or manager of a partnership (auditors and administrators 403); partner
  agencies refer for their own agency, the MASH records contacts from any agency of its partnership.
- ``GET /referrals/``: children's social care and administrators see every referral of their partnerships,
  partner agencies only the referrals their agency made, auditors those their audits sample, anyone else none.
  ``?status=awaiting_decision`` is the triage queue for MASH staff and the senior manager (riskiest and least
  time left first, siblings grouped, with the whole queue's totals); for others the same filter, riskiest first.
- ``GET /referrals/{id}/``: as ``selectors.referral_detail`` shows it (see ``ReferralSerializer``).
- ``PATCH /referrals/{id}/``: the RAG rating and allocation, MASH practitioners and managers only; send the
  ``version`` you read (409 when stale) or its ETag in ``If-Match`` (412 when stale).
- ``POST /referrals/{id}/checks/``: MASH practitioners and managers; ``GET /checks/``: the checks addressed to
  the user's agency (children's social care: every check of its partnerships); ``POST /checks/{id}/answer/``:
  the addressed agency's practitioners and managers.
- ``POST /referrals/{id}/decision/``: a MASH manager or the senior manager.
- ``POST /referrals/{id}/feedback/``: MASH staff and children's social care managers.
- ``POST /referrals/{id}/escalations/``: the referring agency or an agency asked for a check;
  ``POST /escalations/{id}/respond/``: the stage's respondent or a manager at that stage's level.

Errors of the consent on ``POST /referrals/`` are nested as the body is: ``{"consent": {"status": [...]}}`` and
``{"consent": {"reason": [...]}}``; those of a new child as ``{"new_children": [{}, {"given_name": [...]}]}``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, QuerySet
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from agencies.models import Agency, Role, User
from agencies.selectors import agencies_visible, membership_of, users_visible
from audits.permissions import is_auditor
from cases.models import Person
from cases.permissions import incidents_visible, people_visible, sees_whole_partnership
from cases.services.people import StaleRecord
from config.api import etag, stale_response, write_version
from referrals import rules
from referrals.models import AgencyCheck, Escalation, Referral
from referrals.permissions import (
    agency_check_get_for,
    agency_checks_visible,
    check_request_check,
    escalation_get_for,
    escalation_raise_check,
    escalation_respond_check,
    feedback_record_check,
    referral_create_check,
    referral_decide_check,
    referral_get_for,
    referrals_visible,
    triage_act_check,
    triage_may_see,
)
from referrals.selectors import (
    QueueRow,
    agency_checks_inbox,
    referral_detail,
    referral_detail_of,
    referrals_made,
    referrals_with_children,
    risk_order,
    triage_queue_ordered,
    triage_rows,
    triage_totals,
)
from referrals.serializers import (
    CheckAnswerSerializer,
    CheckInboxSerializer,
    CheckListQuerySerializer,
    CheckPageSerializer,
    CheckRequestSerializer,
    CheckSerializer,
    DecisionCreatedSerializer,
    DecisionCreateSerializer,
    EscalationCreateSerializer,
    EscalationRespondSerializer,
    EscalationSerializer,
    FeedbackCreateSerializer,
    FeedbackSerializer,
    ReferralCreateSerializer,
    ReferralListItemSerializer,
    ReferralListQuerySerializer,
    ReferralPageSerializer,
    ReferralSerializer,
    ReferralTriageSerializer,
)
from referrals.services import (
    NewChild,
    agency_check_answer,
    agency_check_request,
    escalation_raise,
    escalation_respond,
    referral_allocate,
    referral_create,
    referral_decide,
    referral_feedback_record,
    referral_rate,
)

IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False,
                            description="The ETag you read; 412 if the referral has changed since")


def _user(request: Request) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _etag(referral: Referral) -> str:
    return etag("referral", referral)


def _stale(code: int) -> Response:
    # Nothing of this request is kept (a rating saved before a stale allocation included).
    return stale_response(code, StaleRecord.MESSAGE)


def _sees_all(user: User) -> bool:
    """Every field of the referrals the user may list: children's social care, administrators, and auditors (who
    list only the referrals about children sampled into their open rounds), as ``referral_sees_all`` says."""
    return sees_whole_partnership(user) or is_auditor(user) or (membership_of(user) is None and user.is_superuser)


def _detail_response(user: User, referral: Referral, code: int = status.HTTP_200_OK) -> Response:
    detail = referral_detail_of(user=user, referral=referral)
    response = Response(ReferralSerializer(detail).data, status=code)
    response["ETag"] = _etag(detail.referral)
    return response


def _referral_create_errors(error: DjangoValidationError, new_children: int) -> serializers.ValidationError:
    """The service's flat keys nested as the request body is: consent and new children."""
    flat = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    nested: dict[str, Any] = {}
    for key, messages in flat.items():
        if key in ("consent", "consent_reason"):
            nested.setdefault("consent", {})["status" if key == "consent" else "reason"] = messages
        elif key.startswith("new_children."):
            _, index, field = key.split(".", 2)
            rows = nested.setdefault("new_children", [{} for _ in range(new_children)])
            rows[int(index)][field] = messages
        elif key == NON_FIELD_ERRORS:
            nested[api_settings.NON_FIELD_ERRORS_KEY] = messages
        else:
            nested[key] = messages
    return serializers.ValidationError(nested)


class ReferralListCreate(APIView):
    @extend_schema(operation_id="referrals_list", parameters=[ReferralListQuerySerializer],
                   responses={200: ReferralPageSerializer})
    def get(self, request: Request) -> Response:
        """Referrals newest first; ``?status=awaiting_decision`` is the triage queue, most urgent first."""
        user = _user(request)
        query = ReferralListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data.get("status")
        paginator = PageNumberPagination()
        context = {"sees_all": _sees_all(user)}
        if wanted == Referral.Status.AWAITING_DECISION and triage_may_see(user):
            ordered = triage_queue_ordered(user=user, filters=query.filters())
            rows = triage_rows(user=user, referrals=paginator.paginate_queryset(ordered, request, view=self) or [])
            response = paginator.get_paginated_response(
                ReferralListItemSerializer(rows, many=True, context=context).data
            )
            totals = triage_totals(user=user)
            response.data["queue"] = {
                "size": totals["size"],
                "oldest_received_at": serializers.DateTimeField().to_representation(totals["oldest"])
                if totals["oldest"] else None,
                "overdue": totals["overdue"],
            }
            return response
        referrals = self._listed(user)
        if wanted:
            referrals = referrals.filter(status=wanted)
        if wanted == Referral.Status.AWAITING_DECISION:
            referrals = referrals.annotate(risk=risk_order()).order_by("risk", "decision_due_at", "pk")
        else:
            referrals = referrals.order_by("-received_at", "-pk")
        page = paginator.paginate_queryset(referrals, request, view=self) or []
        now = timezone.now()
        rows = [
            QueueRow(referral, children, rules.time_left(referral.decision_due_at, now))
            for referral, children in referrals_with_children(user=user, referrals=page)
        ]
        return paginator.get_paginated_response(ReferralListItemSerializer(rows, many=True, context=context).data)

    @staticmethod
    def _listed(user: User) -> QuerySet[Referral]:
        """Partner agencies list the referrals they made (ACCESS.md), not the ones they were asked about."""
        membership = membership_of(user)
        if membership is not None and membership.role != Role.AUDITOR and not sees_whole_partnership(user):
            return referrals_made(user=user)
        return referrals_visible(user).select_related("referrer_agency", "allocated_to", "decision")

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def post(self, request: Request) -> Response:
        """Receive a contact or referral: 201 with ``decision_due_at`` (1 working day) and the children's flags."""
        user = _user(request)
        referral_create_check(user)
        body = ReferralCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        referrer_agency = agencies_visible(user=user).filter(pk=data["referrer_agency"]).first()
        if referrer_agency is None:
            raise serializers.ValidationError({"referrer_agency": ["Unknown agency."]})
        children = self._children(user, data["children"])
        incident = None
        if data["incident"] is not None:
            incident = incidents_visible(user).filter(pk=data["incident"]).first()
            if incident is None:
                raise serializers.ValidationError({"incident": ["Unknown incident."]})
        new_children = [NewChild(**child) for child in data["new_children"]]
        try:
            referral = referral_create(
                by=user,
                received_at=data["received_at"],
                referrer_agency=referrer_agency,
                referrer_name=data["referrer_name"],
                referrer_contact=data["referrer_contact"],
                children=children,
                new_children=new_children,
                concerns=data["concerns"],
                categories=data["categories"],
                urgency=data["urgency"],
                incident=incident,
                consent=data["consent"]["status"],
                consent_reason=data["consent"]["reason"],
                lawful_basis=data["lawful_basis"],
                family_told=data["family_told"],
            )
        except DjangoValidationError as error:
            raise _referral_create_errors(error, len(new_children)) from error
        response = _detail_response(user, referral, status.HTTP_201_CREATED)
        response["Location"] = reverse("api-referral", args=[referral.pk])
        return response

    @staticmethod
    def _children(user: User, ids: list[int]) -> list[Person]:
        """The named children among the people the user may open, in one query; 400 naming any other."""
        found = {person.pk: person for person in people_visible(user).filter(pk__in=ids)} if ids else {}
        unknown = [f"Unknown child: {pk}." for pk in ids if pk not in found]
        if unknown:
            raise serializers.ValidationError({"children": unknown})
        return [found[pk] for pk in ids]


class ReferralDetailView(APIView):
    @extend_schema(responses={200: ReferralSerializer})
    def get(self, request: Request, pk: int) -> Response:
        """One referral as the user may see it (404 when they may not know it exists)."""
        user = _user(request)
        detail = referral_detail(user=user, referral_id=pk)
        response = Response(ReferralSerializer(detail).data)
        response["ETag"] = _etag(detail.referral)
        return response

    @extend_schema(request=ReferralTriageSerializer, responses={200: ReferralSerializer}, parameters=[IF_MATCH])
    def patch(self, request: Request, pk: int) -> Response:
        """Triage: the RAG rating and who the referral is allocated to (MASH practitioners and managers)."""
        user = _user(request)
        referral = referral_get_for(user, pk)
        triage_act_check(user)
        body = ReferralTriageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        written = write_version(request, kind="referral", record=referral, body_version=data.get("version"))
        if written.version is None:
            return _stale(written.stale_status)
        stale_status, version = written.stale_status, written.version
        allocated_to = None
        if data.get("allocated_to") is not None:
            allocated_to = users_visible(user=user).filter(pk=data["allocated_to"]).first()
            if allocated_to is None:
                raise serializers.ValidationError({"allocated_to": ["Unknown user."]})
        try:
            if "rag" in data:
                referral = referral_rate(referral=referral, by=user, rag=data["rag"], version=version)
                version = referral.version
            if "allocated_to" in data:
                referral = referral_allocate(referral=referral, by=user, to=allocated_to, version=version)
        except StaleRecord:
            return _stale(stale_status)
        return _detail_response(user, referral)


class ReferralCheckCreate(APIView):
    @extend_schema(request=CheckRequestSerializer, responses={201: CheckSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Ask an agency what it knows; the referral's summary is shared with it (manager-authorised without
        the family's consent)."""
        user = _user(request)
        referral = referral_get_for(user, pk)
        check_request_check(user)
        body = CheckRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        agency: Agency | None = agencies_visible(user=user).filter(pk=data["agency"]).first()
        if agency is None:
            raise serializers.ValidationError({"agency": ["Unknown agency."]})
        authorised_by = None
        if data["authorised_by"] is not None:
            authorised_by = users_visible(user=user).filter(pk=data["authorised_by"]).first()
            if authorised_by is None:
                raise serializers.ValidationError({"authorised_by": ["Unknown user."]})
        check = agency_check_request(referral=referral, by=user, agency=agency, question=data["question"],
                                     due_at=data["due_at"], authorised_by=authorised_by)
        return Response(CheckSerializer(check).data, status=status.HTTP_201_CREATED)


class CheckList(APIView):
    @extend_schema(parameters=[CheckListQuerySerializer], responses={200: CheckPageSerializer})
    def get(self, request: Request) -> Response:
        """Checks addressed to the user's agency, unanswered first and soonest due; children's social care sees
        every check of its partnerships."""
        user = _user(request)
        query = CheckListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        checks: QuerySet[AgencyCheck]
        if _sees_all(user):
            checks = agency_checks_visible(user).select_related("referral__referrer_agency", "agency", "answered_by")
            checks = checks.order_by(F("answered_at").desc(nulls_first=True), "due_at", "pk")
        else:
            checks = agency_checks_inbox(user=user)
        checks = checks.select_related("authorised_by")
        answered = query.validated_data["answered"]
        if answered is not None:
            checks = checks.filter(answered_at__isnull=not answered)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(checks, request, view=self) or []
        return paginator.get_paginated_response(CheckInboxSerializer(page, many=True).data)


class CheckAnswer(APIView):
    @extend_schema(request=CheckAnswerSerializer, responses={200: CheckSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """The addressed agency's answer, given once."""
        user = _user(request)
        check = agency_check_get_for(user, pk, answer=True)
        body = CheckAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        check = agency_check_answer(check=check, by=user, information=body.validated_data["information"])
        return Response(CheckSerializer(check).data)


class ReferralDecisionCreate(APIView):
    @extend_schema(request=DecisionCreateSerializer, responses={201: DecisionCreatedSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """The MASH manager's decision; a strategy discussion answers with the strategy meeting it convened."""
        user = _user(request)
        referral = referral_get_for(user, pk)
        referral_decide_check(user)
        body = DecisionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        decision = referral_decide(referral=referral, by=user, outcome=data["outcome"], rationale=data["rationale"],
                                   decided_at=data["decided_at"])
        context = {"strategy_meeting": referral.strategy_meetings.order_by("pk").values_list("pk", flat=True).first()}
        return Response(DecisionCreatedSerializer(decision, context=context).data, status=status.HTTP_201_CREATED)


class ReferralFeedbackCreate(APIView):
    @extend_schema(request=FeedbackCreateSerializer, responses={201: FeedbackSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Record that the referrer was told the decision."""
        user = _user(request)
        referral = referral_get_for(user, pk)
        feedback_record_check(user)
        body = FeedbackCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        feedback = referral_feedback_record(referral=referral, by=user, method=data["method"],
                                            shared_at=data["shared_at"], note=data["note"])
        return Response(FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)


class ReferralEscalationCreate(APIView):
    @extend_schema(request=EscalationCreateSerializer, responses={201: EscalationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Challenge the decision: stage 1 opens, for the decision maker to answer."""
        user = _user(request)
        referral = referral_get_for(user, pk)
        escalation_raise_check(user, referral)
        body = EscalationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        escalation = escalation_raise(referral=referral, by=user, reason=body.validated_data["reason"])
        return Response(EscalationSerializer(escalation).data, status=status.HTTP_201_CREATED)


class EscalationRespond(APIView):
    @extend_schema(request=EscalationRespondSerializer, responses={200: EscalationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Answer the current stage: ``resolved`` closes the escalation, ``escalate`` opens the next stage."""
        user = _user(request)
        escalation = escalation_get_for(user, pk)
        stage = escalation.stages.filter(number=escalation.stage).first()
        if escalation.status == Escalation.Status.OPEN and stage is not None:
            escalation_respond_check(user, stage)
        body = EscalationRespondSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        escalation = escalation_respond(escalation=escalation, by=user, outcome=data["outcome"],
                                        response=data["response"], stage_number=data.get("stage"))
        return Response(EscalationSerializer(escalation).data)


api_urlpatterns: list[URLPattern] = [
    path("referrals/", ReferralListCreate.as_view(), name="api-referrals"),
    path("referrals/<int:pk>/", ReferralDetailView.as_view(), name="api-referral"),
    path("referrals/<int:pk>/checks/", ReferralCheckCreate.as_view(), name="api-referral-checks"),
    path("referrals/<int:pk>/decision/", ReferralDecisionCreate.as_view(), name="api-referral-decision"),
    path("referrals/<int:pk>/feedback/", ReferralFeedbackCreate.as_view(), name="api-referral-feedback"),
    path("referrals/<int:pk>/escalations/", ReferralEscalationCreate.as_view(), name="api-referral-escalations"),
    path("checks/", CheckList.as_view(), name="api-checks"),
    path("checks/<int:pk>/answer/", CheckAnswer.as_view(), name="api-check-answer"),
    path("escalations/<int:pk>/respond/", EscalationRespond.as_view(), name="api-escalation-respond"),
]
