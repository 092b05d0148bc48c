"""The only module that speaks SQL: open the warehouse safely, keep its schema, write and read submissions."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from etl import catalog
from etl.config import LOCK_WAIT_SECONDS
from etl.extract import Observation
from etl.issues import Issue

SCHEMA_FILE = Path(__file__).with_name("schema.sql")
BEIJING = ZoneInfo("Asia/Shanghai")


class WarehouseError(Exception):
    """A warehouse problem with a Chinese message fit for the person who caused it."""


class WarehouseBusy(WarehouseError):
    pass


class WarehouseMissing(WarehouseError):
    pass


def now_beijing() -> datetime:
    """Statisticians and leaders read times in Beijing time, whatever the server's zone."""
    return datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


@contextmanager
def connect(
    db_path: Path, *, read_only: bool = False, wait: float = LOCK_WAIT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse for one short piece of work, waiting a bounded time if another process holds it.

    A DuckDB file is locked by the process that writes it, and a writer excludes readers too, so
    nobody keeps it open between operations.
    """
    db_path = Path(db_path)
    if read_only and not db_path.exists():
        raise WarehouseMissing(f"数据仓库 {db_path.name} 不存在。请先运行 python -m etl demo 或上报数据。")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(db_path), read_only=read_only)
            break
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"无法打开数据仓库 {db_path.name}：{exc}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"数据仓库正被其他程序写入或占用，已等待 {wait:.0f} 秒仍未释放。请稍后重试。"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    try:
        if not read_only:
            ensure_schema(con)
        yield con
    finally:
        con.close()


def _reference_digest() -> str:
    digest = hashlib.sha256(SCHEMA_FILE.read_bytes())
    for path in sorted(catalog.REFERENCE_DIR.glob("*.csv")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables and refresh reference data when schema.sql or the reference CSVs changed."""
    digest = _reference_digest()
    try:
        stored = con.execute("select value from schema_info where key = 'digest'").fetchall()
    except duckdb.CatalogException:
        stored = []
    if stored and stored[0][0] == digest:
        return
    con.begin()
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    _sync_reference(con)
    con.execute("insert or replace into schema_info values ('digest', ?)", [digest])
    con.commit()


def _sync_reference(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("delete from regions")
    con.executemany(
        "insert into regions values (?, ?, ?, ?, ?, ?)",
        [(r.code, r.name, r.short_name, r.parent_code, r.level, r.sort_order) for r in catalog.regions()],
    )
    con.execute("delete from domains")
    con.executemany(
        "insert into domains values (?, ?, ?, ?)",
        [(d.code, d.name, d.sort_order, d.headline_indicator) for d in catalog.domains()],
    )
    con.execute("delete from indicators")
    con.executemany(
        "insert into indicators values (?, ?, ?, ?, ?, ?, ?)",
        [(i.code, i.domain, i.name, i.unit, i.kind, i.sort_order, i.definition) for i in catalog.indicators()],
    )


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


def current_values(
    con: duckdb.DuckDBPyConnection,
    *,
    year: int | None = None,
    region_code: str | None = None,
    domain: str | None = None,
    reported_only: bool = True,
) -> list[tuple]:
    """Labelled current values, in official order: year, code, 市州, 类别, 指标, 单位, value."""
    return con.execute(
        """
        select year, region_code, region_name, domain_name, indicator_name, unit, value
        from current_values
        where (?::integer is null or year = ?)
            and (?::varchar is null or region_code = ?)
            and (?::varchar is null or domain = ?)
            and (not ? or value is not null)
        order by year, region_order, domain_order, indicator_order
        """,
        [year, year, region_code, region_code, domain, domain, reported_only],
    ).fetchall()


def summary_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Counts that say what a warehouse holds (used by the CLI and tests)."""
    row = con.execute(
        """
        select
            (select count(*) from submissions),
            (select count(*) from facts),
            (select count(*) from current_facts where value is not null),
            (select count(*) from slice_versions where is_current)
        """
    ).fetchall()[0]
    return dict(zip(("submissions", "facts", "current_values", "current_slices"), row, strict=True))


def values_frame(con: duckdb.DuckDBPyConnection):  # noqa: ANN201 - a pandas DataFrame; pandas loads lazily
    """Every current value of the 14 市州 (NULL = 未填报 inside a reported slice), for the dashboard."""
    return con.execute(
        """
        select
            v.year, v.region_code, v.region_name, v.region_order, v.domain, v.domain_name, v.indicator,
            v.indicator_name, v.unit, v.indicator_order, v.value, v.is_sample,
            v.submission_id, v.file_name, v.sheet, v.cell, v.submitted_at, v.submitted_by
        from current_values as v
        inner join regions as r on r.code = v.region_code
        where r.level = 'city'
        order by v.year, v.region_order, v.domain_order, v.indicator_order
        """
    ).df()


# ---------------------------------------------------------------- history, restore, provenance, progress


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def submissions_list(
    con: duckdb.DuckDBPyConnection, *, year: int | None = None, region_code: str | None = None
) -> list[dict]:
    """Every submission, newest first, with what it held (市州, 年度, 类别) and its warnings."""
    return _rows(
        con,
        """
        with held as (
            select
                v.submission_id,
                string_agg(distinct r.name, '、' order by r.name) as regions,
                string_agg(distinct cast(v.year as varchar), '、' order by cast(v.year as varchar)) as years,
                string_agg(distinct d.name, '、' order by d.name) as domains
            from slice_versions as v
            inner join regions as r on r.code = v.region_code
            inner join domains as d on d.code = v.domain
            where (?::integer is null or v.year = ?) and (?::varchar is null or v.region_code = ?)
            group by v.submission_id
        ),

        warned as (
            select submission_id, count(*) as warnings, string_agg(message, '；') as warning_text
            from submission_issues
            group by submission_id
        ),

        final as (
            select s.*, h.regions, h.years, h.domains, coalesce(w.warnings, 0) as warnings, w.warning_text
            from submissions as s
            inner join held as h using (submission_id)
            left join warned as w using (submission_id)
        )

        select * from final order by submission_id desc
        """,
        [year, year, region_code, region_code],
    )


def submission_values(con: duckdb.DuckDBPyConnection, submission_id: int) -> list[dict]:
    """The values a submission carried, labelled, in official order."""
    return _rows(
        con,
        """
        select f.year, r.name as region_name, d.name as domain_name, i.name as indicator_name, i.unit, f.value,
            f.sheet, f.cell
        from facts as f
        inner join regions as r on r.code = f.region_code
        inner join domains as d on d.code = f.domain
        inner join indicators as i on i.code = f.indicator
        where f.submission_id = ?
        order by f.year, r.sort_order, d.sort_order, i.sort_order
        """,
        [submission_id],
    )


def submission_file(con: duckdb.DuckDBPyConnection, submission_id: int) -> tuple[str, str | None]:
    """(file name as sent, archive path relative to the warehouse) of a submission."""
    rows = con.execute("select file_name, archive_path from submissions where submission_id = ?", [submission_id])
    row = rows.fetchall()
    if not row:
        raise WarehouseError(f"上报编号 {submission_id} 不存在。")
    return row[0]


def slice_versions_of(con: duckdb.DuckDBPyConnection, region_code: str, year: int, domain: str) -> list[dict]:
    """Every version of one (市州, 年度, 类别), newest first, each with its values by indicator code."""
    versions = _rows(
        con,
        "select * from slice_history where region_code = ? and year = ? and domain = ? order by version desc",
        [region_code, year, domain],
    )
    values = con.execute(
        """
        select f.submission_id, f.indicator, f.value
        from facts as f
        where f.region_code = ? and f.year = ? and f.domain = ?
        """,
        [region_code, year, domain],
    ).fetchall()
    for version in versions:
        version["values"] = {i: v for s, i, v in values if s == version["submission_id"]}
    return versions


def restore_version(
    con: duckdb.DuckDBPyConnection, region_code: str, year: int, domain: str, version: int, restored_by: str
) -> StoreResult:
    """Make an earlier version current again as a NEW version: nothing is ever deleted or rewritten."""
    versions = {v["version"]: v for v in slice_versions_of(con, region_code, year, domain)}
    if version not in versions:
        raise WarehouseError(f"没有第 {version} 版，无法恢复。")
    source = versions[version]
    facts = con.execute(
        "select indicator, value, sheet, cell from facts where submission_id = ? and region_code = ? and year = ?"
        " and domain = ?",
        [source["submission_id"], region_code, year, domain],
    ).fetchall()
    observations = [Observation(region_code, year, i, v, s or "", c or "") for i, v, s, c in facts]
    stamp = now_beijing().isoformat()
    sub = NewSubmission(
        file_name=f"恢复第 {version} 版（原上报编号 {source['submission_id']}，{source['file_name']}）",
        file_sha256=f"restore:{region_code}:{year}:{domain}:{version}:{stamp}",
        file_kind="restore",
        file_bytes=0,
        archive_path=None,
        is_sample=bool(source["is_sample"]),
        source="restore",
        submitted_by=restored_by,
        note=f"恢复自第 {version} 版",
    )
    return store_submission(con, sub, observations, [])


def provenance(con: duckdb.DuckDBPyConnection, region_code: str, year: int, indicator: str) -> dict | None:
    """Where one current figure came from, and the value it replaced (这个数哪来的？)."""
    current = _rows(
        con,
        """
        select value, file_name, sheet, cell, submitted_by, submitted_at, submission_id, is_sample
        from current_values where region_code = ? and year = ? and indicator = ?
        """,
        [region_code, year, indicator],
    )
    if not current:
        return None
    found = current[0]
    earlier = con.execute(
        """
        select f.value, h.version
        from slice_history as h
        inner join facts as f using (submission_id, region_code, year, domain)
        where h.region_code = ? and h.year = ? and f.indicator = ? and not h.is_current
        order by h.version desc
        limit 1
        """,
        [region_code, year, indicator],
    ).fetchall()
    found["previous"] = earlier[0] if earlier else None  # (value, version)
    return found


def progress(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    """Per 市州 × 类别 of a year: indicators reported (n of m) and when the current version was sent."""
    return _rows(
        con,
        """
        with expected as (
            select r.code as region_code, r.name as region_name, r.sort_order as region_order,
                d.code as domain, d.name as domain_name, d.sort_order as domain_order,
                count(i.code) as indicators
            from regions as r
            cross join domains as d
            inner join indicators as i on i.domain = d.code
            where r.level = 'city'
            group by all
        ),

        reported as (
            select region_code, domain, count(value) as reported, max(submitted_at) as submitted_at
            from current_values
            where year = ?
            group by all
        ),

        final as (
            select e.*, coalesce(p.reported, 0) as reported, p.submitted_at
            from expected as e
            left join reported as p using (region_code, domain)
        )

        select * from final order by region_order, domain_order
        """,
        [year],
    )


def set_deadline(con: duckdb.DuckDBPyConnection, year: int, deadline, set_by: str) -> None:  # noqa: ANN001 - a date
    con.execute("insert or replace into deadlines values (?, ?, ?, ?)", [year, deadline, set_by, now_beijing()])


def deadline_of(con: duckdb.DuckDBPyConnection, year: int):  # noqa: ANN201 - a date or None
    rows = con.execute("select deadline from deadlines where year = ?", [year]).fetchall()
    return rows[0][0] if rows else None


def submission_issues_of(con: duckdb.DuckDBPyConnection, submission_id: int) -> list[dict]:
    """The warnings a submission was accepted with, in the order they were reported."""
    return _rows(
        con,
        "select level, code, sheet, cell, message from submission_issues where submission_id = ? order by rowid",
        [submission_id],
    )
