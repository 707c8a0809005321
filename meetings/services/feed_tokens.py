"""Personal calendar feeds: their secret addresses, issued, revoked and touched when fetched."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from contacts.models import Person
from meetings.models import (
    FeedToken,
)

logger = logging.getLogger(__name__)


# Personal calendar feeds ----------------------------------------------------------

# A calendar client polls every few minutes; recording every fetch would be a write per
# poll. Once a minute is enough to answer "is my calendar still fetching?".
FEED_TOUCH_INTERVAL = datetime.timedelta(minutes=1)


@transaction.atomic
def feed_token_issue(*, person: Person, now: datetime.datetime | None = None) -> FeedToken:
    """Issue a new personal feed token for ``person``; the previous valid one is revoked.

    Rotating is the remedy for a leaked address: the old URL answers 404 from now on.
    Side effects: ``revoked_at`` on the previous token, a new ``FeedToken`` row.
    """
    now = now or timezone.now()
    FeedToken.objects.filter(person=person, revoked_at__isnull=True).update(revoked_at=now)
    token = FeedToken.objects.create(person=person)
    logger.info("Feed token %s issued for person %s", token.pk, person.pk)
    return token


@transaction.atomic
def feed_token_revoke(*, token: FeedToken, now: datetime.datetime | None = None) -> FeedToken:
    """Revoke ``token``: its feed answers 404. Revoking twice changes nothing.

    Side effects: ``revoked_at`` on the token.
    """
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("Feed token %s revoked", token.pk)
    return token


def feed_token_touch(*, token: FeedToken, user_agent: str, now: datetime.datetime | None = None) -> bool:
    """Record that the feed of ``token`` was fetched, and by which client.

    Writes at most once per ``FEED_TOUCH_INTERVAL`` (and when the client changes), so a
    client polling every minute costs no write per poll. Returns whether it wrote.
    Side effects: ``last_fetched_at`` and ``last_user_agent`` on the token.
    """
    now = now or timezone.now()
    user_agent = (user_agent or "")[: FeedToken._meta.get_field("last_user_agent").max_length]
    recent = token.last_fetched_at is not None and now - token.last_fetched_at < FEED_TOUCH_INTERVAL
    if recent and token.last_user_agent == user_agent:
        return False
    token.last_fetched_at = now
    token.last_user_agent = user_agent
    FeedToken.objects.filter(pk=token.pk).update(last_fetched_at=now, last_user_agent=user_agent)
    return True
