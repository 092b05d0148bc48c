"""Global filters (年度, 市州, 含待审核数据) in the sidebar, kept in the URL so a view can be bookmarked and shared."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from etl import catalog, config, roles
from etl.roles import User

YEAR_KEY, CITIES_KEY, PENDING_KEY = "filter_year", "filter_cities", "filter_pending"
ALL_CITIES = tuple(c.code for c in catalog.cities())


@dataclass(frozen=True)
class Filters:
    year: int | None
    cities: tuple[str, ...]  # region codes, official order
    include_pending: bool = False

    @property
    def city_names(self) -> list[str]:
        return [catalog.region_by_code()[c].name for c in self.cities]

    @property
    def every_city(self) -> bool:
        return self.cities == ALL_CITIES


def year_options(
    user: User, published: dict[int, dict], with_pending: dict[int, dict], deadlines: dict, collecting: int,
    threshold: int | None = None,
) -> tuple[list[int], int | None]:  # fmt: skip
    """(years offered, oldest first; the default year).

    Staff work on the year being collected, even before its first return (a deadline can be set ahead); a leader
    lands on the newest year in which at least `threshold` 市州 have every 类别 published, else the newest with
    published figures.
    """
    if user.role in roles.STAFF:
        return sorted(set(with_pending) | set(published) | set(deadlines) | {collecting}), collecting
    threshold = config.COMPLETE_CITIES if threshold is None else threshold
    options = sorted(published)
    complete = [y for y in options if published[y]["cities_complete"] >= threshold]
    return options, (complete[-1] if complete else (options[-1] if options else None))


def _names_to_codes(names: list[str]) -> tuple[str, ...]:
    chosen = set(names)
    return tuple(c.code for c in catalog.cities() if c.name in chosen)


def _initial_state(years: list[int], default: int, may_pend: bool) -> None:
    """First run of a session: take the filters from the URL, else the default year and all 市州."""
    if YEAR_KEY not in st.session_state:
        wanted = st.query_params.get("year", "")
        st.session_state[YEAR_KEY] = int(wanted) if wanted.isdigit() and int(wanted) in years else default
    if CITIES_KEY not in st.session_state:
        codes = [c for c in st.query_params.get_all("city") if c in catalog.region_by_code()]
        names = [catalog.region_by_code()[c].name for c in codes]
        st.session_state[CITIES_KEY] = _in_official_order(names) or [c.name for c in catalog.cities()]
    if PENDING_KEY not in st.session_state:
        st.session_state[PENDING_KEY] = may_pend and st.query_params.get("pending") == "1"


def _in_official_order(names: list[str]) -> list[str]:
    chosen = set(names)
    return [c.name for c in catalog.cities() if c.name in chosen]


def _sort_chips() -> None:
    """Chips stay in the official order, whatever order they were picked in."""
    st.session_state[CITIES_KEY] = _in_official_order(st.session_state[CITIES_KEY])


def _select_all() -> None:
    st.session_state[CITIES_KEY] = [c.name for c in catalog.cities()]


def _clear() -> None:
    st.session_state[CITIES_KEY] = []


def sidebar(user: User, years: list[int], default: int | None) -> Filters:
    """Draw the filters; with no year to show there is nothing to filter."""
    if not years:
        st.session_state["filters"] = Filters(None, ())
        return st.session_state["filters"]
    if st.session_state.get(YEAR_KEY) not in years:
        st.session_state.pop(YEAR_KEY, None)
    may_pend = roles.allowed(user, roles.PENDING)
    _initial_state(years, default, may_pend)
    with st.sidebar:
        st.selectbox("年度", options=years[::-1], placeholder="请选择", key=YEAR_KEY, format_func=lambda y: f"{y}年")
        st.multiselect(
            "市州", options=[c.name for c in catalog.cities()], key=CITIES_KEY, placeholder="选择市州",
            on_change=_sort_chips,
        )  # fmt: skip
        left, right = st.columns(2)
        left.button("全部", on_click=_select_all, width="stretch", key="filter_all")
        right.button("清空", on_click=_clear, width="stretch", key="filter_clear")
        if may_pend:
            st.toggle("含待审核数据", key=PENDING_KEY, help="显示已上报、尚未审核通过的数据（图中以斜线标出）。")
    pending = may_pend and bool(st.session_state[PENDING_KEY])
    filters = Filters(st.session_state[YEAR_KEY], _names_to_codes(st.session_state[CITIES_KEY]), pending)
    st.query_params["year"] = str(filters.year)
    st.query_params["city"] = list(filters.cities)
    if pending:
        st.query_params["pending"] = "1"
    else:
        st.query_params.pop("pending", None)
    st.session_state["filters"] = filters
    return filters


def current() -> Filters:
    """The filters app.py drew for this run."""
    return st.session_state.get("filters", Filters(None, ()))
