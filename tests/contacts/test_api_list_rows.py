"""An institution reads the same in the API's list of institutions as on its own: the list
builds its rows from plain values (``InstitutionRowsRepresentation``), one institution goes
through ``InstitutionSerializer``. In both languages, with and without umbrella and area,
for each kind of access."""

import pytest

from contacts.models import Institution, Umbrella
from tests.factories import InstitutionFactory, SocialAreaFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/institutions/"


@pytest.fixture
def institutions():
    umbrella = Umbrella.objects.create(name="Diakonie Aachen", short_name="Diakonie", website="https://example.org")
    area = SocialAreaFactory(name="Forst")
    return [
        InstitutionFactory(
            name=f"Einrichtung {access.value}",
            accessibility=access,
            accessibility_notes="Eingang hinten" if number % 2 else "",
            umbrella=umbrella if number % 2 else None,
            area=area if number < 2 else None,
            city="Aachen" if number != 3 else "",
        )
        for number, access in enumerate(Institution.Accessibility)
    ]


@pytest.mark.parametrize("language", ["de", "en"])
def test_api_institution_list_rows_read_as_each_institution_alone(client, institutions, language):
    headers = {"Accept-Language": language}
    listed = client.get(URL, {"page_size": 200}, headers=headers).json()["results"]

    alone = [client.get(f"{URL}{row['slug']}/", headers=headers).json() for row in listed]

    assert listed == alone
    assert len(listed) == len(institutions)


def test_api_institution_list_rows_show_umbrella_area_and_access(client, institutions):
    rows = client.get(URL, {"page_size": 200}, headers={"Accept-Language": "de"}).json()["results"]
    by_name = {row["name"]: row for row in rows}

    row = by_name["Einrichtung barrierefrei"]
    assert row["umbrella"]["short_name"] == "Diakonie"
    assert row["area"]["name"] == "Forst"
    assert row["accessibility_display"] == "stufenlos zugänglich"
    assert by_name["Einrichtung unbekannt"]["umbrella"] is None
    assert by_name["Einrichtung nicht_barrierefrei"]["address"] == "Musterweg 1, 52062"
