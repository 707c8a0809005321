"""The lists of areas, networks and institutions are kept per directory version: the same
for every audience, and a change shows at once, also one made by a bulk ``update()``."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Area, Institution, InstitutionCategory, Network
from tests.factories import InstitutionFactory, LivingAreaFactory, NetworkFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.parametrize("name", ["institutions", "networks", "areas"])
def test_api_directory_list_is_answered_from_the_cache_while_nothing_changes(client, name):
    area = LivingAreaFactory()
    InstitutionFactory(area=area)
    NetworkFactory().areas.add(area)
    first = client.get(f"/api/v1/{name}/")
    with CaptureQueriesContext(connection) as again:
        second = client.get(f"/api/v1/{name}/")

    assert second.content == first.content
    assert len(again) == 1  # the directory's stamp


def test_api_institutions_bulk_updates_show_at_once(client):
    institution = InstitutionFactory(name="Haus am Park")
    first = client.get("/api/v1/institutions/").json()["results"][0]

    Institution.objects.filter(pk=institution.pk).update(name="Haus im Park")
    InstitutionCategory.objects.filter(pk=institution.type.category_id).update(name="Neuer Bereich")
    renamed = client.get("/api/v1/institutions/").json()["results"][0]
    Institution.objects.filter(pk=institution.pk).update(is_active=False)

    assert first["name"] == "Haus am Park"
    assert (renamed["name"], renamed["type"]["category"]) == ("Haus im Park", "Neuer Bereich")
    assert client.get("/api/v1/institutions/").json()["count"] == 0


def test_api_networks_area_renamed_by_a_bulk_update_shows_at_once(client):
    area = LivingAreaFactory(name="Forst")
    NetworkFactory(name="Stadtteilkonferenz Forst").areas.add(area)
    before = client.get("/api/v1/networks/").json()["results"][0]["areas"]

    Area.objects.filter(pk=area.pk).update(name="Forst-Nord")
    Network.objects.update(name="Stadtteilkonferenz Forst-Nord")
    after = client.get("/api/v1/networks/")

    assert [row["name"] for row in before] == ["Forst"]
    assert [row["name"] for row in after.json()["results"][0]["areas"]] == ["Forst-Nord"]
    assert names(after) == ["Stadtteilkonferenz Forst-Nord"]
