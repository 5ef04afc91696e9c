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


def authenticator_app(user: User) -> Any:
    """The user's confirmed authenticator app (a django-otp TOTP device), set up now if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def totp_code(device: Any) -> str:
    """The code the user's phone shows now, as an authenticator app computes it from the device's key; one the
    device has not accepted before (waiting for the next 30-second step if both nearby ones are used)."""
    import time

    from django_otp.oath import hotp

    while True:
        device.refresh_from_db()
        now = (int(time.time()) - device.t0) // device.step + device.drift
        for counter in (now, now + 1):  # the step after is accepted too (tolerance 1)
            if counter > device.last_t:
                return f"{hotp(device.bin_key, counter, digits=device.digits):0{device.digits}d}"
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)
