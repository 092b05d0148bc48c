"""Every figure computed once: on the demo warehouse plus a partial year, the overview card, the domain page, the
briefing and the export agree to the last digit for every indicator × year; and the default year of each role.

2025 is the partial year: 长沙市 and 株洲市 sent every 类别, only 长沙市 is approved. Read as a 领导 (published
figures): 长沙市's 2025 is in, 株洲市's is not.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from etl import actions, catalog, config, warehouse
from etl.briefing import _say_figure, clause_of, load_templates
from etl.cn_format import cn_quantity, exact, table_text
from etl.pipeline import LOADED, load_bytes
from etl.roles import SYSTEM
from tests.apptest import new_app, open_page, seed_accounts, switch, texts
from tests.conftest import backend_scope, copy_warehouse, filled_template, read_db

PARTIAL_YEAR = 2025
YEARS = [*range(2016, 2025), PARTIAL_YEAR]
CITY_NAMES = [c.name for c in catalog.cities()]
TOTAL_ROW, EXPORT_TOTAL_ROW = "已报市州合计", "全省（已报市州合计）"


def a_2025_return(db: Path, city: str) -> bytes:
    """The 市州's 2024 return, 5% up, in the official template of 2025 (its own one-row version)."""
    code = catalog.find_region(city).code
    with read_db(db) as con:
        rows = con.execute(
            "select domain_name, indicator_name, unit, value from published_values"
            " where year = 2024 and region_code = ?",
            [code],
        ).fetchall()
    values = {
        (domain, city, name): (None if v is None else round(v * 1.05, 2) if unit == "万元" else round(v * 1.05))
        for domain, name, unit, v in rows
    }
    return filled_template(PARTIAL_YEAR, values, region_code=code)


@pytest.fixture(scope=backend_scope("module"))
def partial(demo_db: Path, tmp_path_factory) -> Path:
    """The demo warehouse, then 2025 from 长沙市 (approved) and 株洲市 (waiting for review)."""
    db = tmp_path_factory.mktemp("agreement") / "warehouse.duckdb"
    copy_warehouse(demo_db, db)
    seed_accounts(db)
    for city in ("长沙市", "株洲市"):
        report = load_bytes(a_2025_return(db, city), f"{city}2025.xlsx", db, actor=SYSTEM)
        assert report.status == LOADED, [i.describe() for i in report.issues]
    with warehouse.connect(db, read_only=True) as con:
        waiting = warehouse.waiting(con, region_code="430100")
        confirmed = [
            (w["submission_id"], w["sheet"], w["cell"], w["message"]) for w in warehouse.warnings_of(con, waiting)
        ]
    actions.approve(SYSTEM, db, confirmed=confirmed, year=PARTIAL_YEAR, region_code="430100")
    return db


@pytest.fixture
def leader(partial, monkeypatch):  # noqa: ANN201 - an AppTest
    monkeypatch.setenv("HNFL_WAREHOUSE", str(partial))
    return new_app("leader")


