"""INSERTs without the round trips `create()` and `bulk_create()` add around them.

`create()` of a row whose unique key may exist already needs a SELECT before it or a savepoint
around it (SAVEPOINT and RELEASE: two more round trips); `bulk_create()` opens a transaction
even for its one statement (BEGIN and COMMIT: two more round trips in autocommit). Measured on
the charger hot path, each round trip costs about as much as the statement itself. These
functions send the statement Django's own insert compiler writes (each field prepares its
value, `auto_now_add` is filled in), and nothing else.

On PostgreSQL the statement's text is built once per model and row count and kept: the
compiler rebuilt it for every row and statement, which profiled as most of the cost of the
charger's inserts (a TransactionEvent, its meter values, a new session). Each value is still
prepared by its field, as the compiler does; a field that writes its own SQL for a value (none here
today) takes the compiler's way.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Field, Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery


def insert_unless_conflict(obj: Model) -> bool:
    """INSERT `obj` unless a row with one of its unique keys exists (ON CONFLICT DO NOTHING,
    SQLite's INSERT OR IGNORE). True, and `obj.pk` set, when it was inserted; False when it
    was not (nothing written)."""
    model = type(obj)
    opts = model._meta
    fields = _insert_fields(model, with_pk=obj.pk is not None)
    using = router.db_for_write(model, instance=obj)
    returning = list(opts.db_returning_fields)
    connection = connections[using]
    if _plain(connection, fields):
        sql = _insert_sql(opts.db_table, _columns(fields), 1, _columns(returning))
        with connection.cursor() as cursor:
            cursor.execute(sql, _values(fields, obj, connection, add=True))
            row = cursor.fetchone()
        if row is None:
            return False
        _returned(obj, returning, row, using)
        return True
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, [obj])
    rows: list[Any] = query.get_compiler(using=using).execute_sql(returning)
    if not rows or rows[0] is None:
        return False
    _returned(obj, returning, rows[0], using)
    return True


def insert_ignoring_conflicts(objs: Sequence[Model]) -> None:
    """`bulk_create(objs, ignore_conflicts=True)` as one statement with no transaction of its
    own when the rows fit in one (inside the caller's transaction, or atomic by itself)."""
    if not objs:
        return
    model = type(objs[0])
    using = router.db_for_write(model)
    fields = _insert_fields(model, with_pk=False)
    connection = connections[using]
    if len(objs) > connection.ops.bulk_batch_size([f.column for f in fields], objs):
        with transaction.atomic(using=using, savepoint=False):
            model._default_manager.bulk_create(objs, ignore_conflicts=True)
        return
    if _plain(connection, fields):
        sql = _insert_sql(model._meta.db_table, _columns(fields), len(objs), ())
        params = [v for obj in objs for v in _values(fields, obj, connection, add=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, list(objs))
    query.get_compiler(using=using).execute_sql(None)


def _insert_fields(model: type[Model], *, with_pk: bool) -> list[Field[Any, Any]]:
    opts = model._meta
    return [
        field
        for field in opts.local_concrete_fields
        if not field.generated and (with_pk or field is not opts.auto_field)
    ]


def _plain(connection: Any, fields: Sequence[Field[Any, Any]]) -> bool:
    """Whether the statement may be written here: PostgreSQL, every value a plain %s."""
    return connection.vendor == "postgresql" and not any(
        hasattr(field, "get_placeholder") for field in fields
    )


def _columns(fields: Sequence[Field[Any, Any]]) -> tuple[str, ...]:
    return tuple(str(field.column) for field in fields)


def _values(
    fields: Sequence[Field[Any, Any]], obj: Model, connection: Any, *, add: bool
) -> list[Any]:
    # As the compiler: pre_save fills auto_now(_add), the field prepares the value.
    return [field.get_db_prep_save(field.pre_save(obj, add), connection) for field in fields]


@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...], rows: int, returning: tuple[str, ...]) -> str:
    quote = connections["default"].ops.quote_name
    row = f"({', '.join('%s' for _ in columns)})"
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)})"  # noqa: S608
        f" VALUES {', '.join(row for _ in range(rows))} ON CONFLICT DO NOTHING"
    )
    if returning:
        sql += f" RETURNING {', '.join(quote(c) for c in returning)}"
    return sql


def _returned(obj: Model, returning: Sequence[Any], row: Sequence[Any], using: str) -> None:
    for value, field in zip(row, returning, strict=True):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using
