"""SQLAlchemy Core statements compiled once and run on the connection's DBAPI cursor.

Through ``Connection.execute`` a statement costs about 100 µs of Python (execution context,
compiled-cache look-up, parameter and result wrapping), several times what SQLite or PostgreSQL
spend running it; an action sends ten of them (``bench/lifecycle.py --profile``). The hot path's
statements are therefore written once with SQLAlchemy Core (``cases.store.statements``), compiled
once per dialect by SQLAlchemy's own compiler (``stmt.compile(dialect=conn.dialect)``: its SQL,
paramstyle, bind casts and parameter order), and the compiled SQL is run on the DBAPI connection
SQLAlchemy already holds: same connection, same transaction (BEGIN IMMEDIATE on SQLite, the row
locks on PostgreSQL), same savepoints.

Values go through each column type's own ``bind_processor`` and ``result_processor`` for the
dialect (TypeDecorators such as ``UTCDateTime`` included), and a column left out of an INSERT gets
its Python-side default, as ``Connection.execute`` would do; rows come back as named tuples that
answer ``_mapping`` like SQLAlchemy's rows. Driver errors are raised as SQLAlchemy's wrapped
exceptions.
"""

import weakref
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Table, bindparam, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

#: Statements sent through this module (each row of an executemany counts), for the benchmark.
sent = 0

Convert = Callable[[Any], Any]


def record_type(fields: Sequence[str]) -> type:
    """A named-tuple row type that also answers ``_mapping`` as SQLAlchemy's rows do."""
    base = namedtuple("Record", fields)  # type: ignore[misc]  # noqa: PYI024

    def _mapping(self: Any) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))

    return type("Record", (base,), {"__slots__": (), "_mapping": property(_mapping)})


class _Plan:
    """A statement as one dialect runs it: the compiled SQL, where each parameter comes from and
    how it is adapted, and how result values are read."""

    __slots__ = ("sql", "slots", "names", "fixed", "defaults", "types", "loads", "dialect")

    def __init__(self, stmt: "Statement", dialect: Dialect) -> None:
        compiled = stmt.statement.compile(dialect=dialect, column_keys=stmt.column_keys)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("expanding or literal-execute parameters are not supported here")
        binds = compiled.binds
        if compiled.positional:
            order = list(compiled.positiontup or ())
            self.names: tuple[str, ...] | None = None
        else:
            order = list(dict.fromkeys(compiled.bind_names.values()))
            escaped = compiled.escaped_bind_names
            self.names = tuple(escaped.get(name, name) for name in order)
        # Each parameter's own type adapts it, as Connection.execute would (TypeDecorators too).
        self.slots = [
            (name, f, _keeps_none(f))
            for name in order
            for f in [binds[name].type.dialect_impl(dialect).bind_processor(dialect)]
        ]
        # A column left out of an INSERT/UPDATE that has a Python-side default gets it.
        prefetch = [*compiled.insert_prefetch, *compiled.update_prefetch]
        self.defaults = []
        for col in prefetch:
            default = col.default if col in compiled.insert_prefetch else col.onupdate
            if (
                col.key not in binds
                or default is None
                or not (default.is_scalar or default.is_callable)
            ):
                raise ValueError(f"cannot fill in the default of {col!r} here")
            self.defaults.append((col.key, default))
        filled = {key for key, _ in self.defaults}
        # Values written into the statement itself (a literal 1, a LIMIT).
        self.fixed = {
            name: binds[name].effective_value
            for name in order
            if name not in filled and not binds[name].required
        }
        self.sql = compiled.string
        self.types = [col.type for col in stmt.columns]
        self.loads: list[tuple[int, Convert, bool]] | None = None  # from the first result
        self.dialect = dialect

    def bound(self, params: Mapping[str, Any]) -> Any:
        """The driver's parameters (a list, or a dict for a named paramstyle) for ``params``."""
        if self.fixed or self.defaults:
            params = {**self.fixed, **params}
            for key, default in self.defaults:
                if key not in params:
                    params[key] = default.arg if default.is_scalar else default.arg(None)
        try:
            values = [
                v if f is None or (v is None and keeps) else f(v)
                for k, f, keeps in self.slots
                for v in [params[k]]
            ]
        except KeyError as exc:
            raise KeyError(f"statement parameter {exc.args[0]!r} not given") from None
        return values if self.names is None else dict(zip(self.names, values, strict=True))

    def load(self, description: Sequence[Any]) -> list[tuple[int, Convert, bool]]:
        """Each result column's processor for the dialect, given the first result's description
        (the driver's type codes); kept for the next results."""
        dialect = self.dialect
        self.loads = [
            (i, f, _keeps_none(f))
            for i, (type_, desc) in enumerate(zip(self.types, description, strict=True))
            if (f := type_.dialect_impl(dialect).result_processor(dialect, desc[1]))
        ]
        return self.loads


