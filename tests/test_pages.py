"""Drive the real Streamlit pages with AppTest over a real demo warehouse and an empty one."""

from __future__ import annotations

import duckdb
import pytest

from etl.cn_format import cn_quantity
from etl.config import PROJECT_ROOT
from tests.apptest import array, bar_values, figures, new_app, open_page

APP = str(PROJECT_ROOT / "app.py")
DASHBOARDS = ["overview", "briefing", "jobs", "loans", "screening", "ecommerce", "city_profile"]
WORKFLOW = ["upload", "progress", "history", "export"]
PAGES = [f"app_pages/{name}.py" for name in DASHBOARDS + WORKFLOW]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_demo_warehouse(app, page):
    open_page(app, page)
    assert app.title[0].value


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_empty_warehouse(tmp_path, monkeypatch, page):
    monkeypatch.setenv("HNFL_WAREHOUSE", str(tmp_path / "none.duckdb"))
    at = open_page(new_app(), page)
    if page not in ("app_pages/upload.py", "app_pages/progress.py", "app_pages/history.py", "app_pages/export.py"):
        assert [i.value for i in at.info] == ["尚无数据，请先上报。"]
    assert not (tmp_path / "none.duckdb").exists()  # looking never creates a warehouse


def test_loans_page_shows_yiyang_2016_amount(app):
    at = open_page(app, "app_pages/loans.py", year=2016)
    at.selectbox(key="loans_indicator").set_value("loan_amount").run()
    bar, lines = figures(at)
    assert bar_values(bar)["益阳市"] == 10211
    assert "岳阳市" not in bar_values(bar)  # 2016 岳阳 amount was only "近亿元": not reported, no 0 bar
    assert "未填报：岳阳市" in " ".join(c.value for c in at.caption)
    table = at.dataframe[0].value
    assert table.loc["益阳市", "2016年"] == "10211"
    assert table.loc["岳阳市", "2016年"] == "未填报"
    assert {trace["name"] for trace in lines["data"]} >= {"益阳市", "长沙市"}


def test_city_filter_changes_what_the_charts_hold(app):
    at = open_page(app, "app_pages/jobs.py", year=2016)
    at.selectbox(key="jobs_indicator").set_value("jobs_offered").run()
    assert len(bar_values(figures(at)[0])) == 14
    assert bar_values(figures(at)[0])["株洲市"] == 75700
    at.multiselect(key="filter_cities").set_value(["株洲市", "益阳市"]).run()
    bar, lines = figures(at)
    assert set(bar_values(bar)) == {"株洲市", "益阳市"}
    assert [trace["name"] for trace in lines["data"]] == ["株洲市", "益阳市"]
    assert list(at.dataframe[0].value.index) == ["株洲市", "益阳市", "已报市州合计", "已报市州数"]
    assert at.query_params["city"] == ["430200", "430900"]
    at.button(key="filter_clear").click().run()  # 清空
    assert not at.exception
    assert "所选市州均未填报" in at.info[0].value or not figures(at)
    at.button(key="filter_all").click().run()  # 全部
    assert len(bar_values(figures(at)[0])) == 14


def test_year_and_cities_come_from_the_url(app):
    app.query_params["year"] = "2016"
    app.query_params["city"] = ["430600"]
    at = open_page(app, "app_pages/screening.py")
    assert at.selectbox(key="filter_year").value == 2016
    assert at.multiselect(key="filter_cities").value == ["岳阳市"]
    assert bar_values(figures(at)[0]) == {"岳阳市": 103200}


def test_derived_rate_on_the_loans_page(app):
    at = open_page(app, "app_pages/loans.py", year=2016)
    at.selectbox(key="loans_indicator").set_value("average_loan").run()
    assert bar_values(figures(at)[0])["益阳市"] == pytest.approx(10211 / 878)


def test_overview_cards_and_coverage(app, demo_db):
    at = open_page(app, "app_pages/overview.py", year=2024)
    with duckdb.connect(str(demo_db), read_only=True) as con:
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
    assert jobs.loc["提供就业岗位数（个）", "2016年"] == "75700"
    assert jobs.loc["举办招聘会场次（场）", "2016年"] == "44"
    assert jobs.loc["提供就业岗位数（个）", "2016年排名"].startswith("第 ")
