"""vCard 4.0 (RFC 6350) for a network's public contact: input projected data, output text.

No ORM calls here: the caller passes the network and the speaker team already projected
for the public (``visibility.project_person``), so a private value can never reach the card.
"""

from collections.abc import Iterable
from dataclasses import dataclass

CRLF = "\r\n"
# RFC 6350 §3.2: lines SHOULD NOT be longer than 75 octets, excluding the line break.
MAX_LINE_OCTETS = 75


@dataclass(frozen=True)
class VCardPerson:
    """One speaker as the public may see them; ``name`` is ``None`` when not published."""

    role: str
    name: str | None
    emails: tuple[str, ...]
    phones: tuple[str, ...]


def escape(value: str) -> str:
    """Escape a text value (RFC 6350 §3.4): backslash, comma, semicolon and line breaks."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    parts: list[str] = []
    current = ""
    limit = MAX_LINE_OCTETS
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
            # Continuation lines start with a space, which counts towards their length.
            limit = MAX_LINE_OCTETS - 1
        else:
            current += char
    parts.append(current)
    return (CRLF + " ").join(parts)


def _card(properties: Iterable[str]) -> str:
    lines = ["BEGIN:VCARD", "VERSION:4.0", *properties, "END:VCARD"]
    return "".join(fold(line) + CRLF for line in lines)


def network_vcard(*, name: str, website: str, page_url: str, source_url: str, speakers: Iterable[VCardPerson]) -> str:
    """One card for the network (KIND:org), then one per speaker with something public.

    A speaker whose name is not published but whose e-mail is gets a card named after the
    role, so the public address stays reachable without inventing a name.
    """
    org = escape(name)
    network_properties = ["KIND:org", f"FN:{org}", f"ORG:{org}"]
    if website:
        network_properties.append(f"URL;TYPE=work:{website}")
    network_properties.append(f"URL:{page_url}")
    # SOURCE: where an address book can fetch the current card again.
    network_properties.append(f"SOURCE:{source_url}")
    cards = [_card(network_properties)]
    for speaker in speakers:
        if speaker.name is None and not speaker.emails and not speaker.phones:
            continue
        properties = [
            "KIND:individual",
            f"FN:{escape(speaker.name or f'{speaker.role} – {name}')}",
            f"ORG:{org}",
            f"ROLE:{escape(speaker.role)}",
        ]
        properties += [f"EMAIL;TYPE=work:{escape(email)}" for email in speaker.emails]
        properties += [f"TEL;VALUE=text;TYPE=work:{escape(phone)}" for phone in speaker.phones]
        cards.append(_card(properties))
    return "".join(cards)
