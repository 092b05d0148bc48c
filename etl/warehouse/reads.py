"""Read the values on show: the tidy export and the counts that say what a warehouse holds."""

from __future__ import annotations

from etl.warehouse.db import Db


def current_values(
    con: Db,
    *,
    year: int | None = None,
    region_code: str | None = None,
    domain: str | None = None,
    reported_only: bool = True,
    include_pending: bool = False,
) -> list[tuple]:
    """Labelled values in official order: year, code, 市州, 类别, 指标, 单位, value, pending, is_sample.

    Published figures only unless `include_pending`; then `pending` marks figures still 待审核.
    """
    return con.execute(
        """
        select year, region_code, region_name, domain_name, indicator_name, unit, value, pending, is_sample
        from scoped_values
        where include_pending = ?
            and (?::integer is null or year = ?)
            and (?::varchar is null or region_code = ?)
            and (?::varchar is null or domain = ?)
            and (not ? or value is not null)
        order by year, region_order, domain_order, indicator_order
        """,
        [include_pending, year, year, region_code, region_code, domain, domain, reported_only],
    ).fetchall()


def summary_counts(con: Db) -> dict[str, int]:
    """Counts that say what a warehouse holds (used by the CLI and tests)."""
    row = con.execute(
        """
        select
            (select count(*) from submissions),
            (select count(*) from facts),
            (select count(*) from current_facts where value is not null),
            (select count(*) from slice_versions where is_current),
            (select count(*) from slice_versions where is_current and status = 'pending')
        """
    ).fetchall()[0]
    keys = ("submissions", "facts", "current_values", "current_slices", "pending_slices")
    return dict(zip(keys, row, strict=True))
