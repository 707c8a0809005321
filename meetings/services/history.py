"""The calendar's part of restoring a field from the history: which fields, which service.

Meetings are restored through ``meeting_update`` (so a restored time raises the sequence
and members are told, as after any move), series through ``series_update`` (future
occurrences follow), agenda items through ``agenda_item_update`` and minutes through
``minutes_save``. The directory's own restorers are included.
"""

from contacts.services.history import RESTORERS as DIRECTORY_RESTORERS
from contacts.services.history import Restorer
from meetings.models import AgendaItem, Meeting, MeetingSeries, Minutes
from meetings.services._common import AGENDA_ITEM_FIELDS, MEETING_FIELDS, SERIES_FIELDS
from meetings.services.agenda import agenda_item_update, minutes_save
from meetings.services.meetings import meeting_update
from meetings.services.series import series_update


def _minutes_restore(minutes: Minutes, changes: dict, actor) -> Minutes:
    values = {"text": minutes.text, "visibility": minutes.visibility, **changes}
    return minutes_save(meeting=minutes.meeting, actor=actor, **values)


RESTORERS = {
    **DIRECTORY_RESTORERS,
    Meeting: Restorer(
        MEETING_FIELDS, lambda entry, changes, actor: meeting_update(meeting=entry, actor=actor, **changes)
    ),
    MeetingSeries: Restorer(
        SERIES_FIELDS, lambda entry, changes, actor: series_update(series=entry, actor=actor, **changes)
    ),
    AgendaItem: Restorer(
        AGENDA_ITEM_FIELDS, lambda entry, changes, actor: agenda_item_update(item=entry, actor=actor, **changes)
    ),
    Minutes: Restorer(("text", "visibility"), _minutes_restore),
}
