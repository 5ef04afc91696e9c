from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from audits.records import RecordType, record_type_register
        from cases.models import (
            DashAssessment,
            HouseholdMember,
            Incident,
            IncidentChild,
            IncidentParty,
            Person,
            PersonAddress,
            PersonFlag,
            Plan,
            PlanAction,
            PlanDistribution,
            PlanVersion,
            Relationship,
        )
        from cases.permissions import incident_history_check, person_history_check
        from cases.selectors.plans import plan_history_check

        record_type_register(
            RecordType("person", "Person", person_history_check,
                       models=(Person, PersonAddress, HouseholdMember, Relationship, PersonFlag))
        )
        record_type_register(
            RecordType("incident", "Incident", incident_history_check,
                       models=(Incident, IncidentParty, IncidentChild, DashAssessment))
        )
        record_type_register(
            RecordType("plan", "Plan", plan_history_check, models=(Plan, PlanAction, PlanVersion, PlanDistribution))
        )
