"""省级审核: what waits for review, approving (publish and lock) and returning (with a reason) slice versions."""

from __future__ import annotations

from collections.abc import Iterable

from etl.warehouse import visible
from etl.warehouse.connection import WarehouseError, now_beijing
from etl.warehouse.db import Db
from etl.warehouse.visible import Slice

_SAME_SLICE = "v.region_code = s.region_code and v.year = s.year and v.domain = s.domain"


def waiting(
    con: Db,
    *,
    year: int | None = None,
    region_code: str | None = None,
    domain: str | None = None,
    submission_id: int | None = None,
) -> list[Slice]:
    """Slices whose current version is 待审核; a 市州 includes its 县市区."""
    rows = con.execute(
        """
        select v.region_code, v.year, v.domain
        from slice_versions as v
        inner join regions as r on r.code = v.region_code
        where v.is_current and v.status = 'pending'
            and (?::integer is null or v.year = ?)
            and (?::varchar is null or v.region_code = ? or r.parent_code = ?)
            and (?::varchar is null or v.domain = ?)
            and (?::bigint is null or v.submission_id = ?)
        order by v.year, r.sort_order, v.domain
        """,
        [year, year, region_code, region_code, region_code, domain, domain, submission_id, submission_id],
    ).fetchall()
    return [tuple(row) for row in rows]


def queue(con: Db, *, year: int | None = None) -> list[dict]:
    """Submissions with slices waiting for review, oldest first: what, who, when, and how many warnings."""
    return con.rows(
        """
        with waiting as (
            select region_code, year, domain, submission_id
            from slice_versions
            where is_current and status = 'pending' and (?::integer is null or year = ?)
        ),

        held as (
            select
                w.submission_id,
                string_agg(distinct r.name, '、' order by r.name) as regions,
                string_agg(distinct cast(w.year as varchar), '、' order by cast(w.year as varchar)) as years,
                string_agg(distinct d.name, '、' order by d.name) as domains,
                count(*) as slices
            from waiting as w
            inner join regions as r on r.code = w.region_code
            inner join domains as d on d.code = w.domain
            group by w.submission_id
        ),

        warned as (
            select i.submission_id, count(*) as warnings
            from submission_issues as i
            where i.level = 'warning' and (
                i.region_code is null
                or exists (
                    select 1 from waiting as w
                    where w.submission_id = i.submission_id and w.region_code = i.region_code
                        and w.year = i.year and w.domain = i.domain
                )
            )
            group by i.submission_id
        ),

        final as (
            select s.*, h.regions, h.years, h.domains, h.slices, coalesce(w.warnings, 0) as warnings
            from submissions as s
            inner join held as h using (submission_id)
            left join warned as w using (submission_id)
        )

        select * from final order by submission_id
        """,
        [year, year],
    )


def detail(con: Db, submission_id: int) -> tuple[list[dict], list[dict]]:
    """(values, warnings) of a submission's slices that wait for review: each value beside the published one and
    last year's published one, with its cell; the warnings of those slices and of the file as a whole."""
    values = con.rows(
        """
        with waiting as (
            select region_code, year, domain
            from slice_versions
            where submission_id = ? and is_current and status = 'pending'
        ),

        sent as (
            select f.*
            from facts as f
            inner join waiting using (region_code, year, domain)
            where f.submission_id = ?
        ),

        published as (
            select region_code, year, indicator, value
            from visible_facts
            where not include_pending
        ),

        final as (
            select
                n.year, n.region_code, r.name as region_name, n.domain, d.name as domain_name, n.indicator,
                i.name as indicator_name, i.unit, n.value, p.value as published_value,
                p.year is not null as was_published, l.value as last_year_value, n.sheet, n.cell,
                r.sort_order as region_order, d.sort_order as domain_order, i.sort_order as indicator_order
            from sent as n
            inner join regions as r on r.code = n.region_code
            inner join domains as d on d.code = n.domain
            inner join indicators as i on i.code = n.indicator
            left join published as p
                on p.region_code = n.region_code and p.year = n.year and p.indicator = n.indicator
            left join published as l
                on l.region_code = n.region_code and l.year = n.year - 1 and l.indicator = n.indicator
        )

        select * from final order by year, region_order, domain_order, indicator_order
        """,
        [submission_id, submission_id],
    )
    warnings = con.rows(
        """
        select i.level, i.code, i.sheet, i.cell, i.subject, i.message, i.region_code, i.year, i.domain
        from submission_issues as i
        where i.submission_id = ? and i.level = 'warning' and (
            i.region_code is null
            or exists (
                select 1 from slice_versions as v
                where v.submission_id = i.submission_id and v.region_code = i.region_code and v.year = i.year
                    and v.domain = i.domain and v.is_current and v.status = 'pending'
            )
        )
        order by i.issue_no
        """,
        [submission_id],
    )
    return values, warnings


