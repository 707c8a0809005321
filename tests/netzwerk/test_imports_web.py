"""The import pages (issue 15) through the web: staff only, upload → columns → preview →
import → report, bad files and a 50 MB upload answered with a German message, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import ImportRun, Institution, InstitutionType, Membership
from notifications.models import Delivery, Kind
from tests.contacts.import_files import csv_bytes, member_rows, xlsx_bytes
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def upload(client, data, name="liste.csv", network=None):
    fields = {"file": SimpleUploadedFile(name, data)}
    if network is not None:
        fields["network"] = network.pk
    return client.post(reverse("imports:list"), fields)


def test_import_pages_for_sozialplanung_only(client):
    url = reverse("imports:list")
    assert client.get(url).status_code == 302
    member = UserFactory()
    person = PersonFactory(user=member)
    MembershipFactory(person=person, role="sprecherin")
    client.force_login(member)

    response = client.get(url)

    assert response.status_code == 403


def test_import_web_flow_from_upload_to_report(client, staff):
    network = NetworkFactory(name="Stadtteilkonferenz Testviertel")
    kita = InstitutionType.objects.get(name="Kita")
    data = xlsx_bytes([*member_rows(4), ["Kaputt", "Ohne Adresse", "kaputt", "", "", ""]])

    response = upload(client, data, name="Mitglieder.xlsx", network=network)
    run = ImportRun.objects.get()
    assert response.url == reverse("imports:mapping", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "Spalte A „Einrichtung“" in page
    response = client.post(
        response.url, {**{f"column_{i}": name for i, name in enumerate(run.mapping)}, "default_type": kita.pk}
    )
    assert response.url == reverse("imports:preview", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "gültige Zeilen importieren" in page
    assert "alle importieren</button>" not in page
    assert "Spalte C „E-Mail“: „kaputt“ ist keine gültige E-Mail-Adresse." in page

    response = client.post(response.url, {"action": "import_all"})
    assert response.status_code == 400
    response = client.post(reverse("imports:preview", args=[run.pk]), {"action": "import_valid"})

    assert response.url == reverse("imports:detail", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "Bericht des Imports" in page
    assert Institution.objects.filter(name__startswith="Testeinrichtung").count() == 2
    assert Membership.objects.filter(network=network).count() == 4
    assert client.get(reverse("imports:status", args=[run.pk])).json() == {
        "state": "fertig",
        "done": 5,
        "total": 5,
        "percent": 100,
    }

    client.post(response.url)
    client.post(response.url)
    assert Delivery.objects.filter(kind=Kind.CONSENT_REQUEST).count() == 4


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bild.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "weder eine CSV- noch eine Excel-Datei"),
        ("leer.csv", b"", "Die übermittelte Datei ist leer."),
        ("nur-kopf.csv", csv_bytes([]), "nur die Kopfzeile"),
    ],
)
def test_import_bad_upload_is_a_400_with_a_german_message(client, staff, name, data, message):
    response = upload(client, data, name=name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_import_50_mb_upload_refused_with_413_before_it_is_stored(client, staff):
    response = upload(client, b"Einrichtung;PLZ\r\n" + b"x;52062\r\n" * (50 * 1024 * 1024 // 9), name="riesig.csv")

    assert response.status_code == 413
    assert "größer als 10 MB" in response.content.decode()
    assert not ImportRun.objects.exists()
