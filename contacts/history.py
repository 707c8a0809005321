"""Versions of entries as people read them: who changed what, when, from what to what.

django-simple-history writes one row per saved version (``Model.history``, the
``Historical…`` tables). This module turns those rows into :class:`Version` objects with the
fields that changed between two consecutive versions, labelled and formatted in the
page's language. It never queries on its own: the caller passes the rows and the labels of
the rows they point to (:func:`related_labels` collects those in one query per model).
"""

import contextlib
import contextvars
import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, models, router
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.signals import pre_create_historical_record

# Bookkeeping rather than content: never shown as a change.
SKIPPED_FIELDS = frozenset(
    {"id", "created_at", "updated_at", "uuid", "uid", "sequence", "generated_until", "original_start", "is_demo"}
)
KIND_LABELS = {
    "+": pgettext_lazy("history", "angelegt"),
    "~": pgettext_lazy("history", "geändert"),
    "-": pgettext_lazy("history", "gelöscht"),
}
EMPTY = "–"
# Who and when ``history_made_by`` names, for versions written in bulk.
_made_by: contextvars.ContextVar = contextvars.ContextVar("history_made_by", default=(None, None))
SYSTEM = _("automatisch (System)")


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Version:
    """One saved version of one entry, with what changed since the version before."""

    model: type[models.Model]
    history_id: int
    object_id: int
    entry: str
    date: datetime.datetime
    kind: str
    user_id: int | None
    changes: tuple[FieldChange, ...]
    # The version before this one, whose values a restore gives back („vorher“).
    previous_history_id: int | None = None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def model_label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def model_key(self) -> str:
        return self.model._meta.label_lower


def tracked_fields(historical_model, *, hidden: Iterable[str] = ()) -> list[models.Field]:
    """The fields of a historical model that people read, in the model's order."""
    hidden = set(hidden) | SKIPPED_FIELDS
    return [field for field in historical_model.tracked_fields if field.name not in hidden]


def related_labels(records: Iterable, fields: Iterable[models.Field]) -> dict[tuple[type, int], str]:
    """``str()`` of every row the ``records`` point to through foreign keys in ``fields``:
    one query per related model. A row deleted since is simply absent."""
    wanted: dict[type, set[int]] = defaultdict(set)
    relations = {(field.model, field.name) for field in fields if field.is_relation}
    for record in records:
        for field in type(record).tracked_fields:
            if not field.is_relation or (field.model, field.name) not in relations:
                continue
            value = getattr(record, field.attname)
            if value is not None:
                wanted[field.related_model].add(value)
    labels = {}
    for model, ids in wanted.items():
        for row in model._default_manager.filter(pk__in=ids):
            labels[(model, row.pk)] = str(row)
    return labels


def value_display(field: models.Field, value, labels: dict[tuple[type, int], str]) -> str:
    """A stored value as the page shows it (German or English, local time)."""
    if value is None or value == "":
        return EMPTY
    if field.is_relation:
        return labels.get((field.related_model, value), str(_("Eintrag Nr. %(id)s (gelöscht)") % {"id": value}))
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("ja") if value else _("nein"))
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, datetime.time):
        return formats.time_format(value, "TIME_FORMAT")
    return str(value)


def versions(
    records: Iterable,
    *,
    labels: dict[tuple[type, int], str],
    hidden: Iterable[str] = (),
    entry_label: Callable[[object], str] = str,
) -> list[Version]:
    """The versions in ``records`` (every version of each entry, any order), newest first.

    ``hidden`` names fields the audience may not see: they are never compared, so a
    version that changed only those does not appear. ``entry_label`` names the entry of a
    version (default: the historical row's ``str``, the entry as it was then).
    """

    def entry_key(record) -> tuple[str, int]:
        return (record.instance_type._meta.label, record.id)

    records = sorted(records, key=lambda record: (*entry_key(record), record.history_date, record.history_id))
    result = []
    previous = None
    for record in records:
        if previous is not None and entry_key(previous) != entry_key(record):
            previous = None
        if record.history_type == "+":
            previous = None  # a new entry, even where SQLite reused a deleted row's id
        fields = tracked_fields(type(record), hidden=hidden)
        changes = []
        if record.history_type != "-":
            for field in fields:
                new = getattr(record, field.attname)
                old = getattr(previous, field.attname) if previous is not None else None
                if previous is None and new in (None, "", False):
                    continue
                if previous is not None and old == new:
                    continue
                changes.append(
                    FieldChange(
                        name=field.name,
                        label=str(field.verbose_name),
                        old=value_display(field, old, labels) if previous is not None else EMPTY,
                        new=value_display(field, new, labels),
                    )
                )
        previous_id = previous.history_id if previous is not None else None
        previous = record
        if record.history_type == "~" and not changes:
            continue  # a save that changed nothing this audience reads
        result.append(
            Version(
                model=record.instance_type,
                history_id=record.history_id,
                object_id=record.id,
                entry=entry_label(record),
                date=record.history_date,
                kind=record.history_type,
                user_id=record.history_user_id,
                changes=tuple(changes),
                previous_history_id=previous_id,
            )
        )
    result.sort(key=lambda version: (version.date, version.history_id), reverse=True)
    return result


