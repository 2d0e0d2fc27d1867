"""The hot path's statements on the connection's own DBAPI cursor, in the caller's transaction.

Through SQLAlchemy a statement costs about 100 µs of Python (execution context, compiled-cache
look-up, parameter and result processing), several times what SQLite or PostgreSQL spend running
it; an action sends ten of them (measured with ``bench/lifecycle.py --profile``). The few statements
every intake and action sends are therefore written here once as SQL and run on the DBAPI
connection SQLAlchemy already holds: same connection, same transaction (BEGIN IMMEDIATE on SQLite,
the row locks on PostgreSQL), same savepoints. Everything else stays SQLAlchemy.

Values go in and come out exactly as SQLAlchemy's column types (``cases.models``) store and read
them, by the column's type: on SQLite a UTC instant is naive ``YYYY-MM-DD HH:MM:SS.ffffff`` text
(``UTCDateTime``), a date ISO text, JSON ``json.dumps`` text and a boolean 0/1; on PostgreSQL
psycopg takes and gives Python objects (JSON wrapped as ``psycopg``'s ``Json``, as SQLAlchemy's
dialect does). Read rows are named tuples with aware UTC datetimes, dates, booleans and dicts, like
SQLAlchemy's rows. Driver errors are raised as SQLAlchemy's wrapped exceptions.
"""

import json
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Connection, Date, DateTime, Table
from sqlalchemy.exc import DBAPIError

#: Statements sent through this module (each row of an executemany counts), for the benchmark.
sent = 0

Convert = Callable[[Any], Any]


def kind_of(column: Column[Any]) -> str:
    """How a column's values are adapted: "ts", "date", "bool", "json", or "" (as they are)."""
    t = column.type
    if isinstance(t, JSON):
        return "json"
    impl = getattr(t, "impl", t)  # a TypeDecorator (UTCDateTime) adapts what its impl stores
    if isinstance(impl, DateTime):
        return "ts"
    if isinstance(impl, Date):
        return "date"
    if isinstance(impl, Boolean):
        return "bool"
    return ""


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: times must be aware")  # as UTCDateTime refuses them
    return value.astimezone(UTC)


