"""One connection type over the databases the platform speaks to: DuckDB (the warehouse file), SQLite (the accounts
file beside it) and PostgreSQL (both, when HNFL_DATABASE_URL is set).

The SQL is written once with `?` placeholders; the few places where the dialects differ ask `con.backend`. Only
what differs in the drivers lives here: placeholders (psycopg takes `%s`), bulk appends (DuckDB's Appender,
PostgreSQL's COPY), transactions, result frames and the per-slice row locks PostgreSQL needs and DuckDB does not.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

DUCKDB, POSTGRES, SQLITE = "duckdb", "postgres", "sqlite"
URL_PREFIXES = ("postgresql://", "postgres://")


def is_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(URL_PREFIXES)


# A string literal, a quoted name or a comment is copied as it is (a `?` or an apostrophe inside stays put);
# outside them `?` becomes psycopg's `%s`. Every `%` is doubled: psycopg reads the whole text for placeholders.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*|\?|%")


@lru_cache(maxsize=2048)
def pyformat(sql: str) -> str:
    """`sql` with `?` placeholders as psycopg's `%s`."""

    def swap(match: re.Match) -> str:
        text = match.group()
        if text == "?":
            return "%s"
        return text.replace("%", "%%")

    return _TOKENS.sub(swap, sql)


def quoted(names: Iterable[str]) -> str:
    """Column names from code as SQL, each quoted: a catalogue rule's "left" and "right" are reserved words."""
    return ", ".join(f'"{name}"' for name in names)


def slice_key(*parts: object) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks, the same in every process."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PgResult:
    """A psycopg cursor with the few methods the warehouse uses of a DuckDB result."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall() if self._cursor.description else []

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone()

    def fetchmany(self, size: int) -> list[tuple]:
        return self._cursor.fetchmany(size)

    def df(self):  # noqa: ANN201 - a pandas DataFrame
        import pandas as pd

        names = [d.name for d in self._cursor.description]
        data = frame(pd, self.fetchall(), names)
        for d in self._cursor.description:  # integers typed as DuckDB types them: integer → int32, NULLs → Int64
            if d.type_code in _INTEGERS:
                column = data[d.name]
                plain = _INTEGERS[d.type_code]
                data[d.name] = column.astype(plain.capitalize() if column.isna().any() else plain)
        return data


_INTEGERS = {20: "int64", 21: "int16", 23: "int32"}  # the type OIDs of bigint, smallint and integer


def frame(pd: Any, rows: list[tuple], names: list[str]) -> Any:
    """Rows typed as DuckDB's `.df()` types them: whole numbers with a NULL as pandas' Int64, other numbers as
    float64, booleans as bool."""
    data = pd.DataFrame.from_records(rows, columns=names, coerce_float=True)
    for name in names:
        column = data[name]
        if column.dtype != object:
            continue
        present = column.dropna()
        if len(present) and all(type(v) is int for v in present):
            data[name] = column.astype("Int64")
        elif len(present) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
            data[name] = column.astype("float64")
    return data


class Db:
    """A connection to one of the three databases; `execute` returns a result with fetchall, fetchone,
    description and df(), like DuckDB's."""

    def __init__(self, raw: Any, backend: str) -> None:
        self.raw, self.backend = raw, backend

    def execute(self, sql: str, params: Sequence | None = None) -> Any:
        if self.backend == POSTGRES:
            cursor = self.raw.cursor()
            cursor.execute(pyformat(sql) if params else sql, params or None)
            return PgResult(cursor)
        return self.raw.execute(sql, params or [])

    def script(self, sql: str) -> None:
        """Several statements, no parameters (a migration, the views)."""
        if self.backend == SQLITE:
            self.raw.executescript(sql)
        else:
            self.raw.execute(sql)

    def rows(self, sql: str, params: Sequence | None = None) -> list[dict]:
        result = self.execute(sql, params)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def one(self, sql: str, params: Sequence | None = None) -> dict | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def value(self, sql: str, params: Sequence | None = None) -> Any:
        return self.execute(sql, params).fetchall()[0][0]

    def begin(self) -> None:
        if self.backend == DUCKDB:
            self.raw.begin()
        else:
            self.raw.execute("begin")

    def commit(self) -> None:
        if self.backend == DUCKDB:
            self.raw.commit()
        else:
            self.raw.execute("commit")

    def rollback(self) -> None:
        if self.backend == DUCKDB:
            self.raw.rollback()
        else:
            self.raw.execute("rollback")

    def close(self) -> None:
        self.raw.close()

    def append(self, table: str, rows: Iterable[Sequence], columns: Sequence[str] | None = None) -> None:
        """Bulk insert (DuckDB's Appender, PostgreSQL's COPY); `table` and `columns` come from code, never input.
        Without `columns` the rows hold every column of the table, in order."""
        if self.backend == DUCKDB:
            appender = self.raw.appender(table, columns=list(columns)) if columns else self.raw.appender(table)
            appender.append_rows(list(rows))
            appender.flush()
        elif self.backend == POSTGRES:
            names = f" ({quoted(columns)})" if columns else ""
            with self.raw.cursor().copy(f"copy {table}{names} from stdin") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            rows = list(rows)
            if rows:
                names = f" ({quoted(columns)})" if columns else ""
                marks = ", ".join("?" * len(rows[0]))
                self.raw.executemany(f"insert into {table}{names} values ({marks})", rows)

    def append_frame(self, table: str, data: Any) -> None:
        """A pandas DataFrame whose columns are named as the table's (any it lacks are NULL): Arrow into DuckDB, CSV
        (written by Arrow, in C) through COPY into PostgreSQL."""
        if self.backend == DUCKDB:
            self.raw.register("appended_frame", data)
            try:
                self.raw.execute(f"insert into {table} ({quoted(data.columns)}) select * from appended_frame")
            finally:
                self.raw.unregister("appended_frame")
            return
        import pyarrow as pa
        from pyarrow import csv

        options = csv.WriteOptions(include_header=False)
        with self.raw.cursor().copy(f"copy {table} ({quoted(data.columns)}) from stdin (format csv)") as copy:
            for start in range(0, len(data), 500_000):
                buffer = io.BytesIO()
                chunk = pa.Table.from_pandas(data.iloc[start : start + 500_000], preserve_index=False)
                csv.write_csv(chunk, buffer, options)
                copy.write(buffer.getvalue())

    def lock_slices(self, slices: Iterable[tuple]) -> None:
        """PostgreSQL: hold each (region, year, domain) for the rest of the transaction, so that two writers of the
        same slice take turns while writers of other slices never wait; keys in order, so two never deadlock.
        DuckDB admits one writing process and SQLite holds no slices: nothing to do."""
        if self.backend != POSTGRES:
            return
        keys = sorted({slice_key(*s) for s in slices})
        if keys:
            self.execute(
                "select count(pg_advisory_xact_lock(k)) from (select unnest(?::bigint[]) as k order by 1) as s", [keys]
            )
