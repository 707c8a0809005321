"""What speakers change shows at once on the public (cached) pages, and the Verwaltung
writes networks, institutions and people through the same services."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Consent, Institution, Membership, Network, Person
from tests.factories import ConsentFactory, InstitutionFactory, LivingAreaFactory, MembershipFactory, PersonFactory
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def _public_cache_on(settings):
    settings.PUBLIC_CACHE_SECONDS = 60


@pytest.mark.usefixtures("_public_cache_on")
def test_profile_change_by_the_speaker_shows_at_once_on_the_cached_page(client, django_capture_on_commit_callbacks):
    cast = cast_create()
    page = f"/netzwerke/{cast.network.slug}/"
    assert "alle sechs Wochen" not in client.get(page).content.decode()
    speaker = Client()
    speaker.force_login(cast.speaker)

    with django_capture_on_commit_callbacks(execute=True):
        response = speaker.post(
            reverse("network_manage:profile", args=[cast.network.slug]),
            {"description": "", "rhythm": "alle sechs Wochen", "website": ""},
        )

    assert response.status_code == 302
    assert "alle sechs Wochen" in client.get(page).content.decode()


@pytest.mark.usefixtures("_public_cache_on")
def test_a_team_starting_today_shows_at_once_on_the_cached_page(client, django_capture_on_commit_callbacks):
    cast = cast_create()
    new = PersonFactory(given_name="Nora", family_name="Neuwahl")
    ConsentFactory(person=new, scope=Consent.Scope.NAME)
    MembershipFactory(network=cast.network, person=new, start=timezone.localdate() - datetime.timedelta(days=30))
    page = f"/netzwerke/{cast.network.slug}/"
    assert "<strong>Nora Neuwahl</strong>" not in client.get(page).content.decode()
    speaker = Client()
    speaker.force_login(cast.speaker)

    with django_capture_on_commit_callbacks(execute=True):
        speaker.post(
            reverse("network_manage:team", args=[cast.network.slug]),
            {"start": timezone.localdate().isoformat(), "end": "", "person_0": new.pk, "role_0": "sprecherin"},
        )

    html = client.get(page).content.decode()
    assert "<strong>Nora Neuwahl</strong>" in html
    assert not Membership.objects.active().filter(person=cast.speaker_person, role="sprecherin").exists()


# --- the Verwaltung ----------------------------------------------------------------------------


def staff_login(client, cast) -> None:
    cast.staff.is_staff = True
    cast.staff.save()
    client.force_login(cast.staff)


def network_form(network: Network, **changes) -> dict:
    data = {
        "kind": network.kind,
        "name": network.name,
        "short_name": network.short_name,
        "slug": network.slug,
        "parent": "",
        "founded_year": "",
        "description": network.description,
        "rhythm": network.rhythm,
        "website": network.website,
        "is_active": "on",
        "sozialplanung_contact": "",
        "confirmed_at_0": "",
        "confirmed_at_1": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "_save": "Sichern",
    }
    data.update(changes)
    return data


def test_admin_network_save_goes_through_the_service_with_its_areas(client):
    cast = cast_create()
    area = LivingAreaFactory()
    staff_login(client, cast)

    response = client.post(
        reverse("admin:contacts_network_change", args=[cast.network.pk]),
        network_form(cast.network, description="Neu beschrieben", areas=[area.pk]),
    )

    cast.network.refresh_from_db()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (cast.network.description, list(cast.network.areas.all())) == ("Neu beschrieben", [area])
    # The service confirms the entry: an edit by Sozialplanung is a „Stand“.
    assert cast.network.confirmed_at is not None


def test_admin_refused_network_change_shows_the_german_message_and_writes_nothing(client):
    cast = cast_create()
    staff_login(client, cast)

    response = client.post(
        reverse("admin:contacts_network_change", args=[cast.network.pk]),
        network_form(cast.network, kind="arbeitskreis", description="geändert"),
    )

    cast.network.refresh_from_db()
    assert response.status_code == 200
    assert "Ein Arbeitskreis gehört zu einem Netzwerk: bitte wählen." in response.content.decode()
    assert (cast.network.kind, cast.network.description) == ("stk", "")


def test_admin_institution_and_person_saves_confirm_the_entry(client):
    cast = cast_create()
    institution = InstitutionFactory(name="Kita Kurpark")
    staff_login(client, cast)

    client.post(
        reverse("admin:contacts_institution_change", args=[institution.pk]),
        {
            "name": "Kita Kurpark",
            "slug": institution.slug,
            "type": institution.type_id,
            "street": "Kurbrunnenstraße 5",
            "postal_code": "52066",
            "city": "Aachen",
            "accessibility": "unbekannt",
            "is_active": "on",
            "confirmed_at_0": "",
            "confirmed_at_1": "",
        },
    )
    person = cast.member_person
    client.post(
        reverse("admin:contacts_person_change", args=[person.pk]),
        {
            "given_name": "Max",
            "family_name": "Neuname",
            "language": "de",
            "user": person.user_id,
            "channels-TOTAL_FORMS": "0",
            "channels-INITIAL_FORMS": "0",
            "affiliations-TOTAL_FORMS": "0",
            "affiliations-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
            "_save": "Sichern",
        },
    )

    institution = Institution.objects.get(pk=institution.pk)
    person = Person.objects.get(pk=person.pk)
    assert (institution.street, institution.confirmed_at is not None) == ("Kurbrunnenstraße 5", True)
    assert (person.family_name, person.confirmed_at is not None) == ("Neuname", True)
