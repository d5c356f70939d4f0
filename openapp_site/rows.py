"""Model instances from hand-written SQL, for the few reads made on every push and page.

The ORM spends ten times a small query's own cost compiling it (2.5 ms of CPU against
0.2 ms for a join of four tables on PostgreSQL), and those reads run for every change
the POS pushes and every page a diner opens. There, one SQL statement reads the rows and
these helpers turn them into ordinary model instances: the database's converters applied
as the ORM applies them, and every field not read left deferred, so touching it loads it
instead of giving a wrong value.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, Any], Any]
# Per connection (one per thread): the converters are bound to the connection's backend.
_converters: weakref.WeakKeyDictionary[Any, dict[Field, tuple[Any, list[Converter]]]] = (
    weakref.WeakKeyDictionary()
)


def fields_of(model: type[Model], names: Sequence[str] | None = None) -> list[Field]:
    """The model's columns, all of them or the named ones (attnames, e.g. "session_id")."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[name] for name in names] if names else list(by_attname.values())


def select_list(alias: str, fields: Sequence[Field]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in fields)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def db_value(model: type[Model], name: str, value: Any) -> Any:
    """A parameter as the ORM would send it (a UUID is hex text on SQLite, say)."""
    return model._meta.get_field(name).get_db_prep_value(value, connection)


def _converters_for(wrapper: Any, field: Field) -> tuple[Any, list[Converter]]:
    known = _converters.setdefault(wrapper, {})
    if field not in known:
        column = field.get_col(field.model._meta.db_table)
        known[field] = (
            column,
            wrapper.ops.get_db_converters(column) + column.get_db_converters(wrapper),
        )
    return known[field]


Part = tuple[type[Model], str, Sequence[Field]]  # a model, its alias in the SQL, the columns read


def fetch_all(parts: Sequence[Part], rest: str, params: Sequence[Any]) -> list[list[Any]]:
    """SELECT every part's columns, then `rest` (FROM … WHERE …): for each row, one
    instance per part, or None for a part whose primary key is NULL (nothing matched its
    LEFT JOIN)."""
    with connection.cursor() as cursor:
        cursor.execute(_select(parts, rest), params)
        return [_split(parts, row) for row in cursor.fetchall()]


def fetch_one(parts: Sequence[Part], rest: str, params: Sequence[Any]) -> list[Any]:
    """As fetch_all, for the first row only; an empty list when no row matched."""
    with connection.cursor() as cursor:
        cursor.execute(_select(parts, rest), params)
        row = cursor.fetchone()
    return [] if row is None else _split(parts, row)


def placeholders(values: Sequence[Any]) -> str:
    """For `IN (…)`: one %s per value."""
    return ", ".join(["%s"] * len(values))


def _select(parts: Sequence[Part], rest: str) -> str:
    return f"SELECT {', '.join(select_list(alias, fields) for _, alias, fields in parts)} {rest}"


def _split(parts: Sequence[Part], row: Sequence[Any]) -> list[Any]:
    made: list[Any] = []
    for model, _, fields in parts:
        values, row = row[: len(fields)], row[len(fields) :]
        primary = [v for f, v in zip(fields, values, strict=True) if f.primary_key]
        made.append(None if primary == [None] else instance(model, fields, values))
    return made


def instance(model: type[M], fields: Sequence[Field], values: Sequence[Any]) -> M:
    wrapper = connections[DEFAULT_DB_ALIAS]
    converted = []
    for field, value in zip(fields, values, strict=True):
        column, converters = _converters_for(wrapper, field)
        for convert in converters:
            value = convert(value, column, wrapper)
        converted.append(value)
    return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], converted)


def update_if(
    model: type[Model],
    where: dict[str, Any],
    changes: dict[str, Any],
    returning: Sequence[str] = (),
) -> Any:
    """UPDATE … SET changes WHERE every `where` column equals its value: a compare-and-set
    when `where` holds the value read (QuerySet.update spends 0.5 ms of CPU compiling; this,
    a tenth). `where` values are compared with =, so none may be None. Gives the number of
    rows changed or, with `returning`, the first changed row's raw values of those columns
    (None if no row changed)."""

    def column(name: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(name).column)

    sql = (
        f"UPDATE {table(model)} SET {', '.join(f'{column(n)} = %s' for n in changes)}"
        f" WHERE {' AND '.join(f'{column(n)} = %s' for n in where)}"
    )
    if returning:
        sql += f" RETURNING {', '.join(column(n) for n in returning)}"
    params = [db_value(model, name, value) for name, value in [*changes.items(), *where.items()]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if returning else cursor.rowcount
