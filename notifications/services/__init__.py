"""Writes of the notifications app: the sweep that plans what is owed, the send of the
planned mails, the baseline for a system taking over, and the preferences a person sets.

The sweep derives what is owed from the current state of the calendar and the directory
(DESIGN.md principle 1) and writes it as rows of the delivery log; the unique key makes a
second row for the same message impossible, so sweeps may overlap or repeat. The send
claims its rows with a lease, checks again for each whether the mail is still wanted,
sends it with a Message-ID derived from the row, and marks it sent only while it still
holds the claim.
"""

from notifications.services._common import (
    CLAIM_CHUNK,
    MAX_ATTEMPTS,
    POLL_REMINDER_BEFORE,
    POLL_REMINDER_MIN_AGE,
    RECENT,
    REMINDING_STATUSES,
    SEND_TASK,
    WATERMARK_MARGIN,
    lease_length,
    requeue_after,
    retry_delay,
)
from notifications.services.freshness import address_unsubscribe, entry_review_request
from notifications.services.planning import (
    SweepResult,
    account_invitations_plan,
    contact_copy_confirm,
    digest_week,
    invitation_send_now,
    notifications_baseline,
    notifications_sweep,
    periodic_run_record,
    term_notices_plan,
)
from notifications.services.preferences import (
    NETWORK_SETTINGS_FIELDS,
    network_settings_update,
    preference_unsubscribe,
    preference_update,
)
from notifications.services.sending import deliveries_send, delivery_retry, delivery_send

__all__ = [
    "CLAIM_CHUNK",
    "MAX_ATTEMPTS",
    "NETWORK_SETTINGS_FIELDS",
    "POLL_REMINDER_BEFORE",
    "POLL_REMINDER_MIN_AGE",
    "RECENT",
    "REMINDING_STATUSES",
    "SEND_TASK",
    "WATERMARK_MARGIN",
    "SweepResult",
    "account_invitations_plan",
    "address_unsubscribe",
    "contact_copy_confirm",
    "deliveries_send",
    "delivery_retry",
    "delivery_send",
    "digest_week",
    "entry_review_request",
    "invitation_send_now",
    "lease_length",
    "network_settings_update",
    "notifications_baseline",
    "notifications_sweep",
    "periodic_run_record",
    "preference_unsubscribe",
    "preference_update",
    "requeue_after",
    "retry_delay",
    "term_notices_plan",
]
