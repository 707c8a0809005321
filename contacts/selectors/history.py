"""Reads of the directory's history: the versions of an entry and of a network's members.

Each function reads the historical rows of the entry and of the rows that belong to it
(a person's addresses, consents and memberships; a network's memberships), labels what
they point to in one query per model, and hands :func:`contacts.history.versions` the rest.
Names of people go through the visibility projection for the audience, as everywhere.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext as _

from contacts import history
from contacts.models import Consent, ContactChannel, Institution, Membership, Network, Person
from contacts.selectors import people_for_projection
from contacts.visibility import SOZIALPLANUNG, Audience, project_person

# What speakers do not read in their network's history: Sozialplanung's own fields and
# the internal note on a membership; and the network itself, which the whole page is about.
SPEAKER_HIDDEN_FIELDS = frozenset({"is_invented", "sozialplanung_contact", "note", "confirmed_at", "network"})


def person_labels(person_ids: Iterable[int], *, audience: Audience) -> dict[tuple[type, int], str]:
    """Names of people as ``audience`` may see them („Name nicht veröffentlicht“ otherwise)."""
    people = people_for_projection(Person.objects.filter(pk__in=set(person_ids)))
    return {(Person, person.pk): project_person(person, audience).display_name for person in people}


def labels_for(records: list, *, audience: Audience) -> dict[tuple[type, int], str]:
    """Labels of every row the ``records`` point to; people projected for ``audience``."""
    fields = {field for model in {type(record) for record in records} for field in model.tracked_fields}
    labels = history.related_labels(
        records, [field for field in fields if field.is_relation and field.related_model is not Person]
    )
    person_ids = [
        getattr(record, field.attname)
        for record in records
        for field in type(record).tracked_fields
        if field.is_relation and field.related_model is Person and getattr(record, field.attname) is not None
    ]
    labels.update(person_labels(person_ids, audience=audience))
    return labels


def user_labels(user_ids: Iterable[int | None], *, audience: Audience) -> dict[int, str]:
    """Who made each version: the person's name as ``audience`` may see it; Sozialplanung
    staff appear as „Sozialplanung“ to everyone else; an account without a person by its
    address (staff only)."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    users = list(get_user_model().objects.filter(pk__in=ids).select_related("person"))
    staff_ids = set(
        get_user_model()
        .objects.filter(pk__in=ids)
        .filter(models.Q(is_superuser=True) | models.Q(groups__name="Sozialplanung"))
        .values_list("pk", flat=True)
    )
    people = {
        person.pk: project_person(person, audience)
        for person in people_for_projection(Person.objects.filter(user_id__in=ids))
    }
    result = {}
    for user in users:
        person = getattr(user, "person", None)
        if not audience.is_sozialplanung and user.pk in staff_ids:
            result[user.pk] = _("Sozialplanung")
        elif person is not None and person.pk in people:
            result[user.pk] = people[person.pk].display_name
        elif audience.is_sozialplanung:
            result[user.pk] = user.email
        else:
            result[user.pk] = str(history.EMPTY)
    return result


def _membership_label(labels: dict) -> callable:
    def label(record) -> str:
        holder = labels.get((Institution, record.institution_id)) or labels.get((Person, record.person_id), "")
        if record.institution_id and record.person_id:
            holder = f"{holder} ({labels.get((Person, record.person_id), '')})"
        role = dict(Membership.Role.choices).get(record.role, record.role)
        return _("Mitgliedschaft: %(holder)s – %(role)s") % {"holder": holder, "role": role}

    return label


def _entry_label(labels: dict) -> callable:
    """Names a version's entry without a query: from the row itself or from ``labels``."""
    membership = _membership_label(labels)

    def label(record) -> str:
        model = record.instance_type
        if model is Membership:
            return membership(record)
        if model is Person:
            return labels.get((Person, record.id)) or " ".join(
                part for part in (record.title, record.given_name, record.family_name) if part
            )
        if model is ContactChannel:
            return f"{dict(ContactChannel.Kind.choices).get(record.kind)}: {record.value}"
        if model is Consent:
            return _("Einwilligung: %(scope)s") % {"scope": dict(Consent.Scope.choices).get(record.scope)}
        if model in (Network, Institution):
            return record.name
        # The calendar's rows (this app does not know them): their title, with the day.
        title = getattr(record, "title", "")
        start = getattr(record, "start", None)
        if start is not None:
            return f"{title} ({history.value_display(type(record)._meta.get_field('start'), start, {})})"
        return f"{model._meta.verbose_name}: {title}" if title else str(model._meta.verbose_name)

    return label


def versions_of(querysets: list[models.QuerySet], *, audience: Audience, hidden: Iterable[str] = ()) -> list:
    """The versions in the historical ``querysets``, labelled for ``audience``, newest first."""
    records = [record for queryset in querysets for record in queryset]
    labels = labels_for(records, audience=audience)
    return history.versions(records, labels=labels, hidden=hidden, entry_label=_entry_label(labels))


def entry_history_querysets(entry: models.Model) -> list[models.QuerySet]:
    """The historical rows that make up the history of ``entry`` on its staff page."""
    if isinstance(entry, Network):
        return [Network.history.filter(id=entry.pk), Membership.history.filter(network_id=entry.pk)]
    if isinstance(entry, Institution):
        return [Institution.history.filter(id=entry.pk), Membership.history.filter(institution_id=entry.pk)]
    if isinstance(entry, Person):
        return [
            Person.history.filter(id=entry.pk),
            ContactChannel.history.filter(person_id=entry.pk),
            Consent.history.filter(person_id=entry.pk),
            Membership.history.filter(person_id=entry.pk),
        ]
    return [type(entry).history.filter(id=entry.pk)]


def entry_history(entry: models.Model) -> list:
    """Every version of a directory entry and of its parts, for Sozialplanung."""
    return versions_of(entry_history_querysets(entry), audience=SOZIALPLANUNG)


def network_history_querysets(network: Network) -> list[models.QuerySet]:
    """The directory's part of a network's history for its speakers: its fields, its members."""
    return [Network.history.filter(id=network.pk), Membership.history.filter(network_id=network.pk)]
