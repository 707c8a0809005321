"""What members and networks set: mail preferences and a network's announcement settings."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from contacts.models import Network, Person
from notifications.models import (
    Kind,
    NetworkSettings,
    Preference,
)

logger = logging.getLogger(__name__)


# Preferences ---------------------------------------------------------------------------


@transaction.atomic
def preference_unsubscribe(*, person: Person, kind: str) -> Preference:
    """Switch off one kind of mail for ``person`` (one-click unsubscribe, RFC 8058).

    Raises ``ValidationError`` for a kind that cannot be switched off. Side effects: the
    person's ``Preference`` row (created with the defaults if missing).
    """
    field = Preference.FIELD_OF_KIND.get(kind)
    if field is None and kind != Kind.CONSENT_REQUEST:
        raise ValidationError(_("Diese Art von Mail kann nicht abbestellt werden."))
    preference, _created = Preference.objects.select_for_update().get_or_create(person=person)
    # The consent request comes once and has no switch: „abbestellen“ there means no mail at all.
    for name in [field] if field else Preference.TOGGLES:
        setattr(preference, name, False)
    preference.full_clean()
    preference.save()
    logger.info("Person %s unsubscribed from %s", person.pk, kind)
    return preference


@transaction.atomic
def preference_update(*, person: Person, **values) -> Preference:
    """Set ``person``'s preferences (any of ``Preference.TOGGLES``, ``digest_instead``, ``language``).

    Raises ``ValidationError`` (German) for unknown fields or values. Side effects: the
    person's ``Preference`` row.
    """
    allowed = {*Preference.TOGGLES, "digest_instead", "language"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(_("Unbekannte Einstellung: %(names)s") % {"names": ", ".join(sorted(unknown))})
    preference, _created = Preference.objects.select_for_update().get_or_create(person=person)
    for name, value in values.items():
        setattr(preference, name, value)
    if preference.language and preference.language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Bitte wählen Sie Deutsch oder Englisch.")})
    preference.full_clean()
    preference.save()
    return preference


NETWORK_SETTINGS_FIELDS = ("invitation_trigger", "invitation_lead_days", "reminder_offsets")


@transaction.atomic
def network_settings_update(*, network: Network, **values) -> NetworkSettings:
    """Set how ``network``'s meetings are announced (``invitation_trigger``,
    ``invitation_lead_days``, ``reminder_offsets``).

    Raises ``ValidationError`` (German) for offsets that are not whole minutes between 1 and
    86400, a lead time outside 1–90 days or an unknown trigger; ``TypeError`` for other
    fields. Side effects: the network's ``NetworkSettings`` row (created with the defaults
    if missing); the next sweep plans with the new values.
    """
    unknown = set(values) - set(NETWORK_SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    network_settings, _created = NetworkSettings.objects.select_for_update().get_or_create(network=network)
    for name, value in values.items():
        setattr(network_settings, name, value)
    network_settings.full_clean()
    network_settings.save()
    logger.info("Notification settings of network %s changed (%s)", network.pk, ", ".join(sorted(values)))
    return network_settings
