"""The figures in the Verwaltung as Sozialplanung staff use it: the catalogue is kept there
(through the service), values and outlines are shown, not edited; coordinates typed for an
institution go through the same service as the GeoJSON import."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contacts.models import Institution
from indicators.models import AreaShape, Indicator, IndicatorValue
from tests.factories import InstitutionFactory
from tests.indicators.factories import small_city_create
from tests.netzwerk.conftest import staff  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [Indicator, IndicatorValue, AreaShape])
def test_admin_staff_open_the_figures(client, staff, model):  # noqa: F811
    small_city_create()

    assert client.get(admin_url(model, "changelist")).status_code == 200


def test_admin_staff_add_an_indicator_through_the_service(client, staff):  # noqa: F811
    response = client.post(
        admin_url(Indicator, "add"),
        {
            "slug": "sgb-ii-quote",
            "name": "SGB-II-Quote",
            "unit": "%",
            "description": "",
            "source": "SEP 2020",
            "higher_means_need": "on",
            "decimals": "1",
            "position": "3",
        },
    )

    assert response.status_code == 302
    assert Indicator.objects.values_list("slug", "source").get() == ("sgb-ii-quote", "SEP 2020")


def test_admin_values_are_read_only_for_staff(client, staff):  # noqa: F811
    city = small_city_create()
    value = IndicatorValue.objects.filter(area=city.frankenberg).first()

    assert client.get(admin_url(IndicatorValue, "add")).status_code == 403
    assert client.post(admin_url(IndicatorValue, "delete", value.pk), {"post": "yes"}).status_code == 403


def test_admin_institution_coordinates_are_saved(client, staff):  # noqa: F811
    institution = InstitutionFactory()
    url = admin_url(Institution, "change", institution.pk)
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"latitude": "50.775346", "longitude": "6.083887"})

    response = client.post(url, data)

    institution.refresh_from_db()
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert (institution.latitude, institution.longitude) == (Decimal("50.775346"), Decimal("6.083887"))


def test_admin_institution_with_only_one_coordinate_is_refused(client, staff):  # noqa: F811
    institution = InstitutionFactory()
    url = admin_url(Institution, "change", institution.pk)
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"latitude": "50.77"})

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Bitte Breiten- und Längengrad angeben, oder beide leer lassen." in response.content.decode()
