"""The demo member in a real Chromium: withdraw the public consent to the name in „Mein
Bereich“ and see the name gone from the public network page in the next request (with the
public page cache on); axe finds no WCAG 2.1 A/AA violation on the pages of „Mein Bereich“."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command

from contacts.consent_texts import PUBLISHED_ON, TEXT, TEXT_EN, VERSION
from contacts.models import Consent, ConsentText, ContactChannel, Membership, Visibility
from contacts.services import consent_withdraw
from tests.conftest import axe_violations
from tests.factories import ChannelFactory, ConsentFactory, MembershipFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    # An earlier transactional test emptied the tables, with the migrations' vocabulary.
    importlib.import_module("contacts.migrations.0002_vocabulary").load_vocabulary(apps, None)
    call_command("seed_demo", stdout=None)


def log_in(page, email: str, password: str) -> None:
    page.goto("/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def test_member_withdraws_name_consent_and_public_page_drops_the_name(chromium, live_server, page, demo, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    visitor = chromium.new_context(locale="de-DE", base_url=live_server.url).new_page()
    visitor.goto("/netzwerke/stk-burtscheid/")
    listed_before = visitor.get_by_text("Max Mustermann").count()
    log_in(page, "mitglied@example.org", "demo-mitglied")
    page.goto("/konto/mein-bereich/")

    page.get_by_role("button", name="Widerrufen: Name, öffentlich").click()
    page.wait_for_load_state()
    visitor.goto("/netzwerke/stk-burtscheid/")

    assert listed_before == 1
    assert "Einwilligung widerrufen: Name" in page.locator(".messages").inner_text()
    assert page.get_by_role("button", name="Einwilligen: Name, öffentlich").count() == 1
    assert visitor.get_by_text("Max Mustermann").count() == 0
    assert (
        Consent.objects.filter(person__user__email="mitglied@example.org", scope="name", audience=2).get().withdrawn_at
    )
    visitor.context.close()


@pytest.fixture
def member():
    """A member with addresses, consents of each kind (one withdrawn) and a membership."""
    ConsentText.objects.get_or_create(
        version=VERSION, defaults={"text": TEXT, "text_en": TEXT_EN, "published_on": PUBLISHED_ON}
    )
    person = PersonFactory(user=UserFactory(email="mitglied@example.org"), given_name="Max", family_name="Muster")
    ChannelFactory(person=person, value="max.muster@example.org")
    ChannelFactory(person=person, kind=ContactChannel.Kind.PHONE, value="0241 000000-0", is_primary=False)
    MembershipFactory(person=person)
    ConsentFactory(person=person, scope=Consent.Scope.NAME, audience=Visibility.PUBLIC, text_version=VERSION)
    withdrawn = ConsentFactory(
        person=person, scope=Consent.Scope.EMAIL, audience=Visibility.NETWORK_MEMBERS, text_version=VERSION
    )
    consent_withdraw(consent=withdrawn)
    return person


@pytest.mark.parametrize(
    "path",
    [
        "/konto/mein-bereich/",
        "/konto/mein-bereich/meine-daten/",
        "/konto/mein-bereich/angaben/",
        "/konto/mein-bereich/kontaktwege/neu/",
        "/konto/mein-bereich/anmeldeadresse/",
        "/konto/mein-bereich/passwort/",
        "leave",
    ],
)
def test_my_area_pages_are_accessible_and_fit_320_px(page, axe_source, member, path):
    log_in(page, "mitglied@example.org", "ein-langes-Testpasswort")
    if path == "leave":
        membership = Membership.objects.filter(person__user__email="mitglied@example.org", end__isnull=True).first()
        path = f"/konto/mein-bereich/netzwerke/{membership.uuid}/austreten/"

    response = page.goto(path)

    assert response.status == 200
    assert axe_violations(page, axe_source) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page, axe_source) == []


def test_form_errors_in_my_area_are_accessible(page, axe_source, member):
    log_in(page, "mitglied@example.org", "ein-langes-Testpasswort")
    page.goto("/konto/mein-bereich/kontaktwege/neu/")
    page.get_by_label("Art").select_option("phone")
    page.get_by_label("Adresse / Nummer").fill("abends")

    page.get_by_role("button", name="Hinzufügen").click()
    page.wait_for_load_state()

    assert "Telefonnummer aus Ziffern" in page.content()
    assert axe_violations(page, axe_source) == []
