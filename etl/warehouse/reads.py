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
    """Labelled values in official order: year, code, 市州, 县市区, 类别, 指标, 单位, value, 口径, pending, is_sample.

    A 县市区 row follows its 市州's, with the 市州's name and its own; a 市州 (`region_code`) includes its 县市区. The
    省级单位 come after the 14 市州, their name in 市州. Published figures only unless `include_pending`; then
    `pending` marks figures still 待审核. 口径 names the version of the indicator's definition the figure was
    reported under: "2020年起" (catalog_indicators).
    """
    return con.execute(
        """
        select year, region_code, city_name, county_name, domain_name, indicator_name, unit, value,
            (
                select max(c.valid_from) || '年起'
                from catalog_indicators as c
                where c.code = v.indicator and c.valid_from <= v.year
            ) as caliber,
            pending, is_sample
        from scoped_values as v
        where include_pending = ?
            and (?::integer is null or year = ?)
            and (?::varchar is null or city_code = ?)
            and (?::varchar is null or domain = ?)
            and (not ? or value is not null)
        order by year, city_order, region_order, domain_order, indicator_order
        """,
        [include_pending, year, year, region_code, region_code, domain, domain, reported_only],
    ).fetchall()


def published_figures(con: Db, year: int) -> dict[tuple[str, str], float | None]:
    """(region_code, indicator) → the published figure of `year`: the template's 上年数."""
    rows = con.execute(
        "select region_code, indicator, value from visible_facts where not include_pending and year = ?", [year]
    ).fetchall()
    return {(r, i): v for r, i, v in rows}


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
