"""Import of member lists (issue 15): header matching, the preview of every row (new,
update, unchanged, possible duplicate, error with line and column), the import itself
(idempotent, through the services), and bad files refused with a clear message."""

import pytest
from django.core.exceptions import ValidationError

from contacts.models import Affiliation, ContactChannel, ImportRun, Institution, InstitutionType, Membership, Person
from contacts.services.imports import import_decide, import_execute, import_mapping_set, import_start, import_upload
from contacts.visibility import PUBLIC, project_person
from tests.contacts.import_files import csv_bytes, xlsx_bytes
from tests.factories import ChannelFactory, InstitutionFactory, NetworkFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kita():
    return InstitutionType.objects.get(name="Kita")


def upload(data, *, network=None, name="liste.csv"):
    return import_upload(file_name=name, data=data, network=network, created_by=None)


def preview(data, *, network=None, default_type=None, mapping=None):
    run = upload(data, network=network)
    return import_mapping_set(run=run, mapping=mapping or run.mapping, default_type=default_type)


def run_import(run, mode=ImportRun.Mode.VALID):
    import_start(run=run, mode=mode)
    return import_execute(run_id=run.pk)


def statuses(run) -> list[tuple[int, str]]:
    return [(row["line"], row["status"]) for row in run.preview]


def test_import_headers_matched_ignoring_case_umlauts_and_language():
    data = csv_bytes(
        [["Kita A", "Maria Muster", "m@example.org", "", "Weg 1", "52062"]],
        header=["EINRICHTUNG", "ansprechpartner*in", "Email", "Phone", "Strasse", "postal code"],
    )

    run = upload(data)

    assert run.mapping == ["institution", "name", "email", "phone", "street", "postal_code"]


def test_import_preview_classifies_every_row(kita):
    network = NetworkFactory()
    known = InstitutionFactory(name="Familienzentrum Wiesental", street="Wiesenweg 3", postal_code="52068", phone="")
    person = PersonFactory(given_name="Ute", family_name="Bekannt")
    ChannelFactory(person=person, value="ute@example.org")
    InstitutionFactory(name="Kita Sonnenschein", street="Lindenstraße 5", postal_code="52070")
    data = csv_bytes(
        [
            ["Kita Regenbogen", "Maria Neu", "maria@example.org", "0241 1", "Hauptstraße 1", "52062"],
            ["Familienzentrum Wiesental", "", "", "0241 555", "Wiesenweg 3", "52068"],
            ["Kita Sonnenschein e.V.", "Otto Ähnlich", "otto@example.org", "", "Lindenstr. 7", "52070"],
            ["Kita Fehler", "Eva Fehler", "keine-adresse", "", "Weg 2", "5206"],
            ["", "", "", "", "", ""],
            ["Kita Regenbogen", "Ute Bekannt", "ute@example.org", "", "Hauptstraße 1", "52062"],
        ]
    )

    run = preview(data, network=network, default_type=kita)

    assert statuses(run) == [(2, "new"), (3, "update"), (4, "duplicate"), (5, "error"), (7, "update")]
    errors = run.preview[3]["errors"]
    assert [error["column"] for error in errors] == ["C „E-Mail“", "F „PLZ“"]
    assert "keine gültige E-Mail-Adresse" in errors[0]["message"]
    duplicate = run.preview[2]["duplicate"]
    assert (duplicate["file"]["name"], duplicate["existing"]["name"]) == ("Kita Sonnenschein e.V.", "Kita Sonnenschein")
    assert run.counts == {"new": 1, "update": 2, "unchanged": 0, "duplicate": 1, "error": 1}
    assert known.pk and person.pk
    assert not Institution.objects.filter(name="Kita Regenbogen").exists()


