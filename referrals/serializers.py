"""The shapes of referrals, agency checks, decisions, feedback and escalations in the API (API.md "Front door").

Input serializers check types only; ids are resolved among what the user may see in ``referrals.api`` and the
rules are the services'. Output serializers read the selectors' objects (``ReferralDetail``, ``QueueRow``).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agencies.models import User
from cases.models import InformationShare, Person
from cases.serializers_people import AgencyRefSerializer
from referrals.models import AgencyCheck, Decision, Escalation, EscalationStage, Feedback, Referral
from referrals.selectors import FLAG_LABELS, QueueFilters, ReferralDetail

# -- Input ----------------------------------------------------------------------------------------------------


class ConsentInSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Referral.Consent.choices)
    reason = serializers.CharField(required=False, default="", allow_blank=True,
                                   help_text="Why the referral is made without consent; needed unless given")


class NewChildInSerializer(serializers.Serializer[Any]):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    expected_date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    sex = serializers.ChoiceField(choices=Person.Sex.choices, required=False, default=Person.Sex.UNKNOWN)


class ReferralCreateSerializer(serializers.Serializer[Any]):
    received_at = serializers.DateTimeField()
    referrer_agency = serializers.IntegerField(min_value=1)
    referrer_name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    referrer_contact = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    children = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True, max_length=30,
                                     help_text="Ids of people already recorded")
    new_children = NewChildInSerializer(many=True, required=False, default=list,
                                        help_text="Children not yet recorded, created with the referral")
    concerns = serializers.CharField(allow_blank=True)
    categories = serializers.ListField(child=serializers.ChoiceField(choices=Referral.Category.choices),
                                       required=False, default=list)
    urgency = serializers.ChoiceField(choices=Referral.Urgency.choices, required=False,
                                      default=Referral.Urgency.STANDARD)
    incident = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    consent = ConsentInSerializer()
    lawful_basis = serializers.ChoiceField(choices=InformationShare.LawfulBasis.choices, required=False,
                                           default=InformationShare.LawfulBasis.PUBLIC_TASK)
    family_told = serializers.CharField(required=False, default="", allow_blank=True)


class ReferralTriageSerializer(serializers.Serializer[Any]):
    rag = serializers.ChoiceField(choices=Referral.Rag.choices, required=False)
    allocated_to = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                            help_text="A MASH practitioner or manager; null returns it to the pool")
    version = serializers.IntegerField(min_value=1, required=False,
                                       help_text="The version you read; or send its ETag in If-Match instead")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "rag" not in attrs and "allocated_to" not in attrs:
            raise serializers.ValidationError("Send a RAG rating, an allocation or both.")
        return attrs


class ReferralListQuerySerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Referral.Status.choices, required=False,
                                     help_text="awaiting_decision: the triage queue, most urgent first")
    # The triage queue's filters (MASH staff, with status=awaiting_decision).
    agency = serializers.IntegerField(min_value=1, required=False, help_text="Referring agency (queue only)")
    category = serializers.ChoiceField(choices=Referral.Category.choices, required=False)
    flag = serializers.ChoiceField(choices=list(FLAG_LABELS.items()), required=False)
    rag = serializers.ChoiceField(choices=[*Referral.Rag.choices, ("unrated", "Not rated")], required=False)
    allocated = serializers.ChoiceField(choices=[("me", "Mine"), ("unallocated", "Unallocated")], required=False)

    def filters(self) -> QueueFilters:
        data = self.validated_data
        return QueueFilters(agency=data.get("agency"), category=data.get("category", ""),
                            flag=data.get("flag", ""), rag=data.get("rag", ""), allocated=data.get("allocated", ""))


class CheckRequestSerializer(serializers.Serializer[Any]):
    agency = serializers.IntegerField(min_value=1)
    question = serializers.CharField(required=False, default="", allow_blank=True)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                       help_text="Default: 4 working hours for a red referral, else next working day")
    authorised_by = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None,
        help_text="Without the family's consent: the manager who authorised sharing (a manager may omit it)",
    )


class CheckListQuerySerializer(serializers.Serializer[Any]):
    answered = serializers.BooleanField(required=False, allow_null=True, default=None,
                                        help_text="false: the checks still to answer; true: those answered")


class CheckAnswerSerializer(serializers.Serializer[Any]):
    information = serializers.CharField(allow_blank=True)


class DecisionCreateSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)
    rationale = serializers.CharField(allow_blank=True)
    decided_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class FeedbackCreateSerializer(serializers.Serializer[Any]):
    method = serializers.ChoiceField(choices=Feedback.Method.choices)
    shared_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class EscalationCreateSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True)


class EscalationRespondSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=[(EscalationStage.Outcome.RESOLVED, "Resolved"),
                                               (EscalationStage.Outcome.ESCALATE, "Escalate to the next stage")])
    response = serializers.CharField(allow_blank=True)
    stage = serializers.IntegerField(
        required=False, min_value=1, max_value=4,
        help_text="The stage you are answering: refused if the escalation has moved on since",
    )


# -- Output ---------------------------------------------------------------------------------------------------


class UserRefSerializer(serializers.Serializer[User]):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="display_name")


class TimeLeftSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(help_text='"3 hours left", "Overdue by 1 day"')
    state = serializers.ChoiceField(choices=[("overdue", "Overdue"), ("soon", "Due soon"), ("ok", "In time")])


class ReferralChildSerializer(serializers.Serializer[Any]):
    """A ``selectors.ChildRow``."""

    id = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    age = serializers.CharField(help_text='"7", "10 months", "Unborn (due 01/02/2027)" or "Age not known"')
    date_of_birth = serializers.DateField(allow_null=True)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=list(FLAG_LABELS.items())))
    may_open = serializers.BooleanField(help_text="Whether the user may open the child's record")


class ConsentOutSerializer(serializers.Serializer[Any]):
    status = serializers.CharField(source="consent")
    reason = serializers.CharField(source="consent_reason")


class CheckSerializer(serializers.ModelSerializer[AgencyCheck]):
    agency = AgencyRefSerializer()
    authorised_by = UserRefSerializer(allow_null=True)
    answered_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = AgencyCheck
        fields = ["id", "version", "referral", "agency", "question", "requested_at", "due_at", "authorised_by",
                  "information", "answered_at", "answered_by"]
        read_only_fields = fields


class CheckInboxSerializer(CheckSerializer):
    """A check in a list: with the referral it is about."""

    received_at = serializers.DateTimeField(source="referral.received_at")
    referrer_agency = AgencyRefSerializer(source="referral.referrer_agency")

    class Meta(CheckSerializer.Meta):
        fields = [*CheckSerializer.Meta.fields, "received_at", "referrer_agency"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer[Decision]):
    decided_by = UserRefSerializer()

    class Meta:
        model = Decision
        fields = ["id", "outcome", "rationale", "decided_at", "decided_by"]
        read_only_fields = fields


class DecisionCreatedSerializer(DecisionSerializer):
    """A new decision; context ``strategy_meeting``: the meeting a strategy discussion convened."""

    referral = serializers.IntegerField(source="referral_id")
    cases = serializers.SerializerMethodField(help_text="The children's cases the decision moved or opened")
    strategy_meeting = serializers.SerializerMethodField(help_text="The meeting a strategy discussion convened")

    class Meta(DecisionSerializer.Meta):
        fields = [*DecisionSerializer.Meta.fields, "referral", "cases", "strategy_meeting"]
        read_only_fields = fields

    def get_cases(self, decision: Decision) -> list[int]:
        return list(decision.cases.order_by("pk").values_list("pk", flat=True))

    def get_strategy_meeting(self, decision: Decision) -> int | None:
        meeting: int | None = self.context.get("strategy_meeting")
        return meeting


class FeedbackSerializer(serializers.ModelSerializer[Feedback]):
    shared_by = UserRefSerializer()

    class Meta:
        model = Feedback
        fields = ["id", "referral", "method", "shared_at", "shared_by", "note"]
        read_only_fields = fields


class EscalationStageSerializer(serializers.ModelSerializer[EscalationStage]):
    respondent = UserRefSerializer(allow_null=True)
    responded_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = EscalationStage
        fields = ["number", "opened_at", "due_at", "respondent", "outcome", "response", "responded_at",
                  "responded_by"]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer[Escalation]):
    raised_by = UserRefSerializer()
    raised_by_agency = AgencyRefSerializer()
    stages = EscalationStageSerializer(many=True)

    class Meta:
        model = Escalation
        fields = ["id", "version", "referral", "status", "stage", "reason", "raised_at", "raised_by",
                  "raised_by_agency", "closed_at", "stages"]
        read_only_fields = fields


class ShareSerializer(serializers.ModelSerializer[InformationShare]):
    agency = AgencyRefSerializer()
    authorised_by = UserRefSerializer(allow_null=True)

    class Meta:
        model = InformationShare
        fields = ["agency", "what", "shared_at", "lawful_basis", "consent", "reason_without_consent",
                  "authorised_by"]
        read_only_fields = fields


def _flag_names(children: Any) -> list[str]:
    return list(dict.fromkeys(flag for child in children for flag in child.flags))


class ReferralListItemSerializer(serializers.Serializer[Any]):
    """A ``selectors.QueueRow``: one referral in a list or the triage queue.

    ``rag`` and ``allocated_to`` are MASH triage, null for partner agencies (context ``sees_all`` False).
    """

    id = serializers.IntegerField(source="referral.pk")
    version = serializers.IntegerField(source="referral.version")
    status = serializers.ChoiceField(source="referral.status", choices=Referral.Status.choices)
    received_at = serializers.DateTimeField(source="referral.received_at")
    decision_due_at = serializers.DateTimeField(source="referral.decision_due_at")
    time_left = TimeLeftSerializer(allow_null=True, help_text="To the decision deadline, while awaiting it")
    referrer_agency = AgencyRefSerializer(source="referral.referrer_agency")
    urgency = serializers.ChoiceField(source="referral.urgency", choices=Referral.Urgency.choices)
    categories = serializers.ListField(source="referral.categories", child=serializers.CharField())
    concern = serializers.CharField(help_text="The first line of the concerns")
    rag = serializers.CharField(source="referral.rag", allow_null=True)
    allocated_to = UserRefSerializer(source="referral.allocated_to", allow_null=True)
    children = ReferralChildSerializer(many=True)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=list(FLAG_LABELS.items())))
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices, allow_null=True,
                                      help_text="The decision, once made")
    group_start = serializers.BooleanField(help_text="Queue: the first of referrals about one household's children")
    group_size = serializers.IntegerField()

    def to_representation(self, row: Any) -> dict[str, Any]:
        referral: Referral = row.referral
        sees_all = self.context.get("sees_all", True)
        # The decision is select_related by the lists that may hold decided referrals; the queue holds none.
        awaiting = referral.status == Referral.Status.AWAITING_DECISION
        decision = None if awaiting else referral.decision
        return {
            "id": referral.pk,
            "version": referral.version,
            "status": referral.status,
            "received_at": self.fields["received_at"].to_representation(referral.received_at),
            "decision_due_at": self.fields["decision_due_at"].to_representation(referral.decision_due_at),
            "time_left": {"text": row.time_left.text, "state": row.time_left.state} if awaiting else None,
            "referrer_agency": {"id": referral.referrer_agency_id, "name": referral.referrer_agency.name},
            "urgency": referral.urgency,
            "categories": list(referral.categories),
            "concern": row.concern,
            "rag": referral.rag if sees_all else None,
            "allocated_to": (UserRefSerializer(referral.allocated_to).data
                             if sees_all and referral.allocated_to is not None else None),
            "children": ReferralChildSerializer(row.children, many=True).data,
            "flags": _flag_names(row.children),
            "outcome": decision.outcome if decision is not None else None,
            "group_start": row.group_start,
            "group_size": row.group_size,
        }


class QueueTotalsSerializer(serializers.Serializer[Any]):
    size = serializers.IntegerField(help_text="Every referral awaiting a decision, whatever the filters")
    oldest_received_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.IntegerField()


class ReferralPageSerializer(serializers.Serializer[Any]):
    """A page of referrals; the triage queue adds its totals."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReferralListItemSerializer(many=True)
    queue = QueueTotalsSerializer(required=False, help_text="MASH staff asking for status=awaiting_decision")


class CheckPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CheckInboxSerializer(many=True)


class ReferralSerializer(serializers.Serializer[Any]):
    """A ``selectors.ReferralDetail``: the referral as the user may see it.

    ``view`` says which: ``all`` (children's social care and administrators), ``referrer`` (the referring
    agency: its referral, the outcome, feedback and escalations) or ``checked`` (an agency asked for a check: the
    summary and its own check). MASH triage (``rag``, ``allocated_to``) and the information-sharing record
    (``shares``) are null or empty outside ``all``; the referrer's contact details, what the family was told and
    the feedback are null for ``checked``.
    """

    id = serializers.IntegerField(source="referral.pk")
    version = serializers.IntegerField(source="referral.version")
    view = serializers.ChoiceField(choices=[("all", "All"), ("referrer", "Referrer"), ("checked", "Checked")])
    status = serializers.ChoiceField(source="referral.status", choices=Referral.Status.choices)
    received_at = serializers.DateTimeField(source="referral.received_at")
    decision_due_at = serializers.DateTimeField(source="referral.decision_due_at")
    time_left = TimeLeftSerializer(allow_null=True, help_text="To the decision deadline, while awaiting it")
    referrer_agency = AgencyRefSerializer(source="referral.referrer_agency")
    referrer_name = serializers.CharField(source="referral.referrer_name")
    referrer_contact = serializers.CharField(source="referral.referrer_contact", allow_null=True)
    source_code = serializers.CharField(source="referral.source_code")
    concerns = serializers.CharField(source="referral.concerns")
    categories = serializers.ListField(source="referral.categories", child=serializers.CharField())
    urgency = serializers.ChoiceField(source="referral.urgency", choices=Referral.Urgency.choices)
    incident = serializers.IntegerField(source="referral.incident_id", allow_null=True)
    consent = ConsentOutSerializer(source="referral")
    lawful_basis = serializers.CharField(source="referral.lawful_basis")
    family_told = serializers.CharField(source="referral.family_told", allow_null=True)
    rag = serializers.CharField(source="referral.rag", allow_null=True)
    allocated_to = UserRefSerializer(source="referral.allocated_to", allow_null=True)
    children = ReferralChildSerializer(many=True)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=list(FLAG_LABELS.items())))
    checks = CheckSerializer(many=True)
    decision = DecisionSerializer(allow_null=True)
    feedback = FeedbackSerializer(allow_null=True)
    feedback_due_at = serializers.DateTimeField(allow_null=True)
    escalations = EscalationSerializer(many=True)
    strategy_meeting = serializers.IntegerField(source="strategy_meeting.pk", allow_null=True)
    shares = ShareSerializer(many=True)

    def to_representation(self, detail: ReferralDetail) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(detail)
        data["flags"] = _flag_names(detail.children)
        if detail.view != "all":
            data.update(rag=None, allocated_to=None, shares=[])
        if detail.view == "checked":
            data.update(referrer_contact=None, family_told=None, feedback=None, feedback_due_at=None)
        return data
