"""Pure pandas over the current-values frame: totals with coverage, rankings, tables and derived rates."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl import catalog, totals

CITY_COUNT = len(catalog.cities())


@dataclass(frozen=True)
class Rate:
    """A derived figure: numerator / denominator × factor, shown where it means something."""

    code: str
    name: str
    domain: str
    numerator: str
    denominator: str
    factor: float
    unit: str


RATES = (
    Rate("placement_rate", "岗位转化率", "jobs", "women_employed", "jobs_offered", 100, "%"),
    Rate("average_loan", "平均每笔贷款", "loans", "loan_amount", "loan_count", 1, "万元"),
    Rate("jobs_per_loan", "每笔带动就业", "loans", "jobs_created", "loan_count", 1, "人"),
    Rate("detection_rate", "检出率", "screening", "cases_found", "screened_total", 10_000, "每万人"),
    Rate("leaders_per_station", "每站带头人数", "ecommerce", "female_leaders", "village_stations", 1, "人"),
)


@dataclass(frozen=True)
class Total:
    value: float | None
    reported: int  # 市州 with a value
    of: int = CITY_COUNT

    @property
    def coverage(self) -> str:
        return f"{self.reported}/{self.of} 市州已填报"


def years(df: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in df["year"].dropna().unique())


def city_frame() -> pd.DataFrame:
    """The 14 市州 in official order: code, name."""
    return pd.DataFrame([(c.code, c.name) for c in catalog.cities()], columns=["region_code", "region_name"])


def series(df: pd.DataFrame, code: str) -> pd.DataFrame:
    """region_code, year, value of an indicator or a derived rate (NaN = 未填报)."""
    rate = RATE_BY_CODE.get(code)
    if rate is not None:
        return rate_values(df, rate)
    return df.loc[df["indicator"] == code, ["region_code", "year", "value"]]


def by_city(values: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per 市州 (all 14, official order) with its value for the year; NaN = 未填报."""
    rows = values.loc[values["year"] == year, ["region_code", "value"]]
    return city_frame().merge(rows, on="region_code", how="left")


def province_total(values: pd.DataFrame, year: int) -> Total:
    shown = by_city(values, year)["value"]
    return Total(totals.province_total(shown), int(shown.notna().sum()))


def change_on_year_before(values: pd.DataFrame, year: int) -> tuple[float, float | None] | None:
    """(absolute, %) change of the province total on the year before, over the 市州 that reported both years."""
    now = by_city(values, year).set_index("region_code")["value"]
    before = by_city(values, year - 1).set_index("region_code")["value"]
    both = now.notna() & before.notna()
    if not both.any():
        return None
    current, previous = float(now[both].sum()), float(before[both].sum())
    return current - previous, ((current - previous) / previous * 100) if previous else None


def city_year_table(values: pd.DataFrame, cities: list[str], all_years: list[int]) -> pd.DataFrame:
    """市州 × 年度, exact values, NaN = 未填报; rows in official order, one column per year."""
    rows = values[values["region_code"].isin(cities)]
    table = rows.pivot_table(index="region_code", columns="year", values="value", aggfunc="first", dropna=False)
    order = [c for c in city_frame()["region_code"] if c in cities]
    table = table.reindex(index=order, columns=all_years)
    table.index = pd.Index([catalog.region_by_code()[c].name for c in table.index], name="市州")
    table.columns = [f"{y}年" for y in table.columns]
    return table


def domain_coverage(df: pd.DataFrame, year: int) -> dict[str, int]:
    """How many 市州 reported each domain in the year (a slice with at least one value)."""
    rows = df[(df["year"] == year) & df["value"].notna()]
    counts = rows.groupby("domain")["region_code"].nunique()
    return {d.code: int(counts.get(d.code, 0)) for d in catalog.domains()}


RATE_BY_CODE = {r.code: r for r in RATES}


def rate_values(df: pd.DataFrame, rate: Rate) -> pd.DataFrame:
    """region_code, year, value of a derived rate where both parts are reported and the denominator isn't 0."""
    parts = df[df["indicator"].isin([rate.numerator, rate.denominator])]
    wide = parts.pivot_table(index=["region_code", "year"], columns="indicator", values="value", aggfunc="first")
    if rate.numerator not in wide or rate.denominator not in wide:
        return pd.DataFrame(columns=["region_code", "year", "value"])
    denominator = wide[rate.denominator].where(wide[rate.denominator] != 0)
    wide["value"] = wide[rate.numerator] / denominator * rate.factor
    return wide["value"].dropna().reset_index()


def ranks(df: pd.DataFrame, year: int) -> pd.DataFrame:
    """For every indicator in the year: each reporting 市州's rank (1 = largest) and share of the province total."""
    rows = df[(df["year"] == year) & df["value"].notna()].copy()
    rows["rank"] = rows.groupby("indicator")["value"].rank(ascending=False, method="min").astype(int)
    totals = rows.groupby("indicator")["value"].transform("sum")
    rows["share"] = (rows["value"] / totals.where(totals != 0)) * 100
    rows["reported"] = rows.groupby("indicator")["region_code"].transform("nunique")
    return rows


def sample_share(df: pd.DataFrame) -> bool:
    """True when anything shown comes from sample (示例) submissions."""
    return bool(len(df)) and bool(df["is_sample"].fillna(False).any())


def city_indicator_table(df: pd.DataFrame, region_code: str, domain: str) -> pd.DataFrame:
    """One 市州's indicators of a domain (rows, with unit) × years (columns); NaN = 未填报."""
    rows = df[(df["region_code"] == region_code) & (df["domain"] == domain)]
    table = rows.pivot_table(index="indicator", columns="year", values="value", aggfunc="first", dropna=False)
    indicators = catalog.domain_indicators(domain)
    table = table.reindex(index=[i.code for i in indicators], columns=years(df))
    table.index = pd.Index([i.label for i in indicators], name="指标")
    table.columns = [f"{y}年" for y in table.columns]
    return table
