"""The one UI module that opens the warehouse: cached, read-only reads keyed by the warehouse's version.

Every cached read takes a `Snapshot` (the warehouse and its version, which changes whenever a write commits — a
DuckDB file's mtime, or PostgreSQL's data version, shared by every app process — so an upload or a review shows
at the next rerun, whichever process took it) and every other input as explicit arguments; nothing is read from a global
inside a cached function. Figures come from the marts (etl/warehouse/marts.sql); nothing is recomputed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple, TypeVar

import pandas as pd
import streamlit as st

from etl import briefing as briefing_text
from etl import briefing_figures, catalog, config, warehouse
from etl.catalog import Catalogue
from etl.warehouse import catalog_store, marts
from ui import plain

T = TypeVar("T")
CACHE = {"show_spinner": False, "max_entries": 64}


class Snapshot(NamedTuple):
    """Which warehouse, at which version: the key of every cached read."""

    path: str
    version: tuple

    @property
    def exists(self) -> bool:
        return self.version[0] is not None


def warehouse_version(path: Path) -> tuple:
    """Changes whenever a write commits (etl.warehouse.version)."""
    return warehouse.version(path)


def snapshot() -> Snapshot:
    path = config.warehouse_path()
    try:
        return Snapshot(str(path), warehouse_version(path))
    except warehouse.WarehouseError as exc:  # the database server is unreachable
        st.error(plain.markdown(exc), icon=":material/error:")
        st.stop()
        raise


def _read(snap: Snapshot, work: Callable[..., T], empty: T) -> T:
    """Run `work(con)` on a read-only connection; `empty` when there is no warehouse yet."""
    if not snap.exists:
        return empty
    try:
        with warehouse.connect(Path(snap.path), read_only=True) as con:
            return work(con)
    except warehouse.WarehouseMissing:
        return empty
    except warehouse.WarehouseError as exc:  # damaged, or held by a writer longer than the bounded wait
        st.error(plain.markdown(exc), icon=":material/error:")
        st.stop()  # every page needs the warehouse: say once what to do, draw nothing misleading
        raise


# ---------------------------------------------------------------- the catalogue


@st.cache_resource(show_spinner=False, max_entries=8)
def catalogue(snap: Snapshot) -> Catalogue:
    """The warehouse's catalogue (shared, immutable: a resource, not a copy per call); the shipped one before
    there is a warehouse."""
    return _read(snap, catalog_store.catalogue, catalog.shipped())


def use_catalogue(snap: Snapshot) -> Catalogue:
    """Make the warehouse's catalogue the one etl.catalog's functions answer from, for this run (app.py)."""
    return catalog.activate(catalogue(snap))


@st.cache_data(**CACHE)
def catalogue_revisions(snap: Snapshot) -> list[dict]:
    """The newest revisions of the catalogue: who changed what, when, why."""
    return _read(snap, catalog_store.revisions, [])


@st.cache_data(**CACHE)
def published_figures(snap: Snapshot, year: int) -> dict[tuple[str, str], float | None]:
    """(region_code, indicator) → the published figure of `year` (the template's 上年数)."""
    return _read(snap, lambda con: warehouse.published_figures(con, year), {})


# ---------------------------------------------------------------- figures (marts)

_CITY = pd.DataFrame(columns=marts.CITY_COLUMNS.replace(" ", "").split(","))
_PROVINCE = pd.DataFrame(columns=marts.PROVINCE_COLUMNS.replace(" ", "").split(","))
_VALUES = pd.DataFrame(columns=["year", "region_code", "domain", "measure", "value", "pending", "is_sample"])


@st.cache_data(**CACHE)
def city(
    snap: Snapshot, include_pending: bool, measure: str | None = None, year: int | None = None,
    region_code: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    """mart_city: each 市州's figure, rank, share and change."""
    return _read(snap, lambda con: marts.city(con, include_pending, measure=measure, year=year,
                                              region_code=region_code), _CITY)  # fmt: skip


@st.cache_data(**CACHE)
def city_values(
    snap: Snapshot, include_pending: bool, measure: str | None = None, region_code: str | None = None
) -> pd.DataFrame:
    """Each 市州's figures over the years, without ranks."""
    return _read(
        snap, lambda con: marts.city_values(con, include_pending, measure=measure, region_code=region_code), _VALUES
    )


@st.cache_data(**CACHE)
def province(
    snap: Snapshot, include_pending: bool, measure: str | None = None, year: int | None = None
) -> pd.DataFrame:
    """mart_province: total, true average, coverage and change of the province."""
    return _read(snap, lambda con: marts.province(con, include_pending, measure=measure, year=year), _PROVINCE)


_COUNTY = pd.DataFrame(columns=marts.COUNTY_COLUMNS.replace(" ", "").split(","))
_UNITS = pd.DataFrame(columns=marts.UNIT_COLUMNS.replace(" ", "").split(","))
_TARGETS = pd.DataFrame(columns=marts.TARGET_COLUMNS.replace(" ", "").split(","))


@st.cache_data(**CACHE)
def county(snap: Snapshot, include_pending: bool, measure: str, city_code: str) -> pd.DataFrame:
    """mart_county: the 县市区 of one 市州, every year."""
    return _read(snap, lambda con: marts.county(con, include_pending, measure=measure, city_code=city_code), _COUNTY)


@st.cache_data(**CACHE)
def units(snap: Snapshot, include_pending: bool, measure: str) -> pd.DataFrame:
    """mart_unit: the 省级单位' figures of one indicator, every year."""
    return _read(snap, lambda con: marts.units(con, include_pending, measure=measure), _UNITS)


@st.cache_data(**CACHE)
def targets(snap: Snapshot, include_pending: bool, year: int | None, indicator: str | None) -> pd.DataFrame:
    """mart_targets: 任务数 beside the figures on show, with 完成率."""
    return _read(snap, lambda con: marts.targets(con, include_pending, year=year, indicator=indicator), _TARGETS)


@st.cache_data(**CACHE)
def targets_list(snap: Snapshot, year: int) -> list[dict]:
    """The targets set for a year, with who set them (the 任务数 page)."""
    return _read(snap, lambda con: warehouse.targets_of(con, year), [])


@st.cache_data(**CACHE)
def coverage(snap: Snapshot, include_pending: bool) -> dict[tuple[int, str], tuple[int, int]]:
    return _read(snap, lambda con: marts.coverage(con, include_pending), {})


@st.cache_data(**CACHE)
def data_date(snap: Snapshot, include_pending: bool) -> datetime | None:
    """When the newest figure on show in this scope was reported: 数据截至 of the Excel files."""
    return _read(snap, lambda con: marts.last_submitted(con, include_pending), None)


@dataclass(frozen=True)
class Years:
    """What the year filter offers and defaults to."""

    published: dict[int, dict]  # year → mart_year row, published scope
    with_pending: dict[int, dict]  # the same with pending figures
    deadlines: dict[int, date]


@st.cache_data(**CACHE)
def years(snap: Snapshot) -> Years:
    def work(con) -> Years:  # noqa: ANN001
        return Years(marts.year_status(con, False), marts.year_status(con, True), warehouse.deadlines(con))

    return _read(snap, work, Years({}, {}, {}))


@st.cache_data(**CACHE)
def briefing(snap: Snapshot, wording: tuple, year: int, include_pending: bool, as_of: date) -> briefing_text.Briefing:
    """The year's briefing, rebuilt when the warehouse, the wording file or the day changes."""

    def work(con) -> briefing_text.Briefing:  # noqa: ANN001
        figures = briefing_text.read_figures(con, year, include_pending=include_pending, as_of=as_of)
        return briefing_text.build_briefing(figures)

    return _read(snap, work, None)


@st.cache_data(show_spinner=False, max_entries=8)
def briefing_images(
    snap: Snapshot, year: int, include_pending: bool, as_of: date
) -> tuple[list[tuple[str, bytes]], str | None]:
    """The briefing's charts as PNGs (and why there are none, if so): seconds of Chromium, so once per warehouse
    version, year and scope."""

    def work(con) -> briefing_text.Figures:  # noqa: ANN001
        return briefing_text.read_figures(con, year, include_pending=include_pending, as_of=as_of)

    figures = _read(snap, work, None)
    return ([], None) if figures is None else briefing_figures.images(figures)


@st.cache_data(**CACHE)
def export_rows(
    snap: Snapshot, include_pending: bool, first: int, last: int, cities: tuple[str, ...], indicators: tuple[str, ...]
) -> pd.DataFrame:
    """The labelled values of a selection (NULL = 未填报), in official order, with their review state."""

    def work(con) -> pd.DataFrame:  # noqa: ANN001
        return export_frame(warehouse.current_values(con, reported_only=False, include_pending=include_pending))

    frame = _read(snap, work, export_frame([]))
    return frame[
        frame["year"].between(first, last) & frame["city_code"].isin(cities) & frame["indicator"].isin(indicators)
    ].reset_index(drop=True)


EXPORT_COLUMNS = [
    "year", "region_code", "city_name", "county_name", "domain_name", "indicator_name", "unit", "value", "caliber",
    "pending", "is_sample",
]  # fmt: skip


def export_frame(rows: list[tuple]) -> pd.DataFrame:
    """warehouse.current_values rows as a frame, with each indicator's code, the region's own name and its 市州's
    code (a 县市区 row goes with its 市州)."""
    frame = pd.DataFrame(rows, columns=EXPORT_COLUMNS)
    codes = {i.name: code for code, i in catalog.indicator_by_code().items()}
    return frame.assign(
        indicator=frame["indicator_name"].map(codes),
        region_name=frame["county_name"].fillna(frame["city_name"]),
        city_code=frame["region_code"].map(catalog.city_of),
    ).assign(county_name=frame["county_name"].fillna(""))  # a 市州's own row: 县市区 blank, not "None"


# ---------------------------------------------------------------- workflow: progress, history, review


@st.cache_data(**CACHE)
def progress(snap: Snapshot, year: int) -> tuple[list[dict], date | None, list[dict]]:
    """(市州 × 类别 rows, the year's 截止日期, its locks); every 市州 未报 when there is no warehouse yet."""

    def work(con) -> tuple[list[dict], date | None, list[dict]]:  # noqa: ANN001
        return warehouse.progress(con, year), warehouse.deadline_of(con, year), warehouse.locks_of(con, year)

    return _read(snap, work, (_nothing_reported(), None, []))


@st.cache_data(**CACHE)
def unreported(snap: Snapshot, year: int) -> dict[tuple[str, str], list[str]]:
    """(市州, 类别) → the indicators without a value on show: what a 催报 notice lists."""
    return _read(snap, lambda con: warehouse.unreported(con, year), {})


def _nothing_reported() -> list[dict]:
    return [
        {"region_code": c.code, "region_name": c.name, "region_order": c.sort_order, "domain": d.code,
         "domain_name": d.name, "domain_order": d.sort_order, "indicators": len(catalog.domain_indicators(d.code)),
         "reported": 0, "submitted_at": None, "status": None, "reviewed_by": None, "reviewed_at": None,
         "review_note": None}
        for c in catalog.cities()
        for d in catalog.domains()
    ]  # fmt: skip


@st.cache_data(**CACHE)
def returned(snap: Snapshot, city: str | None, year: int | None) -> list[dict]:
    """Returned versions not yet sent again, newest first (a 市州 includes its 县市区)."""
    return _read(snap, lambda con: warehouse.returned(con, city=city, year=year), [])


@st.cache_data(**CACHE)
def submissions(snap: Snapshot, year: int | None) -> list[dict]:
    return _read(snap, lambda con: warehouse.submissions_list(con, year=year), [])


@st.cache_data(**CACHE)
def submission_detail(snap: Snapshot, submission_id: int) -> tuple[list[dict], list[dict], tuple[str, str | None]]:
    def work(con) -> tuple:  # noqa: ANN001
        return (
            warehouse.submission_values(con, submission_id),
            warehouse.submission_issues_of(con, submission_id),
            warehouse.submission_file(con, submission_id),
        )

    return _read(snap, work, ([], [], ("", None)))


@st.cache_data(**CACHE)
def versions(snap: Snapshot, region_code: str, year: int, domain: str) -> list[dict]:
    return _read(snap, lambda con: warehouse.slice_versions_of(con, region_code, year, domain), [])


@st.cache_data(**CACHE)
def provenance(snap: Snapshot, region_code: str, year: int, indicator: str, include_pending: bool) -> dict | None:
    return _read(snap, lambda con: warehouse.provenance(con, region_code, year, indicator, include_pending), None)


@st.cache_data(**CACHE)
def review_queue(snap: Snapshot, year: int | None) -> list[dict]:
    return _read(snap, lambda con: warehouse.queue(con, year=year), [])


@st.cache_data(**CACHE)
def review_detail(snap: Snapshot, submission_id: int) -> tuple[list[dict], list[dict]]:
    return _read(snap, lambda con: warehouse.review_detail(con, submission_id), ([], []))


def receipt(db_path: Path, submission_id: int) -> dict:
    """What a submission's 回执 states. Read when its download is clicked (on the download's own thread, outside any
    page run): not cached, and a warehouse error is raised, never drawn."""
    with warehouse.connect(db_path, read_only=True) as con:
        return warehouse.receipt(con, submission_id)


def current_for_upload(snap: Snapshot, regions: frozenset[str], years: frozenset[int]) -> dict:
    """Values on show to staff (pending included) of the given regions and years: an upload's 现值. Not cached:
    read once per checked file, right before it is compared."""
    return _read(snap, lambda con: warehouse.previous_values(con, regions, years), {})
