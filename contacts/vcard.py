"""vCard 4.0 (RFC 6350) for a network's public contact: input projected data, output text.

No ORM calls here: the caller passes the network and the speaker team already projected
for the public (``visibility.project_person``), so a private value can never reach the card.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from contacts.contentlines import line_fold, text_escape


@dataclass(frozen=True)
class VCardPerson:
    """One speaker as the public may see them; ``name`` is ``None`` when not published."""

    role: str
    name: str | None
    emails: tuple[str, ...]
    phones: tuple[str, ...]


def _card(properties: Iterable[str]) -> str:
    lines = ["BEGIN:VCARD", "VERSION:4.0", *properties, "END:VCARD"]
    return b"".join(line_fold(line) for line in lines).decode("utf-8")


def network_vcard(*, name: str, website: str, page_url: str, source_url: str, speakers: Iterable[VCardPerson]) -> str:
    """One card for the network (KIND:org), then one per speaker with something public.

    A speaker whose name is not published but whose e-mail is gets a card named after the
    role, so the public address stays reachable without inventing a name.
    """
    org = text_escape(name)
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
            f"FN:{text_escape(speaker.name or f'{speaker.role} – {name}')}",
            f"ORG:{org}",
            f"ROLE:{text_escape(speaker.role)}",
        ]
        properties += [f"EMAIL;TYPE=work:{text_escape(email)}" for email in speaker.emails]
        properties += [f"TEL;VALUE=text;TYPE=work:{text_escape(phone)}" for phone in speaker.phones]
        cards.append(_card(properties))
    return "".join(cards)


def institution_vcard(
    *,
    name: str,
    street: str,
    postal_code: str,
    city: str,
    email: str,
    phone: str,
    website: str,
    page_url: str,
    source_url: str,
) -> str:
    """One card (KIND:org) for an institution: its functional address, phone and website.

    Only the institution's own data, which is public; the people who work there are not
    on the card (their consent decides about them, on other surfaces).
    """
    org = text_escape(name)
    properties = ["KIND:org", f"FN:{org}", f"ORG:{org}"]
    if street or postal_code or city:
        # ADR: post office box; extended address; street; locality; region; code; country.
        parts = ["", "", street, city, "", postal_code, "Deutschland"]
        properties.append("ADR;TYPE=work:" + ";".join(text_escape(part) for part in parts))
    if email:
        properties.append(f"EMAIL;TYPE=work:{text_escape(email)}")
    if phone:
        properties.append(f"TEL;VALUE=text;TYPE=work:{text_escape(phone)}")
    if website:
        properties.append(f"URL;TYPE=work:{website}")
    properties.append(f"URL:{page_url}")
    properties.append(f"SOURCE:{source_url}")
    return _card(properties)
