"""Prepared reads: a queryset compiled to SQL once per database connection, then run again
with new values (decision 0083).

Building and compiling a queryset costs 0.3-3 ms of Python per query, against about 0.1 ms
to execute the same SQL through a cursor; on the hottest pages (My work, the case page, the
opened meeting) that was most of the request's CPU. A PreparedQuery builds its queryset once,
from a function whose varying values are named `Slot`s, keeps the compiled SQL and the
converters of its columns, and afterwards only binds the slots' values and executes.

The build function must depend on nothing but its slots: it runs once per connection, so a
value it read itself (today's date, the signed-in user, a setting) would be kept for ever.
Such values are slots too. `rows()` runs a `values_list` query: tuples, converted as the ORM
converts them (UUIDs and dates on SQLite too). `objects()` runs a query of model instances,
`select_related` and annotations included, built as the ORM's own iterable builds them (no
`prefetch_related`: that is another query).

On PostgreSQL the statement is also prepared on the server (`PREPARE`, then `EXECUTE` with the
values), once per database connection: PostgreSQL then plans it once, where planning these
statements cost it more than running them (2.3 ms against 0.4 ms for the case gate at 100,000
cases). DB_SERVER_PREPARED=0 turns this off (for a pooler in transaction mode, which would hand
the session's prepared statements to another client).

Floor 2, the lowest that needs it (agencies loads the signed-in user); it knows nothing of
the domain. May use: Django.
"""

from __future__ import annotations

import itertools
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression, Field, QuerySet


