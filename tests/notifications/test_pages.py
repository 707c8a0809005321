"""One-click unsubscribe (RFC 8058), the preferences page, the admin's delivery log and
/healthz."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Delivery, Kind, Preference
from notifications.services import delivery_send, notifications_sweep
from notifications.tokens import preferences_path, unsubscribe_path
from tests.factories import UserFactory
from tests.meetings.factories import MeetingFactory
from tests.notifications.conftest import members

pytestmark = pytest.mark.django_db


def test_unsubscribe_post_without_login_switches_kind_off(client):
    _network, (person,) = members(1)

    response = client.post(unsubscribe_path(person_id=person.pk, kind=Kind.REMINDER), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert (Preference.objects.get(person=person).reminders, Preference.objects.get(person=person).invitations) == (
        False,
        True,
    )


def test_unsubscribe_get_only_shows_the_button(client):
    _network, (person,) = members(1)

    response = client.get(unsubscribe_path(person_id=person.pk, kind=Kind.REMINDER))

    assert response.status_code == 200
    assert "Ja, abbestellen" in response.content.decode()
    assert not Preference.objects.exists()


def test_unsubscribe_altered_token_is_400(client):
    _network, (person,) = members(1)

    response = client.post(unsubscribe_path(person_id=person.pk, kind=Kind.REMINDER) + "x/")

    assert response.status_code in (400, 404)
    assert not Preference.objects.exists()


def test_preferences_by_signed_link_saves(client):
    _network, (person,) = members(1)
    path = preferences_path(person_id=person.pk)

    shown = client.get(path)
    saved = client.post(path, {"invitations": "on", "changes": "on", "cancellations": "on", "language": "en"})

    preference = Preference.objects.get(person=person)
    assert (shown.status_code, saved.status_code) == (200, 302)
    assert (preference.reminders, preference.polls, preference.language) == (False, False, "en")


def test_preferences_of_logged_in_person(client):
    user = UserFactory()
    _network, (person,) = members(1)
    person.user = user
    person.save()
    client.force_login(user)

    response = client.post(reverse("notifications:preferences"), {"digest": "on", "language": "xx"})

    assert response.status_code == 400
    assert "language" in response.context["form"].errors
    assert not Preference.objects.exists()


def test_mail_links_lead_to_the_unsubscribe_page(client):
    network, (person,) = members(1)
    MeetingFactory(network=network, status="bestaetigt")
    result = notifications_sweep()
    delivery_send(delivery_id=result.enqueued[0])
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]

    response = client.post(urlsplit(header.strip("<>")).path)

    assert response.status_code == 200
    assert Preference.objects.get(person=person).invitations is False


def test_admin_delivery_log_and_send_again(admin_client):
    network, (person,) = members(1)
    row = Delivery.objects.create(
        subject_type="sitzung",
        subject_id=1,
        kind=Kind.INVITATION,
        recipient_key=f"p{person.pk}",
        person=person,
        network=network,
        due_at="2026-01-01T10:00Z",
        next_attempt_at="2026-01-01T10:00Z",
        state=Delivery.State.FAILED,
        last_error="550 5.1.1 Postfach nicht vorhanden",
    )
    url = reverse("admin:notifications_delivery_changelist")

    page = admin_client.get(url, {"state__exact": "fehlgeschlagen"})
    action = admin_client.post(url, {"action": "send_again", "_selected_action": [row.pk]})

    row.refresh_from_db()
    assert (page.status_code, action.status_code) == (200, 302)
    assert "550 5.1.1" in page.content.decode()
    assert (row.state, row.attempts) == (Delivery.State.PLANNED, 0)


def test_healthz_reports_sweep_and_oldest_unsent(admin_client):
    notifications_sweep()

    response = admin_client.get("/healthz")

    checks = response.json()["checks"]
    assert checks["sweep"]["last_run"] is not None
    assert checks["deliveries"] == {
        "oldest_due_unsent": None,
        "oldest_due_unsent_age_seconds": None,
        "stuck_past_lease": 0,
    }
