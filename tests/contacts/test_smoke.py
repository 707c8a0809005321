import pytest

pytestmark = pytest.mark.django_db


def test_home_page_lists_networks_by_kind(client):
    from tests.factories import NetworkFactory

    NetworkFactory(name="Stadtteilkonferenz Forst / Driescher Hof")
    response = client.get("/")
    assert response.status_code == 200
    assert "Stadtteilkonferenz Forst / Driescher Hof" in response.content.decode()