def domain_tables(at) -> dict[str, object]:  # noqa: ANN001
    """indicator code → the domain page's 市州 × 年度 table (as written on screen), one rerun per indicator."""
    tables = {}
    for domain in catalog.domains():
        switch(at, f"app_pages/{domain.code}.py").run()
        for indicator in catalog.domain_indicators(domain.code):
            at.selectbox(key=f"{domain.code}_indicator").set_value(indicator.code).run()
            assert not at.exception
            tables[indicator.code] = at.dataframe[0].value
    return tables


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.slow
def test_card_domain_page_briefing_and_export_agree(leader, partial, downloads):
    at = open_page(leader, "app_pages/overview.py", year=2016)
    templates = load_templates()
    tables = domain_tables(at)
    names = {i.name: i.code for i in catalog.indicators()}
    with warehouse.connect(partial, read_only=True) as con:
        rows = warehouse.current_values(con, reported_only=False)
    published = {(r, y, names[i]): v for y, r, _, _, _, i, _, v, *_ in rows}

    switch(at, "app_pages/export.py").run()
    at.selectbox(key="export_from").set_value(2016).run()
    at.selectbox(key="export_to").set_value(PARTIAL_YEAR).run()
    tidy = {
        (r[2], int(r[0]), names[r[5]]): r[7]
        for r in csv_rows(downloads["2016—2025年妇联统计数据明细.csv"]())[1:]
        if not r[3]  # a 市州's own row, not one of its 县市区
    }

    for year in YEARS:
        column = f"{year}年"
        at.selectbox(key="filter_year").set_value(year).run()  # every page below starts on the sidebar's year
        # the overview's cards of the year
        switch(at, "app_pages/overview.py").run()
        cards = {m.label: m.value for m in at.metric}
        # the export's wide file of the year holds the province's totals
        switch(at, "app_pages/export.py").run()
        wide = csv_rows(downloads[f"{year}年各市州妇联统计数据.csv"]())
        export_totals = dict(zip(wide[0][1:], next(r for r in wide if r[0] == EXPORT_TOTAL_ROW)[1:], strict=True))
        # the briefing of the year: its summary, its paragraphs, its table
        switch(at, "app_pages/briefing.py").run()
        assert at.selectbox(key="briefing_year").value == year
        paragraphs = texts(at.markdown)
        # one table per 类别, in official order (AppTest does not expose a dataframe's key)
        briefing_table = dict(zip([d.name for d in catalog.domains()], [d.value for d in at.dataframe], strict=True))

        for indicator in (i for i in catalog.indicators() if "city" in i.levels):
            table = tables[indicator.code]
            domain = catalog.domain_by_code()[indicator.domain]
            part = briefing_table[domain.name]
            for city in CITY_NAMES:
                value = published.get((catalog.find_region(city).code, year, indicator.code))
                assert table.loc[city, column] == table_text(value, indicator.unit), (indicator.code, year, city)
                shown = part.loc[city, indicator.label]
                assert shown == value or (value is None and pd.isna(shown)), (indicator.code, year, city)
                assert tidy.get((city, year, indicator.code), "未填报") == exact(value), (indicator.code, year, city)
                if value is not None:
                    clause = _say_figure(clause_of(indicator, templates), value, indicator.unit, indicator.name)
                    assert any(clause in p for p in paragraphs), (indicator.code, year, city, clause)
            total_text = table.loc[TOTAL_ROW, column]
            reported = [v for c in catalog.cities() if (v := published.get((c.code, year, indicator.code))) is not None]
            total = sum(reported) if reported else None
            assert total_text == table_text(total, indicator.unit), (indicator.code, year)
            assert table.loc["已报市州数", column] == f"{len(reported)}/14"
            assert export_totals[indicator.label] == exact(total).replace("未填报", ""), (indicator.code, year)
            briefing_total = part.iloc[-1][indicator.label]  # the table's last row: the province's total
            assert exact(None if pd.isna(briefing_total) else briefing_total) == exact(total), (indicator.code, year)
            if indicator.code == domain.headline_indicator and total is not None:
                assert cards[f"{domain.name}·{indicator.name}"] == cn_quantity(total, indicator.unit)
                sentence = _say_figure(templates["summary"]["totals"][indicator.code], total, indicator.unit)
                assert any(sentence in p for p in paragraphs), (indicator.code, year, sentence)


def test_the_partial_year_is_marked_everywhere(leader):
    at = open_page(leader, "app_pages/overview.py", year=PARTIAL_YEAR)
    banner = texts(at.info)[0]
    assert banner.startswith("截至 ") and "14 个市州中 1 个已审核通过。2025年数据尚不完整" in banner
    assert at.subheader[0].value == "2025年主要指标（已报市州合计，不随所选市州变化）"
    cards = [c.value for c in at.caption if c.value.startswith("已报")]  # not the print-only header's lines
    assert cards[:4] == ["已报 1 个市州合计"] * 4
    switch(at, "app_pages/briefing.py").run()
    at.selectbox(key="briefing_year").set_value(PARTIAL_YEAR).run()
    summary = next(m.value for m in at.markdown if m.value.startswith("截至"))
    first = summary.split("。")[0]
    assert "2025年全省14个市州中1个已审核通过，株洲市、湘潭市、衡阳市、" in first
    assert first.endswith("湘西土家族苗族自治州的数据尚未报齐或尚未审核通过，以下合计只含已报市州")
    assert summary.count("株洲市") == 1  # all the missing 市州 in that one sentence, none elsewhere
    switch(at, "app_pages/loans.py").run()
    assert "14 个市州中 1 个已审核通过" in texts(at.info)[0]
    headline = [t for t in texts(at.markdown) if not t.startswith("**湖南省妇联统计平台")]  # past the print header
    assert headline[0].startswith("**2025年已报 1 个市州合计 ")


@pytest.mark.parametrize(
    ("user", "threshold", "expected"),
    [
        ("leader", 14, 2022),  # 2023: 怀化市 lacks a 类别; 2024: two 市州 do; 2025: only 长沙市 is approved
        ("leader", 12, 2024),
        ("admin", 14, 2025),  # staff: the year being collected
        ("rev", 14, 2025),
        ("cs", 14, 2025),
    ],
)
def test_default_year_by_role(partial, monkeypatch, user, threshold, expected):
    monkeypatch.setenv("HNFL_WAREHOUSE", str(partial))
    monkeypatch.setenv("HNFL_COLLECTING_YEAR", "2025")
    monkeypatch.setattr(config, "COMPLETE_CITIES", threshold)
    at = new_app(user).run()
    assert at.selectbox(key="filter_year").value == expected


def test_staff_year_list_holds_the_collecting_year_before_any_return(partial, monkeypatch):
    monkeypatch.setenv("HNFL_WAREHOUSE", str(partial))
    monkeypatch.setenv("HNFL_COLLECTING_YEAR", "2026")
    staff, leader = new_app("admin").run(), new_app("leader").run()
    assert staff.selectbox(key="filter_year").value == 2026
    assert staff.selectbox(key="filter_year").options[0] == "2026年"
    assert "2026年" not in leader.selectbox(key="filter_year").options
    assert leader.selectbox(key="filter_year").options[0] == "2025年"  # 长沙市's approved figures
