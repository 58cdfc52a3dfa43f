"""factory_boy factories. Factories build rows directly (test set-up); behaviour
under test always goes through services."""

import datetime

import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency, Professional, Team
from cases.models import Case, Person
from plans.models import Goal, Milestone, Review

PASSWORD = "Str0ng-pass-phrase-91"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = "health"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class ProfessionalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Professional

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    team = None
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    profession = "social_worker"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = datetime.date(2015, 5, 1)
    registered_by = factory.SubFactory(ProfessionalFactory)


__all__ = [
    "PASSWORD",
    "AgencyFactory",
    "Case",
    "Goal",
    "Milestone",
    "PersonFactory",
    "ProfessionalFactory",
    "Review",
    "TeamFactory",
    "UserFactory",
]


def api_token_for(user, name: str = "tests") -> str:
    """A new API token for `user` (what POST /api/v1/auth/token/ answers after the password and,
    where due, the one-time code); returns the key to send as `Authorization: Token <key>`."""
    from agencies.models import ApiToken

    return ApiToken.objects.create(user=user, name=name)[1]


def mark_second_factor_verified(client, user) -> None:
    """Make `client`'s signed-in session count as having verified a second factor, as after the
    code step of signing in (a recovery-code device of the user's, made if they have none)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="tests", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.pop("ju_second_factor_due", None)
    session.save()
