"""factory_boy factories for the calendar. Series are made through ``series_create`` so
their occurrences exist, as in real use."""

import datetime

import factory
from django.utils import timezone

from meetings import models
from meetings.markdown import render_markdown
from tests.factories import NetworkFactory, PersonFactory


def in_days(days: int, *, hour: int = 18, minute: int = 30) -> datetime.datetime:
    """An aware Europe/Berlin time ``days`` from today at ``hour:minute``."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Meeting

    network = factory.SubFactory(NetworkFactory)
    title = factory.Sequence(lambda n: f"Sitzung {n}")
    start = factory.LazyFunction(lambda: in_days(14))
    end = factory.LazyAttribute(lambda meeting: meeting.start + datetime.timedelta(minutes=90))
    address = "Musterweg 1, 52062 Aachen"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Tagesordnungspunkt {n}")
    text = ""
    # What saving through the services stores beside the text.
    text_html = factory.LazyAttribute(lambda item: render_markdown(item.text))


class MinutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Minutes

    meeting = factory.SubFactory(MeetingFactory)
    text = "Protokoll"
    text_html = factory.LazyAttribute(lambda minutes: render_markdown(minutes.text))


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    answer = models.Attendance.Answer.YES
    answered_at = factory.LazyFunction(timezone.now)


class DatePollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DatePoll

    network = factory.SubFactory(NetworkFactory)
    title = factory.Sequence(lambda n: f"Terminfindung {n}")
    description = ""
    description_html = factory.LazyAttribute(lambda poll: render_markdown(poll.description))
    deadline = factory.LazyFunction(lambda: in_days(7, hour=12, minute=0))


class DatePollOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DatePollOption

    poll = factory.SubFactory(DatePollFactory)
    start = factory.LazyFunction(lambda: in_days(21))
    end = factory.LazyAttribute(lambda option: option.start + datetime.timedelta(hours=2))
