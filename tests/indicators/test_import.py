"""Importing the SEP tables: CSV and XLSX, a preview that writes nothing, every problem by
line and column with nothing written, the same file twice changing nothing; staff only."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import IndicatorValue
from indicators.services import indicator_values_import
from tests.factories import UserFactory
from tests.indicators.factories import small_city_create
from tests.meetings.api_support import staff_user as sozialplanung_user

pytestmark = pytest.mark.django_db

CSV = (
    "Gebiet;Kennzahl;Jahr;Wert;Bezugsgröße;Kennzeichnung\n"
    "362;arbeitslosenquote;2017;6,3;3100;fiktiv\n"
    "410;Arbeitslosenquote;2017;1.9;;\n"
    "5;kinderarmut;2017;11,0;;\n"
)


@pytest.fixture
def city():
    return small_city_create(shapes=False)


def stored(indicator, year):
    return sorted(
        (value.area.code if value.area else "", str(value.value), value.population, value.status)
        for value in IndicatorValue.objects.filter(indicator=indicator, year=year).select_related("area")
    )


def test_import_csv_writes_the_values(city):
    csv = CSV.replace("5;kinderarmut", "362;kinderarmut")

    report = indicator_values_import(data=csv.encode(), filename="sep.csv")

    assert (report.ok, report.created, report.updated, report.written) == (True, 3, 0, True)
    assert stored(city.unemployment, 2017) == [("362", "6.300", 3100, "fiktiv"), ("410", "1.900", None, "belegt")]


def test_import_same_file_twice_changes_nothing(city):
    csv = CSV.replace("5;kinderarmut", "362;kinderarmut").encode()
    indicator_values_import(data=csv)
    before = list(IndicatorValue.objects.order_by("pk").values_list("pk", "updated_at"))

    report = indicator_values_import(data=csv)

    assert (report.created, report.updated, report.unchanged, report.written) == (0, 0, 3, False)
    assert list(IndicatorValue.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_import_updates_a_changed_value(city):
    report = indicator_values_import(data=b"Gebiet;Kennzahl;Jahr;Wert\n362;arbeitslosenquote;2011;6,2\n")

    assert (report.created, report.updated) == (0, 1)
    assert stored(city.unemployment, 2011)[1] == ("362", "6.200", None, "belegt")


def test_import_preview_writes_nothing(city):
    report = indicator_values_import(data=CSV.replace("5;", "362;").encode(), preview=True)

    assert (report.ok, report.created, report.written) == (True, 3, False)
    assert stored(city.unemployment, 2017) == []


def test_import_sozialraum_and_city_values_by_their_level(city):
    csv = "Gebiet;Ebene;Kennzahl;Jahr;Wert\n5;Sozialraum;kinderarmut;2011;11,3\n;Stadt;kinderarmut;2011;14,0\n"

    report = indicator_values_import(data=csv.encode())

    assert report.created == 2
    assert stored(city.child_poverty, 2011)[:2] == [("", "14.000", None, "belegt"), ("341", "30.000", None, "belegt")]


def test_import_xlsx(city):
    book = tablib.Dataset(headers=["Lebensraum", "Kennzahl", "Jahr", "Wert", "Einwohner"])
    book.append([362, "arbeitslosenquote", 2020, 5.5, 3200])
    book.append([410, "arbeitslosenquote", 2020, 2.25, 1100])

    report = indicator_values_import(data=book.export("xlsx"), filename="sep.xlsx")

    assert (report.ok, report.created) == (True, 2)
    assert stored(city.unemployment, 2020) == [("362", "5.500", 3200, "belegt"), ("410", "2.250", 1100, "belegt")]


def test_import_with_errors_names_line_and_column_and_writes_nothing(city):
    csv = (
        "Gebiet;Kennzahl;Jahr;Wert\n"
        "362;arbeitslosenquote;2018;5,0\n"
        "999;arbeitslosenquote;2018;5,0\n"
        "410;gibt-es-nicht;1800;viel\n"
        "362;arbeitslosenquote;2018;5,1\n"
    )

    report = indicator_values_import(data=csv.encode())

    assert [str(problem) for problem in report.problems] == [
        "Zeile 3, Spalte „Gebiet“: Kein Lebensraum „999“ bekannt.",
        "Zeile 4, Spalte „Kennzahl“: Unbekannte Kennzahl „gibt-es-nicht“.",
        "Zeile 4, Spalte „Jahr“: Das Jahr muss zwischen 1990 und 2100 liegen.",
        "Zeile 4, Spalte „Wert“: „viel“ ist keine Zahl.",
        "Zeile 5: Derselbe Wert (Gebiet, Kennzahl, Jahr) steht schon in Zeile 2.",
    ]
    assert (report.written, stored(city.unemployment, 2018)) == (False, [])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Zeile 1: Die Datei ist leer."),
        ("Gebiet;Kennzahl;Jahr;Wert\n362;kinderarmut;2011;5\n".encode("cp1252") + b"\xe4", None),
        (b"Gebiet;Jahr;Wert\n362;2011;5\n", "Zeile 1: In der Kopfzeile fehlt die Spalte „Kennzahl“"),
        (b"Gebiet;Kennzahl;Jahr;Wert\n", "Zeile 2: Die Datei enthält keine Werte, nur die Kopfzeile."),
        (b"PK\x03\x04kaputt", "Zeile 1: Die Datei ist keine lesbare Excel-Datei (XLSX)."),
        ("Gebiet;Kennzahl;Jahr;Wert\nLebensraum Ä;kinderarmut;2011;5\n".encode("latin-1"), None),
    ],
)
def test_import_of_a_broken_file_explains_and_writes_nothing(city, data, message):
    count = IndicatorValue.objects.count()

    report = indicator_values_import(data=data)

    assert not report.ok
    if message:
        assert str(report.problems[0]).startswith(message)
    else:
        assert "UTF-8" in str(report.problems[0])
    assert IndicatorValue.objects.count() == count


# --- the page --------------------------------------------------------------------------


def upload(content: bytes, name: str = "sep.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_import_page_is_for_sozialplanung_only(client, city):
    assert client.get("/gebiete/kennzahlen/import/").status_code == 302
    client.force_login(UserFactory())
    assert client.get("/gebiete/kennzahlen/import/").status_code == 403
    client.force_login(sozialplanung_user())
    assert client.get("/gebiete/kennzahlen/import/").status_code == 200


def test_import_page_previews_then_imports(client, city):
    client.force_login(sozialplanung_user())
    csv = CSV.replace("5;kinderarmut", "362;kinderarmut").encode()

    preview = client.post("/gebiete/kennzahlen/import/", {"datei": upload(csv), "pruefen": ""})
    after_preview = IndicatorValue.objects.filter(year=2017).count()
    done = client.post("/gebiete/kennzahlen/import/", {"datei": upload(csv), "importieren": ""})

    assert (preview.status_code, after_preview) == (200, 0)
    assert "Vorschau – noch nichts gespeichert" in preview.content.decode()
    assert done.status_code == 200
    assert "Import abgeschlossen" in done.content.decode()
    assert IndicatorValue.objects.filter(year=2017).count() == 3


def test_import_page_with_a_broken_file_answers_400_with_the_problems(client, city):
    client.force_login(sozialplanung_user())

    response = client.post(
        "/gebiete/kennzahlen/import/",
        {"datei": upload(b"Gebiet;Kennzahl;Jahr;Wert\n362;x;2011;1\n"), "importieren": ""},
    )

    assert response.status_code == 400
    assert "Zeile 2, Spalte „Kennzahl“: Unbekannte Kennzahl „x“." in response.content.decode()
    assert not IndicatorValue.objects.filter(year=2011, value=1).exists()
