"""Who is asking: the client address and the account key that every limit counts by.

One function decides the client address for the login limiter (django-axes), the contact
and feedback forms, the password-reset limit and DRF's throttles (``NUM_PROXIES`` is set
from the same setting, and follows the same rule).

Behind the TLS proxy the README prescribes, ``REMOTE_ADDR`` is the proxy's address for
every visitor, so a limit that counts it pauses the whole city at once. The address the
proxy saw is in ``X-Forwarded-For`` — but anybody can send that header, so it is read only
across as many proxies as ``TRUSTED_PROXIES`` (``DJANGO_TRUSTED_PROXIES``) says are in
front: each trusted proxy appends the address it received the request from, and the entry
that many places from the right is the one the outermost trusted proxy saw. Whatever a
client wrote further left is never looked at. With the default 0 the header is ignored.
"""

import ipaddress
import unicodedata

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client behind ``settings.TRUSTED_PROXIES`` trusted proxies.

    The rule is DRF's ``get_ident`` with ``NUM_PROXIES``: the entry ``TRUSTED_PROXIES``
    places from the right of ``X-Forwarded-For`` (the left-most if there are fewer). An
    entry that is not an IP address (a proxy that was not configured as documented) falls
    back to ``REMOTE_ADDR``, so that a forged value never becomes a key of its own."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR")
    if trusted <= 0 or not forwarded_for:
        return remote_addr
    entries = forwarded_for.split(",")
    candidate = entries[-min(trusted, len(entries))].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


def email_normalize(address: str) -> str:
    """The one form of an e-mail address that logins are looked up, counted and kept unique
    by: NFKC, then case-folded. ``ſprecherin@…`` (U+017F) and ``sprecherin@…`` are the same
    account — PostgreSQL's ``UPPER()`` says so, so every counter has to as well."""
    return unicodedata.normalize("NFKC", address.strip()).casefold()


def login_username_for_axes(request: HttpRequest, credentials: dict | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: failed logins count per normalised address."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return email_normalize(username) if username else None