def warnings_of(con: Db, slices: Iterable[Slice]) -> list[dict]:
    """The warnings the current (pending) versions of these slices were sent with, file-level ones included."""
    visible.stage(con, slices)
    return con.rows(
        """
        with sent as (
            select distinct v.submission_id
            from slice_versions as v
            inner join staged_slices as s using (region_code, year, domain)
            where v.is_current and v.status = 'pending'
        )

        select i.submission_id, i.sheet, i.cell, i.subject, i.message
        from submission_issues as i
        inner join sent using (submission_id)
        left join staged_slices as s using (region_code, year, domain)
        where i.level = 'warning' and (i.region_code is null or s.region_code is not null)
        order by i.submission_id, i.issue_no
        """,
    )


def _in_transaction(con: Db, slices: list[Slice], act) -> int:  # noqa: ANN001
    """Stage the slices, refusing any whose current version is not 待审核, and act on them in one transaction."""
    if not slices:
        return 0
    con.begin()
    try:
        visible.stage(con, slices)
        con.lock_slices(slices)  # PostgreSQL: a load or review of the same slices finishes first
        (found,) = con.execute(
            f"""
            select count(*) from slice_versions as v inner join staged_slices as s on {_SAME_SLICE}
            where v.is_current and v.status = 'pending'
            """
        ).fetchall()[0]
        if found != len(set(slices)):
            raise WarehouseError("所选数据已不在待审核状态（可能刚被他人审核或有新的上报），请刷新后重试。")
        act()
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return len(set(slices))


def approve(con: Db, slices: list[Slice], by: str) -> int:
    """审核通过: the slices' pending versions are published and the slices locked; returns how many."""
    return _in_transaction(con, slices, lambda: approve_staged(con, by, lock=True))


def approve_staged(con: Db, by: str, *, lock: bool) -> None:
    """Publish the current versions of the staged slices, inside the caller's transaction."""
    now = now_beijing()
    con.execute(
        f"update slice_versions as v set is_published = false from staged_slices as s where {_SAME_SLICE}"
        " and v.is_published and not v.is_current"
    )
    con.execute(
        f"""
        update slice_versions as v
        set status = 'published', is_published = true, reviewed_by = ?, reviewed_at = ?
        from staged_slices as s
        where {_SAME_SLICE} and v.is_current and v.status = 'pending'
        """,
        [by, now],
    )
    visible.publish(con)
    if lock:
        con.execute(
            "insert into review_locks select year, region_code, domain, ?, ? from staged_slices on conflict do nothing",
            [by, now],
        )


def send_back(con: Db, slices: list[Slice], by: str, reason: str) -> int:
    """退回: the slices' pending versions are returned with the reason; the published version (if any) stays."""

    def act() -> None:
        con.execute(
            f"""
            update slice_versions as v
            set status = 'returned', is_current = false, reviewed_by = ?, reviewed_at = ?, review_note = ?
            from staged_slices as s
            where {_SAME_SLICE} and v.is_current and v.status = 'pending'
            """,
            [by, now_beijing(), reason],
        )
        con.execute(f"update slice_versions as v set is_current = true from staged_slices as s where {_SAME_SLICE}"
                    " and v.is_published")  # fmt: skip
        visible.withdraw(con)

    return _in_transaction(con, slices, act)


def returned(con: Db, *, city: str | None = None, year: int | None = None) -> list[dict]:
    """Returned versions nobody has sent again since, newest first: what a 统计员 must correct, and why."""
    return con.rows(
        """
        with final as (
            select
                v.region_code, r.name as region_name, v.year, v.domain, d.name as domain_name, v.version,
                v.submission_id, s.file_name, s.submitted_by, v.reviewed_by, v.reviewed_at, v.review_note
            from slice_versions as v
            inner join regions as r on r.code = v.region_code
            inner join domains as d on d.code = v.domain
            inner join submissions as s using (submission_id)
            where v.status = 'returned'
                and (?::varchar is null or v.region_code = ? or r.parent_code = ?)
                and (?::integer is null or v.year = ?)
                and not exists (
                    select 1 from slice_versions as w
                    where w.region_code = v.region_code and w.year = v.year and w.domain = v.domain
                        and w.version > v.version
                )
        )

        select * from final order by reviewed_at desc, region_code, domain
        """,
        [city, city, city, year, year],
    )
