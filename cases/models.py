"""People, households, cases and domestic-abuse incidents: the records every feature hangs on (SPEC 3.2)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Func, Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import Agency, Partnership


class CaseRecord(models.Model):
    """What every case-data row carries: its partnership (the tenant), who made it, and a version."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking (SPEC 7.2): a save names the version it read; a stale one is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Person(CaseRecord):
    """A child, an unborn child or an adult."""

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        UNKNOWN = "unknown", "Not known"

    class Ethnicity(models.TextChoices):
        """Department for Education ethnicity codes."""

        WBRI = "WBRI", "White: British"
        WIRI = "WIRI", "White: Irish"
        WIRT = "WIRT", "White: Traveller of Irish heritage"
        WOTH = "WOTH", "White: any other White background"
        WROM = "WROM", "White: Gypsy or Roma"
        MWBC = "MWBC", "Mixed: White and Black Caribbean"
        MWBA = "MWBA", "Mixed: White and Black African"
        MWAS = "MWAS", "Mixed: White and Asian"
        MOTH = "MOTH", "Mixed: any other mixed background"
        AIND = "AIND", "Asian or Asian British: Indian"
        APKN = "APKN", "Asian or Asian British: Pakistani"
        ABAN = "ABAN", "Asian or Asian British: Bangladeshi"
        AOTH = "AOTH", "Asian or Asian British: any other Asian background"
        BCRB = "BCRB", "Black or Black British: Caribbean"
        BAFR = "BAFR", "Black or Black British: African"
        BOTH = "BOTH", "Black or Black British: any other Black background"
        CHNE = "CHNE", "Chinese"
        OOTH = "OOTH", "Any other ethnic group"
        REFU = "REFU", "Refused"
        NOBT = "NOBT", "Information not yet obtained"

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    other_names = ArrayField(models.CharField(max_length=200), default=list, blank=True,
                             help_text="Aliases and previous names")
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_estimated = models.BooleanField(default=False)
    expected_date_of_birth = models.DateField(null=True, blank=True, help_text="For an unborn child")
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, blank=True)
    religion = models.CharField(max_length=100, blank=True)
    first_language = models.CharField(max_length=100, blank=True)
    # None: not yet asked. Leicester's audit found interpreter need unrecorded in case after case.
    interpreter_needed = models.BooleanField(null=True, blank=True)
    disabilities = models.TextField(blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField("unique pupil number", max_length=13, blank=True)
    school = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="pupils",
                               limit_choices_to={"kind": Agency.Kind.EDUCATION})
    gp_practice = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="gp_patients",
                                    limit_choices_to={"kind": Agency.Kind.HEALTH, "health_kind": "gp"})
    health_visiting = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="health_visited",
                                        limit_choices_to={"kind": Agency.Kind.HEALTH,
                                                          "health_kind": "health_visiting"})
    # Lower-cased "given family other names", maintained by the services, for trigram matching.
    search_name = models.CharField(max_length=400, editable=False, default="")
    # Visible only to named users; others see that it exists and may break glass (SPEC 6).
    restricted = models.BooleanField(default=False)
    # A merged duplicate points at the record it was merged into; both histories are kept.
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged")

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nhs_number="") | Q(nhs_number__regex=r"^[0-9]{10}$"), name="person_nhs_number_digits"
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="person_not_merged_into_itself"
            ),
        ]
        indexes = [
            # Possible duplicates and "already known?": similarity(search_name, ...) within a partnership.
            GinIndex(OpClass("search_name", name="gin_trgm_ops"), name="person_search_name_trgm"),
            # Possible duplicates: the phonetic key of the family name.
            models.Index(Func(F("family_name"), function="dmetaphone"), name="person_family_dmetaphone"),
            models.Index(fields=["partnership", "date_of_birth"], name="person_partnership_dob_idx"),
            models.Index(fields=["nhs_number"], condition=~Q(nhs_number=""), name="person_nhs_number_idx"),
        ]
        permissions = [("break_glass_person", "Open a restricted person's record by stating a reason")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class PersonAddress(CaseRecord):
    """One address a person has lived at, for the address history."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    address = models.TextField()
    postcode = models.CharField(max_length=10, blank=True)
    moved_in = models.DateField(null=True, blank=True)
    moved_out = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-moved_in"]


class Household(CaseRecord):
    address = models.TextField()
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address.splitlines()[0] if self.address else f"Household {self.pk}"


class HouseholdMember(CaseRecord):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="household_memberships")
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], condition=Q(left_on__isnull=True),
                                    name="household_member_current_once"),
        ]
        indexes = [
            # Alerts and cumulative risk: a person's current households, and a household's current members.
            models.Index(fields=["person"], condition=Q(left_on__isnull=True), name="household_member_person_idx"),
        ]


class Relationship(CaseRecord):
    class Kind(models.TextChoices):
        PARENT = "parent", "Parent"
        STEP_PARENT = "step_parent", "Step-parent"
        CARER = "carer", "Carer"
        PARTNER = "partner", "Partner"
        EX_PARTNER = "ex_partner", "Ex-partner"
        SIBLING = "sibling", "Sibling"
        OTHER_FAMILY = "other_family", "Other family"
        OTHER = "other", "Other"

    # "person is the <kind> of other": a parent relationship reads parent -> child.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships_from")
    other = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships_to")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    poses_risk = models.BooleanField(default=False, help_text="The person poses a risk to the other")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(person=F("other")), name="relationship_two_people"),
            models.UniqueConstraint(fields=["person", "other", "kind"], name="relationship_once"),
        ]
        indexes = [models.Index(fields=["other"], name="relationship_other_idx")]


class Case(CaseRecord):
    """The child-centred record in children's social care."""

    class Status(models.TextChoices):
        CONTACT = "contact", "Contact"
        REFERRAL = "referral", "Referral"
        ASSESSMENT = "assessment", "Assessment"
        CHILD_IN_NEED = "child_in_need", "Child in need"
        CHILD_PROTECTION = "child_protection", "Child protection"
        LOOKED_AFTER = "looked_after", "Looked after"
        CLOSED = "closed", "Closed"

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONTACT)
    lead_professional = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="cases_led")
    allocated_team = models.ForeignKey("agencies.Team", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="cases")
    involved_agencies = models.ManyToManyField(Agency, blank=True, related_name="cases_involved")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    primary_need = models.CharField("CIN primary need code", max_length=2, blank=True)
    factors = ArrayField(models.CharField(max_length=4), default=list, blank=True,
                         help_text="Factors identified at assessment (CIN codes, e.g. 3A)")
    category_of_abuse = models.CharField(max_length=3, blank=True)
    closure_reason = models.CharField(max_length=3, blank=True)
    # The child and family assessment (due within 45 working days of its start, SPEC 4).
    assessment_started_on = models.DateField(null=True, blank=True)
    assessment_completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_on"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status="closed", closed_on__isnull=False) | (~Q(status="closed") & Q(closed_on__isnull=True))
                ),
                name="case_closed_has_date",
            ),
            models.UniqueConstraint(fields=["child"], condition=~Q(status="closed"), name="case_one_open_per_child"),
            models.CheckConstraint(
                condition=Q(assessment_completed_on__isnull=True)
                | Q(assessment_started_on__lte=F("assessment_completed_on")),
                name="case_assessment_completed_after_start",
            ),
        ]
        indexes = [
            # The child-voice-overdue chaser: open cases by the day they opened.
            models.Index(fields=["opened_on"], condition=~Q(status="closed"), name="case_open_opened_idx"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"


class Incident(CaseRecord):
    """A domestic-abuse incident, as an agency reported it."""

    class RiskLevel(models.TextChoices):
        STANDARD = "standard", "Standard"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    occurred_at = models.DateTimeField()
    reported_by = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="incidents_reported")
    reference = models.CharField(max_length=60, blank=True, help_text="The reporting agency's own reference")
    location = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="incidents")
    # The DASH level, or the professional-judgement level where that is higher; blank before any DASH.
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            # Re-importing a feed creates nothing twice.
            models.UniqueConstraint(fields=["reported_by", "reference"], condition=~Q(reference=""),
                                    name="incident_reference_once_per_agency"),
        ]
        indexes = [models.Index(fields=["partnership", "-occurred_at"], name="incident_partnership_idx")]

    def __str__(self) -> str:
        return self.reference or f"Incident {self.pk}"


