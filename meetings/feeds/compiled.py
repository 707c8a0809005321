"""The feeds' conditional-GET statements, compiled once per kind of feed and shape of
values and bound per request: a 304 costs two small queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.db import connections
from django.db.models import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    Expression,
    Field,
    QuerySet,
)

from meetings.models import Meeting

# Queries compiled once -----------------------------------------------------------


# (SQL, parameters with placeholders) per kind of query and shape of its values.
_STATEMENTS: dict[tuple, tuple[str, list]] = {}


class _Placeholder(Expression):
    """A value of a query compiled once (see :func:`_fetch_one`): a bare placeholder, bound per request."""

    def __init__(self, name: str, index: int | None, output_field: Field) -> None:
        super().__init__(output_field=output_field)
        self.name, self.index = name, index

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def bind(self, values: Mapping[str, Any], connection) -> Any:
        value = values[self.name] if self.index is None else values[self.name][self.index]
        return self.output_field.get_db_prep_value(value, connection, prepared=False)


def _placeholder_field(value: Any) -> Field:
    # As the ORM prepares a plain value of that type (a datetime is also a date). Any
    # other type fails here rather than being bound as text.
    if isinstance(value, datetime.datetime):
        return DateTimeField()
    if isinstance(value, datetime.date):
        return DateField()
    if isinstance(value, int) and not isinstance(value, bool):
        return BigIntegerField()
    if isinstance(value, str):
        return CharField()
    raise TypeError(f"No placeholder for a value of type {type(value).__name__}")


def _placeholders(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: (
            [_Placeholder(name, index, _placeholder_field(item)) for index, item in enumerate(value)]
            if isinstance(value, list)
            else _Placeholder(name, None, _placeholder_field(value))
        )
        for name, value in values.items()
    }


def _fetch_one(kind: Callable, values: Mapping[str, Any], compile: Callable[..., tuple[str, list]]) -> tuple | None:
    """Run the query ``compile(**placeholders)`` with ``values`` bound; its first row.

    A conditional GET runs the same two queries for every feed of a kind, differing only
    in their values (and in the number of values of a list: the builder's choices).
    Building and compiling them with the ORM took longer in Python than the database took
    to answer, so each kind and shape is compiled once per process and only bound here.
    """
    connection = connections[Meeting.objects.db]
    values = {name: _padded(value) if isinstance(value, list) else value for name, value in values.items()}
    shape = tuple((name, len(value) if isinstance(value, list) else None) for name, value in sorted(values.items()))
    key = (connection.alias, kind, shape)
    statement = _STATEMENTS.get(key)
    if statement is None:
        sql, params = compile(connection=connection, **_placeholders(values))
        statement = _STATEMENTS[key] = (sql, list(params))
    sql, params = statement
    bound = [param.bind(values, connection) if isinstance(param, _Placeholder) else param for param in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)
        return cursor.fetchone()


def _padded(items: list) -> list:
    """``items`` with its last one repeated up to a power of two.

    Lists are only compared with ``IN``, where a repeated value changes nothing; padding
    keeps the number of shapes (and of statements kept per process) small whatever
    combinations of the builder's up to 50 choices clients send.
    """
    if not items:
        return items
    return items + items[-1:] * ((1 << (len(items) - 1).bit_length()) - len(items))


def _compile(queryset: QuerySet, connection) -> tuple[str, list]:
    return queryset.query.get_compiler(connection=connection).as_sql()
