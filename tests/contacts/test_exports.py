"""Exports: staff lists as CSV/XLSX with the list's filters; the speakers' member list,
attendance sheet and printed invitation, projected; the institution's vCard; and no cell
that a spreadsheet would run as a formula."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from contacts import services
from contacts.exports import csv_bytes, neutralise, xlsx_bytes
from contacts.models import Consent, Network, Visibility
from meetings import services as meeting_services
from meetings.models import Attendance
from tests.factories import (
    ChannelFactory,
    ConsentFactory,
    InstitutionFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    UserFactory,
)
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, in_days
from tests.meetings.web_cast import cast_create, client_for

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "speaker", "other_speaker", "staff"]
SPEAKER_PAGES = {"anonymous": 302, "member": 403, "speaker": 200, "other_speaker": 403, "staff": 200}
DANGEROUS = ['=HYPERLINK("http://x")', "+49 241 1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _xlsx_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _staff(client):
    user = UserFactory(email="export@example.org", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Sozialplanung")[0])
    client.force_login(user)
    return user


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise_makes_every_formula_start_text(value):
    assert neutralise(value) == "'" + value


def test_xlsx_with_formula_text_has_no_formula_cell():
    content = xlsx_bytes(["Name"], [[value] for value in DANGEROUS], title="Test")

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.data_type for cell in cells] == ["s"] * len(DANGEROUS)
    # XML keeps no bare carriage return: it reads back as a line feed.
    assert [cell.value for cell in cells] == ["'" + value.replace("\r", "\n") for value in DANGEROUS]


def test_csv_with_formula_text_starts_no_cell_with_a_formula_character():
    rows = _csv_rows(csv_bytes(["Name"], [[value] for value in DANGEROUS]))

    assert all(not row[0].startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows[1:])


def test_admin_network_export_honours_the_list_filter(client):
    _staff(client)
    NetworkFactory(name="Stadtteilkonferenz Haaren", kind=Network.Kind.NEIGHBOURHOOD_CONFERENCE)
    NetworkFactory(name="=OAG Brand", kind=Network.Kind.SENIORS_WORKING_GROUP)
    url = reverse("admin:contacts_network_export", args=["xlsx"])

    response = client.get(url, {"kind__exact": "oag"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _xlsx_rows(response.content)
    assert rows[0][:3] == ["Name", "Kurzname", "Art"]
    assert [row[0] for row in rows[1:]] == ["'=OAG Brand"]


def test_admin_person_export_csv_with_search(client):
    _staff(client)
    person = PersonFactory(given_name="Lale", family_name="Yilmaz")
    ChannelFactory(person=person, kind="email", value="lale@example.org")
    PersonFactory(given_name="Anderer", family_name="Mensch")

    response = client.get(reverse("admin:contacts_person_export", args=["csv"]), {"q": "Yilmaz"})

    rows = _csv_rows(response.content)
    assert [(row[1], row[2], row[4]) for row in rows[1:]] == [("Lale", "Yilmaz", "lale@example.org")]


@pytest.mark.parametrize("model", ["institution", "membership"])
def test_admin_institution_and_membership_exports_parse(client, model):
    _staff(client)
    MembershipFactory(institution=InstitutionFactory(name="Kita Regenbogen"), person=None)

    response = client.get(reverse(f"admin:contacts_{model}_export", args=["xlsx"]))

    rows = _xlsx_rows(response.content)
    assert any("Kita Regenbogen" in [str(cell) for cell in row] for row in rows[1:])


def test_admin_export_with_an_unknown_filter_is_a_clear_400(client):
    _staff(client)

    response = client.get(reverse("admin:contacts_network_export", args=["csv"]), {"gibtsnicht": "1"})

    assert response.status_code == 400
    assert "Filter" in response.content.decode()


def test_admin_export_list_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    _staff(client)
    PersonFactory()
    url = reverse("admin:contacts_person_export", args=["xlsx"])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for number in range(10):
        ChannelFactory(person=PersonFactory(family_name=f"P{number}"), kind="email", value=f"p{number}@example.org")

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("role", ROLES)
def test_admin_export_permission_matrix(client, role):
    cast = cast_create()
    cast.staff.is_staff = True
    cast.staff.save()

    response = client_for(client, cast.user(role)).get(reverse("admin:contacts_person_export", args=["csv"]))

    assert (response.status_code == 200) == (role == "staff")


# --- speakers ------------------------------------------------------------------------------


def _meeting_with_answers(cast):
    meeting = MeetingFactory(network=cast.network, title="Herbstsitzung", start=in_days(7), end=in_days(7, hour=20))
    shown = PersonFactory(given_name="Ute", family_name="Zeigt")
    ConsentFactory(person=shown, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    hidden = PersonFactory(given_name="Verena", family_name="Verborgen")
    no = PersonFactory(given_name="Nils", family_name="Absage")
    ConsentFactory(person=no, scope=Consent.Scope.NAME, audience=Visibility.PUBLIC)
    institution = InstitutionFactory(name="Familienzentrum Nord")
    for person in (shown, hidden, no):
        services.membership_start(network=cast.network, person=person, institution=institution)
    meeting_services.attendance_answer(meeting=meeting, person=shown, answer=Attendance.Answer.YES)
    meeting_services.attendance_answer(meeting=meeting, person=hidden, answer=Attendance.Answer.YES)
    meeting_services.attendance_answer(meeting=meeting, person=no, answer=Attendance.Answer.NO)
    return meeting


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["members_csv", "members_xlsx", "attendance"])
def test_speaker_downloads_permission_matrix(client, role, page):
    cast = cast_create()
    meeting = MeetingFactory(network=cast.network, start=in_days(7), end=in_days(7, hour=20))
    url = {
        "members_csv": reverse("meetings:network_members_export", args=[cast.network.slug, "csv"]),
        "members_xlsx": reverse("meetings:network_members_export", args=[cast.network.slug, "xlsx"]),
        "attendance": reverse("meetings:attendance_sheet", args=[meeting.uid]),
    }[page]

    response = client_for(client, cast.user(role)).get(url)

    assert response.status_code == SPEAKER_PAGES[role]


def test_speaker_member_export_shows_only_what_the_speaker_may_see(client):
    cast = cast_create()
    shown = PersonFactory(given_name="Ute", family_name="Zeigt")
    ConsentFactory(person=shown, scope=Consent.Scope.NAME, audience=Visibility.NETWORK_MEMBERS)
    ChannelFactory(person=shown, kind="email", value="ute@example.org")
    hidden = PersonFactory(given_name="Verena", family_name="Verborgen")
    ChannelFactory(person=hidden, kind="email", value="verena@example.org")
    for person in (shown, hidden):
        services.membership_start(network=cast.network, person=person)

    response = client_for(client, cast.speaker).get(
        reverse("meetings:network_members_export", args=[cast.network.slug, "xlsx"])
    )

    rows = _xlsx_rows(response.content)
    text = repr(rows)
    assert rows[[row[0] for row in rows].index("Ute Zeigt")][:5] == ["Ute Zeigt", "Mitglied", None, None, None]
    assert "Verborgen" not in text and "verena@example.org" not in text and "ute@example.org" not in text
    assert "Name nicht veröffentlicht" in text


def test_speaker_member_export_unknown_format_is_404(client):
    cast = cast_create()

    response = client_for(client, cast.speaker).get(
        reverse("meetings:network_members_export", args=[cast.network.slug, "pdf"])
    )

    assert response.status_code == 404


def test_attendance_sheet_lists_yes_answers_projected_with_walk_in_lines(client):
    cast = cast_create()
    meeting = _meeting_with_answers(cast)

    html = client_for(client, cast.speaker).get(reverse("meetings:attendance_sheet", args=[meeting.uid]))
    html = html.content.decode()

    assert "Ute Zeigt" in html and "Familienzentrum Nord" in html
    assert "Verena" not in html and "Name nicht veröffentlicht" in html
    assert "Absage" not in html.split("<tbody>")[1]
    assert html.count('class="walk-in"') == 10
    assert "Unterschrift" in html


def test_invitation_print_shows_the_agenda_with_internal_items(client):
    cast = cast_create()
    meeting = MeetingFactory(network=cast.network, title="Frühjahr", start=in_days(7), end=in_days(7, hour=20))
    AgendaItemFactory(meeting=meeting, position=1, title="Begrüßung")
    AgendaItemFactory(meeting=meeting, position=2, title="Personalien", is_public=False)

    html = client_for(client, cast.speaker).get(reverse("meetings:invitation_print", args=[meeting.uid]))
    html = html.content.decode()

    assert "Einladung: Frühjahr" in html and "Begrüßung" in html and "Personalien" in html
    assert "print.js" in html


def test_institution_vcard_carries_the_public_contact(client):
    institution = InstitutionFactory(
        name="Stadtteilbüro Ost; Aachen",
        street="Elsassstraße 20",
        postal_code="52068",
        email="buero-ost@example.org",
        phone="0241 4321",
    )

    response = client.get(reverse("directory:institution_vcard", args=[institution.slug]))

    text = response.content.decode()
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert "KIND:org" in text and "FN:Stadtteilbüro Ost\\; Aachen" in text
    assert "ADR;TYPE=work:;;Elsassstraße 20;Aachen;;52068;Deutschland" in text
    assert "EMAIL;TYPE=work:buero-ost@example.org" in text and "TEL;VALUE=text;TYPE=work:0241 4321" in text


def test_institution_vcard_of_an_inactive_institution_is_404(client):
    institution = InstitutionFactory(is_active=False)

    assert client.get(reverse("directory:institution_vcard", args=[institution.slug])).status_code == 404
