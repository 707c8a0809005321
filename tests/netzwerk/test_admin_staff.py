"""The Verwaltung as Sozialplanung staff (group members, not superusers) use it: every app's
pages open, and the site's header leads there."""

import pytest
from django.urls import reverse

from meetings.models import Attendance, DatePoll, Meeting, MeetingSeries
from notifications.models import Delivery, NetworkSettings, PeriodicRun, Preference
from tests.factories import UserFactory
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(
    "model", [Meeting, MeetingSeries, DatePoll, Attendance, Delivery, PeriodicRun, NetworkSettings, Preference]
)
def test_admin_sozialplanung_staff_open_calendar_and_mail_lists(client, staff, model):
    assert client.get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", [Meeting, MeetingSeries, NetworkSettings])
def test_admin_sozialplanung_staff_may_add_calendar_and_mail_settings(client, staff, model):
    assert client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", [DatePoll, Attendance])
def test_admin_polls_and_answers_are_written_on_the_pages_not_here(client, staff, model):
    """Polls and answers have their own pages (staff may use them for every network)."""
    assert client.get(admin_url(model, "add")).status_code == 403


def test_admin_sozialplanung_staff_open_a_meeting(client, staff):
    meeting = MeetingFactory()

    assert client.get(admin_url(Meeting, "change", meeting.pk)).status_code == 200


def test_site_header_links_the_verwaltung_for_staff(client, staff):
    html = client.get("/").content.decode()

    assert f'href="{reverse("admin:index")}"' in html


def test_site_header_hides_the_verwaltung_from_members(client):
    client.force_login(UserFactory(email="mitglied@example.org"))

    html = client.get("/").content.decode()

    assert f'href="{reverse("admin:index")}"' not in html