class IncidentParty(CaseRecord):
    class Role(models.TextChoices):
        VICTIM = "victim", "Victim"
        PERPETRATOR = "perpetrator", "Alleged perpetrator"

    # No index of their own: incident_party_once leads with the incident, incident_party_person_idx with the person.
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="parties", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="incident_parts", db_index=False)
    role = models.CharField(max_length=12, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "person", "role"], name="incident_party_once")]
        # Cumulative risk per victim-perpetrator pair: a person's incidents by role.
        indexes = [models.Index(fields=["person", "role"], name="incident_party_person_idx")]


class IncidentChild(CaseRecord):
    # No index of their own: incident_child_once leads with the incident, incident_child_child_idx is the child's.
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="children", db_index=False)
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="incident_appearances", db_index=False)
    resident = models.BooleanField(default=True)
    present = models.BooleanField(default=False)
    seen = models.BooleanField(default=False)
    spoken_to = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "child"], name="incident_child_once"),
            models.CheckConstraint(condition=Q(seen=True) | Q(spoken_to=False), name="incident_child_spoken_if_seen"),
        ]
        # Cumulative risk per child: a child's incidents.
        indexes = [models.Index(fields=["child"], name="incident_child_child_idx")]


class DashAssessment(CaseRecord):
    """The DASH risk checklist for an incident (27 questions, or 24 in the partner-agency version)."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_KNOWN = "not_known", "Not known"

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="dash")
    # {"q1": "yes", ..., "q27": "not_known"}
    answers = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=Incident.RiskLevel.choices)
    professional_judgement_level = models.CharField(max_length=10, choices=Incident.RiskLevel.choices, blank=True)
    professional_judgement_reason = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(professional_judgement_level="") | ~Q(professional_judgement_reason=""),
                name="dash_judgement_has_reason",
            ),
        ]


class PersonFlag(CaseRecord):
    """A flag on a person's record: escalating, repeat MARAC."""

    class Kind(models.TextChoices):
        ESCALATING = "escalating", "Escalating"
        REPEAT_MARAC = "repeat_marac", "Repeat MARAC case"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    raised_at = models.DateTimeField()
    # How many incidents in the last 12 months raised it (escalating), updated as more arrive.
    incident_count = models.PositiveSmallIntegerField(default=0)
    reason = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], condition=Q(cleared_at__isnull=True),
                                    name="person_flag_active_once"),
        ]
        indexes = [
            # The escalating-child-unreviewed chaser.
            models.Index(fields=["kind", "raised_at"], condition=Q(reviewed_at__isnull=True, cleared_at__isnull=True),
                         name="person_flag_unreviewed_idx"),
        ]