def _sqlite_ts(value: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME storage format: microseconds always written.
    if value is None:
        return None
    return _aware(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _sqlite_json(value: Any) -> str:
    return json.dumps(value)  # None too: SQLAlchemy's JSON stores it as the JSON null


def _pg_ts(value: datetime | None) -> datetime | None:
    return None if value is None else _aware(value)


def _pg_json(value: Any) -> Any:
    from psycopg.types.json import Json  # noqa: PLC0415  (psycopg is only needed on PostgreSQL)

    return Json(value)


def _read_sqlite_ts(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _read_sqlite_day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _read_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _read_sqlite_json(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _read_pg_ts(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


# kind → (to the driver, from the driver), per dialect; None: the driver's own value is right.
_CODECS: dict[str, dict[str, tuple[Convert | None, Convert | None]]] = {
    "sqlite": {
        "ts": (_sqlite_ts, _read_sqlite_ts),
        "date": (_sqlite_day, _read_sqlite_day),
        "bool": (_sqlite_bool, _read_bool),
        "json": (_sqlite_json, _read_sqlite_json),
        "": (None, None),
    },
    "postgresql": {
        "ts": (_pg_ts, _read_pg_ts),
        "date": (None, None),
        "bool": (None, None),
        "json": (_pg_json, None),
        "": (None, None),
    },
}


class _Plan:
    """A statement as one dialect runs it: SQL text, parameter adapters, row converters."""

    __slots__ = ("sql", "binds", "loads", "make")

    def __init__(
        self,
        sql: str,
        binds: list[tuple[int, Convert]],
        loads: list[tuple[int, Convert]],
        make: Callable[[Iterable[Any]], Any],
    ):
        self.sql = sql
        self.binds = binds
        self.loads = loads
        self.make = make


def record_type(fields: Sequence[str]) -> type:
    """A named-tuple row type that also answers ``_mapping`` as SQLAlchemy's rows do."""
    base = namedtuple("Record", fields)  # type: ignore[misc]  # noqa: PYI024

    def _mapping(self: Any) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))

    return type("Record", (base,), {"__slots__": (), "_mapping": property(_mapping)})


class Statement:
    """One statement written in SQL with ``?`` placeholders, its parameters' columns (in order)
    and its result's fields (a column, or a name and the column whose type it has)."""

    def __init__(
        self,
        sql: str,
        params: Sequence[Column[Any]] = (),
        result: Sequence[Column[Any] | tuple[str, Column[Any]]] = (),
    ) -> None:
        self.sql = sql
        self.param_kinds = [kind_of(c) for c in params]
        named = [r if isinstance(r, tuple) else (r.name, r) for r in result]
        self.fields = [name for name, _ in named]
        self.result_kinds = [kind_of(c) for _, c in named]
        self.record = record_type(self.fields) if self.fields else None
        self._make = self.record._make if self.record is not None else _no_rows
        self._plans: dict[str, _Plan] = {}

    def plan(self, dialect: str) -> _Plan:
        """The statement as ``dialect`` runs it (built once)."""
        found = self._plans.get(dialect)
        if found is None:
            codec = _CODECS[dialect]
            # psycopg's placeholder is %s, and a literal % must be doubled.
            sql = (
                self.sql if dialect == "sqlite" else self.sql.replace("%", "%%").replace("?", "%s")
            )
            binds = [(i, f) for i, k in enumerate(self.param_kinds) if (f := codec[k][0])]
            loads = [(i, f) for i, k in enumerate(self.result_kinds) if (f := codec[k][1])]
            found = self._plans[dialect] = _Plan(sql, binds, loads, self._make)
        return found


def _no_rows(_raw: Iterable[Any]) -> Any:
    raise AssertionError("a statement without result fields returns no rows")


def _driver(conn: Connection) -> Any:
    # The statement belongs to the caller's transaction: begin it as SQLAlchemy's autobegin would
    # (on SQLite that emits BEGIN IMMEDIATE) if nothing has been sent yet.
    if not conn.in_transaction():
        conn.begin()
    return conn.connection.dbapi_connection


def send(conn: Connection, sql: str) -> None:
    """Send a statement without parameters or rows (BEGIN IMMEDIATE) as it is, on the DBAPI
    connection: no transaction is begun for it (it may be the one beginning it)."""
    global sent
    sent += 1
    try:
        conn.connection.dbapi_connection.execute(sql).close()  # type: ignore[union-attr]
    except Exception as exc:
        raise _fail(conn, sql, (), exc) from exc


def _params(plan: _Plan, params: Sequence[Any]) -> Sequence[Any]:
    if not plan.binds:
        return params
    out = list(params)
    for i, f in plan.binds:
        out[i] = f(out[i])
    return out


def _fail(conn: Connection, sql: str, params: Any, exc: Exception, many: bool = False) -> Exception:
    """The driver's error as SQLAlchemy would have raised it (IntegrityError, OperationalError…)."""
    dbapi = conn.dialect.loaded_dbapi
    if not isinstance(exc, dbapi.Error):
        return exc
    return DBAPIError.instance(sql, params, exc, dbapi.Error, dialect=conn.dialect, ismulti=many)


def _execute(conn: Connection, plan: _Plan, params: Sequence[Any]) -> Any:
    global sent
    values = _params(plan, params)
    driver = _driver(conn)
    sent += 1
    try:
        # The DBAPI connection's execute: a new cursor, executed (in C for sqlite3).
        return driver.execute(plan.sql, values)
    except Exception as exc:
        raise _fail(conn, plan.sql, values, exc) from exc


def execute(conn: Connection, stmt: Statement, params: Sequence[Any] = ()) -> Any:
    """Run the statement on the connection's DBAPI connection; return the cursor."""
    return _execute(conn, stmt.plan(conn.dialect.name), params)


def executemany(conn: Connection, stmt: Statement, rows: Iterable[Sequence[Any]]) -> None:
    """Run the statement once per row of parameters."""
    global sent
    plan = stmt.plan(conn.dialect.name)
    values = [_params(plan, p) for p in rows]
    if not values:
        return
    cur = _driver(conn).cursor()
    sent += len(values)
    try:
        cur.executemany(plan.sql, values)
    except Exception as exc:
        raise _fail(conn, plan.sql, values, exc, many=True) from exc
    finally:
        cur.close()


def _record(plan: _Plan, raw: Sequence[Any]) -> Any:
    if plan.loads:
        values = list(raw)
        for i, f in plan.loads:
            values[i] = f(values[i])
        return plan.make(values)
    return plan.make(raw)


def first(conn: Connection, stmt: Statement, params: Sequence[Any] = ()) -> Any:
    """The first row the statement returns, or None."""
    plan = stmt.plan(conn.dialect.name)
    cur = _execute(conn, plan, params)
    try:
        raw = cur.fetchone()
    finally:
        cur.close()
    return None if raw is None else _record(plan, raw)


def all_rows(conn: Connection, stmt: Statement, params: Sequence[Any] = ()) -> list[Any]:
    """Every row the statement returns."""
    plan = stmt.plan(conn.dialect.name)
    cur = _execute(conn, plan, params)
    try:
        raws = cur.fetchall()
    finally:
        cur.close()
    return [_record(plan, raw) for raw in raws]


def run(conn: Connection, stmt: Statement, params: Sequence[Any] = ()) -> int:
    """Run a statement that returns no rows; return how many rows it changed."""
    cur = _execute(conn, stmt.plan(conn.dialect.name), params)
    try:
        return cur.rowcount
    finally:
        cur.close()


def quoted(name: str) -> str:
    """A table or column name as SQL: double-quoted (``case`` is a reserved word)."""
    return '"' + name.replace('"', '""') + '"'


class Insert(Statement):
    """``INSERT INTO table (columns) VALUES (?, …) [RETURNING …]``.

    A column left out that has a Python-side default gets it, as SQLAlchemy's ``insert()`` would
    fill it in; one with no default is left to the database (NULL, or its server default).
    """

    def __init__(
        self, table: Table, columns: Sequence[str], *, returning: Sequence[str] = ()
    ) -> None:
        listed = [table.c[name] for name in columns]
        filled = [c for c in table.columns if c.name not in columns and c.default is not None]
        cols = listed + filled
        sql = (
            f"INSERT INTO {quoted(table.name)} ({', '.join(quoted(c.name) for c in cols)}) "
            f"VALUES ({', '.join('?' * len(cols))})"
        )
        if returning:
            sql += " RETURNING " + ", ".join(quoted(name) for name in returning)
        super().__init__(sql, cols, [table.c[name] for name in returning])
        self.columns = tuple(columns)
        self._defaults = [c.default for c in filled]

    def values(self, row: Mapping[str, Any]) -> list[Any]:
        """The parameters for a row given as a mapping of column name to value."""
        out = [row[name] for name in self.columns]
        for d in self._defaults:
            out.append(d.arg if d.is_scalar else d.arg(None))  # type: ignore[union-attr, operator]
        return out


_INSERTS: dict[tuple[str, tuple[str, ...]], Insert] = {}


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that all name the same columns (one statement, run once per row: measured
    faster on SQLite than one INSERT of many rows)."""
    if not rows:
        return
    key = (table.name, tuple(rows[0]))
    stmt = _INSERTS.get(key)
    if stmt is None:
        stmt = _INSERTS[key] = Insert(table, key[1])
    executemany(conn, stmt, [stmt.values(row) for row in rows])


def storer(column: Column[Any]) -> Convert | None:
    """What reading a value back from ``column`` gives for it (a UTC datetime, a JSON copy…), as
    a function; None where it is the value itself."""
    return {"ts": _stored_ts, "bool": _read_bool, "json": _stored_json}.get(kind_of(column))


def _stored_ts(value: datetime | None) -> datetime | None:
    return None if value is None else _aware(value)


def _stored_json(value: Any) -> Any:
    return json.loads(json.dumps(value))
