"""The signed „Eintrag prüfen“ link of a network, institution or person.

The link names the entry and the „Stand“ it had when the link was made. Confirming, or an
edit, moves the Stand on, so a link used once (or replayed from an old mail) no longer
fits and is refused with a message saying so; a proposal records the link's digest, so one
link gives one proposal. Links expire after ``ENTRY_CHECK_LINK_DAYS``.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Institution, Network, Person

SALT = "netzwerk.contacts.entry-link"
# One letter per kind of entry in the token: short links.
KIND_CODES = {"n": Network, "i": Institution, "p": Person}
CODE_OF = {model: code for code, model in KIND_CODES.items()}


class EntryLinkInvalid(Exception):
    """The link cannot be used; ``message`` says why in the reader's language."""

    def __init__(self, message, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


@dataclasses.dataclass(frozen=True)
class EntryLink:
    entry: Network | Institution | Person
    digest: str


def _stamp(entry) -> int:
    return int(entry.confirmed_at.timestamp()) if entry.confirmed_at else 0


def entry_token_make(entry: Network | Institution | Person) -> str:
    return signing.dumps([CODE_OF[type(entry)], entry.pk, _stamp(entry)], salt=SALT, compress=False)


def entry_link_path(entry: Network | Institution | Person) -> str:
    return reverse("directory:entry_check", kwargs={"token": entry_token_make(entry)})


def entry_link_url(entry: Network | Institution | Person) -> str:
    return settings.SITE_URL + entry_link_path(entry)


def link_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.ENTRY_CHECK_LINK_DAYS)


def entry_link_read(token: str) -> EntryLink:
    """The entry a link is for; raises ``EntryLinkInvalid`` for a link that was altered,
    has expired, was used already (the entry was confirmed or changed since), or whose entry
    no longer exists."""
    try:
        code, pk, stamp = signing.loads(token, salt=SALT, max_age=link_max_age())
        model = KIND_CODES[code]
        pk, stamp = int(pk), int(stamp)
    except signing.SignatureExpired:
        raise EntryLinkInvalid(
            _(
                "Dieser Link ist abgelaufen (er gilt %(days)s Tage). Bitte fordern Sie bei der Sozialplanung "
                "einen neuen an, oder warten Sie auf die nächste Mail."
            )
            % {"days": settings.ENTRY_CHECK_LINK_DAYS},
            "expired",
        ) from None
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        raise EntryLinkInvalid(
            _("Dieser Link ist ungültig: Er wurde verändert oder nicht vollständig kopiert."), "tampered"
        ) from None
    queryset = model.objects.filter(pk=pk)
    if model is not Person:
        queryset = queryset.filter(is_active=True)
    entry = queryset.first()
    if entry is None:
        raise EntryLinkInvalid(_("Diesen Eintrag gibt es nicht mehr."), "gone")
    if _stamp(entry) != stamp:
        raise EntryLinkInvalid(
            _(
                "Dieser Link wurde schon benutzt: Der Eintrag wurde am %(date)s bestätigt oder geändert. "
                "Es ist nichts weiter zu tun."
            )
            % {"date": formats.date_format(timezone.localtime(entry.confirmed_at), "SHORT_DATE_FORMAT")},
            "used",
        )
    return EntryLink(entry=entry, digest=hashlib.sha256(token.encode()).hexdigest())
