"""What speakers see of the invitation rule, and the steps that change it: the meeting
page's sentence, „Einladung jetzt verschicken“ with its preview, a whole series confirmed
at once, and a cancellation with its reason (page, mail, feed)."""

import datetime
import re

import pytest
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Meeting
from notifications.models import Delivery, Kind
from notifications.services import delivery_send, notifications_sweep
from tests.factories import ChannelFactory
from tests.meetings.factories import MeetingFactory, in_days
from tests.meetings.web_cast import cast_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    cast = cast_create()
    for person in (cast.speaker_person, cast.member_person):
        ChannelFactory(person=person)
    return cast


@pytest.fixture
def speaker_client(client, cast):
    client.force_login(cast.speaker)
    return client


def text_of(response) -> str:
    """The page's text, tags dropped and white space folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def sweep_and_send() -> None:
    for pk in notifications_sweep().enqueued:
        delivery_send(delivery_id=pk)


def test_meeting_page_says_when_the_invitation_of_a_confirmed_meeting_goes_out(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network, status=Meeting.Status.CONFIRMED, start=in_days(20))
    due = (in_days(6)).strftime("%d.%m.%Y")

    page = text_of(speaker_client.get(reverse("meetings:meeting_detail", args=[meeting.uid])))

    assert f"Die Einladung wird am {due} verschickt (14 Tage vor der Sitzung)" in page
    assert "Einladung jetzt verschicken" in page


def test_meeting_page_says_a_planned_meeting_gets_no_invitation_until_confirmed(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network, start=in_days(20))

    page = text_of(speaker_client.get(reverse("meetings:meeting_detail", args=[meeting.uid])))

    assert "Noch nicht bestätigt: Solange die Sitzung nur geplant ist, geht weder eine Einladung" in page


def test_meeting_page_says_when_and_to_how_many_the_invitation_went(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    sweep_and_send()
    sent_at = Delivery.objects.filter(kind=Kind.INVITATION).latest("sent_at").sent_at

    page = text_of(speaker_client.get(reverse("meetings:meeting_detail", args=[meeting.uid])))

    stamp = timezone.localtime(sent_at).strftime("%d.%m.%Y, %H:%M")
    assert f"Einladung verschickt am {stamp} Uhr, an 2 Mitglieder." in page
    assert "Einladung jetzt verschicken" not in page


def test_meeting_page_hides_the_invitation_rule_from_members(client, cast):
    meeting = MeetingFactory(network=cast.network, status=Meeting.Status.CONFIRMED, start=in_days(20))
    client.force_login(cast.member)

    page = text_of(client.get(reverse("meetings:meeting_detail", args=[meeting.uid])))

    assert "Einladung an die Mitglieder" not in page


def test_invitation_send_now_shows_the_mail_before_and_confirms_and_invites_after(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network, title="Vollversammlung", start=in_days(30))
    url = reverse("notifications:invitation_send", args=[meeting.uid])

    preview = speaker_client.get(url)
    response = speaker_client.post(url)
    again = speaker_client.post(url)

    page = text_of(preview)
    meeting.refresh_from_db()
    assert preview.status_code == 200
    assert "Betreff: Einladung: Vollversammlung" in page
    assert f"Guten Tag {cast.speaker_person.full_name}" in page
    assert "Die Einladung geht sofort an 2 Mitglieder des Netzwerks" in page
    assert (response.status_code, meeting.status) == (302, Meeting.Status.CONFIRMED)
    assert Delivery.objects.filter(kind=Kind.INVITATION, subject_id=meeting.pk).count() == 2
    assert again.status_code == 400
    assert "Die Mitglieder sind zu dieser Sitzung schon eingeladen." in text_of(again)
    assert django_mail.outbox == []  # the preview sends nothing; the worker sends the rows


def test_invitation_send_now_is_for_speakers_only(client, cast):
    meeting = MeetingFactory(network=cast.network, start=in_days(30))
    client.force_login(cast.member)

    response = client.post(reverse("notifications:invitation_send", args=[meeting.uid]))

    assert response.status_code == 403
    assert not Delivery.objects.exists()


def test_series_confirmed_in_one_step_invites_every_occurrence_at_its_time(speaker_client, cast):
    series = meeting_services.series_create(
        network=cast.network,
        title="Stadtteilkonferenz",
        rule="FREQ=WEEKLY",
        first_date=timezone.localdate() + datetime.timedelta(days=3),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
        count=6,
    )

    before = text_of(speaker_client.get(reverse("meetings:series_edit", args=[series.pk])))
    response = speaker_client.post(reverse("meetings:series_confirm", args=[series.pk]))
    after = text_of(speaker_client.get(reverse("meetings:series_edit", args=[series.pk])))
    notifications_sweep()

    statuses = set(series.occurrences.values_list("status", flat=True))
    invited = set(Delivery.objects.filter(kind=Kind.INVITATION).values_list("subject_id", flat=True))
    within_lead = set(
        series.occurrences.filter(start__lte=timezone.now() + datetime.timedelta(days=14)).values_list("pk", flat=True)
    )
    assert "6 künftige Termine sind noch nicht bestätigt." in before
    assert response.status_code == 302
    assert "Alle Termine dieser Serie sind bestätigt, auch die später angelegten." in after
    assert statuses == {Meeting.Status.CONFIRMED}
    assert invited == within_lead


def test_series_confirmed_creates_later_occurrences_confirmed(cast):
    series = meeting_services.series_create(
        network=cast.network,
        title="Arbeitskreis",
        rule="FREQ=MONTHLY",
        first_date=timezone.localdate() + datetime.timedelta(days=3),
        start_time=datetime.time(10, 0),
        duration_minutes=60,
    )
    meeting_services.series_confirm(series=series)

    created = meeting_services.series_extend_horizon(
        series=series, today=timezone.localdate() + datetime.timedelta(days=70)
    )

    assert created >= 2
    assert set(series.occurrences.values_list("status", flat=True)) == {Meeting.Status.CONFIRMED}


def test_cancel_asks_first_then_cancels_with_the_reason_on_page_mail_and_feed(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network, status=Meeting.Status.CONFIRMED, start=in_days(10))
    sweep_and_send()
    django_mail.outbox.clear()
    url = reverse("meetings:meeting_cancel", args=[meeting.uid])

    question = speaker_client.get(url)
    meeting.refresh_from_db()
    status_after_question = meeting.status
    response = speaker_client.post(url, {"reason": "Der Saal ist wegen eines Wasserschadens gesperrt."})
    page = text_of(speaker_client.get(reverse("meetings:meeting_detail", args=[meeting.uid])))
    sweep_and_send()
    feed = b"".join(speaker_client.get(reverse("feeds:meeting", args=[meeting.uid])).streaming_content).decode()

    assert question.status_code == 200
    assert "Grund der Absage (freiwillig)" in text_of(question)
    assert (status_after_question, response.status_code) == (Meeting.Status.CONFIRMED, 302)
    assert "Grund: Der Saal ist wegen eines Wasserschadens gesperrt." in page
    bodies = [message.body for message in django_mail.outbox]
    assert len(bodies) == 2
    assert all("Grund der Absage: Der Saal ist wegen eines Wasserschadens gesperrt." in body for body in bodies)
    assert "Abgesagt: Der Saal ist wegen eines Wasserschadens gesperrt." in feed.replace("\r\n ", "")


def test_cancel_with_a_reason_too_long_changes_nothing(speaker_client, cast):
    meeting = MeetingFactory(network=cast.network, start=in_days(10))

    response = speaker_client.post(reverse("meetings:meeting_cancel", args=[meeting.uid]), {"reason": "x" * 1001})

    meeting.refresh_from_db()
    assert (response.status_code, meeting.status) == (400, Meeting.Status.PLANNED)
    assert "höchstens 1000 Zeichen" in text_of(response)


def test_restore_forgets_the_reason(cast):
    meeting = MeetingFactory(network=cast.network, start=in_days(10))
    meeting_services.meeting_cancel(meeting=meeting, reason="Krankheit")

    meeting_services.meeting_restore(meeting=meeting)

    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancellation_reason, meeting.sequence) == (Meeting.Status.PLANNED, "", 2)


def test_invitation_preview_for_staff_masks_the_members_personal_links(client, cast):
    meeting = MeetingFactory(network=cast.network, title="Vollversammlung", start=in_days(30))
    client.force_login(cast.staff)

    page = text_of(client.get(reverse("notifications:invitation_send", args=[meeting.uid])))

    assert "Betreff: Einladung: Vollversammlung" in page
    assert "/termine/antwort/…" in page
    assert "antwort=zusage" not in page
    assert "/benachrichtigungen/abbestellen/…" in page