class _Hole:
    """Where a slot's value goes in the compiled query's parameters."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<slot {self.name}>"


class Slot(Expression):
    """A named value bound each time the prepared query runs: `.filter(accountable_id=Slot("me",
    UUIDField()))`. Its SQL is one bound parameter (`%s`), filled in at each run; `output_field`
    converts the bound value for the database (a UUID to its hex text on SQLite, a date to ISO
    text, ...)."""

    def __init__(self, name: str, output_field: Field) -> None:  # type: ignore[type-arg]
        super().__init__(output_field=output_field)
        self.name = name

    @property
    def identity(self) -> tuple[Any, ...]:  # type: ignore[override]
        return (self.__class__, self.name, self.output_field.__class__)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        return "%s", (_Hole(self.name),)

    def get_group_by_cols(self) -> list[Any]:
        return []


def bind(value: Any, field: Field, connection: Any) -> Any:  # type: ignore[type-arg]
    """A parameter of a hand-written SQL expression (cases.sql.RowSQL): the value prepared for
    the database, or, for a Slot, the place its value will go when the prepared query runs."""
    if isinstance(value, Slot):
        return _Hole(value.name)
    return field.get_db_prep_value(value, connection)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    converters: dict[int, Any]
    compiler: Any
    flat: bool
    model_start: int = 0
    model_end: int = 0
    server_sql: str | None = None  # the statement with $1, $2 ... for PREPARE (PostgreSQL)
    init_list: tuple[str, ...] = ()
    populators: tuple[Any, ...] = ()
    annotations: tuple[tuple[str, int], ...] = ()
    fetch_mode: Any = None


class PreparedQuery:
    """`PreparedQuery(build, me=UUIDField(), today=DateField())` where `build(me=Slot, today=Slot)`
    returns a `values_list` queryset; `.rows(me=..., today=...)` runs it: one query, no ORM
    building. Compiled once per connection object (each thread has its own)."""

    def __init__(self, build: Callable[..., QuerySet[Any]], **slots: Field) -> None:  # type: ignore[type-arg]
        self._build = build
        self._slots = slots
        self._compiled: weakref.WeakKeyDictionary[Any, _Compiled] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        where = re.sub(r"\W+", "_", f"{build.__module__}_{build.__qualname__}").strip("_")[:40]
        self.server_name = f"ju_{where}_{next(_NUMBERS)}"  # unique in the process; shown in query logs

    def _compile(self, connection: Any) -> _Compiled:
        queryset: Any = self._build(**{name: Slot(name, field) for name, field in self._slots.items()})
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        model: dict[str, Any] = {}
        klass_info = compiler.klass_info
        if klass_info is not None and queryset._fields is None:
            from django.db.models.query import get_related_populators

            select_fields = klass_info["select_fields"]
            start, end = select_fields[0], select_fields[-1] + 1
            model = {
                "model_start": start,
                "model_end": end,
                "init_list": tuple(f[0].target.attname for f in compiler.select[start:end]),
                "populators": tuple(
                    get_related_populators(klass_info, compiler.select, connection.alias, queryset._fetch_mode)
                ),
                "annotations": tuple((compiler.annotation_col_map or {}).items()),
                "fetch_mode": queryset._fetch_mode,
            }
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            server_sql=_numbered(sql) if connection.vendor == "postgresql" else None,
            converters=compiler.get_converters(fields),
            compiler=compiler,
            flat=_is_flat(queryset),
            **model,
        )
        names = {p.name for p in compiled.params if isinstance(p, _Hole)}
        if names - set(self._slots):
            raise ValueError(f"unknown slots {sorted(names - set(self._slots))}")
        return compiled

    def compiled(self, using: str = DEFAULT_DB_ALIAS) -> _Compiled:
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(connection) or self._compile(connection)
                self._compiled[connection] = compiled
        return compiled

    def _fetch(self, using: str, values: dict[str, Any]) -> tuple[_Compiled, list[Any]]:
        missing = set(self._slots) - set(values)
        if missing:
            raise TypeError(f"values missing for slots {sorted(missing)}")
        connection = connections[using]
        compiled = self.compiled(using)
        prepared = {
            name: field.get_db_prep_value(values[name], connection, prepared=False)
            for name, field in self._slots.items()
        }
        params = [prepared[p.name] if isinstance(p, _Hole) else p for p in compiled.params]
        with connection.cursor() as cursor:
            if compiled.server_sql is not None and getattr(settings, "DB_SERVER_PREPARED", True):
                self._execute_prepared(connection, cursor, compiled, params)
            else:
                cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return compiled, rows

    def _execute_prepared(self, connection: Any, cursor: Any, compiled: _Compiled, params: list[Any]) -> None:
        """EXECUTE the statement prepared on this database session, preparing it first if the
        session has not (a new connection after a reconnect has none). The PREPARE goes through
        the driver's own cursor, so it is not counted as one of the request's queries."""
        raw = connection.connection
        state = _SERVER_PREPARED.get(connection)
        if state is None or state[0] is not raw:
            state = (raw, set())
            _SERVER_PREPARED[connection] = state
        if self.server_name not in state[1]:
            with raw.cursor() as own:
                own.execute(f"PREPARE {self.server_name} AS {compiled.server_sql}")
            state[1].add(self.server_name)
        arguments = f" ({', '.join(['%s'] * len(params))})" if params else ""
        cursor.execute(f"EXECUTE {self.server_name}{arguments}", params)

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[Any]:
        """The rows for these slot values (tuples; single values for a `flat=True` values_list)."""
        compiled, rows = self._fetch(using, values)
        if compiled.flat:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows] if compiled.converters else list(rows)

    def objects(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[Any]:
        """The model instances for these slot values, as the queryset would give them."""
        compiled, rows = self._fetch(using, values)
        if not compiled.init_list:
            raise TypeError("objects() needs a queryset of model instances; use rows() for values")
        model_cls = compiled.compiler.klass_info["model"]
        start, end = compiled.model_start, compiled.model_end
        out = []
        for row in rows:
            obj = model_cls.from_db(using, compiled.init_list, row[start:end], fetch_mode=compiled.fetch_mode)
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations:
                setattr(obj, name, row[position])
            out.append(obj)
        return out


_NUMBERS = itertools.count(1)
# Per Django connection: the driver connection the statements were prepared on, and their names.
_SERVER_PREPARED: weakref.WeakKeyDictionary[Any, tuple[Any, set[str]]] = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%%|%s")


def _numbered(sql: str) -> str:
    """Django's `%s` parameter markers as PostgreSQL's numbered ones, `$1, $2, ...` (and `%%` as a
    plain `%`)."""
    counter = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(counter)}", sql)


def _is_flat(queryset: QuerySet[Any]) -> bool:
    from django.db.models.query import FlatValuesListIterable

    return queryset._iterable_class is FlatValuesListIterable
