"""数据导出: figures by 年度, 市州, 类别 and 指标 as tidy CSV, wide CSV or Excel (formula-safe); published figures
only, unless 含待审核数据 is on (then labelled 待审核)."""

import streamlit as st

from etl import catalog
from etl.roles import EXPORT, STATISTICIAN
from ui import auth, data, export, filters, handout, tables
from ui.common import XLSX_MIME, download, require_data, sample_notice, today, year_banner

user = auth.require(EXPORT)
st.title("数据导出")
snap, chosen = data.snapshot(), filters.current()
known = data.years(snap)
pending = chosen.include_pending
if require_data(known, pending):
    years = sorted(known.with_pending if pending else known.published)
    latest = chosen.year if chosen.year in years else years[-1]
    st.caption("导出含待审核数据，文件中标“待审核”。" if pending else "导出已审核通过的数据。")
    left, right = st.columns(2)
    first = left.selectbox(
        "起始年度", years, index=years.index(latest), format_func="{}年".format, placeholder="请选择", key="export_from"
    )
    later = [y for y in years if y >= first]
    default_last = later.index(latest) if latest in later else 0
    last = right.selectbox(
        "截止年度", later, index=default_last, format_func="{}年".format, placeholder="请选择", key="export_to"
    )
    # A 统计员 exports their own 市州 only; the download checks again when clicked.
    own_only = user.role == STATISTICIAN
    cities = {c.code: c.name for c in catalog.cities() if not own_only or c.code == user.region_code}
    if own_only:
        st.caption(f"统计员只能导出本市州（{cities[user.region_code]}）的数据。")
    domains = {d.code: d.name for d in catalog.domains()}
    sidebar = [c for c in cities if c in chosen.cities] or list(cities)  # the sidebar's 市州 to start with
    chosen_cities = st.multiselect(
        "市州", list(cities), default=sidebar, format_func=cities.get, placeholder="请选择（可多选）",
        key="export_cities",
    )  # fmt: skip
    chosen_domains = st.multiselect(
        "类别", list(domains), default=list(domains), format_func=domains.get, placeholder="请选择（可多选）",
        key="export_domains",
    )  # fmt: skip
    indicators = {i.code: i for i in catalog.indicators() if i.domain in chosen_domains}
    chosen_indicators = st.multiselect(
        "指标",
        list(indicators),
        format_func=lambda c: indicators[c].label,
        placeholder="不选即导出所选类别的全部指标",
        key="export_indicators",
    )
    selection = export.Selection(first, last, tuple(chosen_cities), tuple(chosen_domains), tuple(chosen_indicators))
    wide_year = st.selectbox(
        "宽表年度（市州 × 指标，用于宽表 CSV 和 Excel 第一页）",
        later[: later.index(last) + 1][::-1],
        format_func="{}年".format,
        placeholder="请选择",
        key="export_wide_year",
    )
    year_banner(known, wide_year, today())
    rows = data.export_rows(
        snap, pending, first, last, selection.city_codes_tuple(), tuple(selection.indicator_codes())
    )
    as_of = handout.data_date(data.data_date(snap, pending))
    view = export.build(rows, data.province(snap, pending, year=wide_year), selection, wide_year, pending, as_of)
    tidy = view.tidy
    if not chosen_cities or not chosen_domains:
        st.info("请至少选择一个市州和一个类别。")
    elif tidy.empty:
        st.info("所选条件下没有已填报的数据，请调整年度、市州或指标。")
    else:
        sample_notice(view.is_sample)
        span = export.year_span(selection)
        buttons = st.columns(3)
        download(
            buttons[0], "明细 CSV（标准格式）", view.tidy_csv,
            file_name=f"{span}妇联统计数据明细.csv", mime="text/csv", key="export_tidy_csv", regions=chosen_cities,
        )  # fmt: skip
        download(
            buttons[1], f"{wide_year}年宽表 CSV", view.wide_csv,
            file_name=f"{wide_year}年各市州妇联统计数据.csv", mime="text/csv", key="export_wide_csv",
            regions=chosen_cities,
        )  # fmt: skip
        download(
            buttons[2],
            "Excel（.xlsx）",
            view.xlsx,
            file_name=f"{span}妇联统计数据.xlsx",
            mime=XLSX_MIME,
            key="export_xlsx",
            regions=chosen_cities,
        )
        shown = min(len(tidy), export.PREVIEW_ROWS)
        st.caption(f"共 {len(tidy)} 行已填报数据" + (f"，下表预览前 {shown} 行。" if len(tidy) > shown else "。"))
        # With 含待审核数据 the 审核状态 column says which figures are 待审核.
        tables.per_unit_column(tidy.head(shown), "数值", "单位", plain=("年度",), hide_index=True, key="export_preview")