class MaracReferral(CaseRecord):
    """A referral of a high-risk victim to the multi-agency risk assessment conference."""

    # No index of its own: marac_referral_once leads with the victim.
    victim = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="marac_referrals", db_index=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="marac_referrals")
    # Blank until the referral is made: a high DASH level creates the task.
    referred_at = models.DateTimeField(null=True, blank=True)
    repeat = models.BooleanField(default=False, help_text="Within 12 months of an earlier MARAC referral")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["victim", "incident"], name="marac_referral_once")]


class EncompassNotice(CaseRecord):
    """Operation Encompass: what a school is told of a domestic-abuse incident involving a pupil, and no more."""

    # No index of its own: encompass_notice_once leads with the incident.
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="encompass_notices", db_index=False)
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="encompass_notices")
    # None when the child's school is not recorded: the notice cannot go out, and is chased. No index of its
    # own: encompass_school_idx leads with the school.
    school = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="encompass_notices", db_index=False)
    occurred_at = models.DateTimeField()
    present = models.BooleanField()
    spoken_to = models.BooleanField()
    police_reference = models.CharField(max_length=60, blank=True)
    # 08:30 on the next school day after the incident.
    due_by = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [models.UniqueConstraint(fields=["incident", "child"], name="encompass_notice_once")]
        indexes = [
            # The Operation Encompass chaser: notices not sent.
            models.Index(fields=["due_by"], condition=Q(sent_at__isnull=True), name="encompass_unsent_idx"),
            # A school's notices.
            models.Index(fields=["school", "-occurred_at"], name="encompass_school_idx"),
        ]


class RestrictedAccess(CaseRecord):
    """A user named as allowed to see a restricted person's record."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="named_users")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "user"], name="restricted_access_once")]


class BreakGlass(CaseRecord):
    """A user opened a restricted record by stating a reason; it is logged and the manager told."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="break_glass")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    opened_at = models.DateTimeField()
    # Access lasts for the working session it was opened in, not for ever.
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "user", "-expires_at"], name="break_glass_lookup_idx")]


# Object permissions granted to agency groups, in direct-foreign-key tables (django-guardian).
class PersonGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Person, on_delete=models.CASCADE)


class PersonUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Person, on_delete=models.CASCADE)


class IncidentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)


class IncidentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)


class HouseholdGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Household, on_delete=models.CASCADE)


class HouseholdUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Household, on_delete=models.CASCADE)


class InformationShare(CaseRecord):
    """A record of sharing: what went to which agency, when, by whom and on what lawful basis (SPEC 3.2, 6).

    Every object-permission grant to an agency is made with one of these beside it.
    """

    class LawfulBasis(models.TextChoices):
        PUBLIC_TASK = "public_task", "Public task"
        LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"
        VITAL_INTERESTS = "vital_interests", "Vital interests"
        CONSENT = "consent", "Consent"

    class Consent(models.TextChoices):
        SOUGHT = "sought", "Sought"
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        NOT_SOUGHT = "not_sought", "Not sought"

    record_type = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="shares_received")
    what = models.CharField(max_length=300)
    shared_at = models.DateTimeField()
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices, default=LawfulBasis.PUBLIC_TASK)
    consent = models.CharField(max_length=12, choices=Consent.choices, default=Consent.NOT_SOUGHT)
    # Without consent: why, and the manager who authorised it where the MASH shares onward.
    reason_without_consent = models.TextField(blank=True)
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")

    class Meta:
        ordering = ["-shared_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent="given") | ~Q(reason_without_consent="") | Q(lawful_basis__in=[
                    "public_task", "legal_obligation", "vital_interests"]),
                name="information_share_basis_or_reason",
            ),
        ]
        indexes = [models.Index(fields=["record_type", "record_id"], name="information_share_record_idx")]


# -- The child's lived experience (SPEC 3.2): the child's voice, attachments, plans ---------------------------


class ChildVoice(CaseRecord):
    """What one child said, showed or was seen to experience, recorded by a practitioner of any involved agency.

    The child's own words are kept apart from what their behaviour showed and from the practitioner's analysis.
    A child not spoken to needs a reason from the list; "too young" stands only beside an observation.
    """

    class Method(models.TextChoices):
        DIRECT_CONVERSATION = "direct_conversation", "Direct conversation"
        OBSERVATION = "observation", "Observation (for a child too young to talk)"
        STRUCTURED_TOOL = "structured_tool", "A structured tool (for example three houses, wishes and feelings)"
        DRAWING = "drawing", "Drawing"
        PLAY = "play", "Play"

    class NotSpokenReason(models.TextChoices):
        TOO_YOUNG = "too_young", "Too young to talk (an observation is recorded instead)"
        ASLEEP = "asleep", "Asleep during the visit"
        NOT_PRESENT = "not_present", "Not present"
        DECLINED = "declined", "The child did not want to talk"
        PARENT_PREVENTED = "parent_prevented", "A parent or carer prevented it"
        COMMUNICATION_NEEDS = "communication_needs", "Communication needs not yet met (for example an interpreter)"
        UNSAFE = "unsafe", "Not safe to speak to the child at that time"

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="voice_records")
    # The child's open case when it was recorded, if any.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="voice_records")
    recorded_at = models.DateTimeField()
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="voice_records")
    method = models.CharField(max_length=20, choices=Method.choices)
    tool = models.CharField("structured tool used", max_length=100, blank=True)
    seen_alone = models.BooleanField(null=True)
    seen_with = models.CharField(max_length=200, blank=True)
    interpreter_used = models.BooleanField(default=False)
    childs_words = models.TextField("the child's own words", blank=True)
    observations = models.TextField("what the child's behaviour and presentation showed", blank=True)
    analysis = models.TextField("the practitioner's analysis of the child's lived experience", blank=True)
    not_spoken_reason = models.CharField(max_length=20, choices=NotSpokenReason.choices, blank=True)
    not_spoken_detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(childs_words="") | ~Q(observations="") | ~Q(not_spoken_reason=""),
                name="child_voice_words_observation_or_reason",
            ),
            models.CheckConstraint(
                condition=~Q(not_spoken_reason="too_young") | ~Q(observations=""),
                name="child_voice_too_young_needs_observation",
            ),
        ]
        indexes = [
            # The case page and the chaser: each child's latest record.
            models.Index(fields=["child", "-recorded_at"], name="child_voice_latest_idx"),
        ]


