"""factory_boy factories for the directory. Values look invented on purpose."""

import datetime

import factory
from django.utils import timezone

from contacts import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"zugang{n}@example.org")
    password = factory.django.Password("ein-langes-Testpasswort")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Area

    level = models.Area.Level.DISTRICT
    name = factory.Sequence(lambda n: f"Testbezirk {n}")
    slug = factory.Sequence(lambda n: f"gebiet-{n}")
    code = factory.Sequence(lambda n: str(900 + n))


class SocialAreaFactory(AreaFactory):
    level = models.Area.Level.SOCIAL_AREA
    parent = factory.SubFactory(AreaFactory)


class LivingAreaFactory(AreaFactory):
    level = models.Area.Level.LIVING_AREA
    parent = factory.SubFactory(SocialAreaFactory)


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Network

    kind = models.Network.Kind.NEIGHBOURHOOD_CONFERENCE
    name = factory.Sequence(lambda n: f"Stadtteilkonferenz Test {n}")
    slug = factory.Sequence(lambda n: f"netzwerk-{n}")


def _any_institution_type():
    """The first type the migrations put in, or one made here: a transactional test empties
    every table when it ends, the migrations' rows too."""
    found = models.InstitutionType.objects.order_by("pk").first()
    if found is not None:
        return found
    category, _created = models.InstitutionCategory.objects.get_or_create(name="Sonstiges")
    return models.InstitutionType.objects.get_or_create(
        slug="sonstige", defaults={"name": "Sonstige Einrichtung", "category": category}
    )[0]


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Institution

    name = factory.Sequence(lambda n: f"Testeinrichtung {n}")
    slug = factory.Sequence(lambda n: f"einrichtung-{n}")
    type = factory.LazyFunction(lambda: _any_institution_type())
    street = "Musterweg 1"
    postal_code = "52062"
    email = factory.Sequence(lambda n: f"buero{n}@example.org")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    given_name = factory.Sequence(lambda n: f"Vorname{n}")
    family_name = factory.Sequence(lambda n: f"Nachname{n}")


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ContactChannel

    person = factory.SubFactory(PersonFactory)
    kind = models.ContactChannel.Kind.EMAIL
    value = factory.Sequence(lambda n: f"person{n}@example.org")
    is_primary = True


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Consent

    person = factory.SubFactory(PersonFactory)
    scope = models.Consent.Scope.NAME
    audience = models.Visibility.PUBLIC
    text_version = "2026-01"
    source = models.Consent.Source.FORM
    given_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    network = factory.SubFactory(NetworkFactory)
    person = factory.SubFactory(PersonFactory)
    role = models.Membership.Role.MEMBER
    start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
