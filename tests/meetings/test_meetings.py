"""Single meetings: scheduling, moving, cancelling, answers, agenda and minutes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings import services
from meetings.markdown import render_markdown
from meetings.models import AgendaItem, Attendance, Meeting, Minutes
from tests.factories import MembershipFactory, NetworkFactory, PersonFactory
from tests.meetings.factories import MeetingFactory, in_days

pytestmark = pytest.mark.django_db


def test_meeting_schedule_stores_utc_and_a_stable_uid():
    network = NetworkFactory()
    start = in_days(10)

    meeting = services.meeting_schedule(
        network=network, title="OAG Brand", start=start, end=start + datetime.timedelta(hours=2)
    )

    meeting.refresh_from_db()
    assert meeting.start == start
    assert meeting.start.utcoffset() == datetime.timedelta(0)
    assert (meeting.status, meeting.sequence, meeting.series_id) == ("geplant", 0, None)
    assert meeting.uid is not None


def test_meeting_schedule_end_before_start_is_refused_and_nothing_written():
    start = in_days(10)

    with pytest.raises(ValidationError) as error:
        services.meeting_schedule(
            network=NetworkFactory(), title="OAG", start=start, end=start - datetime.timedelta(hours=1)
        )

    assert error.value.message_dict["end"] == ["Das Ende muss nach dem Beginn liegen."]
    assert Meeting.objects.count() == 0


def test_meeting_schedule_naive_time_is_refused():
    naive = datetime.datetime(2027, 5, 1, 18, 0)

    with pytest.raises(ValidationError) as error:
        services.meeting_schedule(
            network=NetworkFactory(), title="OAG", start=naive, end=naive + datetime.timedelta(hours=1)
        )

    assert "Zeitzone" in error.value.message_dict["start"][0]


def test_meeting_move_raises_sequence_keeps_uid_and_records_old_start():
    meeting = MeetingFactory()
    uid, old_start = meeting.uid, meeting.start
    new_start = in_days(20, hour=17)

    services.meeting_move(meeting=meeting, start=new_start, end=new_start + datetime.timedelta(hours=2))

    meeting.refresh_from_db()
    assert (meeting.uid, meeting.sequence, meeting.moved_from, meeting.status) == (uid, 1, old_start, "geplant")
    assert meeting.start == new_start


def test_meeting_move_past_meeting_is_refused_with_german_message():
    meeting = MeetingFactory(start=in_days(-3), end=in_days(-3) + datetime.timedelta(hours=1))
    new_start = in_days(5)

    with pytest.raises(ValidationError) as error:
        services.meeting_move(meeting=meeting, start=new_start, end=new_start + datetime.timedelta(hours=1))

    assert error.value.message_dict["start"] == ["Vergangene Sitzungen können nicht verschoben werden."]
    assert Meeting.objects.get(pk=meeting.pk).sequence == 0


def test_meeting_move_into_the_past_is_refused():
    meeting = MeetingFactory()
    past = in_days(-1)

    with pytest.raises(ValidationError) as error:
        services.meeting_move(meeting=meeting, start=past, end=past + datetime.timedelta(hours=1))

    assert "Vergangenheit" in error.value.message_dict["start"][0]


def test_meeting_move_of_an_occurrence_marks_it_edited_by_hand():
    series = services.series_create(
        network=NetworkFactory(),
        title="STK",
        rule="FREQ=MONTHLY;BYDAY=2TU",
        first_date=timezone.localdate(),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
    )
    occurrence = series.occurrences.order_by("start")[1]
    original = occurrence.original_start
    new_start = occurrence.start + datetime.timedelta(days=1)

    services.meeting_move(meeting=occurrence, start=new_start, end=new_start + datetime.timedelta(hours=1))

    occurrence.refresh_from_db()
    assert (occurrence.edited_by_hand, occurrence.original_start) == (True, original)


def test_meeting_cancel_and_restore_each_raise_sequence_once():
    meeting = MeetingFactory(status=Meeting.Status.CONFIRMED)

    services.meeting_cancel(meeting=meeting)
    services.meeting_cancel(meeting=meeting)
    cancelled = Meeting.objects.get(pk=meeting.pk)
    services.meeting_restore(meeting=meeting)
    restored = Meeting.objects.get(pk=meeting.pk)

    assert (cancelled.status, cancelled.sequence) == ("abgesagt", 1)
    assert (restored.status, restored.sequence) == ("geplant", 2)


def test_meeting_update_place_raises_sequence_title_does_not():
    meeting = MeetingFactory()

    services.meeting_update(meeting=meeting, title="Neuer Titel", accessibility_notes="Aufzug vorhanden")
    after_title = Meeting.objects.get(pk=meeting.pk).sequence
    services.meeting_update(meeting=meeting, room="Raum 3")
    after_room = Meeting.objects.get(pk=meeting.pk).sequence

    assert (after_title, after_room) == (0, 1)


def test_meeting_update_held_before_start_is_refused():
    meeting = MeetingFactory()

    with pytest.raises(ValidationError) as error:
        services.meeting_update(meeting=meeting, status=Meeting.Status.HELD)

    assert "noch nicht begonnen" in error.value.message_dict["status"][0]


def test_agenda_edit_does_not_raise_sequence():
    meeting = MeetingFactory()

    item = services.agenda_item_add(meeting=meeting, title="Begrüßung")
    services.agenda_item_update(item=item, title="Begrüßung und Vorstellungsrunde", text="*kurz*")

    assert Meeting.objects.get(pk=meeting.pk).sequence == 0


def test_agenda_items_are_numbered_inserted_and_closed_up():
    meeting = MeetingFactory()
    first = services.agenda_item_add(meeting=meeting, title="Begrüßung")
    last = services.agenda_item_add(meeting=meeting, title="Verschiedenes")

    services.agenda_item_add(meeting=meeting, title="Bericht der OAG", position=2)
    numbered = list(meeting.agenda_items.values_list("position", "title"))
    services.agenda_item_remove(item=first)
    closed_up = list(meeting.agenda_items.values_list("position", "title"))

    assert numbered == [(1, "Begrüßung"), (2, "Bericht der OAG"), (3, "Verschiedenes")]
    assert closed_up == [(1, "Bericht der OAG"), (2, "Verschiedenes")]
    assert AgendaItem.objects.get(pk=last.pk).position == 2


def test_agenda_item_add_stores_sanitised_html():
    meeting = MeetingFactory()

    item = services.agenda_item_add(
        meeting=meeting,
        title="Bericht",
        text="**Wichtig** <script>alert(1)</script> [Link](javascript:alert(1)) <a onclick='x'>a</a>",
    )

    html = AgendaItem.objects.get(pk=item.pk).text_html

    assert "<strong>Wichtig</strong>" in html
    assert "script" not in html
    assert "javascript" not in html
    assert "onclick" not in html


def test_render_markdown_keeps_lists_and_safe_links():
    html = render_markdown("- eins\n- zwei\n\n[Stadt](https://www.aachen.de)")

    assert "<li>eins</li>" in html
    assert 'href="https://www.aachen.de"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_attendance_answer_records_and_changes_the_answer():
    membership = MembershipFactory()
    meeting = MeetingFactory(network=membership.network)

    services.attendance_answer(meeting=meeting, person=membership.person, answer="zusage", note="etwas später")
    services.attendance_answer(meeting=meeting, person=membership.person, answer="absage")

    attendance = Attendance.objects.get(meeting=meeting, person=membership.person)
    assert (attendance.answer, attendance.note) == ("absage", "")
    assert attendance.answered_at is not None


@pytest.mark.parametrize(
    ("setup", "message_part"),
    [
        ("cancelled", "abgesagt"),
        ("past", "schon begonnen"),
        ("stranger", "kein Mitglied"),
    ],
)
def test_attendance_answer_is_refused(setup, message_part):
    membership = MembershipFactory()
    meeting = MeetingFactory(network=membership.network)
    person = membership.person
    if setup == "cancelled":
        services.meeting_cancel(meeting=meeting)
    if setup == "past":
        meeting = MeetingFactory(
            network=membership.network, start=in_days(-1), end=in_days(-1) + datetime.timedelta(hours=1)
        )
    if setup == "stranger":
        person = PersonFactory()

    with pytest.raises(ValidationError) as error:
        services.attendance_answer(meeting=meeting, person=person, answer="zusage")

    assert message_part in error.value.messages[0]
    assert Attendance.objects.count() == 0


def test_attendance_record_presence_only_after_the_start():
    membership = MembershipFactory()
    future = MeetingFactory(network=membership.network)
    past = MeetingFactory(network=membership.network, start=in_days(-1), end=in_days(-1) + datetime.timedelta(hours=1))

    services.attendance_record_presence(meeting=past, person=membership.person, presence="anwesend")
    with pytest.raises(ValidationError):
        services.attendance_record_presence(meeting=future, person=membership.person, presence="anwesend")

    assert list(Attendance.objects.values_list("meeting_id", "presence")) == [(past.pk, "anwesend")]


def test_minutes_publish_after_the_meeting_keeps_first_date():
    meeting = MeetingFactory(start=in_days(-1), end=in_days(-1) + datetime.timedelta(hours=1))
    minutes = services.minutes_save(meeting=meeting, text="TOP 1: Bericht der Einrichtungen")
    first = timezone.now() - datetime.timedelta(minutes=5)

    services.minutes_publish(minutes=minutes, now=first)
    services.minutes_publish(minutes=minutes)

    assert Minutes.objects.get(pk=minutes.pk).published_at == first


def test_minutes_without_text_or_file_are_refused():
    meeting = MeetingFactory()

    with pytest.raises(ValidationError) as error:
        services.minutes_save(meeting=meeting, text="  ")

    assert error.value.messages == ["Ein Protokoll braucht einen Text oder eine Datei."]


def test_minutes_publish_before_the_meeting_is_refused():
    minutes = services.minutes_save(meeting=MeetingFactory(), text="Entwurf")

    with pytest.raises(ValidationError):
        services.minutes_publish(minutes=minutes)

    assert Minutes.objects.get(pk=minutes.pk).published_at is None
