"""Drive the real Streamlit pages with AppTest over a real demo warehouse and an empty one."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest

from etl import catalog, charts
from etl.cn_format import cn_quantity
from etl.config import PROJECT_ROOT
from tests.apptest import (
    array,
    bar_colors,
    bar_values,
    column_formats,
    figures,
    missing_slots,
    new_app,
    open_page,
    texts,
)
from tests.conftest import read_db
from ui import chrome

APP = str(PROJECT_ROOT / "app.py")
DASHBOARDS = ["overview", "briefing", "jobs", "loans", "screening", "ecommerce", "city_profile"]
WORKFLOW = ["upload", "progress", "history", "export", "targets"]
PAGES = [f"app_pages/{name}.py" for name in DASHBOARDS + WORKFLOW]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_demo_warehouse(app, page):
    open_page(app, page)
    assert app.title[0].value


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_empty_warehouse(tmp_path, monkeypatch, page):
    monkeypatch.setenv("HNFL_WAREHOUSE", str(tmp_path / "none.duckdb"))
    at = open_page(new_app(), page)
    if page.removeprefix("app_pages/").removesuffix(".py") not in WORKFLOW:
        assert [i.value for i in at.info] == ["尚无数据，请先上报。"]
    assert not (tmp_path / "none.duckdb").exists()  # looking never creates a warehouse


def test_loans_page_shows_yiyang_2016_amount(app):
    at = open_page(app, "app_pages/loans.py", year=2016)
    at.selectbox(key="loans_indicator").set_value("loan_amount").run()
    bar, lines = figures(at)[:2]  # then the 县市区 map and ranking
    assert bar_values(bar)["益阳市"] == 10211
    assert "岳阳市" not in bar_values(bar)  # 2016 岳阳 amount was only "近亿元": not reported, no 0 bar
    assert missing_slots(bar) == ["岳阳市"]  # … but a slot marked 未填报, in the chart itself
    assert "未填报：岳阳市" in " ".join(c.value for c in at.caption)
    # The table ends with the province's rows (已报市州数 "14/14" is no figure): written by the formatter of the
    # measure's kind, right-aligned; 万元 with two decimals.
    table = at.dataframe[0].value
    assert table.loc["益阳市", "2016年"] == "10,211.00"
    assert table.loc["岳阳市", "2016年"] == "未填报"
    assert table.loc["已报市州数", "2016年"] == "13/14"
    assert set(column_formats(at.dataframe[0]).values()) == {"right"}
    assert at.dataframe[0].proto.placeholder == "未填报"
    assert {trace["name"] for trace in lines["data"]} >= {"益阳市", "长沙市"}


def test_ecommerce_shows_the_cities_that_did_not_report_as_slots(app):
    """农村电商 2024: two 市州 sent nothing for it; they keep their place in the bar, marked 未填报."""
    at = open_page(app, "app_pages/ecommerce.py", year=2024)
    bar = figures(at)[0]
    missing = missing_slots(bar)
    assert missing == ["张家界市", "湘西土家族苗族自治州"] and len(bar_values(bar)) == 12
    assert f"未填报：{'、'.join(missing)}。" in " ".join(c.value for c in at.caption)


def test_the_chosen_cities_stand_out_in_the_charts_and_fill_the_table(app):
    at = open_page(app, "app_pages/jobs.py", year=2016)
    at.selectbox(key="jobs_indicator").set_value("jobs_offered").run()
    bar, lines = figures(at)
    assert len(bar_values(bar)) == 14 and set(bar_colors(bar).values()) == {charts.BAR}  # one colour
    assert bar_values(bar)["株洲市"] == 75700
    # Every 市州 chosen: small multiples, a panel per 市州 in official order, each over the province's line.
    assert [t["name"] for t in lines["data"] if t["name"] != "全省平均"] == [c.name for c in catalog.cities()]
    assert [a["text"] for a in lines["layout"]["annotations"]][-1] == "湘西州"
    at.multiselect(key="filter_cities").set_value(["株洲市", "益阳市"]).run()
    bar, lines = figures(at)
    assert len(bar_values(bar)) == 14  # every 市州 still drawn, the chosen in the accent
    assert {n for n, c in bar_colors(bar).items() if c == charts.ACCENT} == {"株洲市", "益阳市"}
    assert bar["layout"]["title"]["subtitle"]["text"] == "各市州从高到低；红色为所选市州"
    # The chosen 市州 in colour, named at their ends, over the others in grey and the province's line.
    grey = lines["layout"]["template"]["data"]["scatter"][0]["line"]["color"]  # the others' style, given once
    drawn = {t["name"]: t.get("line", {}).get("color", grey) for t in lines["data"]}
    assert (drawn["株洲市"], drawn["益阳市"], drawn["长沙市"]) == (charts.ACCENT, charts.HIGHLIGHTS[1], charts.OTHER)
    assert [t["name"] for t in lines["data"]][-3:] == ["全省平均", "株洲市", "益阳市"]
    assert [a["text"] for a in lines["layout"]["annotations"]] == ["全省平均", "株洲市", "益阳市"]
    assert list(at.dataframe[0].value.index) == ["株洲市", "益阳市", "已报市州合计", "已报市州数"]
    assert at.query_params["city"] == ["430200", "430900"]
    at.button(key="filter_clear").click().run()  # 清空
    assert not at.exception
    assert texts(at.info) == ["所选市州没有历年数据。"]  # the bar stays, with no 市州 in red
    assert set(bar_colors(figures(at)[0]).values()) == {charts.BAR}
    at.button(key="filter_all").click().run()  # 全部
    assert len(bar_values(figures(at)[0])) == 14


def test_year_and_cities_come_from_the_url(app):
    app.query_params["year"] = "2016"
    app.query_params["city"] = ["430600"]
    at = open_page(app, "app_pages/screening.py")
    assert at.selectbox(key="filter_year").value == 2016
    assert at.multiselect(key="filter_cities").value == ["岳阳市"]
    bar = figures(at)[0]
    assert bar_values(bar)["岳阳市"] == 103200 and bar_colors(bar)["岳阳市"] == charts.ACCENT


def test_derived_rate_on_the_loans_page(app):
    at = open_page(app, "app_pages/loans.py", year=2016)
    at.selectbox(key="loans_indicator").set_value("average_loan").run()
    assert bar_values(figures(at)[0])["益阳市"] == pytest.approx(10211 / 878)


def test_overview_cards_and_coverage(app, demo_db):
    at = open_page(app, "app_pages/overview.py", year=2024)
    with read_db(demo_db) as con:
        (total,) = con.execute(
            "select sum(value) from current_values where year = 2024 and indicator = 'women_employed'"
        ).fetchone()
        (stations_cities,) = con.execute(
            "select count(distinct region_code) from current_values"
            " where year = 2024 and domain = 'ecommerce' and value is not null and region_level = 'city'"
        ).fetchone()
    assert at.metric[0].value == cn_quantity(total, "人")
    assert at.metric[0].label == "就业创业·实现就业妇女人数"
    assert at.metric[0].delta.startswith(("+", "−"))
    assert stations_cities == 12
    assert any("农村电商：12/14 市州" in p.proto.text for p in at.get("progress"))
    assert at.warning[0].value.startswith("示例数据")


def test_overview_map_holds_all_cities(app):
    at = open_page(app, "app_pages/overview.py", year=2016)
    at.selectbox(key="overview_indicator").set_value("village_stations").run()
    choropleth = next(f for f in figures(at) if any(t["type"] == "choropleth" for t in f["data"]))
    traces = [t for t in choropleth["data"] if t["type"] == "choropleth"]
    assert len({loc for t in traces for loc in array(t["locations"])}) == 14
    values = dict(zip(array(traces[0]["locations"]), array(traces[0]["z"]), strict=True))
    assert values["430500"] == 1287


def test_city_profile_shows_ranks_and_history(app):
    at = open_page(app, "app_pages/city_profile.py", year=2016)
    at.selectbox(key="profile_city").set_value("430200").run()
    jobs = at.dataframe[0].value
    assert jobs.loc["提供就业岗位数（个）", "2016年"] == "75,700"  # one unit per row: written per row
    assert jobs.loc["举办招聘会场次（场）", "2016年"] == "44"
    assert column_formats(at.dataframe[0])["2016年"] == "right"
    assert jobs.loc["提供就业岗位数（个）", "2016年排名"].startswith("第 ")


def test_a_page_table_downloads_ready_to_hand_on(app, downloads):
    """The 市州 × 年度 table's Excel: data date and filters, the province's rows from the marts, 示例 marks.
    (90253 holds 娄底's 1.5万 of the 2016 review.)"""
    at = open_page(app, "app_pages/jobs.py", year=2016)
    at.selectbox(key="jobs_indicator").set_value("women_employed").run()
    name = "实现就业妇女人数_市州x年度.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(downloads[name]())).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "实现就业妇女人数（人）：市州 × 年度"
    assert re.fullmatch(
        r"数据截至 \d{4}-\d\d-\d\d \d\d:\d\d（最近一次上报）；"
        r"页面筛选：年度 2016年；市州 全部 14 个市州；已审核通过的数据",
        rows[1][0],
    )
    assert rows[2][:2] == ["市州", "2016年"] and rows[2][-1] == "备注"
    assert [r[0] for r in rows[3:17]] == [c.name for c in catalog.cities()]
    assert rows[17][:2] == ["已报市州合计", 90253] and rows[18][:2] == ["已报市州数", "14/14"]
    assert {r[-1] for r in rows[3:17]} == {"示例"} and rows[17][-1] is None
    assert {ws.cell(row, 2).number_format for row in range(4, 19)} == {"#,##0"}
    at.multiselect(key="filter_cities").set_value(["株洲市", "益阳市"]).run()
    rows = [
        list(r)
        for r in openpyxl.load_workbook(io.BytesIO(downloads["实现就业妇女人数_市州x年度.xlsx"]())).active.values
    ]
    assert rows[1][0].endswith("页面筛选：年度 2016年；市州 株洲市、益阳市；已审核通过的数据")
    assert rows[5][:2] == ["已报市州合计", 90253]  # the province's figure from the marts, never the selection's sum


def test_the_bar_table_ends_with_the_province_total_from_the_marts(app, downloads):
    at = open_page(app, "app_pages/jobs.py", year=2016)
    at.selectbox(key="jobs_indicator").set_value("women_employed").run()
    at.multiselect(key="filter_cities").set_value(["株洲市", "益阳市"]).run()
    ws = openpyxl.load_workbook(io.BytesIO(downloads["2016年实现就业妇女人数_按市州.xlsx"]())).active
    rows = [list(r) for r in ws.values]
    # What the bar shows: every 市州, high → low, then the province's total (the chosen ones are only red).
    assert [r[0] for r in rows[3:5]] == ["娄底市", "衡阳市"] and rows[17][0] == "全省合计"
    assert rows[17][1] == 90253 and ws.cell(18, 1).font.b


@pytest.mark.parametrize("page", ["app_pages/overview.py", "app_pages/jobs.py", "app_pages/city_profile.py"])
def test_charts_carry_no_english_mode_bar_and_the_stylesheet_is_in(app, page):
    at = open_page(app, page, year=2016)
    configs = [json.loads(chart.proto.config) for chart in at.get("plotly_chart")]
    assert configs and all(c["displayModeBar"] is False and c["displaylogo"] is False for c in configs)
    assert [h.proto.body for h in at.get("html")] == [chrome.stylesheet()]  # once, the app's own
    assert '"全屏查看"' in chrome.stylesheet() and "Download as CSV" in chrome.stylesheet()  # relabel, hide


def test_the_stylesheet_never_nests_has():
    """A browser drops a whole rule whose :has() holds another :has(), silently: the English would show."""
    css, depth, opened = chrome.stylesheet(), 0, []
    for index, char in enumerate(css):
        if css.startswith(":has(", index):
            assert not opened, css[max(0, index - 120) : index + 60]
            opened.append(depth)
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if opened and depth == opened[-1]:
                opened.pop()
