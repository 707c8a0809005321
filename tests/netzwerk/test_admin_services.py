"""Writes in the Verwaltung go through the same services as the web pages and the API: a
moved meeting raises its SEQUENCE and the change mail follows, cancelling sends the
cancellation, agenda edits renumber, a series edit carries its future meetings along, and
a refused change shows its German message and writes nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contacts.models import ContactChannel
from meetings import services
from meetings.models import AgendaItem, Meeting, MeetingSeries, Minutes, Visibility
from meetings.recurrence import BERLIN
from notifications.models import Delivery, Kind, NetworkSettings, Preference
from notifications.services import delivery_send, notifications_sweep
from tests.factories import ChannelFactory, ConsentFactory, PersonFactory
from tests.meetings.factories import AgendaItemFactory, MeetingFactory, in_days
from tests.notifications.conftest import members

pytestmark = pytest.mark.django_db


def meeting_form_data(meeting: Meeting, *, agenda=(), minutes=None, **changes) -> dict:
    """The POST of the meeting's change form: its stored values, ``changes`` and inline rows."""
    start = changes.pop("start", meeting.start).astimezone(BERLIN)
    end = changes.pop("end", meeting.end).astimezone(BERLIN)
    data = {
        "title": meeting.title,
        "start_0": f"{start:%Y-%m-%d}",
        "start_1": f"{start:%H:%M:%S}",
        "end_0": f"{end:%Y-%m-%d}",
        "end_1": f"{end:%H:%M:%S}",
        "status": meeting.status,
        "visibility": meeting.visibility,
        "institution": meeting.institution_id or "",
        "address": meeting.address,
        "room": meeting.room,
        "accessibility_notes": meeting.accessibility_notes,
        "online_url": meeting.online_url,
        "_save": "Sichern",
        **changes,
    }
    items = list(meeting.agenda_items.order_by("position"))
    rows = [
        {
            "id": item.pk,
            "meeting": meeting.pk,
            "position": item.position,
            "title": item.title,
            "text": item.text,
            "is_public": "on" if item.is_public else "",
        }
        for item in items
    ]
    rows += [{"meeting": meeting.pk, **row} for row in agenda]
    data |= {"agenda_items-TOTAL_FORMS": len(rows), "agenda_items-INITIAL_FORMS": len(items)}
    for index, row in enumerate(rows):
        data |= {f"agenda_items-{index}-{key}": value for key, value in row.items()}
    data |= {"minutes-TOTAL_FORMS": 1 if minutes else 0, "minutes-INITIAL_FORMS": 0}
    if minutes:
        data |= {f"minutes-0-{key}": value for key, value in minutes.items()}
    return data


def change_url(meeting: Meeting) -> str:
    return reverse("admin:meetings_meeting_change", args=[meeting.pk])


def test_admin_meeting_moved_raises_sequence_and_plans_the_change_mail(client, staff):
    network, _people = members(1)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    for pk in notifications_sweep().enqueued:
        delivery_send(delivery_id=pk)
    old_start = meeting.start
    later = meeting.start + datetime.timedelta(hours=2)

    response = client.post(
        change_url(meeting), meeting_form_data(meeting, start=later, end=later + datetime.timedelta(hours=1))
    )
    notifications_sweep()

    meeting.refresh_from_db()
    assert response.status_code == 302, response.context and response.context["errors"]
    assert (meeting.start, meeting.sequence, meeting.moved_from) == (later, 1, old_start)
    assert list(Delivery.objects.filter(kind=Kind.CHANGE).values_list("subject_id", "version")) == [(meeting.pk, 1)]


def test_admin_meeting_moved_into_the_past_is_refused_with_the_services_message(client, staff):
    meeting = MeetingFactory()
    yesterday = timezone.now() - datetime.timedelta(days=1)

    response = client.post(
        change_url(meeting), meeting_form_data(meeting, start=yesterday, end=yesterday + datetime.timedelta(hours=1))
    )

    assert response.status_code == 200
    assert "Eine Sitzung kann nicht in die Vergangenheit verschoben werden." in response.content.decode()
    assert Meeting.objects.values_list("start", "sequence").get() == (meeting.start, 0)