def _keeps_none(process: Convert | None) -> bool:
    """Whether a processor turns None into None, so a NULL need not go through it (SQL NULL for
    most types; JSON's bind processor, for one, writes the JSON null instead)."""
    if process is None:
        return True
    try:
        return process(None) is None
    except Exception:  # a type that refuses None: let it say so for each value
        return False


class Statement:
    """A Core statement (select, or insert/update with or without RETURNING) with named
    parameters, compiled once for each dialect that runs it."""

    def __init__(self, statement: Executable, *, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        #: The columns an INSERT or UPDATE sets from parameters named after them.
        self.column_keys = list(column_keys) if column_keys is not None else None
        self.columns = list(statement.exported_columns)  # type: ignore[attr-defined]
        self.fields = list(statement.exported_columns.keys())  # type: ignore[attr-defined]
        self.record = record_type(self.fields) if self.fields else None
        self._plans: weakref.WeakKeyDictionary[Dialect, _Plan] = weakref.WeakKeyDictionary()
        self._last: _Plan | None = None

    def plan(self, dialect: Dialect) -> _Plan:
        """The statement compiled for this dialect instance (its paramstyle, casts and types)."""
        last = self._last
        if last is not None and last.dialect is dialect:
            return last
        found = self._plans.get(dialect)
        if found is None:
            found = self._plans[dialect] = _Plan(self, dialect)
        self._last = found
        return found

    def sql(self, dialect: Dialect) -> str:
        """The SQL this dialect runs."""
        return self.plan(dialect).sql


def bind_processors(columns: Sequence[Column[Any]], dialect: Dialect) -> list[Convert | None]:
    """Each column's type's bind processor for the dialect (None where the value goes as it is)."""
    return [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]


def insert_statement(
    table: Table, columns: Sequence[str], *, returning: Sequence[Column[Any]] = ()
) -> Statement:
    """``INSERT INTO table (columns…)`` with a parameter named after each column, optionally
    ``RETURNING``; a column left out that has a Python-side default gets it."""
    stmt = insert(table).returning(*returning) if returning else insert(table).inline()
    return Statement(stmt, column_keys=columns)


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


def _fail(conn: Connection, sql: str, params: Any, exc: Exception, many: bool = False) -> Exception:
    """The driver's error as SQLAlchemy would have raised it (IntegrityError, OperationalError…)."""
    dbapi = conn.dialect.loaded_dbapi
    if not isinstance(exc, dbapi.Error):
        return exc
    return DBAPIError.instance(sql, params, exc, dbapi.Error, dialect=conn.dialect, ismulti=many)


def _execute(conn: Connection, plan: _Plan, params: Mapping[str, Any]) -> Any:
    global sent
    values = plan.bound(params)
    driver = _driver(conn)
    sent += 1
    try:
        # The DBAPI connection's execute: a new cursor, executed (in C for sqlite3).
        return driver.execute(plan.sql, values)
    except Exception as exc:
        raise _fail(conn, plan.sql, values, exc) from exc


_NONE: Mapping[str, Any] = {}


def execute(conn: Connection, stmt: Statement, params: Mapping[str, Any] = _NONE) -> Any:
    """Run the statement on the connection's DBAPI connection; return the cursor."""
    return _execute(conn, stmt.plan(conn.dialect), params)


def executemany(conn: Connection, stmt: Statement, rows: Iterable[Mapping[str, Any]]) -> None:
    """Run the statement once per mapping of parameters."""
    global sent
    plan = stmt.plan(conn.dialect)
    values = [plan.bound(p) for p in rows]
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


def _records(stmt: Statement, plan: _Plan, cur: Any, raws: Sequence[Sequence[Any]]) -> list[Any]:
    make = stmt.record._make  # type: ignore[union-attr]
    loads = plan.loads if plan.loads is not None else plan.load(cur.description)
    if not loads:
        return [make(raw) for raw in raws]
    out = []
    for raw in raws:
        values = list(raw)
        for i, f, keeps in loads:
            v = values[i]
            if v is not None or not keeps:
                values[i] = f(v)
        out.append(make(values))
    return out


def first(conn: Connection, stmt: Statement, params: Mapping[str, Any] = _NONE) -> Any:
    """The first row the statement returns, or None."""
    plan = stmt.plan(conn.dialect)
    cur = _execute(conn, plan, params)
    try:
        raw = cur.fetchone()
        return None if raw is None else _records(stmt, plan, cur, [raw])[0]
    finally:
        cur.close()


def all_rows(conn: Connection, stmt: Statement, params: Mapping[str, Any] = _NONE) -> list[Any]:
    """Every row the statement returns."""
    plan = stmt.plan(conn.dialect)
    cur = _execute(conn, plan, params)
    try:
        return _records(stmt, plan, cur, cur.fetchall())
    finally:
        cur.close()


def run(conn: Connection, stmt: Statement, params: Mapping[str, Any] = _NONE) -> int:
    """Run a statement that returns no rows; return how many rows it changed."""
    cur = _execute(conn, stmt.plan(conn.dialect), params)
    try:
        return cur.rowcount
    finally:
        cur.close()


_INSERTS: dict[tuple[Table, tuple[str, ...]], Statement] = {}


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that all name the same columns (one statement, run once per row: measured
    faster on SQLite than one INSERT of many rows)."""
    if not rows:
        return
    key = (table, tuple(rows[0]))
    stmt = _INSERTS.get(key)
    if stmt is None:
        stmt = _INSERTS[key] = insert_statement(table, key[1])
    executemany(conn, stmt, rows)


_MULTI: dict[
    tuple[Table, tuple[str, ...], int, tuple[int, ...]], tuple[Statement, list[list[str]]]
] = {}


def _multi_insert(
    table: Table, columns: tuple[str, ...], n: int, key: tuple[int, ...]
) -> tuple[Statement, list[list[str]]]:
    """``INSERT … VALUES (…), (…) RETURNING id, key columns…`` for ``n`` rows, and each row's
    parameter names."""
    found = _MULTI.get((table, columns, n, key))
    if found is None:
        unnamed = [c.key for c in table.columns if c.default is not None and c.key not in columns]
        if unnamed:
            raise ValueError(f"{table.name}: name {unnamed} in every row (they have defaults)")
        names = [[f"{c}__{i}" for c in columns] for i in range(n)]
        rows = [
            {
                c: bindparam(name, type_=table.c[c].type)
                for c, name in zip(columns, row, strict=True)
            }
            for row in names
        ]
        (pk,) = table.primary_key.columns
        returning = [pk, *(table.c[columns[i]] for i in key)]
        stmt = Statement(insert(table).values(rows).returning(*returning))
        found = _MULTI[(table, columns, n, key)] = (stmt, names)
    return found


def insert_returning_ids(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert rows that all name the same columns (every column with a Python-side default
    among them) with one multi-row INSERT; return their ids in the rows' order.

    Neither SQLite nor PostgreSQL promises the order of RETURNING rows, so each comes back with
    the first column whose values tell the rows apart (all of them if none does: rows written
    with equal values are interchangeable), as the column's type reads it, and is matched to the
    row it was written from.
    """
    if len(rows) <= 1:
        return [_insert_one(conn, table, row) for row in rows]
    columns = tuple(rows[0])
    key = _telling_apart(columns, rows)
    stmt, names = _multi_insert(table, columns, len(rows), key)
    params = {
        n: row[c]
        for row, ns in zip(rows, names, strict=True)
        for c, n in zip(columns, ns, strict=True)
    }
    returned = [(tuple(r[1:]), r[0]) for r in all_rows(conn, stmt, params)]
    ids = []
    for row in rows:
        wanted = tuple(row[columns[i]] for i in key)
        found = next((j for j, (values, _) in enumerate(returned) if values == wanted), None)
        if found is None:
            raise RuntimeError(f"{table.name}: a row read back differs from what was written")
        ids.append(returned.pop(found)[1])
    return ids


_ONE: dict[tuple[Table, tuple[str, ...]], Statement] = {}


def _insert_one(conn: Connection, table: Table, row: Mapping[str, Any]) -> int:
    """Insert one row; return its id."""
    key = (table, tuple(row))
    stmt = _ONE.get(key)
    if stmt is None:
        (pk,) = table.primary_key.columns
        stmt = _ONE[key] = insert_statement(table, key[1], returning=[pk])
    return first(conn, stmt, row)[0]


def _telling_apart(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> tuple[int, ...]:
    """The position of the first column whose values differ between every two rows, or of all."""
    for i, c in enumerate(columns):
        values = [row[c] for row in rows]
        if all(a != b for j, a in enumerate(values) for b in values[j + 1 :]):
            return (i,)
    return tuple(range(len(columns)))
