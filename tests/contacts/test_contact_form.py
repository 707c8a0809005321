"""The contact form of network and institution pages and the accessibility feedback: the
message is stored for delivery (never sent here), nobody's address is shown, bad input is
bound to its field, a program filling in the honeypot and a client sending too much are
stopped."""

import pytest
from django.core.exceptions import ValidationError

from contacts.models import ContactMessage, Membership
from contacts.services import contact_message_submit
from tests.factories import ChannelFactory, InstitutionFactory, MembershipFactory, NetworkFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Anna Beispiel",
    "email": "anna@example.org",
    "betreff": "Frage zum Stadtteilfest",
    "nachricht": "Wann trifft sich die Konferenz das nächste Mal?",
    "kopie": "on",
    "webseite": "",
}


@pytest.fixture
def network():
    """A network whose only speaker has an address that must never be shown."""
    network = NetworkFactory(name="Stadtteilkonferenz Forst", slug="stk-forst")
    speaker = MembershipFactory(network=network, role=Membership.Role.SPEAKER)
    ChannelFactory(person=speaker.person, value="geheime.sprecherin@example.org")
    return network


def stored() -> list[tuple]:
    return list(
        ContactMessage.objects.order_by("pk").values_list(
            "kind", "network__slug", "institution__slug", "sender_name", "sender_email", "subject", "copy_to_sender"
        )
    )


def test_network_page_shows_the_contact_form_without_any_address(client, network):
    html = client.get("/netzwerke/stk-forst/").content.decode()

    assert 'action="/netzwerke/stk-forst/kontakt/#kontaktformular"' in html
    assert 'name="nachricht"' in html
    assert "geheime.sprecherin@example.org" not in html


def test_network_contact_stores_the_message_and_redirects_to_the_confirmation(client, network):
    response = client.post("/netzwerke/stk-forst/kontakt/", VALID)

    assert (response.status_code, response["Location"]) == (302, "/netzwerke/stk-forst/kontakt/gesendet/")
    assert stored() == [
        ("kontakt", "stk-forst", None, "Anna Beispiel", "anna@example.org", "Frage zum Stadtteilfest", True)
    ]


def test_contact_confirmation_names_the_network_and_no_address(client, network):
    client.post("/netzwerke/stk-forst/kontakt/", VALID)

    html = client.get("/netzwerke/stk-forst/kontakt/gesendet/").content.decode()

    assert "Stadtteilkonferenz Forst" in html
    assert "Sprecher*innenteam" in html
    assert ("geheime.sprecherin@example.org" in html, "anna@example.org" in html) == (False, False)


def test_contact_without_copy_stores_copy_to_sender_false(client, network):
    client.post("/netzwerke/stk-forst/kontakt/", {**VALID, "kopie": ""})

    assert [row[-1] for row in stored()] == [False]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Bitte füllen Sie dieses Feld aus."),
        ("email", "keine-adresse", "Bitte geben Sie eine gültige E-Mail-Adresse ein"),
        ("betreff", "", "Bitte füllen Sie dieses Feld aus."),
        ("nachricht", "x" * 5001, "höchstens 5000 Zeichen"),
    ],
)
def test_contact_bad_input_is_bound_to_its_field_and_stores_nothing(client, network, field, value, message):
    response = client.post("/netzwerke/stk-forst/kontakt/", {**VALID, field: value})
    html = response.content.decode()

    assert response.status_code == 400
    assert message in html
    assert f'aria-invalid="true" aria-describedby="id_{field}' in html or f'aria-describedby="id_{field}' in html
    assert f'id="id_{field}_error"' in html
    assert stored() == []


def test_contact_error_field_carries_aria_invalid_and_its_error_id(client, network):
    html = client.post("/netzwerke/stk-forst/kontakt/", {**VALID, "betreff": ""}).content.decode()

    field = next(tag for tag in html.split("<input") if 'name="betreff"' in tag)
    assert ('aria-invalid="true"' in field, 'aria-describedby="id_betreff_error"' in field) == (True, True)


def test_contact_honeypot_filled_pretends_success_and_stores_nothing(client, network):
    response = client.post("/netzwerke/stk-forst/kontakt/", {**VALID, "webseite": "https://spam.example"})

    assert (response.status_code, response["Location"]) == (302, "/netzwerke/stk-forst/kontakt/gesendet/")
    assert stored() == []


def test_contact_honeypot_is_hidden_labelled_and_skipped_by_the_keyboard(client, network):
    html = client.get("/netzwerke/stk-forst/").content.decode()

    honeypot = next(tag for tag in html.split("<input") if 'name="webseite"' in tag)
    assert ('autocomplete="off"' in honeypot, 'tabindex="-1"' in honeypot) == (True, True)
    assert '<p class="visually-hidden"><label for="id_webseite">Bitte lassen Sie dieses Feld leer.</label>' in html


