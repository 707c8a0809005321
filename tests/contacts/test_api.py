"""The first read API: areas and networks, filterable, documented, constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Network
from tests.factories import AreaFactory, LivingAreaFactory, NetworkFactory, SocialAreaFactory

pytestmark = pytest.mark.django_db


def names(response):
    return [row["name"] for row in response.json()["results"]]


def test_api_networks_filter_by_kind(client):
    NetworkFactory(name="STK Nord", kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE)
    NetworkFactory(name="OAG Brand", kind=Network.Kind.SENIORS_WORKING_GROUP)

    response = client.get("/api/v1/networks/", {"kind": "oag"})

    assert response.status_code == 200
    assert names(response) == ["OAG Brand"]


def test_api_networks_filter_by_area_includes_sub_areas(client):
    social_area = SocialAreaFactory(name="Burtscheid/Frankenberg")
    living_area = LivingAreaFactory(parent=social_area, name="Frankenberg")
    elsewhere = AreaFactory(name="Richterich")
    NetworkFactory(name="STK Burtscheid").areas.add(living_area)
    NetworkFactory(name="STK Richterich").areas.add(elsewhere)

    response = client.get("/api/v1/networks/", {"area": social_area.pk})

    assert names(response) == ["STK Burtscheid"]


def test_api_networks_detail_by_slug(client):
    NetworkFactory(name="Stadtteilkonferenz Preuswald", slug="stk-preuswald", founded_year=2010)

    response = client.get("/api/v1/networks/stk-preuswald/")

    assert response.json()["founded_year"] == 2010
    assert response.json()["kind_display"] == "Stadtteilkonferenz"


def test_api_unknown_filter_is_a_400_in_german(client):
    response = client.get("/api/v1/networks/", {"knd": "stk"})

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Unbekannter Filter: knd.")


def test_api_invalid_filter_value_is_a_400_in_german(client):
    response = client.get("/api/v1/networks/", {"kind": "kegelclub"})

    assert response.status_code == 400
    assert "kegelclub" in response.json()["kind"][0]
    assert "Bitte wählen Sie einen Eintrag aus der Liste." in response.json()["kind"][0]


@pytest.mark.parametrize("page", ["-1", "0", "999", "abc"])
def test_api_bad_page_is_a_404_not_a_500(client, page):
    NetworkFactory()

    response = client.get("/api/v1/networks/", {"page": page})

    assert response.status_code == 404
    assert response.json()["detail"] == "Ungültige Seite."


@pytest.mark.parametrize("page_size", ["100000", "0", "-5", "1.4e-45", "null"])
def test_api_page_size_outside_its_range_is_a_400_that_names_the_range(client, page_size):
    NetworkFactory.create_batch(3)

    response = client.get("/api/v1/networks/", {"page_size": page_size})

    assert response.status_code == 400
    assert response.json() == {"page_size": ["Bitte geben Sie eine ganze Zahl von 1 bis 200 an."]}


def test_api_page_size_within_its_range_is_used(client):
    NetworkFactory.create_batch(3)

    response = client.get("/api/v1/networks/", {"page_size": 2})

    assert len(response.json()["results"]) == 2


@pytest.mark.parametrize("url", ["/api/v1/networks/", "/api/v1/areas/"])
def test_api_list_query_count_does_not_grow(client, url):
    """One area or network or fifty: the same number of queries."""

    def create(n):
        for _ in range(n):
            area = LivingAreaFactory()
            NetworkFactory().areas.add(area, area.parent)

    create(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    create(40)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many) == len(few)


def test_api_schema_documents_the_filters(client):
    response = client.get(reverse("api-schema"), {"format": "json"})

    schema = response.json()
    parameters = {p["name"] for p in schema["paths"]["/api/v1/networks/"]["get"]["parameters"]}
    assert {"kind", "area", "updated_since", "page", "page_size", "ordering"} <= parameters


def test_api_docs_page_is_served_without_any_cdn(client):
    page = client.get(reverse("api-docs")).content.decode()

    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "jsdelivr" not in page
