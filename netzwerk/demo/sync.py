"""Writing the demo's directory rows: found by natural keys, saved only when a value differs.

A second seed run therefore writes nothing; rows that are not demo data (``is_demo=False``)
are reused but never changed.
"""

import datetime
import enum
from collections import Counter
from dataclasses import dataclass, field

from django.db import models
from django.utils.text import slugify

# The demo's past mail goes here: it happened, nobody receives it again.
DUMMY_MAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


@dataclass
class SeedReport:
    """What a seed run created, changed and deleted, counted per model."""

    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    # The last meeting of an old demo calendar, which ``--refresh`` would move to today.
    stale_since: datetime.datetime | None = None

    @property
    def touched(self) -> int:
        """How many rows the run wrote."""
        return sum(self.created.values()) + sum(self.changed.values()) + sum(self.deleted.values())


def plain(value):
    """A choices member as its plain value, so keys hash like the values read from the database."""
    return value.value if isinstance(value, enum.Enum) else value


def rows_sync(report: SeedReport, model: type[models.Model], key: tuple[str, ...], rows: list[dict]) -> list:
    """Bring the rows found by the fields in ``key`` to the values in ``rows``; create the missing.

    One query finds the existing rows; missing ones are created in one ``bulk_create`` (as
    demo data where the model has the flag), after their fields are checked. A row is saved
    only when a value differs, so unchanged rows keep their ``updated_at``; a row that is not
    demo data is returned untouched: real data is never overwritten. Returns the instances in
    the order of ``rows``.
    """
    has_demo_flag = hasattr(model, "is_demo")
    existing = {
        tuple(plain(getattr(instance, name)) for name in key): instance
        for instance in model.objects.filter(**{f"{key[0]}__in": {row[key[0]] for row in rows}})
    }
    instances, missing = [], []
    for row in rows:
        instance = existing.get(tuple(plain(row[name]) for name in key))
        if instance is None:
            instance = model(**row)
            if has_demo_flag:
                instance.is_demo = True
            instance.clean_fields()
            missing.append(instance)
        elif not has_demo_flag or instance.is_demo:
            instance_update(report, instance, row)
        instances.append(instance)
    model.objects.bulk_create(missing)
    report.created[model.__name__] += len(missing)
    return instances


def instance_update(report: SeedReport, instance: models.Model, values: dict) -> None:
    """Set ``values`` on ``instance`` and save the fields that differ; nothing when none does."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(instance, name, values[name])
    instance.full_clean()
    model = type(instance)
    # update_fields takes field names, not attnames ("parent", not "parent_id").
    names = [model._meta.get_field(name.removesuffix("_id")).name for name in changed]
    if hasattr(model, "updated_at"):
        names.append("updated_at")
    instance.save(update_fields=names)
    report.changed[model.__name__] += 1


def m2m_sync(report: SeedReport, instance: models.Model, name: str, targets: list[models.Model]) -> None:
    """Make the many-to-many field ``name`` hold exactly ``targets``; writes only on a difference."""
    manager = getattr(instance, name)
    current = set(manager.values_list("pk", flat=True))
    wanted = {target.pk for target in targets}
    if current != wanted:
        manager.set(targets)
        label = f"{type(instance).__name__}.{name}"
        report.created[label] += len(wanted - current)
        report.changed[label] += len(current - wanted)


def german_slug(text: str) -> str:
    """A URL slug that spells German umlauts out (ä → ae) instead of dropping the dots."""
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue")):
        text = text.replace(umlaut, spelled)
    return slugify(text)