def test_contact_rate_limit_per_client_is_a_429_in_german(client, network, settings):
    settings.CONTACT_MESSAGES_LIMIT = 2
    statuses = [client.post("/netzwerke/stk-forst/kontakt/", VALID).status_code for _ in range(3)]

    response = client.post("/netzwerke/stk-forst/kontakt/", VALID)

    assert statuses == [302, 302, 429]
    assert "Bitte warten Sie eine Stunde" in response.content.decode()
    assert len(stored()) == 2


def test_contact_rate_limit_counts_each_client_separately(client, network, settings):
    settings.CONTACT_MESSAGES_LIMIT = 1
    first = client.post("/netzwerke/stk-forst/kontakt/", VALID, REMOTE_ADDR="192.0.2.1")
    second = client.post("/netzwerke/stk-forst/kontakt/", VALID, REMOTE_ADDR="192.0.2.2")
    third = client.post("/netzwerke/stk-forst/kontakt/", VALID, REMOTE_ADDR="192.0.2.1")

    assert [first.status_code, second.status_code, third.status_code] == [302, 302, 429]


def test_contact_to_unknown_network_is_a_404(client):
    assert client.post("/netzwerke/gibt-es-nicht/kontakt/", VALID).status_code == 404


def test_contact_form_refuses_get(client, network):
    assert client.get("/netzwerke/stk-forst/kontakt/").status_code == 405


def test_institution_contact_stores_the_message(client):
    InstitutionFactory(slug="fz-forst", email="info@fz-forst.example.org")

    response = client.post("/einrichtungen/fz-forst/kontakt/", VALID)
    html = client.get(response["Location"]).content.decode()

    assert response["Location"] == "/einrichtungen/fz-forst/kontakt/gesendet/"
    assert [row[:3] for row in stored()] == [("kontakt", None, "fz-forst")]
    assert "info@fz-forst.example.org" not in html


def test_institution_without_address_offers_no_form_and_refuses_a_message(client):
    InstitutionFactory(slug="fz-stumm", email="")

    html = client.get("/einrichtungen/fz-stumm/").content.decode()
    response = client.post("/einrichtungen/fz-stumm/kontakt/", VALID)

    assert 'name="nachricht"' not in html
    assert response.status_code == 400
    assert "niemand erreichbar" in response.content.decode()
    assert stored() == []


def test_accessibility_feedback_is_stored_for_the_city(client):
    response = client.post("/barrierefreiheit/", VALID)

    assert (response.status_code, response["Location"]) == (302, "/barrierefreiheit/gesendet/")
    assert [row[:3] for row in stored()] == [("barrierefreiheit", None, None)]
    assert client.get("/barrierefreiheit/gesendet/").status_code == 200


def test_accessibility_feedback_bad_input_is_a_400_bound_to_the_field(client):
    response = client.post("/barrierefreiheit/", {**VALID, "email": ""})

    assert response.status_code == 400
    assert 'id="id_email_error"' in response.content.decode()
    assert stored() == []


def test_contact_message_submit_refuses_an_invalid_address_and_stores_nothing(network):
    with pytest.raises(ValidationError):
        contact_message_submit(
            network=network,
            sender_name="Anna",
            sender_email="nicht gültig",
            subject="Frage",
            body="Hallo",
            copy_to_sender=True,
            client="192.0.2.9",
        )

    assert stored() == []


def test_contact_name_and_subject_are_cleaned_of_control_characters(client, network):
    posted = {**VALID, "name": "Anna\nBcc: opfer@example.org", "betreff": "Frage\rzum\u2028Fest\x00  heute"}

    client.post("/netzwerke/stk-forst/kontakt/", posted)

    assert [row[3:6] for row in stored()] == [
        ("Anna Bcc: opfer@example.org", "anna@example.org", "Frage zum Fest heute")
    ]


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://boese.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://andere.aachen.de"},
        {"Origin": "https://boese.example"},
        {"Origin": "null"},
    ],
)
def test_contact_posted_from_another_site_is_a_403_in_german_and_stores_nothing(client, network, headers):
    response = client.post("/netzwerke/stk-forst/kontakt/", VALID, headers=headers)

    assert response.status_code == 403
    assert "Dieses Formular kann nur auf den Seiten von Netzwerk Aachen abgeschickt werden." in (
        response.content.decode()
    )
    assert stored() == []


def test_accessibility_feedback_posted_from_another_site_is_a_403(client):
    response = client.post("/barrierefreiheit/", VALID, headers={"Sec-Fetch-Site": "cross-site"})

    assert (response.status_code, stored()) == (403, [])


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Origin": "http://testserver"},
        {},
    ],
)
def test_contact_posted_from_its_own_page_is_stored(client, network, headers):
    response = client.post("/netzwerke/stk-forst/kontakt/", VALID, headers=headers)

    assert (response.status_code, len(stored())) == (302, 1)
