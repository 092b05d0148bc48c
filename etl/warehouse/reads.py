"""Read current values: the tidy export, counts, and the frame the dashboard pages work on."""

from __future__ import annotations

import duckdb


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
