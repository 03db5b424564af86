"""INSERTs without the round trips `create()` and `bulk_create()` add around them.

`create()` of a row whose unique key may exist already needs a SELECT before it or a savepoint
around it (SAVEPOINT and RELEASE: two more round trips); `bulk_create()` opens a transaction
even for its one statement (BEGIN and COMMIT: two more round trips in autocommit). Measured on
the charger hot path, each round trip costs about as much as the statement itself. These
functions send the statement Django's own insert compiler writes (each field prepares its
value, `auto_now_add` is filled in), and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, [obj])
    using = router.db_for_write(model, instance=obj)
    returning = list(opts.db_returning_fields)
    rows: list[Any] = query.get_compiler(using=using).execute_sql(returning)
    if not rows or rows[0] is None:
        return False
    for value, field in zip(rows[0], returning, strict=True):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using
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
