"""Changing the fields of a network, an institution or a person, as one validated write.

The Verwaltung's forms and the restore of a field from the history („Verlauf“) change an
entry through these functions, so a field comes back only if it is valid today.
"""

from django.db import transaction

from contacts.models import Institution, Network, Person

NETWORK_FIELDS = (
    "kind",
    "name",
    "short_name",
    "parent",
    "founded_year",
    "description",
    "rhythm",
    "website",
    "is_active",
    "sozialplanung_contact",
)
INSTITUTION_FIELDS = (
    "name",
    "type",
    "umbrella",
    "street",
    "postal_code",
    "city",
    "area",
    "website",
    "email",
    "phone",
    "accessibility",
    "accessibility_notes",
    "is_active",
)
PERSON_FIELDS = ("title", "given_name", "family_name", "form_of_address", "language", "notes")


def _entry_update(entry, allowed: tuple[str, ...], changes: dict):
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.full_clean()
    # Only the changed fields: an entry loaded a while ago must not write back stale values
    # of the others (its „Stand“, its coordinates) over what changed since.
    entry.save(update_fields=[*changes, "updated_at"])
    return entry


@transaction.atomic
def network_fields_update(*, network: Network, **changes) -> Network:
    """Change fields of a network (``NETWORK_FIELDS``).

    Raises ``ValidationError`` (German) for invalid values, ``TypeError`` for other
    fields. Side effects: the network row and its version in the history.
    """
    return _entry_update(network, NETWORK_FIELDS, changes)


@transaction.atomic
def institution_fields_update(*, institution: Institution, **changes) -> Institution:
    """Change fields of an institution (``INSTITUTION_FIELDS``); raises as ``network_fields_update``."""
    return _entry_update(institution, INSTITUTION_FIELDS, changes)


@transaction.atomic
def person_fields_update(*, person: Person, **changes) -> Person:
    """Change fields of a person (``PERSON_FIELDS``); raises as ``network_fields_update``."""
    return _entry_update(person, PERSON_FIELDS, changes)
