"""Global filters (年度, 市州) in the sidebar, kept in the URL so a view can be bookmarked and shared."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from etl import catalog

YEAR_KEY, CITIES_KEY = "filter_year", "filter_cities"


@dataclass(frozen=True)
class Filters:
    year: int | None
    cities: list[str]  # region codes, official order

    @property
    def city_names(self) -> list[str]:
        return [catalog.region_by_code()[c].name for c in self.cities]


def _names_to_codes(names: list[str]) -> list[str]:
    chosen = set(names)
    return [c.code for c in catalog.cities() if c.name in chosen]


def _initial_state(years: list[int]) -> None:
    """First run of a session: take the filters from the URL, else the latest year and all 市州."""
    if YEAR_KEY not in st.session_state:
        wanted = st.query_params.get("year", "")
        st.session_state[YEAR_KEY] = int(wanted) if wanted.isdigit() and int(wanted) in years else years[-1]
    if CITIES_KEY not in st.session_state:
        codes = [c for c in st.query_params.get_all("city") if c in catalog.region_by_code()]
        names = [catalog.region_by_code()[c].name for c in codes]
        st.session_state[CITIES_KEY] = names or [c.name for c in catalog.cities()]


def _select_all() -> None:
    st.session_state[CITIES_KEY] = [c.name for c in catalog.cities()]


def _clear() -> None:
    st.session_state[CITIES_KEY] = []


def sidebar(years: list[int]) -> Filters:
    """Draw the filters; with no data yet there is nothing to filter."""
    if not years:
        return Filters(None, [])
    if st.session_state.get(YEAR_KEY) not in years:
        st.session_state.pop(YEAR_KEY, None)
    _initial_state(years)
    with st.sidebar:
        st.selectbox("年度", options=years[::-1], placeholder="请选择", key=YEAR_KEY, format_func=lambda y: f"{y}年")
        st.multiselect("市州", options=[c.name for c in catalog.cities()], key=CITIES_KEY, placeholder="选择市州")
        left, right = st.columns(2)
        left.button("全部", on_click=_select_all, width="stretch", key="filter_all")
        right.button("清空", on_click=_clear, width="stretch", key="filter_clear")
    filters = Filters(st.session_state[YEAR_KEY], _names_to_codes(st.session_state[CITIES_KEY]))
    st.query_params["year"] = str(filters.year)
    st.query_params["city"] = filters.cities
    st.session_state["filters"] = filters
    return filters


def current() -> Filters:
    """The filters app.py drew for this run."""
    return st.session_state.get("filters", Filters(None, []))
