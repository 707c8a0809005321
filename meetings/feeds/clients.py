"""Which calendar client fetched a personal feed, in words."""

from __future__ import annotations

# Clients ----------------------------------------------------------------------------

_CLIENTS = (
    ("google", "Google Kalender"),
    ("outlook", "Microsoft Outlook"),
    ("microsoft", "Microsoft Outlook"),
    ("exchange", "Microsoft Outlook"),
    ("thunderbird", "Thunderbird"),
    ("dataaccessd", "Apple Kalender"),
    ("calendaragent", "Apple Kalender"),
    ("ios/", "Apple Kalender"),
    ("mac os x", "Apple Kalender"),
    ("macos", "Apple Kalender"),
)


def feed_client_name(user_agent: str) -> str:
    """The calendar client behind a User-Agent, in words; the raw string when unknown."""
    lowered = (user_agent or "").casefold()
    for needle, name in _CLIENTS:
        if needle in lowered:
            return name
    return user_agent
