"""The calendar's part of erasing a person (Art. 17 DSGVO); ``netzwerk.privacy.person_erase``
calls it in the erasure's transaction.

Answers, attendance and votes stay, pointing to the anonymous placeholder the person row
becomes: a meeting keeps how many came, a poll how many voted. What identifies the person
goes: their notes, their calendar addresses, and their name where the minutes or an agenda
item spell it out.
"""

import re

from django.db import transaction
from django.utils import timezone

from contacts.models import Person
from meetings.models import AgendaItem, Attendance, DatePollVote, FeedToken, Minutes
from meetings.services.feed_tokens import feed_token_revoke


def _names_pattern(names: list[str]) -> re.Pattern | None:
    names = sorted({name.strip() for name in names if len(name.strip()) >= 3}, key=len, reverse=True)
    if not names:
        return None
    return re.compile("|".join(re.escape(name) for name in names), re.IGNORECASE)


def _text_scrub(instance, pattern: re.Pattern, placeholder: str) -> bool:
    text = pattern.sub(placeholder, instance.text)
    if text == instance.text:
        return False
    instance.text = text
    instance.full_clean()  # renders text_html again from the scrubbed text
    instance.save()
    return True


def _history_scrub(model, meeting_ids: set[int], pattern: re.Pattern, placeholder: str) -> int:
    """The same replacement in the texts' earlier versions (django-simple-history): a
    version is a copy of the text, name included."""
    scrubbed = 0
    for version in model.history.filter(meeting_id__in=meeting_ids).only("history_id", "text"):
        text = pattern.sub(placeholder, version.text)
        if text != version.text:
            model.history.filter(history_id=version.history_id).update(text=text)
            scrubbed += 1
    return scrubbed


@transaction.atomic
def person_calendar_erase(*, person: Person, names: list[str], placeholder: str) -> dict[str, int]:
    """Revoke the person's calendar addresses (and forget which client fetched them), blank
    their notes on answers, and replace their name in minutes and agenda texts.

    Returns the number of rows per kind. Side effects: ``FeedToken``, ``Attendance``,
    ``Minutes`` and ``AgendaItem`` rows, each through a save.
    """
    now = timezone.now()
    tokens = 0
    for token in FeedToken.objects.filter(person=person):
        feed_token_revoke(token=token, now=now)
        token.last_user_agent = ""
        token.save(update_fields=["last_user_agent"])
        tokens += 1
    notes = 0
    for attendance in Attendance.objects.filter(person=person).exclude(note=""):
        attendance.note = ""
        attendance.save(update_fields=["note", "updated_at"])
        notes += 1
    scrubbed = 0
    pattern = _names_pattern(names)
    if pattern is not None:
        meeting_ids = set(Attendance.objects.filter(person=person).values_list("meeting_id", flat=True))
        meeting_ids |= set(person.memberships.values_list("network__meetings", flat=True)) - {None}
        for minutes in Minutes.objects.filter(meeting_id__in=meeting_ids):
            scrubbed += _text_scrub(minutes, pattern, placeholder)
        for item in AgendaItem.objects.filter(meeting_id__in=meeting_ids):
            scrubbed += _text_scrub(item, pattern, placeholder)
        # After the saves above, which made versions of their own (already scrubbed).
        scrubbed += _history_scrub(Minutes, meeting_ids, pattern, placeholder)
        scrubbed += _history_scrub(AgendaItem, meeting_ids, pattern, placeholder)
    return {
        "kalenderadressen": tokens,
        "antworten": Attendance.objects.filter(person=person).count(),
        "notizen": notes,
        "abstimmungen": DatePollVote.objects.filter(person=person).count(),
        "protokolltexte": scrubbed,
    }
