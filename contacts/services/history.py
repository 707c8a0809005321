"""Writes on the history: a field brought back from an old version, a person's versions purged.

A restore never saves an old version as it was: it hands the one value to the service of
the entry's model, which validates it as any edit and records a new version. Consents are
never restored (a consent is given or withdrawn by the person, DSGVO Art. 7).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from contacts import services
from contacts.models import Consent, ContactChannel, Institution, Membership, Network, Person
from contacts.services import entries


@dataclass(frozen=True)
class Restorer:
    """The fields of a model that can be restored and the service that writes one."""

    fields: tuple[str, ...]
    update: Callable[..., models.Model]  # (entry, changes, actor) -> entry


RESTORERS: dict[type[models.Model], Restorer] = {
    Network: Restorer(
        entries.NETWORK_FIELDS, lambda entry, changes, actor: entries.network_fields_update(network=entry, **changes)
    ),
    Institution: Restorer(
        entries.INSTITUTION_FIELDS,
        lambda entry, changes, actor: entries.institution_fields_update(institution=entry, **changes),
    ),
    Person: Restorer(
        entries.PERSON_FIELDS, lambda entry, changes, actor: entries.person_fields_update(person=entry, **changes)
    ),
    ContactChannel: Restorer(
        ("value", "label", "is_primary"),
        lambda entry, changes, actor: services.channel_update(channel=entry, **changes),
    ),
    Membership: Restorer(
        ("institution", "person", "role", "start", "end", "note"),
        lambda entry, changes, actor: services.membership_update(membership=entry, **changes),
    ),
}


def restorable_fields(model: type[models.Model], restorers: dict | None = None) -> tuple[str, ...]:
    """The names of the fields of ``model`` a version can give back (none for consents)."""
    restorer = (restorers or RESTORERS).get(model)
    return restorer.fields if restorer else ()


@transaction.atomic
def history_field_restore(
    *, model: type[models.Model], history_id: int, field: str, actor, restorers: dict | None = None
) -> models.Model:
    """Give the field ``field`` of an entry back the value it had in version ``history_id``.

    ``restorers`` maps models to their :class:`Restorer` (default: the directory's; the
    calendar adds its own). Raises ``ValidationError`` (German) for a field that cannot be
    restored, a version or entry that no longer exists, or a value that is not valid today
    (a deleted institution, a term that would overlap another). Side effects: the entry,
    written by its service, with a new version naming ``actor`` (the request's user).
    """
    restorer = (restorers or RESTORERS).get(model)
    if restorer is None or field not in restorer.fields:
        raise ValidationError(_("Dieses Feld lässt sich nicht wiederherstellen."))
    record = model.history.filter(history_id=history_id).first()
    if record is None:
        raise ValidationError(_("Diese Fassung gibt es nicht mehr."))
    entry = model._default_manager.select_for_update().filter(pk=record.id).first()
    if entry is None:
        raise ValidationError(_("Der Eintrag wurde gelöscht; einzelne Felder lassen sich nicht wiederherstellen."))
    model_field = model._meta.get_field(field)
    try:
        value = getattr(record, field)
    except ObjectDoesNotExist:
        raise ValidationError(
            _("„%(field)s“ zeigte auf einen Eintrag, den es nicht mehr gibt.") % {"field": model_field.verbose_name}
        ) from None
    if model_field.is_relation and value is not None:
        value = model_field.related_model._default_manager.get(pk=value.pk)
    return restorer.update(entry, {field: value}, actor)


@transaction.atomic
def history_purge_person(*, person: Person) -> int:
    """Remove ``person``'s data from every version (DSGVO Art. 17); returns the rows touched.

    Deleted: every version of the person, of their addresses and numbers and of their
    consents. Kept without the person: the versions of their memberships (the network's
    history stays true: an institution was a member from … to …) and of networks that
    named them as Sozialplanung's contact. Versions made by their account no longer name
    who made them. Call it last in an erasure, after the erasure's own writes (which add
    versions too). Side effects: the historical tables only.
    """
    count = 0
    count += Person.history.filter(id=person.pk).delete()[0]
    count += ContactChannel.history.filter(person_id=person.pk).delete()[0]
    count += Consent.history.filter(person_id=person.pk).delete()[0]
    count += Membership.history.filter(person_id=person.pk).update(person_id=None)
    count += Network.history.filter(sozialplanung_contact_id=person.pk).update(sozialplanung_contact_id=None)
    if person.user_id is not None:
        # Every model with a history, the calendar's too (this app does not import it).
        for model in apps.get_models():
            if getattr(model._meta, "simple_history_manager_attribute", None) == "history":
                count += model.history.filter(history_user_id=person.user_id).update(history_user_id=None)
        count += Consent.history.filter(recorded_by_id=person.user_id).update(recorded_by_id=None)
    return count
