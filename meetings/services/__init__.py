"""Every write to the calendar: keyword-only functions, validated, in one transaction.

What members must notice (time, place, status) raises a meeting's ``sequence``; feeds and
notifications compare it with what they told members last. No service sends mail: the
notifications app reads the state these functions leave behind.

``actor`` is the account that asked for the change; permissions are checked by the caller
(``user.has_perm("meetings.manage_meetings", network)``), the services only log it.
``now``/``today`` parameters exist so tests can pin the clock; they default to the present.
"""

from meetings.services._common import AGENDA_ITEM_FIELDS, MEETING_FIELDS, SERIES_FIELDS
from meetings.services.agenda import (
    MinutesTextExists,
    agenda_item_add,
    agenda_item_remove,
    agenda_item_update,
    minutes_draft_from_agenda,
    minutes_publish,
    minutes_save,
)
from meetings.services.attendance import attendance_answer, attendance_record_presence
from meetings.services.documents import (
    DOCUMENT_FIELDS,
    document_add,
    document_move,
    document_remove,
    document_update,
)
from meetings.services.feed_tokens import FEED_TOUCH_INTERVAL, feed_token_issue, feed_token_revoke, feed_token_touch
from meetings.services.guests import (
    guest_counts,
    guest_register,
    guest_registration_cancel,
    guest_registration_closed_reason,
    guest_registrations_delete_expired,
    guest_settings_set,
)
from meetings.services.meetings import (
    CANCELLATION_REASON_MAX,
    PARTNERS_MAX,
    meeting_cancel,
    meeting_move,
    meeting_partners_set,
    meeting_restore,
    meeting_schedule,
    meeting_update,
    meeting_update_check,
)
from meetings.services.polls import poll_close, poll_create, poll_vote
from meetings.services.series import (
    HORIZON_MONTHS,
    horizon_end,
    series_cancel_from,
    series_confirm,
    series_create,
    series_extend_horizon,
    series_update,
)

__all__ = [
    "AGENDA_ITEM_FIELDS",
    "CANCELLATION_REASON_MAX",
    "DOCUMENT_FIELDS",
    "FEED_TOUCH_INTERVAL",
    "HORIZON_MONTHS",
    "MEETING_FIELDS",
    "PARTNERS_MAX",
    "SERIES_FIELDS",
    "MinutesTextExists",
    "agenda_item_add",
    "agenda_item_remove",
    "agenda_item_update",
    "attendance_answer",
    "attendance_record_presence",
    "document_add",
    "document_move",
    "document_remove",
    "document_update",
    "feed_token_issue",
    "feed_token_revoke",
    "feed_token_touch",
    "guest_counts",
    "guest_register",
    "guest_registration_cancel",
    "guest_registration_closed_reason",
    "guest_registrations_delete_expired",
    "guest_settings_set",
    "horizon_end",
    "meeting_cancel",
    "meeting_move",
    "meeting_partners_set",
    "meeting_restore",
    "meeting_schedule",
    "meeting_update",
    "meeting_update_check",
    "minutes_draft_from_agenda",
    "minutes_publish",
    "minutes_save",
    "poll_close",
    "poll_create",
    "poll_vote",
    "series_cancel_from",
    "series_confirm",
    "series_create",
    "series_extend_horizon",
    "series_update",
]
