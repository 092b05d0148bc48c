"""Read the marts (marts.sql): every figure a page, the briefing, an export or the CLI shows comes from here.

Each read takes `include_pending` (False: published figures only) and returns a pandas DataFrame (pandas loads
lazily, through DuckDB) in official order.
"""

from __future__ import annotations

from etl.warehouse.db import Db

# The filters a read may take: SQL text from this table only, values always as parameters. Leaving out the
# conditions not asked for (rather than `? is null or …`) lets DuckDB push the rest down to the scan.
_FILTERS = {"measure": "measure = ?", "year": "year = ?", "region_code": "region_code = ?", "domain": "domain = ?"}


def _where(include_pending: bool, **filters: object) -> tuple[str, list]:
    given = {k: v for k, v in filters.items() if v is not None}
    clauses = ["include_pending = ?", *(_FILTERS[k] for k in given)]
    return " and ".join(clauses), [include_pending, *given.values()]


CITY_COLUMNS = (
    "year, region_code, region_name, region_order, domain, measure, kind, value, pending, is_sample, rank, reported,"
    " share, previous_value, change_pct"
)
PROVINCE_COLUMNS = (
    "year, measure, domain, kind, reported, total, average, pending_cities, is_sample, comparable, change, change_pct"
)


def city(
    con: Db,
    include_pending: bool,
    *,
    measure: str | None = None,
    year: int | None = None,
    region_code: str | None = None,
    domain: str | None = None,
):  # noqa: ANN201 - a pandas DataFrame
    """Each 市州's figures (NULL = 未填报 in a reported slice) with rank, share of the province and last year's."""
    where, params = _where(include_pending, measure=measure, year=year, region_code=region_code, domain=domain)
    return con.execute(
        f"select {CITY_COLUMNS} from mart_city where {where} order by year, region_order, measure", params
    ).df()


def city_values(
    con: Db,
    include_pending: bool,
    *,
    measure: str | None = None,
    region_code: str | None = None,
    domain: str | None = None,
):  # noqa: ANN201 - a pandas DataFrame
    """Each 市州's figures over the years, without ranks (cheaper): year, region_code, measure, value, pending."""
    where, params = _where(include_pending, measure=measure, region_code=region_code, domain=domain)
    return con.execute(
        f"select year, region_code, domain, measure, value, pending, is_sample from city_measures where {where}"
        " order by year, region_code, measure",
        params,
    ).df()


def province(con: Db, include_pending: bool, *, measure: str | None = None, year: int | None = None):  # noqa: ANN201 - a pandas DataFrame
    """The province's total, true average, coverage and change on the year before, per year and measure."""
    where, params = _where(include_pending, measure=measure, year=year)
    return con.execute(
        f"select {PROVINCE_COLUMNS} from mart_province where {where} order by year, measure", params
    ).df()


def coverage(con: Db, include_pending: bool) -> dict[tuple[int, str], tuple[int, int]]:
    """(year, domain) → (市州 that reported it, of which pending)."""
    rows = con.execute(
        "select year, domain, reported, pending from mart_coverage where include_pending = ?", [include_pending]
    ).fetchall()
    return {(y, d): (r, p) for y, d, r, p in rows}


def year_status(con: Db, include_pending: bool) -> dict[int, dict]:
    """year → cities (14), cities_reported, cities_complete (every 类别), missing and incomplete names."""
    cursor = con.execute(
        "select year, cities, cities_reported, cities_complete, missing, incomplete from mart_year"
        " where include_pending = ? order by year",
        [include_pending],
    )
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def last_submitted(con: Db, include_pending: bool):  # noqa: ANN201 - a datetime or None
    """When the newest figure on show in this scope was reported (Beijing time, as stored): the 数据截至 of a
    handed-on table."""
    return con.execute(
        "select max(s.submitted_at) from visible_facts as f inner join submissions as s using (submission_id)"
        " where f.include_pending = ? and f.is_city and f.value is not null",
        [include_pending],
    ).fetchone()[0]


# ---------------------------------------------------------------- 县市区, 省级单位, 任务数

COUNTY_COLUMNS = (
    "year, region_code, lineage_code, region_name, region_order, city_code, domain, measure, kind, value, pending,"
    " is_sample, rank, reported, share, previous_value, change_pct"
)
UNIT_COLUMNS = "year, region_code, region_name, region_order, domain, measure, value, pending, is_sample"
TARGET_COLUMNS = (
    "year, region_code, region_name, level, city_code, region_order, domain, indicator, target, actual, pending,"
    " is_sample, completion_pct, met, completion_rank"
)


def county(con: Db, include_pending: bool, *, measure: str, city_code: str, year: int | None = None):  # noqa: ANN201 - a pandas DataFrame
    """The 县市区 of one 市州: each one's figure (under the code of its year) with its line's today's code, rank
    among its 市州's 县市区 and change on its line's figure the year before."""
    where, params = _where(include_pending, measure=measure, year=year)
    return con.execute(
        f"select {COUNTY_COLUMNS} from mart_county where {where} and city_code = ? order by year, region_order",
        [*params, city_code],
    ).df()


def units(con: Db, include_pending: bool, *, measure: str):  # noqa: ANN201
    """The 省级单位' own figures of one indicator, every year."""
    where, params = _where(include_pending, measure=measure)
    return con.execute(f"select {UNIT_COLUMNS} from mart_unit where {where} order by year, region_order", params).df()


def targets(con: Db, include_pending: bool, *, year: int | None = None, indicator: str | None = None):  # noqa: ANN201
    """Every target (of a year, of an indicator) beside the figure on show for it, with 完成率 and its rank."""
    given = {k: v for k, v in {"year": year, "indicator": indicator}.items() if v is not None}
    where = " and ".join(["include_pending = ?", *(f"{k} = ?" for k in given)])
    return con.execute(
        f"select {TARGET_COLUMNS} from mart_targets where {where} order by year, indicator, region_order",
        [include_pending, *given.values()],
    ).df()