def test_import_all_refused_while_a_row_has_an_error(kita):
    run = preview(csv_bytes([["Kita A", "A B", "kaputt", "", "", ""]]), default_type=kita)

    with pytest.raises(ValidationError, match="Alle importieren"):
        import_start(run=run, mode=ImportRun.Mode.ALL)

    assert ImportRun.objects.get(pk=run.pk).state == ImportRun.State.PREVIEW


def test_import_writes_valid_rows_and_the_same_file_again_changes_nothing(kita):
    network = NetworkFactory()
    data = csv_bytes(
        [
            ["Kita Regenbogen", "Frau Dr. Maria Neu", "Maria@Example.org", "0241 1", "Hauptstraße 1", "52062"],
            ["Kita Regenbogen", "Jan Zwei", "jan@example.org", "", "Hauptstraße 1", "52062"],
            ["OT Nord", "", "ot@example.org", "0241 9", "Nordweg 2", "52070"],
            ["Kaputt", "X Y", "nope", "", "", ""],
        ]
    )

    run = run_import(preview(data, network=network, default_type=kita))

    assert run.state == ImportRun.State.DONE
    assert run.result["rows"] == {"new": 3, "skipped": 1}
    assert sorted(Institution.objects.values_list("name", flat=True)) == ["Kita Regenbogen", "OT Nord"]
    maria = Person.objects.get(family_name="Neu")
    assert (maria.form_of_address, maria.title, maria.given_name) == ("Frau", "Dr.", "Maria")
    assert list(maria.channels.values_list("kind", "value")) == [("email", "maria@example.org"), ("phone", "0241 1")]
    assert Affiliation.objects.filter(person=maria, institution__name="Kita Regenbogen").exists()
    assert sorted(
        (m.institution.name, m.person.family_name if m.person else None)
        for m in Membership.objects.filter(network=network)
    ) == [("Kita Regenbogen", "Neu"), ("Kita Regenbogen", "Zwei"), ("OT Nord", None)]
    assert Institution.objects.get(name="OT Nord").email == "ot@example.org"
    # Nothing of an imported person is public: consent comes from the person.
    assert project_person(maria, PUBLIC).name is None
    before = (
        Institution.objects.count(),
        Person.objects.count(),
        ContactChannel.objects.count(),
        Membership.objects.count(),
    )

    again = preview(data, network=network, default_type=kita)
    assert statuses(again) == [(2, "unchanged"), (3, "unchanged"), (4, "unchanged"), (5, "error")]
    again = run_import(again)

    assert again.result["rows"] == {"unchanged": 3, "skipped": 1}
    after = (
        Institution.objects.count(),
        Person.objects.count(),
        ContactChannel.objects.count(),
        Membership.objects.count(),
    )
    assert after == before


def test_import_duplicate_decisions_merge_or_create(kita):
    existing = InstitutionFactory(name="Kita Sonnenschein", street="Lindenstraße 5", postal_code="52070", website="")
    data = csv_bytes(
        [
            ["Kita Sonnenschein e.V.", "", "", "", "Lindenstraße 7", "52070"],
            ["Kita Sonnenscheinchen", "", "", "", "", "52070"],
        ],
        header=["Einrichtung", "Ansprechpartner*in", "E-Mail", "Internetseite", "Straße", "PLZ"],
    )
    data = data.replace(b";;;;Lindenstra", b";;;www.sonne.example;Lindenstra")
    run = preview(data, default_type=kita)
    assert statuses(run) == [(2, "duplicate"), (3, "duplicate")]

    import_decide(run=run, decisions={"2": "merge", "3": "new"})
    run = run_import(run)

    existing.refresh_from_db()
    assert (existing.website, existing.street) == ("https://www.sonne.example", "Lindenstraße 7")
    assert sorted(Institution.objects.values_list("name", flat=True)) == ["Kita Sonnenschein", "Kita Sonnenscheinchen"]


