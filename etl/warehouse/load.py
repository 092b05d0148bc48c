"""Write one accepted file as new versions of its slices, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from etl import catalog
from etl.extract import Observation
from etl.issues import Issue
from etl.warehouse.connection import now_beijing
from etl.warehouse.locks import refuse_if_locked


@dataclass(frozen=True)
class NewSubmission:
    file_name: str
    file_sha256: str
    file_kind: str
    file_bytes: int
    archive_path: str | None
    is_sample: bool
    source: str
    submitted_by: str
    note: str | None = None


@dataclass
class StoreResult:
    submission_id: int
    already_loaded: bool = False
    slices: int = 0
    values: int = 0
    added: int = 0  # values reported where the slice had none (or no value) before
    changed: int = 0
    unchanged: int = 0
    changes: list[tuple[str, int, str, float | None, float | None]] = field(default_factory=list)


def find_submission_by_hash(con: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    rows = con.execute(
        "select submission_id from submissions where file_sha256 = ? order by submission_id limit 1", [sha256]
    ).fetchall()
    return rows[0][0] if rows else None


def previous_values(
    con: duckdb.DuckDBPyConnection, regions: Iterable[str], years: Iterable[int]
) -> dict[tuple[str, int, str], float | None]:
    """Current values of the given regions and years, for the year-on-year check."""
    rows = con.execute(
        """
        select region_code, year, indicator, value
        from current_facts
        where list_contains(?, region_code) and list_contains(?, year)
        """,
        [sorted(set(regions)), sorted(set(years))],
    ).fetchall()
    return {(r, y, i): v for r, y, i, v in rows}


def store_submission(
    con: duckdb.DuckDBPyConnection, sub: NewSubmission, observations: list[Observation], issues: list[Issue]
) -> StoreResult:
    """Write one accepted file in one transaction: its slices become the current versions."""
    con.begin()
    try:
        existing = find_submission_by_hash(con, sub.file_sha256)
        if existing is not None:
            con.rollback()
            return StoreResult(existing, already_loaded=True)
        refuse_if_locked(con, {(o.region_code, o.year) for o in observations})
        result = _store(con, sub, observations, issues)
        con.commit()
        return result
    except BaseException:
        con.rollback()
        raise


def _store(
    con: duckdb.DuckDBPyConnection, sub: NewSubmission, observations: list[Observation], issues: list[Issue]
) -> StoreResult:
    (submission_id,) = con.execute("select nextval('submission_id_seq')").fetchall()[0]
    con.execute(
        "insert into submissions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            submission_id,
            now_beijing(),
            sub.submitted_by,
            sub.source,
            sub.file_name,
            sub.file_sha256,
            sub.file_kind,
            sub.file_bytes,
            sub.archive_path,
            sub.is_sample,
            sub.note,
        ],
    )
    slices = sorted({(o.region_code, o.year, catalog.indicator_by_code()[o.indicator].domain) for o in observations})
    before = _slice_values(con, slices)
    _replace_slices(con, slices, submission_id)
    _append_facts(con, submission_id, observations)
    _append_issues(con, submission_id, issues)
    return _summarise(submission_id, slices, observations, before)


def _stage_slices(con: duckdb.DuckDBPyConnection, slices: list[tuple[str, int, str]]) -> None:
    con.execute("create temp table if not exists staged_slices (region_code varchar, year integer, domain varchar)")
    con.execute("delete from staged_slices")
    appender = con.appender("staged_slices")
    appender.append_rows(slices)
    appender.flush()


def _slice_values(
    con: duckdb.DuckDBPyConnection, slices: list[tuple[str, int, str]]
) -> dict[tuple[str, int, str], float | None]:
    _stage_slices(con, slices)
    rows = con.execute(
        """
        select f.region_code, f.year, f.indicator, f.value
        from current_facts as f
        inner join staged_slices using (region_code, year, domain)
        """
    ).fetchall()
    return {(r, y, i): v for r, y, i, v in rows}


def _replace_slices(con: duckdb.DuckDBPyConnection, slices: list[tuple[str, int, str]], submission_id: int) -> None:
    """Earlier versions stay (history); only the flag of the current one moves."""
    con.execute(
        """
        with latest as (
            select v.region_code, v.year, v.domain, max(v.version) as version
            from slice_versions as v
            inner join staged_slices using (region_code, year, domain)
            group by all
        )

        insert into slice_versions
        select s.region_code, s.year, s.domain, coalesce(l.version, 0) + 1, ?, true
        from staged_slices as s
        left join latest as l using (region_code, year, domain)
        """,
        [submission_id],
    )
    con.execute(
        """
        update slice_versions as v
        set is_current = false
        from staged_slices as s
        where v.region_code = s.region_code and v.year = s.year and v.domain = s.domain
            and v.is_current and v.submission_id <> ?
        """,
        [submission_id],
    )


def _append_facts(con: duckdb.DuckDBPyConnection, submission_id: int, observations: list[Observation]) -> None:
    domain_of = {i.code: i.domain for i in catalog.indicators()}
    appender = con.appender("facts")
    appender.append_rows(
        [
            (
                submission_id,
                o.region_code,
                o.year,
                domain_of[o.indicator],
                o.indicator,
                o.value,
                o.sheet,
                o.cell or None,
            )
            for o in observations
        ]
    )
    appender.flush()


def _append_issues(con: duckdb.DuckDBPyConnection, submission_id: int, issues: list[Issue]) -> None:
    if not issues:
        return
    appender = con.appender("submission_issues")
    appender.append_rows([(submission_id, i.level, i.code, i.sheet, i.cell, i.message) for i in issues])
    appender.flush()


def _summarise(
    submission_id: int,
    slices: list[tuple[str, int, str]],
    observations: list[Observation],
    before: dict[tuple[str, int, str], float | None],
) -> StoreResult:
    result = StoreResult(submission_id, slices=len(slices), values=sum(o.value is not None for o in observations))
    for o in observations:
        old = before.get((o.region_code, o.year, o.indicator))
        if old == o.value:
            result.unchanged += o.value is not None
        elif old is None:
            result.added += 1
        else:
            result.changed += 1
            result.changes.append((o.region_code, o.year, o.indicator, old, o.value))
    return result
