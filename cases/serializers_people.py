"""Shapes of people, households and relationships in the API (API.md "Records").

Input serializers check types and resolve ids among the records the requesting user may see;
everything else is the services' business.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from agencies.models import Agency, User
from agencies.selectors import agencies_visible
from cases.models import BreakGlass, Household, Person, Relationship
from cases.permissions import households_visible, people_visible
from cases.rules.people import age_on, is_child
from cases.selectors.people import DuplicateMatch, KnownPreview, PersonDetail


def _request_user(serializer: serializers.Serializer[Any]) -> User | None:
    """The requesting user, whose records ids are looked up among; None when describing the schema."""
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class PersonWriteSerializer(serializers.Serializer[Person]):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    other_names = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True), required=False, max_length=20
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    expected_date_of_birth = serializers.DateField(required=False, allow_null=True)
    date_of_birth_estimated = serializers.BooleanField(required=False)
    sex = serializers.ChoiceField(choices=Person.Sex.choices, required=False)
    ethnicity = serializers.ChoiceField(choices=Person.Ethnicity.choices, required=False, allow_blank=True)
    religion = serializers.CharField(max_length=100, required=False, allow_blank=True)
    first_language = serializers.CharField(max_length=100, required=False, allow_blank=True)
    interpreter_needed = serializers.BooleanField(required=False, allow_null=True)
    disabilities = serializers.CharField(required=False, allow_blank=True)
    nhs_number = serializers.CharField(max_length=14, required=False, allow_blank=True)
    upn = serializers.CharField(max_length=13, required=False, allow_blank=True)
    school = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.none(), required=False, allow_null=True)
    gp_practice = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.none(), required=False, allow_null=True)
    health_visiting = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.none(), required=False, allow_null=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None:
            for name in ("school", "gp_practice", "health_visiting"):
                self.fields[name].queryset = agencies_visible(user=user)  # type: ignore[attr-defined]


class PersonCreateSerializer(PersonWriteSerializer):
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none(), required=False, allow_null=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None:
            self.fields["household"].queryset = households_visible(user)  # type: ignore[attr-defined]


class PersonUpdateSerializer(PersonWriteSerializer):
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The version you read; or send its ETag in If-Match instead")


class PersonSerializer(serializers.ModelSerializer[Person]):
    is_child = serializers.SerializerMethodField()
    age = serializers.SerializerMethodField()
    # Blank when not recorded: the schema lists "" among the values, as the answer may carry it.
    ethnicity = serializers.ChoiceField(choices=Person.Ethnicity.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id", "partnership", "given_name", "family_name", "other_names", "date_of_birth",
            "date_of_birth_estimated", "expected_date_of_birth", "is_child", "age", "sex", "ethnicity", "religion",
            "first_language", "interpreter_needed", "disabilities", "nhs_number", "upn", "school", "gp_practice",
            "health_visiting", "restricted", "version", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def _today(self) -> date:
        return timezone.localdate()

    def get_is_child(self, person: Person) -> bool:
        return is_child(person.date_of_birth, person.expected_date_of_birth, self._today())

    def get_age(self, person: Person) -> int | None:
        return age_on(person.date_of_birth, self._today()) if person.date_of_birth else None


class DuplicateRefSerializer(serializers.Serializer[DuplicateMatch]):
    id = serializers.IntegerField(source="person_id")
    score = serializers.FloatField()


class PersonCreatedSerializer(PersonSerializer):
    """The new person, with the people it may duplicate; the person is created either way."""

    possible_duplicates = DuplicateRefSerializer(many=True, read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "possible_duplicates"]
        read_only_fields = fields


class DuplicateSerializer(serializers.Serializer[DuplicateMatch]):
    id = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    score = serializers.FloatField()


class AlertSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    message = serializers.CharField()


class DataQualitySerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField()
    gaps = serializers.ListField(child=serializers.CharField())


class PersonSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    age = serializers.IntegerField(allow_null=True)
    is_child = serializers.BooleanField()
    may_open = serializers.BooleanField()
    restricted = serializers.BooleanField()


class HouseholdSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="household.pk")
    address = serializers.CharField(source="household.address")
    postcode = serializers.CharField(source="household.postcode")
    members = PersonSummarySerializer(many=True)


class RelationshipSummarySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="relationship_id")
    kind = serializers.CharField()
    description = serializers.CharField(source="label", help_text='What this person is to the other: "Parent of"')
    other = PersonSummarySerializer()
    risk_to_other = serializers.BooleanField()
    risk_from_other = serializers.BooleanField()


class AgencyRefSerializer(serializers.Serializer[Agency]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OpenCaseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    opened_on = serializers.DateField()
    lead_professional = serializers.CharField(source="lead_professional.display_name", default=None)
    allocated_team = serializers.CharField(source="allocated_team.name", default=None)


class PersonDetailSerializer(PersonSerializer):
    """A person with what every view of them shows: alerts, flags, data quality, and their links."""

    alerts = AlertSerializer(many=True, read_only=True)
    flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    data_quality = DataQualitySerializer(read_only=True)
    agencies_involved = AgencyRefSerializer(many=True, read_only=True)
    households = HouseholdSummarySerializer(many=True, read_only=True)
    relationships = RelationshipSummarySerializer(many=True, read_only=True)
    open_cases = OpenCaseSerializer(many=True, read_only=True)
    may_change = serializers.BooleanField(read_only=True)

    DETAIL_FIELDS = (
        "alerts", "flags", "data_quality", "agencies_involved", "households", "relationships", "open_cases",
        "may_change",
    )

    class Meta(PersonSerializer.Meta):
        fields = [
            *PersonSerializer.Meta.fields, "alerts", "flags", "data_quality", "agencies_involved", "households",
            "relationships", "open_cases", "may_change",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Person) -> dict[str, Any]:
        """``instance`` is ``detail.person``; the rest comes from the PersonDetail in the context."""
        detail: PersonDetail = self.context["detail"]
        data: dict[str, Any] = dict(PersonSerializer(instance, context=self.context).data)
        for name in self.DETAIL_FIELDS:
            data[name] = self.fields[name].to_representation(getattr(detail, name))
        return data


class KnownQuerySerializer(serializers.Serializer[Any]):
    name = serializers.CharField(min_length=2, max_length=200)
    date_of_birth = serializers.DateField()


class KnownPreviewSerializer(serializers.Serializer[KnownPreview]):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    age = serializers.IntegerField(allow_null=True)
    agencies_involved = serializers.ListField(child=serializers.CharField())
    contact = serializers.CharField()
    restricted = serializers.BooleanField()
    notice = serializers.CharField()


class HouseholdCreateSerializer(serializers.Serializer[Household]):
    address = serializers.CharField()
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    members = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none(), many=True, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None:
            self.fields["members"].child_relation.queryset = people_visible(user)  # type: ignore[attr-defined]


class HouseholdSerializer(serializers.ModelSerializer[Household]):
    members = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "partnership", "address", "postcode", "members", "version"]
        read_only_fields = fields

    def get_members(self, household: Household) -> list[int]:
        return [m.person_id for m in household.memberships.all() if m.left_on is None]


class RelationshipCreateSerializer(serializers.Serializer[Relationship]):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    other = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    kind = serializers.ChoiceField(choices=Relationship.Kind.choices)
    poses_risk = serializers.BooleanField(required=False, default=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None:
            for name in ("person", "other"):
                self.fields[name].queryset = people_visible(user)  # type: ignore[attr-defined]


class RelationshipSerializer(serializers.ModelSerializer[Relationship]):
    class Meta:
        model = Relationship
        fields = ["id", "partnership", "person", "other", "kind", "poses_risk", "version"]
        read_only_fields = fields


class PersonMergeSerializer(serializers.Serializer[Any]):
    duplicate = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _request_user(self)
        if user is not None:
            self.fields["duplicate"].queryset = people_visible(user)  # type: ignore[attr-defined]


class BreakGlassRequestSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True, trim_whitespace=True)
    # Breaking glass confirms it is you first (SPEC 7.2): the password, and the code for anyone with an app.
    password = serializers.CharField(
        write_only=True, allow_blank=True, trim_whitespace=False, required=False, style={"input_type": "password"}
    )
    code = serializers.CharField(write_only=True, allow_blank=True, required=False)


class BreakGlassSerializer(serializers.ModelSerializer[BreakGlass]):
    class Meta:
        model = BreakGlass
        fields = ["id", "person", "reason", "opened_at", "expires_at"]
        read_only_fields = fields


class RestrictedSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    restricted = serializers.BooleanField()
    break_glass = serializers.CharField(help_text="POST {reason} here to open the record")


class KnownPreviewPageSerializer(serializers.Serializer[Any]):
    """A page of previews, as every list is paginated."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = KnownPreviewSerializer(many=True)


class DuplicatePageSerializer(serializers.Serializer[Any]):
    """A page of possible duplicates, as every list is paginated."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DuplicateSerializer(many=True)