@contextlib.contextmanager
def history_made_by(*, user=None, at: datetime.datetime | None = None):
    """Inside the block, versions saved one by one name ``user`` and the moment ``at``.

    For writes outside a request that stand for someone (the demo replaying its past, a
    command run for a colleague): the middleware names the request's user, this names the
    given one. Code that writes versions in bulk passes ``bulk_history_defaults()``. The
    signal receiver is process-wide while the block runs: meant for commands, not for
    threads serving requests.
    """

    def receiver(sender, history_instance, **kwargs):
        if user is not None:
            history_instance.history_user_id = user.pk
        if at is not None:
            history_instance.history_date = at

    token = _made_by.set((user, at))
    pre_create_historical_record.connect(receiver, dispatch_uid=None, weak=False)
    try:
        yield
    finally:
        pre_create_historical_record.disconnect(receiver)
        _made_by.reset(token)


def bulk_history_defaults() -> dict:
    """``default_user``/``default_date`` for ``bulk_history_create`` inside ``history_made_by``."""
    user, at = _made_by.get()
    return {"default_user": user, "default_date": at}


@functools.cache
def _historical_model(model: type[models.Model]) -> type[models.Model]:
    # ``Model.history`` builds a new manager class on every access (0.7 ms).
    return model.history.model


def bulk_history_copy(queryset: models.QuerySet, *, update: bool = False) -> int:
    """Record the current version of every row of ``queryset`` in one ``INSERT … SELECT``.

    What ``bulk_history_create`` records (the tracked fields, ``+`` or ``~``, the user and
    moment of ``bulk_history_defaults()`` or else the request's user, an empty reason),
    copied by the database from the rows themselves: for the thousands of occurrences a
    batch of series creates, building, converting and sending every historical row from
    Python cost as much as the occurrences did (bench.meetings). The rows need not be at
    hand, so rows created with ``ignore_conflicts`` (whose ids are unknown) are found by a
    filter in the same statement. Returns the number of versions written.
    """
    copy = history_copy(queryset.model, update=update)
    if copy is None:
        return 0
    select, params = queryset.order_by("pk").values_list(*copy.attnames).query.sql_with_params()
    with connections[copy.database].cursor() as cursor:
        # The constants come first in the statement's text, the filter's values after them.
        cursor.execute(copy.sql(f"({select})"), (*copy.params, *params))
        return cursor.rowcount


@dataclass(frozen=True)
class HistoryCopy:
    """The ``INSERT … SELECT`` that records versions of rows a query yields (see
    ``history_copy``)."""

    database: str
    attnames: tuple[str, ...]
    head: str
    params: tuple

    def sql(self, source: str) -> str:
        """The statement copying from ``source`` (a table, a ``WITH`` query's name or a
        parenthesised ``SELECT``) whose columns are ``attnames``, in that order."""
        return f"{self.head} FROM {source} AS copied"


def history_copy(
    model: type[models.Model], *, update: bool = False, change_reason: str | None = ""
) -> HistoryCopy | None:
    """How to copy versions of ``model``'s rows as ``bulk_history_copy`` does, for a writer
    that has the rows in a query of its own: the insert of new rows can hand them on by
    ``RETURNING`` in the same statement (``WITH new AS (INSERT … RETURNING <attnames>)``).
    ``change_reason`` is the empty one of simple-history's bulk writes; None is what it
    records when it saves one row. None when simple-history is switched off
    (``SIMPLE_HISTORY_ENABLED``)."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return None  # as simple-history's own writes
    historical = _historical_model(model)
    user, at = _made_by.get()
    if user is None:
        # The request's user (simple-history's middleware), as its own bulk writes take it.
        user = historical.get_default_history_user(None)
    database = router.db_for_write(historical)
    connection = connections[database]
    attnames = tuple(field.attname for field in historical.tracked_fields)
    quote = connection.ops.quote_name
    history_date = historical._meta.get_field("history_date").get_db_prep_value(
        at or timezone.now(), connection, prepared=False
    )
    columns = ", ".join(
        quote(name) for name in (*attnames, "history_date", "history_user_id", "history_change_reason", "history_type")
    )
    return HistoryCopy(
        database=database,
        attnames=attnames,
        head=f"INSERT INTO {quote(historical._meta.db_table)} ({columns}) SELECT copied.*, %s, %s, %s, %s",
        params=(history_date, getattr(user, "pk", None), change_reason, "~" if update else "+"),
    )
