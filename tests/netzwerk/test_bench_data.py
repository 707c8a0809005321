"""``manage.py bench_data``: deterministic synthetic data of the size of Aachen."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from contacts.models import Affiliation, Area, Consent, ContactChannel, Institution, Membership, Network, Person
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db


def bench(*args: str) -> str:
    """Run ``bench_data`` with ``args`` and return what it printed."""
    out = io.StringIO()
    call_command("bench_data", *args, stdout=out)
    return out.getvalue()


def directory_dump() -> dict[str, list]:
    """The directory's content without database ids or timestamps, in a canonical order."""

    def rows(queryset, *fields) -> list:
        return sorted(queryset.values_list(*fields), key=repr)

    return {
        "areas": rows(Area.objects, "level", "code", "name", "slug", "parent__slug", "is_demo"),
        "networks": rows(Network.objects, "slug", "kind", "name", "parent__slug", "founded_year", "rhythm", "is_demo"),
        "network_areas": rows(Network.areas.through.objects, "network__slug", "area__slug"),
        "network_topics": rows(Network.topics.through.objects, "network__slug", "topic__slug"),
        "institutions": rows(
            Institution.objects,
            "slug",
            "name",
            "type__slug",
            "umbrella__name",
            "street",
            "postal_code",
            "area__slug",
            "email",
            "accessibility",
        ),
        "people": rows(Person.objects, "family_name", "given_name", "is_demo"),
        "channels": rows(ContactChannel.objects, "person__family_name", "kind", "value", "label", "is_primary"),
        "affiliations": rows(Affiliation.objects, "person__family_name", "institution__slug", "function"),
        "consents": rows(
            Consent.objects, "person__family_name", "scope", "audience", "given_at", "text_version", "source"
        ),
        "memberships": rows(
            Membership.objects,
            "network__slug",
            "institution__slug",
            "person__family_name",
            "role",
            "start",
            "end",
            "uuid",
        ),
    }


def test_bench_data_gives_the_same_content_on_a_second_run():
    bench("--scale", "1")
    first = directory_dump()

    bench("--scale", "1", "--force")

    assert directory_dump() == first


def test_bench_data_with_another_seed_gives_other_content():
    bench("--scale", "1", "--seed", "1")
    first = directory_dump()

    bench("--scale", "1", "--seed", "2", "--force")

    assert directory_dump()["memberships"] != first["memberships"]


@pytest.fixture(scope="class")
def benched(django_db_setup, django_db_blocker):
    """Run ``--scale 1`` once for a class of read-only tests; rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = bench("--scale", "1")
        yield output
        transaction.set_rollback(True)


class TestScaleOne:
    """What one run at scale 1 writes (shared by the tests of this class, which only read)."""

    def test_bench_data_scale_one_is_near_the_size_of_aachen(self, benched):
        counts = {
            "areas": Area.objects.count(),
            "networks": Network.objects.count(),
            "institutions": Institution.objects.count(),
            "people": Person.objects.count(),
        }
        memberships = Membership.objects.count()

        assert counts == {"areas": 81, "networks": 20, "institutions": 600, "people": 1500}
        assert 2700 <= memberships <= 3300
        assert ContactChannel.objects.count() >= 1500
        assert 800 <= Consent.objects.count() <= 1300
        assert "Dauer:" in benched

    def test_bench_data_marks_rows_as_not_demo_with_synthetic_names(self, benched):
        demo_rows = Network.objects.filter(is_demo=True).count() + Person.objects.filter(is_demo=True).count()
        first_institution = Institution.objects.order_by("slug").values_list("name", flat=True).first()

        assert demo_rows == 0
        assert first_institution == "Einrichtung 00001"

    def test_bench_data_rows_pass_model_validation(self, benched):
        # One Stadtteilkonferenz and one Arbeitskreis: full_clean() costs queries per row.
        memberships = list(Membership.objects.filter(network__slug__in=["netzwerk-00001", "netzwerk-00019"]))
        networks = list(Network.objects.all())

        for row in [*networks, *memberships]:
            row.full_clean()

        assert len(memberships) > 150


def test_bench_data_refuses_when_networks_exist():
    NetworkFactory(name="Stadtteilkonferenz Echt")

    with pytest.raises(CommandError, match="--force"):
        bench("--scale", "1")

    assert list(Network.objects.values_list("name", flat=True)) == ["Stadtteilkonferenz Echt"]


def test_bench_data_with_force_replaces_the_directory():
    NetworkFactory(name="Stadtteilkonferenz Echt")

    bench("--scale", "1", "--force")

    assert Network.objects.filter(name="Stadtteilkonferenz Echt").count() == 0
    assert Network.objects.count() == 20
