"""The shapes of incidents and Operation Encompass notices in the API (API.md "Records")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from agencies.models import Agency
from agencies.rules import DEFAULT_TZ as _TZ
from cases.models import EncompassNotice, Incident
from cases.rules import dash as dash_rules


class IncidentChildInSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(min_value=1)
    resident = serializers.BooleanField(default=True)
    present = serializers.BooleanField(default=False)
    seen = serializers.BooleanField(default=False)
    spoken_to = serializers.BooleanField(default=False)


class DashInSerializer(serializers.Serializer[Any]):
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True), allow_empty=True)
    professional_judgement_level = serializers.ChoiceField(
        choices=[("", "None"), *[(level, dash_rules.LEVEL_LABELS[level]) for level in dash_rules.LEVELS]],
        required=False, default="", allow_blank=True,
    )
    professional_judgement_reason = serializers.CharField(required=False, default="", allow_blank=True)
    answered_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class IncidentCreateSerializer(serializers.Serializer[Any]):
    occurred_at = serializers.DateTimeField()
    reported_by = serializers.IntegerField(min_value=1)
    reference = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    location = serializers.CharField(required=False, default="", allow_blank=True)
    summary = serializers.CharField(required=False, default="", allow_blank=True)
    household = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    victims = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    perpetrators = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    children = IncidentChildInSerializer(many=True, allow_empty=True)
    dash = DashInSerializer(required=False, allow_null=True, default=None)


class AgencyBriefSerializer(serializers.Serializer[Agency]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


def _person(person: Any) -> dict[str, Any]:
    return {"id": person.pk, "name": person.full_name}


class IncidentSerializer(serializers.Serializer[Any]):
    """An incident as ``cases.selectors.incidents.IncidentDetail`` holds it."""

    def to_representation(self, detail: Any) -> dict[str, Any]:
        incident: Incident = detail.incident
        dash = detail.dash
        return {
            "id": incident.pk,
            "version": incident.version,
            "occurred_at": serializers.DateTimeField().to_representation(incident.occurred_at),
            "reported_by": incident.reported_by_id,
            "reported_by_name": incident.reported_by.name,
            "reference": incident.reference,
            "location": incident.location,
            "summary": incident.summary,
            "household": incident.household_id,
            "risk_level": incident.risk_level,
            "dash_score": dash.score if dash is not None else None,
            "dash": None if dash is None else {
                "answers": dash.answers,
                "score": dash.score,
                "level": dash.level,
                "professional_judgement_level": dash.professional_judgement_level,
                "professional_judgement_reason": dash.professional_judgement_reason,
                "answered_at": serializers.DateTimeField().to_representation(dash.answered_at),
            },
            "victims": [_person(p) for p in detail.victims],
            "perpetrators": [_person(p) for p in detail.perpetrators],
            "children": [
                {
                    "person": row.person.pk,
                    "name": row.person.full_name,
                    "resident": row.resident,
                    "present": row.present,
                    "seen": row.seen,
                    "spoken_to": row.spoken_to,
                    "incidents_last_12_months": row.incidents_last_12_months,
                    "escalating": row.escalating is not None,
                }
                for row in detail.children
            ],
            "pairs": [
                {"victim": pair.victim.pk, "perpetrator": pair.perpetrator.pk,
                 "incidents_last_12_months": pair.incidents_last_12_months}
                for pair in detail.pairs
            ],
            "encompass_notices": [
                {"id": n.pk, "child": n.child_id, "school": n.school_id,
                 "due_by": serializers.DateTimeField().to_representation(n.due_by),
                 "sent_at": serializers.DateTimeField().to_representation(n.sent_at) if n.sent_at else None}
                for n in detail.notices
            ],
            "marac_referrals": [
                {"id": r.pk, "victim": r.victim_id, "repeat": r.repeat,
                 "referred_at": serializers.DateTimeField().to_representation(r.referred_at) if r.referred_at else None}
                for r in detail.marac_referrals
            ],
        }


class EncompassNoticeSchoolSerializer(serializers.ModelSerializer[EncompassNotice]):
    """What Operation Encompass tells a school, and nothing more: no summary, DASH or perpetrator."""

    child_name = serializers.CharField(source="child.full_name", read_only=True)
    date = serializers.SerializerMethodField()
    time = serializers.SerializerMethodField()

    class Meta:
        model = EncompassNotice
        fields = ["id", "child_name", "date", "time", "present", "spoken_to", "police_reference"]

    def get_date(self, notice: EncompassNotice) -> str:
        return notice.occurred_at.astimezone(_TZ).date().isoformat()

    def get_time(self, notice: EncompassNotice) -> str:
        return notice.occurred_at.astimezone(_TZ).strftime("%H:%M")


class EncompassNoticeSerializer(EncompassNoticeSchoolSerializer):
    """The police's and children's social care's view: the same, with the incident, child, school and timings."""

    class Meta:
        model = EncompassNotice
        fields = [
            *EncompassNoticeSchoolSerializer.Meta.fields,
            "incident", "child", "school", "occurred_at", "due_by", "sent_at", "version",
        ]


class EncompassNoticeEitherSerializer(EncompassNoticeSerializer):
    """A notice as the schema describes it for either audience: a school gets the first seven fields, the police
    and children's social care every field (schema only: answers are written by the two serializers above)."""

    incident = serializers.IntegerField(required=False, help_text="Police and children's social care only")
    child = serializers.IntegerField(required=False, help_text="Police and children's social care only")
    school = serializers.IntegerField(required=False, allow_null=True,
                                      help_text="Police and children's social care only")
    occurred_at = serializers.DateTimeField(required=False, help_text="Police and children's social care only")
    due_by = serializers.DateTimeField(required=False, help_text="Police and children's social care only")
    sent_at = serializers.DateTimeField(required=False, allow_null=True,
                                        help_text="Police and children's social care only")
    version = serializers.IntegerField(required=False, help_text="Police and children's social care only")

    class Meta(EncompassNoticeSerializer.Meta):
        pass
