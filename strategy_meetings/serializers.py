"""The shapes of strategy meetings in the API (API.md "Strategy meetings")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.api import date_out as _date
from config.api import moment_out as _moment
from strategy_meetings.models import Invitation, StrategyMeeting
from strategy_meetings.selectors import MeetingDetail

# -- Requests ------------------------------------------------------------------------------------------------


class MeetingConveneSerializer(serializers.Serializer[Any]):
    children = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True)
    threshold_met_at = serializers.DateTimeField()
    # Blank is the service's to refuse, with its own field-level message.
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)
    referral = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class MeetingInviteSerializer(serializers.Serializer[Any]):
    agency = serializers.IntegerField(min_value=1)
    # A field named as API.md names it (DRF takes declared fields off the class, so it shadows nothing).
    required = serializers.BooleanField(required=False, default=False)  # type: ignore[assignment]


def _version_read() -> serializers.IntegerField:
    # The meeting's version the client read (API.md): a stale one is refused with 409; If-Match (412) instead.
    return serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)


class MeetingScheduleSerializer(serializers.Serializer[Any]):
    scheduled_for = serializers.DateTimeField()
    chair = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    version = _version_read()


class MeetingContributeSerializer(serializers.Serializer[Any]):
    information = serializers.CharField(allow_blank=True, trim_whitespace=False)


class AttendanceSerializer(serializers.Serializer[Any]):
    agency = serializers.IntegerField(min_value=1)
    response = serializers.ChoiceField(choices=Invitation.Response.choices)


class MeetingHoldSerializer(serializers.Serializer[Any]):
    held_at = serializers.DateTimeField()
    attendance = AttendanceSerializer(many=True, allow_empty=True)
    outcome = serializers.ChoiceField(choices=StrategyMeeting.Outcome.choices)
    missing_agency_reason = serializers.CharField(required=False, default="", allow_blank=True)


class MeetingActionSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(allow_blank=True, trim_whitespace=False)
    owner_agency = serializers.IntegerField(min_value=1)
    owner = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    due_by = serializers.DateField()


class MeetingMinutesSerializer(serializers.Serializer[Any]):
    # The minutes' text, if not written before.
    minutes = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)


class MeetingConferenceSerializer(serializers.Serializer[Any]):
    conference_at = serializers.DateTimeField()
    version = _version_read()


class MeetingNotHeldSerializer(serializers.Serializer[Any]):
    rationale = serializers.CharField(allow_blank=True, trim_whitespace=False)
    instead = serializers.CharField(required=False, default="", allow_blank=True)


# -- Responses -----------------------------------------------------------------------------------------------


def _meeting_fields(meeting: StrategyMeeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "version": meeting.version,
        "status": meeting.status,
        "referral": meeting.referral_id,
        "reason": meeting.reason,
        "threshold_met_at": _moment(meeting.threshold_met_at),
        "due_by": _moment(meeting.due_by),
        "chair": meeting.chair_id,
        "scheduled_for": _moment(meeting.scheduled_for),
        "held_at": _moment(meeting.held_at),
        "outcome": meeting.outcome,
        "missing_agency_reason": meeting.missing_agency_reason,
        "icpc_due_by": _date(meeting.icpc_due_by),
        "icpc_at": _moment(meeting.icpc_at),
        "minutes_distributed_at": _moment(meeting.minutes_distributed_at),
        "not_held_rationale": meeting.not_held_rationale,
        "not_held_instead": meeting.not_held_instead,
    }


class StrategyMeetingSerializer(serializers.Serializer[Any]):
    """A meeting as ``strategy_meetings.selectors.MeetingDetail`` holds it.

    ``invitations`` [{agency, agency_name, required, proposed_because, response, contribution}]: ``contribution``
    is the agency's latest information, shown to children's social care for every agency and to a partner agency
    for its own only (null otherwise). The minutes are shown once distributed.
    """

    def to_representation(self, detail: MeetingDetail) -> dict[str, Any]:
        meeting = detail.meeting
        distributed = meeting.minutes_distributed_at is not None
        return {
            **_meeting_fields(meeting),
            "time_left": None if detail.time_left is None else {
                "text": detail.time_left.text, "state": detail.time_left.state},
            "minutes": meeting.minutes if distributed or detail.sees_all else "",
            "children": [
                {"person": child.person_id, "name": child.name, "date_of_birth": _date(child.date_of_birth)}
                for child in detail.children
            ],
            "invitations": [
                {
                    "agency": row.invitation.agency_id,
                    "agency_name": row.invitation.agency.name,
                    "required": row.invitation.required,
                    "proposed_because": row.invitation.proposed_because,
                    "response": row.invitation.response,
                    "contribution": row.contributions[-1].information if row.contributions else None,
                }
                for row in detail.invitations
            ],
            "contributions": [
                {"id": c.pk, "agency": c.agency_id, "agency_name": c.agency.name, "information": c.information,
                 "by": c.by.get_full_name() or c.by.username, "at": _moment(c.at)}
                for c in detail.contributions
            ],
            "actions": [
                {"id": a.pk, "description": a.description, "owner_agency": a.owner_agency_id,
                 "owner_agency_name": a.owner_agency.name, "owner": a.owner_id, "due_by": _date(a.due_by),
                 "status": a.status, "done_at": _moment(a.done_at)}
                for a in detail.actions
            ],
            "distributions": [
                {"agency": d.agency_id, "agency_name": d.agency.name, "distributed_at": _moment(d.distributed_at)}
                for d in detail.distributions
            ],
        }


class StrategyMeetingListItemSerializer(serializers.Serializer[Any]):
    def to_representation(self, meeting: StrategyMeeting) -> dict[str, Any]:
        return _meeting_fields(meeting)
