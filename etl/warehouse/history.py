"""Read and act on history: submissions, versions of a slice, restore, provenance, progress and deadlines."""

from __future__ import annotations

import duckdb

from etl.extract import Observation
from etl.warehouse.connection import WarehouseError, now_beijing
from etl.warehouse.load import NewSubmission, StoreResult, store_submission


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
    from etl import backup  # etl.backup builds on this package: imported here, not at the top

    versions = {v["version"]: v for v in slice_versions_of(con, region_code, year, domain)}
    if version not in versions:
        raise WarehouseError(f"没有第 {version} 版，无法恢复。")
    backup.snapshot(con, "before-version-restore")
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
