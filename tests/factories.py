"""factory_boy factories that build through the services, as the application does."""

from __future__ import annotations

from typing import Any

import factory

from agencies import services
from agencies.models import Agency, Partnership, Role, User

PASSWORD = "correct-horse-battery-staple"


class PartnershipFactory(factory.Factory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")
    code = factory.Sequence(lambda n: f"P{n:03d}")

    @classmethod
    def _create(cls, model_class: type[Partnership], *args: Any, **kwargs: Any) -> Partnership:
        return services.partnership_create(**kwargs)


class AgencyFactory(factory.Factory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = Agency.Kind.CHILDRENS_SOCIAL_CARE
    partnerships = factory.LazyFunction(lambda: [PartnershipFactory.create()])

    @classmethod
    def _create(cls, model_class: type[Agency], *args: Any, **kwargs: Any) -> Agency:
        return services.agency_create(**kwargs)


class UserFactory(factory.Factory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD
    agency = factory.SubFactory(AgencyFactory)
    role = Role.PRACTITIONER
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return services.user_create(**kwargs)


from cases.models import Household, Person  # noqa: E402 - appended with the people factories
from cases.services import people as people_services  # noqa: E402


class PersonFactory(factory.Factory):
    """A person recorded through the people service; pass ``by``, the recording user."""

    class Meta:
        model = Person

    by: Any = None
    partnership = factory.LazyAttribute(lambda o: o.by.membership.partnership)
    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=1, maximum_age=15)

    @classmethod
    def _create(cls, model_class: type[Person], *args: Any, **kwargs: Any) -> Person:
        return people_services.person_create(**kwargs)


class HouseholdFactory(factory.Factory):
    """A household recorded through the people service; pass ``by`` and ``members``."""

    class Meta:
        model = Household

    by: Any = None
    partnership = factory.LazyAttribute(lambda o: o.by.membership.partnership)
    address = factory.Sequence(lambda n: f"{n + 1} Station Road\nNorthtown")
    postcode = "NT1 1AA"
    members: Any = ()

    @classmethod
    def _create(cls, model_class: type[Household], *args: Any, **kwargs: Any) -> Household:
        return people_services.household_create(**kwargs)