def test_admin_cancel_action_cancels_through_the_service_and_plans_the_cancellation(client, staff):
    network, _people = members(1)
    meeting = MeetingFactory(network=network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    for pk in notifications_sweep().enqueued:
        delivery_send(delivery_id=pk)

    client.post(
        reverse("admin:meetings_meeting_changelist"), {"action": "cancel_meetings", "_selected_action": [meeting.pk]}
    )
    notifications_sweep()

    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (Meeting.Status.CANCELLED, 1)
    assert Delivery.objects.filter(kind=Kind.CANCELLATION, subject_id=meeting.pk).count() == 1


def test_admin_meeting_status_offers_no_cancellation_in_the_form(client, staff):
    meeting = MeetingFactory()

    response = client.post(change_url(meeting), meeting_form_data(meeting, status=Meeting.Status.CANCELLED))

    assert list(response.context["adminform"].form.errors) == ["status"]
    assert Meeting.objects.values_list("status", flat=True).get() == Meeting.Status.PLANNED


def test_admin_agenda_item_added_in_front_renumbers_like_the_page(client, staff):
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, position=1, title="Bericht")

    response = client.post(
        change_url(meeting),
        meeting_form_data(meeting, agenda=[{"position": 1, "title": "Begrüßung", "text": "", "is_public": "on"}]),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(AgendaItem.objects.order_by("position").values_list("position", "title")) == [
        (1, "Begrüßung"),
        (2, "Bericht"),
    ]


def test_admin_minutes_file_over_10_mb_is_refused(client, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = MeetingFactory()
    upload = SimpleUploadedFile("protokoll.pdf", b"%PDF" + b"x" * (10 * 1024 * 1024), content_type="application/pdf")

    response = client.post(
        change_url(meeting),
        meeting_form_data(meeting, minutes={"text": "", "file": upload, "visibility": Visibility.MEMBERS}),
    )

    assert response.status_code == 200
    assert "Die Datei ist größer als 10 MB" in response.content.decode()
    assert Minutes.objects.count() == 0


def test_admin_series_title_change_carries_future_meetings_along(client, staff):
    series = services.series_create(
        network=MeetingFactory().network,
        title="Regeltreffen",
        rule="FREQ=MONTHLY;BYDAY=2TU",
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
        count=2,
    )
    data = {
        "title": "Stadtteilkonferenz",
        "rule": series.rule,
        "first_date": series.first_date.isoformat(),
        "start_time": "18:30",
        "duration_minutes": 90,
        "visibility": series.visibility,
        "until": "",
        "count": 2,
        "institution": "",
        "address": "",
        "room": "",
        "accessibility_notes": "",
        "online_url": "",
        "_save": "Sichern",
    }

    response = client.post(reverse("admin:meetings_meetingseries_change", args=[series.pk]), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    titles = set(series.occurrences.values_list("title", flat=True))
    assert (MeetingSeries.objects.get().title, titles) == ("Stadtteilkonferenz", {"Stadtteilkonferenz"})


def test_admin_new_primary_address_demotes_the_old_one_like_the_service(client, staff):
    person = PersonFactory()
    old = ChannelFactory(person=person, kind=ContactChannel.Kind.EMAIL, value="alt@example.org", is_primary=True)
    data = {"person": person.pk, "kind": "email", "value": "Neu@Example.org", "label": "", "is_primary": "on"}

    response = client.post(reverse("admin:contacts_contactchannel_add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    rows = set(person.channels.values_list("value", "is_primary"))
    assert rows == {(old.value, False), ("neu@example.org", True)}


def test_admin_channel_named_in_a_consent_is_kept_by_the_bulk_delete(client, staff, admin_user):
    person = PersonFactory()
    named = ChannelFactory(person=person, value="genannt@example.org")
    ConsentFactory(person=person, scope="email", channel=named)
    client.force_login(admin_user)

    client.post(
        reverse("admin:contacts_contactchannel_changelist"),
        {"action": "delete_selected", "_selected_action": [named.pk], "post": "yes"},
    )

    assert list(person.channels.values_list("value", flat=True)) == ["genannt@example.org"]


def test_admin_preference_language_offers_only_the_services_languages(client, staff):
    person = PersonFactory()
    data = {"person": person.pk, "invitations": "on", "changes": "on", "language": "fr"}

    response = client.post(reverse("admin:notifications_preference_add"), data)

    assert list(response.context["adminform"].form.errors) == ["language"]
    assert Preference.objects.count() == 0


def test_admin_network_settings_saved_through_the_service(client, staff):
    network = MeetingFactory().network
    data = {
        "network": network.pk,
        "reminder_offsets": "[1440]",
        "invitation_trigger": "tagesordnung",
        "invitation_lead_days": "21",
    }

    response = client.post(reverse("admin:notifications_networksettings_add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert NetworkSettings.objects.values_list(
        "reminder_offsets", "invitation_trigger", "invitation_lead_days"
    ).get() == ([1440], "tagesordnung", 21)


def test_admin_never_deletes_a_meeting_or_a_membership(admin_client):
    """Meetings are cancelled and memberships ended through their services; deleting either
    would take the cancellation from calendars or the history from the directory."""
    from contacts.models import Membership
    from tests.factories import MembershipFactory

    meeting = MeetingFactory()
    membership = MembershipFactory()

    meeting_delete = admin_client.post(reverse("admin:meetings_meeting_delete", args=[meeting.pk]), {"post": "yes"})
    membership_delete = admin_client.post(
        reverse("admin:contacts_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    network_page = admin_client.get(reverse("admin:contacts_network_change", args=[membership.network_id]))

    assert (meeting_delete.status_code, membership_delete.status_code) == (403, 403)
    assert (Meeting.objects.count(), Membership.objects.count()) == (1, 1)
    assert "memberships-0-DELETE" not in network_page.content.decode()
