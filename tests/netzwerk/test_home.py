"""The start page lists the next public meetings city-wide, never internal or past ones."""

import datetime

import pytest
from django.utils import timezone

from meetings.models import Visibility
from tests.meetings.factories import MeetingFactory, in_days

pytestmark = pytest.mark.django_db


def test_start_page_lists_the_next_public_meetings(client):
    soon = MeetingFactory(title="Stadtteilkonferenz im März", start=in_days(3))
    MeetingFactory(title="Interne Runde", start=in_days(2), visibility=Visibility.MEMBERS)
    MeetingFactory(
        title="Gestrige Sitzung",
        start=timezone.now() - datetime.timedelta(days=1),
        end=timezone.now() - datetime.timedelta(days=1) + datetime.timedelta(hours=2),
    )

    html = client.get("/").content.decode()

    assert f'href="/termine/{soon.uid}/">Stadtteilkonferenz im März</a>' in html
    assert "Interne Runde" not in html
    assert "Gestrige Sitzung" not in html


def test_start_page_says_when_nothing_is_planned(client):
    html = client.get("/").content.decode()

    assert "Zurzeit sind keine öffentlichen Sitzungen geplant." in html
