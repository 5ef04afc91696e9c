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