class Attachment(CaseRecord):
    """A file on a voice record, an incident, a strategy meeting or a case, stored outside the web root and
    served only after the access check of the record it belongs to."""

    class RecordType(models.TextChoices):
        CHILD_VOICE = "child_voice", "Child's voice record"
        INCIDENT = "incident", "Incident"
        STRATEGY_MEETING = "strategy_meeting", "Strategy meeting"
        CASE = "case", "Case"

    class Kind(models.TextChoices):
        IMAGE = "image", "Photo or image"
        AUDIO = "audio", "Audio"
        VIDEO = "video", "Video"
        DOCUMENT = "document", "Document"

    record_type = models.CharField(max_length=20, choices=RecordType.choices)
    record_id = models.BigIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The type found in the file's content, not the name it came with.
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(max_length=255)
    # Where it is kept, relative to the attachments' storage root (never under the web root).
    stored_name = models.CharField(max_length=255, unique=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # What the file shows, for those who cannot see or hear it (the alt text of an image).
    description = models.CharField(max_length=500)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(description=""), name="attachment_has_description")]
        indexes = [models.Index(fields=["record_type", "record_id"], name="attachment_record_idx")]


class Plan(CaseRecord):
    """A child-in-need, child protection or safety plan, or a written agreement, for a case.

    Each change makes a new version (``PlanVersion``, the plan as it then stood); each version is distributed
    to every party, the distribution recorded (``PlanDistribution``).
    """

    class Kind(models.TextChoices):
        CHILD_IN_NEED = "child_in_need", "Child in need plan"
        CHILD_PROTECTION = "child_protection", "Child protection plan"
        SAFETY = "safety", "Safety plan"
        WRITTEN_AGREEMENT = "written_agreement", "Written agreement"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    what_must_change = models.TextField()
    starts_on = models.DateField()
    review_by = models.DateField(null=True, blank=True)
    # The number of the latest version (1 when made).
    current_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(what_must_change=""), name="plan_says_what_must_change")]
        indexes = [models.Index(fields=["case", "status"], name="plan_case_idx")]


class PlanAction(CaseRecord):
    """What is to be done, by whom (an agency and person, or a member of the family), by when."""

    class Party(models.TextChoices):
        AGENCY = "agency", "A professional or agency"
        PERSON_POSING_RISK = "person_posing_risk", "The person posing risk"
        PARENT_OR_CARER = "parent_or_carer", "A parent or carer (not posing risk)"
        CHILD = "child", "The child"
        OTHER_FAMILY = "other_family", "Another family member"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        NOT_DONE = "not_done", "Not done"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    party = models.CharField(max_length=20, choices=Party.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_actions")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="plan_actions")
    family_member = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="plan_actions")
    due_by = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_by", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="plan_action_has_description"),
            models.CheckConstraint(
                condition=(Q(party="agency") & Q(agency__isnull=False) & Q(family_member__isnull=True))
                | (~Q(party="agency") & Q(family_member__isnull=False)),
                name="plan_action_names_who",
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(done_at__isnull=True)) | (~Q(status="open") & Q(done_at__isnull=False)),
                name="plan_action_closed_has_time",
            ),
        ]
        indexes = [
            # The plan-action-overdue chaser: open actions by due date.
            models.Index(fields=["due_by"], condition=Q(status="open"), name="plan_action_open_idx"),
            # An agency's work list: its open actions.
            models.Index(fields=["agency", "due_by"], condition=Q(status="open"), name="plan_action_agency_idx"),
        ]


class PlanVersion(CaseRecord):
    """The plan as it stood at one version: what must change and its actions, as sent to the parties."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # {"what_must_change": ..., "review_by": ..., "actions": [{description, party, agency, owner, family_member,
    # due_by, status}]}: names as they then were.
    content = models.JSONField()
    change_note = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_once")]


class PlanDistribution(CaseRecord):
    """One version of a plan sent to one party: an agency, or a member of the family."""

    class Method(models.TextChoices):
        IN_SYSTEM = "in_system", "In this system"
        SECURE_EMAIL = "secure_email", "Secure e-mail"
        IN_PERSON = "in_person", "Given in person"
        POST = "post", "Post"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="distributions")
    version_number = models.PositiveIntegerField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    family_member = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    method = models.CharField(max_length=20, choices=Method.choices)
    distributed_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "-version_number", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(agency__isnull=False) ^ Q(family_member__isnull=False),
                                   name="plan_distribution_one_party"),
            models.UniqueConstraint(fields=["plan", "version_number", "agency"], condition=Q(agency__isnull=False),
                                    name="plan_distribution_agency_once"),
            models.UniqueConstraint(fields=["plan", "version_number", "family_member"],
                                    condition=Q(family_member__isnull=False), name="plan_distribution_family_once"),
        ]
