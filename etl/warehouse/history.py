"""Read and act on history: submissions, versions of a slice, restore, provenance, progress and deadlines."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from etl.records import Observation
from etl.warehouse import visible
from etl.warehouse.connection import WarehouseError, now_beijing
from etl.warehouse.db import Db
from etl.warehouse.load import NewSubmission, StoreResult, store_submission
from etl.warehouse.locks import refuse_if_locked


def submissions_list(con: Db, *, year: int | None = None, region_code: str | None = None) -> list[dict]:
    """Every submission, newest first, with what it held (市州, 年度, 类别), how many of its slices wait for review
    and its warnings."""
    return con.rows(
        """
        with held as (
            select
                v.submission_id,
                string_agg(distinct r.name, '、' order by r.name) as regions,
                string_agg(distinct cast(v.year as varchar), '、' order by cast(v.year as varchar)) as years,
                string_agg(distinct d.name, '、' order by d.name) as domains,
                count(*) filter (where v.status = 'pending') as pending_slices
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
            select
                s.*, h.regions, h.years, h.domains, h.pending_slices, coalesce(w.warnings, 0) as warnings,
                w.warning_text
            from submissions as s
            inner join held as h using (submission_id)
            left join warned as w using (submission_id)
        )

        select * from final order by submission_id desc
        """,
        [year, year, region_code, region_code],
    )


def submission_values(con: Db, submission_id: int) -> list[dict]:
    """The values a submission carried, labelled, in official order."""
    return con.rows(
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


def submission_file(con: Db, submission_id: int) -> tuple[str, str | None]:
    """(file name as sent, archive path relative to the warehouse) of a submission."""
    rows = con.execute("select file_name, archive_path from submissions where submission_id = ?", [submission_id])
    row = rows.fetchall()
    if not row:
        raise WarehouseError(f"上报编号 {submission_id} 不存在。")
    return row[0]


def slice_versions_of(con: Db, region_code: str, year: int, domain: str) -> list[dict]:
    """Every version of one (市州, 年度, 类别), newest first, each with its values by indicator code."""
    versions = con.rows(
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


def restore_version(  # noqa: PLR0913
    con: Db, region_code: str, year: int, domain: str, version: int, restored_by: str,
    before_write: Callable[[Db], object] | None = None,
) -> StoreResult:  # fmt: skip
    """Make an earlier version current again as a NEW (pending) version: nothing is ever deleted or rewritten."""
    versions = {v["version"]: v for v in slice_versions_of(con, region_code, year, domain)}
    if version not in versions:
        raise WarehouseError(f"没有第 {version} 版，无法恢复。")
    source = versions[version]
    name = f"恢复第 {version} 版（原上报编号 {source['submission_id']}，{source['file_name']}）"
    key = f"{region_code}:{year}:{domain}:{version}"
    slices = [(region_code, year, domain)]
    return _restore(con, source, slices, name, key, f"恢复自第 {version} 版", restored_by, before_write)


def restore_submission(
    con: Db, submission_id: int, restored_by: str, before_write: Callable[[Db], object] | None = None
) -> StoreResult:
    """Make every slice a submission held (all its 类别 and 市州) current again, as one new submission."""
    rows = con.execute(
        "select * from slice_history where submission_id = ? order by region_code, year, domain", [submission_id]
    )
    names = [d[0] for d in rows.description]
    held = [dict(zip(names, row, strict=True)) for row in rows.fetchall()]
    if not held:
        raise WarehouseError(f"上报编号 {submission_id} 不存在，无法恢复。")
    slices = [(v["region_code"], v["year"], v["domain"]) for v in held]
    name = f"恢复上报编号 {submission_id} 的全部数据（{held[0]['file_name']}）"
    note = f"恢复自上报编号 {submission_id}"
    return _restore(con, held[0], slices, name, str(submission_id), note, restored_by, before_write)


def _restore(  # noqa: PLR0913
    con: Db, source: dict, slices: list, name: str, key: str, note: str, by: str,
    before_write: Callable[[Db], object] | None,
) -> StoreResult:  # fmt: skip
    """`before_write` (the caller's backup copy: etl.backup stands above this package) runs once the locks allow."""
    refuse_if_locked(con, slices)  # before the backup copy it would waste
    if before_write is not None:
        before_write(con)
    visible.stage(con, slices)
    facts = con.execute(
        """
        select f.region_code, f.year, f.indicator, f.value, f.sheet, f.cell
        from facts as f
        inner join staged_slices using (region_code, year, domain)
        where f.submission_id = ?
        """,
        [source["submission_id"]],
    ).fetchall()
    observations = [Observation(r, y, i, v, s or "", c or "") for r, y, i, v, s, c in facts]
    sub = NewSubmission(
        file_name=name,
        file_sha256=f"restore:{key}:{now_beijing().isoformat()}:{secrets.token_hex(4)}",  # each restore is new
        file_kind="restore",
        file_bytes=0,
        archive_path=None,
        is_sample=bool(source["is_sample"]),
        source="restore",
        submitted_by=by,
        note=note,
    )
    return store_submission(con, sub, observations, [])


def provenance(con: Db, region_code: str, year: int, indicator: str, include_pending: bool = False) -> dict | None:
    """Where one figure on show came from, its review state, and the published value it replaced (这个数哪来的？)."""
    current = con.rows(
        """
        select v.value, v.file_name, v.sheet, v.cell, v.submitted_by, v.submitted_at, v.submission_id, v.is_sample,
            v.version, v.pending, h.status, h.reviewed_by, h.reviewed_at
        from scoped_values as v
        inner join slice_history as h using (region_code, year, domain, version)
        where v.include_pending = ? and v.region_code = ? and v.year = ? and v.indicator = ?
        """,
        [include_pending, region_code, year, indicator],
    )
    if not current:
        return None
    found = current[0]
    earlier = con.execute(
        """
        select f.value, h.version
        from slice_history as h
        inner join facts as f using (submission_id, region_code, year, domain)
        where h.region_code = ? and h.year = ? and f.indicator = ? and h.version < ? and h.status = 'published'
        order by h.version desc
        limit 1
        """,
        [region_code, year, indicator, found["version"]],
    ).fetchall()
    found["previous"] = earlier[0] if earlier else None  # (value, version)
    return found


def progress(con: Db, year: int) -> list[dict]:
    """Per 市州 × 类别 of a year: indicators reported (n of m, pending included), when the current version was sent,
    and the review state of the newest version (pending, published or returned, with the reason)."""
    return con.rows(
        """
        with expected as (
            select r.code as region_code, r.name as region_name, r.sort_order as region_order,
                d.code as domain, d.name as domain_name, d.sort_order as domain_order,
                count(i.code) as indicators
            from regions as r
            cross join domains as d
            inner join indicators as i on i.domain = d.code and 'city' = any(i.levels)
            where r.level = 'city'
            group by r.code, r.name, r.sort_order, d.code, d.name, d.sort_order
        ),

        reported as (
            select region_code, domain, count(value) as reported, max(submitted_at) as submitted_at
            from current_values
            where year = ? and region_level = 'city'
            group by region_code, domain
        ),

        numbered as (
            select
                region_code, domain, status, reviewed_by, reviewed_at, review_note,
                row_number() over (partition by region_code, domain order by version desc) as newest_first
            from slice_versions
            where year = ?
        ),

        newest as (
            select region_code, domain, status, reviewed_by, reviewed_at, review_note
            from numbered
            where newest_first = 1
        ),

        final as (
            select
                e.*, coalesce(p.reported, 0) as reported, p.submitted_at, n.status, n.reviewed_by, n.reviewed_at,
                n.review_note
            from expected as e
            left join reported as p using (region_code, domain)
            left join newest as n using (region_code, domain)
        )

        select * from final order by region_order, domain_order
        """,
        [year, year],
    )


def unreported(con: Db, year: int) -> dict[tuple[str, str], list[str]]:
    """(市州 code, 类别 code) → names of the indicators with no value on show (pending included), in catalogue
    order: what a 催报 notice lists for a 类别 reported in part."""
    rows = con.execute(
        """
        with reported as (
            select region_code, indicator from current_values where year = ? and value is not null
        )

        select r.code, i.domain, i.name
        from regions as r
        cross join indicators as i
        left join reported as p on p.region_code = r.code and p.indicator = i.code
        where r.level = 'city' and p.indicator is null
        order by r.sort_order, i.domain, i.sort_order
        """,
        [year],
    ).fetchall()
    found: dict[tuple[str, str], list[str]] = {}
    for region, domain, name in rows:
        found.setdefault((region, domain), []).append(name)
    return found


def set_deadline(con: Db, year: int, deadline, set_by: str) -> None:  # noqa: ANN001 - a date
    con.execute(
        "insert into deadlines values (?, ?, ?, ?) on conflict (year) do update"
        " set deadline = excluded.deadline, set_by = excluded.set_by, set_at = excluded.set_at",
        [year, deadline, set_by, now_beijing()],
    )


def deadline_of(con: Db, year: int):  # noqa: ANN201 - a date or None
    rows = con.execute("select deadline from deadlines where year = ?", [year]).fetchall()
    return rows[0][0] if rows else None


def submission_issues_of(con: Db, submission_id: int) -> list[dict]:
    """The warnings a submission was accepted with, in the order they were reported."""
    return con.rows(
        "select level, code, sheet, cell, subject, message from submission_issues where submission_id = ?"
        " order by issue_no",
        [submission_id],
    )


def deadlines(con: Db) -> dict[int, object]:
    """year → 截止日期 of every year that has one (a year may have a deadline before its first return)."""
    return dict(con.execute("select year, deadline from deadlines order by year").fetchall())