def test_import_xlsx_with_title_row_merged_cells_and_empty_rows(kita):
    data = xlsx_bytes(
        [
            ["Kita Merge", "Anna Eins", "anna@example.org", "", "Weg 1", 52062],
            [None, "Bert Zwei", "bert@example.org", "", "Weg 1", 52062],
            [None, None, None, None, None, None],
            ["Kita Quer", "Quer Verbunden", "q@example.org", "", "Weg 2", 52062],
        ],
        title="Mitgliederliste Stadtteilkonferenz – Stand 2026",
        merge=["A3:A4", "B6:C6"],
    )

    run = preview(data, default_type=kita)

    assert run.header_line == 2
    assert statuses(run) == [(3, "new"), (4, "new"), (6, "error")]
    assert run.preview[1]["values"]["institution"] == "Kita Merge"
    assert "Verbundene Zellen" in run.preview[2]["errors"][0]["message"]
    assert any("A3:A4" in notice for notice in run.notices)


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-8-sig", ";"), ("utf-8", ","), ("cp1252", ";"), ("latin-1", "\t")]
)
def test_import_reads_excel_csv_encodings_and_delimiters(kita, encoding, delimiter):
    data = csv_bytes(
        [["Bürgerverein Süd", "Jürgen Größe", "j@example.org", "", "Schloßstraße 1", "52066"]],
        delimiter=delimiter,
        encoding=encoding,
    )

    run = preview(data, default_type=kita)

    assert run.preview[0]["values"]["institution"] == "Bürgerverein Süd"
    assert run.preview[0]["values"]["name"] == "Jürgen Größe"
    assert bool(run.notices) == (encoding in ("cp1252", "latin-1"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "weder eine CSV- noch eine Excel-Datei"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "alten Format (.xls)"),
        (b"PK\x03\x04 not really a zip", "keine lesbare Excel-Datei"),
        (b"Einrichtung;Ansprechpartner*in\r\n;\r\n", "nur die Kopfzeile"),
        (b"x" * (10 * 1024 * 1024 + 1), "größer als 10 MB"),
    ],
)
def test_import_bad_file_refused_with_a_clear_message_and_nothing_stored(data, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        upload(data)

    assert not ImportRun.objects.exists()


def test_import_mapping_corrected_by_staff(kita):
    data = csv_bytes([["Kita A", "Muster", "a@example.org"]], header=["Haus", "Wer", "Kontakt"])
    run = upload(data)
    assert run.mapping == ["", "", "name"]

    with pytest.raises(ValidationError, match="mehreren Spalten"):
        import_mapping_set(run=run, mapping=["institution", "institution", "email"], default_type=kita)
    run = import_mapping_set(run=run, mapping=["institution", "family_name", "email"], default_type=kita)

    assert statuses(run) == [(2, "new")]
    assert run.preview[0]["values"] == {"institution": "Kita A", "family_name": "Muster", "email": "a@example.org"}


def test_import_keeps_versions_naming_who_uploaded_the_list(kita):
    uploader = UserFactory()
    network = NetworkFactory()
    vera = ["Kita Versioniert", "Vera Version", "vera@example.org", "", "Weg 1", "52062"]
    first = csv_bytes([["Kita Versioniert", "", "kita@example.org", "", "Weg 1", "52062"], vera])
    second = csv_bytes([["Kita Versioniert", "", "kita@example.org", "0241 5", "Weg 1", "52062"], vera])

    for data in (first, second):
        run = import_upload(file_name="liste.csv", data=data, network=network, created_by=uploader)
        run = import_mapping_set(run=run, mapping=run.mapping, default_type=kita)
        run_import(run)

    institution = Institution.objects.get()
    versions = institution.history.order_by("history_date")
    assert [(version.history_type, version.phone, version.history_user_id) for version in versions] == [
        ("+", "", uploader.pk),
        ("~", "0241 5", uploader.pk),
    ]
    person = Person.objects.get()
    assert [version.history_type for version in person.history.all()] == ["+"]
    assert [membership.history.count() for membership in Membership.objects.all()] == [1, 1]
