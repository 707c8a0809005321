"""Signed links in every mail: one-click unsubscribe from a kind, and all preferences; and
the link that asks for the copy of a contact-form message.

Unsubscribe links never expire: RFC 8058 expects a List-Unsubscribe URI to keep working
for as long as the mail may be read. The preferences link expires after 90 days (it shows
and changes everything), after which the page asks the person to log in.
"""

import datetime

from django.core import signing

from meetings.tokens import signed_path

UNSUBSCRIBE_SALT = "netzwerk.notifications.unsubscribe"
PREFERENCES_SALT = "netzwerk.notifications.preferences"
PREFERENCES_MAX_AGE = datetime.timedelta(days=90)
CONTACT_COPY_SALT = "netzwerk.notifications.contact-copy"
# As long as a contact-form message stays in the sweep's view: the copy is asked for soon
# or not at all.
CONTACT_COPY_MAX_AGE = datetime.timedelta(days=7)


class TokenInvalid(Exception):
    """The link was altered, is for another purpose, or has expired."""


def unsubscribe_token_make(*, person_id: int, kind: str) -> str:
    return signing.dumps([person_id, kind], salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_token_read(token: str) -> tuple[int, str]:
    try:
        person_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(person_id), str(kind)
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenInvalid from None


def preferences_token_make(*, person_id: int) -> str:
    return signing.dumps(person_id, salt=PREFERENCES_SALT, compress=False)


def preferences_token_read(token: str) -> int:
    try:
        return int(signing.loads(token, salt=PREFERENCES_SALT, max_age=PREFERENCES_MAX_AGE))
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenInvalid from None


def unsubscribe_path(*, person_id: int, kind: str) -> str:
    return signed_path("notifications:unsubscribe", unsubscribe_token_make(person_id=person_id, kind=kind))


def preferences_path(*, person_id: int) -> str:
    return signed_path("notifications:preferences_by_token", preferences_token_make(person_id=person_id))


def contact_copy_token_make(*, message_id: int) -> str:
    return signing.dumps(message_id, salt=CONTACT_COPY_SALT, compress=False)


def contact_copy_token_read(token: str) -> int:
    try:
        return int(signing.loads(token, salt=CONTACT_COPY_SALT, max_age=CONTACT_COPY_MAX_AGE))
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenInvalid from None


def contact_copy_path(*, message_id: int) -> str:
    return signed_path("notifications:contact_copy", contact_copy_token_make(message_id=message_id))


ADDRESS_UNSUBSCRIBE_SALT = "netzwerk.notifications.address-unsubscribe"


def address_unsubscribe_token_make(*, address: str) -> str:
    """For an address without a person (an institution's functional address): no more
    „Eintrag prüfen“ mails to it. Never expires, as ``unsubscribe_token_make``."""
    return signing.dumps(address.strip().lower(), salt=ADDRESS_UNSUBSCRIBE_SALT, compress=False)


def address_unsubscribe_token_read(token: str) -> str:
    try:
        return str(signing.loads(token, salt=ADDRESS_UNSUBSCRIBE_SALT))
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenInvalid from None


def address_unsubscribe_path(*, address: str) -> str:
    return signed_path("notifications:address_unsubscribe", address_unsubscribe_token_make(address=address))
