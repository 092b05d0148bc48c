"""The sections a domain page adds below its 市州 figures: 任务数 and 完成率, the 县市区 of a chosen 市州 (map,
ranking, table with codes) and the 省级单位' own figures. Each draws itself from the marts (ui.data) through a
pure builder (ui.county_view, ui.targets_view); figures from files and users are shown as text only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import catalog, charts
from etl.roles import STATISTICIAN
from ui import auth, chrome, county_view, data, filters, tables, targets_view
from ui.common import ALL_CITIES, downloads
from ui.tables import Table, pending_frame

CODE_COLUMN = county_view.CODE_COLUMN


def levels_of(code: str) -> tuple[str, ...]:
    """Who reports a measure: an indicator's levels; a derived rate is the 市州's and 县市区' where both parts are."""
    indicators = catalog.indicator_by_code()
    if code in indicators:
        return indicators[code].levels
    rate = catalog.rate_by_code()[code]
    both = set(indicators[rate.numerator].levels) & set(indicators[rate.denominator].levels)
    return tuple(level for level in ("city", "county") if level in both)


def targets(snap: data.Snapshot, chosen: filters.Filters, code: str, year: int, key: str) -> None:
    """The 市州's 任务数 and 完成率 of the year, when a 管理员 has set any."""
    if code not in catalog.indicator_by_code():
        return
    frame = data.targets(snap, chosen.include_pending, year, code)
    view = targets_view.build(frame, code=code, year=year, level="city")
    if view is not None:
        name = catalog.indicator_by_code()[code].name
        _show_targets(view, f"{year}年各市州{name}任务完成情况", f"{key}_targets", name, year, ALL_CITIES)


def _show_targets(view: targets_view.TargetsView, title: str, key: str, name: str, year: int, regions) -> None:  # noqa: ANN001
    st.subheader(title)
    st.caption(view.caption)
    if view.bar is not None:
        st.plotly_chart(charts.thawed(view.bar), key=f"{key}_bar", config=chrome.PLOTLY_CONFIG)
    tables.figures(view.table, view.kinds, key=f"{key}_table")
    downloads(view.table, name=f"{year}年{name}_任务完成率", title=title, key=f"{key}_dl", kind=view.kinds,
              regions=regions)  # fmt: skip


def counties(snap: data.Snapshot, chosen: filters.Filters, code: str, year: int, key: str) -> None:
    """Drill down from a 市州 to its 县市区: the map and ranking of the year, the 县市区 × 年度 table with codes."""
    name, unit = catalog.measure_name_unit(code)
    st.subheader(f"{name}：县市区")
    cities = [c for c in catalog.cities() if c.code in chosen.cities] or list(catalog.cities())
    user = auth.current_user()
    own = user.region_code if user and user.role == STATISTICIAN else None
    default = next((i for i, c in enumerate(cities) if c.code == own), 0)
    city = st.selectbox("查看市州", cities, index=default, format_func=lambda c: c.name, key=f"{key}_county_city")
    view = county_view.cached(snap, chosen.include_pending, code, city.code, year)
    if view.map is None:
        st.info(f"{city.name}{year}年尚无县市区填报{name}。")
    else:
        left, right = st.columns(2)
        left.plotly_chart(charts.thawed(view.map), key=f"{key}_county_map", config=chrome.PLOTLY_CONFIG)
        right.plotly_chart(charts.thawed(view.ranking), key=f"{key}_county_rank", config=chrome.PLOTLY_CONFIG)
    st.caption(view.caption)
    tables.figures(view.table, view.kind, key=f"{key}_county_table")
    st.caption(
        f"单位：{unit}；行政区划代码为今天的代码，撤县设市等改过代码的县市区在同一行，括号内注明原名称和原代码。"
    )
    title = f"{city.name}各县市区{name}（{unit}）：县市区 × 年度"
    downloads(view.table, name=f"{city.name}{name}_县市区x年度", title=title, key=f"{key}_county_dl",
              kind=view.kind, regions=(city.code,))  # fmt: skip
    if code in catalog.indicator_by_code():
        frame = data.targets(snap, chosen.include_pending, year, code)
        done = targets_view.build(frame, code=code, year=year, level="county", city_code=city.code)
        if done is not None:
            title = f"{year}年{city.name}各县市区{name}任务完成情况"
            _show_targets(done, title, f"{key}_county_targets", name, year, (city.code,))


def unit_table(frame: pd.DataFrame) -> Table:
    """省级单位 × 年度 with codes (NaN = 未填报; 待审核 flagged)."""
    years = sorted(int(y) for y in set(frame["year"]))
    units = [u for u in catalog.units() if u.code in set(frame["region_code"])]
    cells = {(r.region_code, int(r.year)): r for r in frame.itertuples()}
    rows: dict[str, list] = {CODE_COLUMN: [u.code for u in units]}
    pending = set()
    for y in years:
        column = f"{y}年"
        found = [cells.get((u.code, y)) for u in units]
        rows[column] = [None if r is None or r.value != r.value else float(r.value) for r in found]
        pending |= {(u.name, column) for u, r in zip(units, found, strict=True) if r is not None and r.pending}
    table = pd.DataFrame(rows, index=pd.Index([u.name for u in units], name="省级单位"))
    return Table(table, pending_frame(table, pending), frame)


def units(snap: data.Snapshot, chosen: filters.Filters, code: str, year: int, key: str) -> None:
    """The 省级单位' own figures of a province-level indicator, every year, and their 任务数."""
    name, unit = catalog.measure_name_unit(code)
    st.subheader(f"{name}：省级单位")
    frame = data.units(snap, chosen.include_pending, code)
    if frame.dropna(subset=["value"]).empty:
        st.info(f"尚无省级单位填报{name}。")
        return
    table = unit_table(frame)
    kind = catalog.measure_kind(code)
    tables.figures(table, kind, key=f"{key}_units_table")
    st.caption(f"单位：{unit}；省妇联机关各部门和省直妇工委填报的本单位数字，不计入各市州合计。")
    downloads(table, name=f"{name}_省级单位x年度", title=f"{name}（{unit}）：省级单位 × 年度", key=f"{key}_units_dl",
              kind=kind)  # fmt: skip
    done = targets_view.build(data.targets(snap, chosen.include_pending, year, code), code=code, year=year,
                              level="unit")  # fmt: skip
    if done is not None:
        _show_targets(done, f"{year}年省级单位{name}任务完成情况", f"{key}_unit_targets", name, year, ALL_CITIES)
