"""县市区 rows end to end (issue 13 §3): a 市州's return with its 县市区 rows loads (the 市州 figure derived when
left blank), a 2016 row loads under the code of its year (宁乡县 430124, 宁乡市 430182 from 2017), the export
carries every 县市区 row with its code, and the domain page drills down from the 市州 to its 县市区: map, ranking
and the 县市区 × 年度 table with codes, one line across the change of code."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from etl import catalog
from etl.cli import main
from etl.pipeline import LOADED, REFUSED, check_bytes, load_bytes
from etl.roles import SYSTEM, User
from etl.template import FIRST_DATA_ROW, HEADER_ROW, template_bytes
from tests.apptest import array, figures, new_app, open_page
from tests.conftest import stored, xlsx_bytes

CHANGSHA = "430100"
SHEET, INDICATOR = "巾帼志愿服务", "巾帼志愿者人数"
CHANGSHA_STATISTICIAN = User("cs", "统计员", CHANGSHA)


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def county_return(path: Path, year: int, values: dict[str, float], city_value: float | None = None) -> Path:
    """长沙市's template of `year` with 巾帼志愿者人数 in the rows of the 县市区 named (the 市州 row as given)."""
    path.write_bytes(filled(year, CHANGSHA, {**values, **({"长沙市": city_value} if city_value is not None else {})}))
    return path


def counties_2016() -> dict[str, float]:
    """Every 县市区 of 长沙 in 2016 (宁乡县, not yet 宁乡市), 100, 200, … in official order."""
    return {c.name: 100.0 * (i + 1) for i, c in enumerate(catalog.counties_of(CHANGSHA, 2016))}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Path, Path]:
    """A warehouse with 长沙's 2016 and 2018 county returns loaded by the CLI, and the export of both years."""
    folder = tmp_path_factory.mktemp("levels")
    db = folder / "warehouse.duckdb"
    first = county_return(folder / "长沙2016.xlsx", 2016, counties_2016())
    later = {c.name: 50.0 for c in catalog.counties_of(CHANGSHA, 2018)} | {"宁乡市": 1000.0}
    second = county_return(folder / "长沙2018.xlsx", 2018, later, city_value=1400.0)
    for path in (first, second):
        result = invoke("load", str(path), "--db", str(db))
        assert result.exit_code == 0, result.output
    out = folder / "导出.csv"
    result = invoke("export", "--domain", SHEET, "--include-pending", "--db", str(db), "-o", str(out))
    assert result.exit_code == 0, result.output
    return db, out


def test_county_rows_load_under_the_code_of_their_year_and_the_city_is_their_sum(loaded) -> None:
    db, _ = loaded
    values = stored(db)
    assert values[("宁乡县", 2016, INDICATOR)] == 900  # the 9th 县市区 of 2016
    assert ("宁乡市", 2016, INDICATOR) not in values
    assert values[("长沙市", 2016, INDICATOR)] == sum(counties_2016().values()) == 4500  # left blank: derived
    assert values[("宁乡市", 2018, INDICATOR)] == 1000 and values[("长沙市", 2018, INDICATOR)] == 1400


def test_the_export_carries_every_county_row_with_its_code(loaded) -> None:
    _, out = loaded
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:5] == ["年度", "行政区划代码", "市州", "县市区", "类别"]
    ours = {(r[0], r[1], r[2], r[3]): r[7] for r in rows[1:] if r[5] == INDICATOR}
    assert ours[("2016", "430124", "长沙市", "宁乡县")] == "900"
    assert ours[("2016", "430102", "长沙市", "芙蓉区")] == "100"
    assert ours[("2016", "430100", "长沙市", "")] == "4500"
    assert ours[("2018", "430182", "长沙市", "宁乡市")] == "1000"
    assert len([k for k in ours if k[0] == "2016" and k[3]]) == len(catalog.counties_of(CHANGSHA, 2016)) == 9


def test_the_page_drills_down_to_the_counties_on_the_map_and_in_the_table(loaded, monkeypatch) -> None:
    db, _ = loaded
    monkeypatch.setenv("HNFL_WAREHOUSE", str(db))
    at = open_page(new_app("admin"), "app_pages/volunteer.py", 2016, pending=True)
    at.selectbox(key="volunteer_indicator").set_value("volunteers").run()
    assert at.selectbox(key="volunteer_volunteers_county_city").value.code == CHANGSHA
    county_map, ranking = figures(at)[-2:]
    shaded = next(t for t in county_map["data"] if t["type"] == "choropleth" and "z" in t)
    drawn = dict(zip(array(shaded["locations"]), array(shaded["z"]), strict=True))
    assert drawn["430182"] == 900  # 宁乡县's 2016 figure on today's 宁乡市
    assert drawn["430102"] == 100 and len(drawn) == 9
    assert array(ranking["data"][0]["y"])[0] == "宁乡县"  # largest on top, by the name of its year
    table = next(d.value for d in at.dataframe if "行政区划代码" in d.value.columns)
    assert table.loc["宁乡市（2017年前为宁乡县）", "行政区划代码"] == "430182（2017年前 430124）"
    assert table.loc["宁乡市（2017年前为宁乡县）", "2016年"] == "900（待审核）"
    assert table.loc["宁乡市（2017年前为宁乡县）", "2018年"] == "1,000（待审核）"  # one line across the change
    assert "9/9 个县市区已填报" in " ".join(c.value for c in at.caption)


# ---------------------------------------------------------------- the checks of 县市区 rows and 省级单位


def filled(year: int, region: str | None, values: dict[str, object]) -> bytes:
    """The template of `year` (one 市州's, or the province's) with 巾帼志愿者人数 in the rows named."""
    buffer = io.BytesIO()
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(year, region)))
    ws = wb[SHEET]
    col = next(c.column for c in ws[HEADER_ROW] if str(c.value or "").startswith(INDICATOR))
    rows = {ws.cell(r, 1).value: r for r in range(FIRST_DATA_ROW, ws.max_row + 1)}
    for name, value in values.items():
        ws.cell(rows[name], col).value = value
    wb.save(buffer)
    return buffer.getvalue()


def issues(report) -> list[tuple[str, str, str]]:  # noqa: ANN001 - a FileReport
    return [(i.code, i.place, i.message) for i in report.issues]


def test_a_statistician_reports_its_own_counties_only(db_path) -> None:
    data = filled(2016, None, {"芙蓉区": 5, "长沙市": 5, "醴陵市": 7})
    report = load_bytes(data, "两市.xlsx", db_path, actor=CHANGSHA_STATISTICIAN)
    assert report.status == REFUSED
    refusal = "您是长沙市的统计员，不能上报株洲市的数据。请删除株洲市的数据，或由株洲市的统计员上报。"
    assert ("region-not-permitted", "巾帼志愿服务!B24", refusal) in issues(report)  # 醴陵市's row
    assert not db_path.exists() or not stored(db_path)
    report = load_bytes(filled(2016, CHANGSHA, {"芙蓉区": 5, "长沙市": 5}), "长沙.xlsx", db_path,
                        actor=CHANGSHA_STATISTICIAN)  # fmt: skip
    assert report.status == LOADED and stored(db_path)[("芙蓉区", 2016, INDICATOR)] == 5


def test_a_city_given_beside_all_its_counties_must_agree(tmp_path) -> None:
    every = {c.name: 10 for c in catalog.counties_of(CHANGSHA, 2016)}
    report = check_bytes(filled(2016, CHANGSHA, {**every, "长沙市": 95}), "长沙.xlsx", db_path=tmp_path / "w.duckdb")
    differs = "巾帼志愿者人数：各县市区之和为 90，而长沙市填报 95，相差超过 0.005，请核实。"
    assert issues(report) == [("county-sum-differs", "巾帼志愿服务!D5 巾帼志愿者人数", differs)]


def test_counties_that_exceed_or_do_not_complete_their_city_are_named(tmp_path) -> None:
    db = tmp_path / "w.duckdb"
    report = check_bytes(filled(2016, CHANGSHA, {"芙蓉区": 50, "长沙市": 20}), "长沙.xlsx", db_path=db)
    exceeds = "长沙市“巾帼志愿者人数”填 20人，而已填的 1 个县市区之和已达 50人，县市区之和不应大于市州数。请核对。"
    assert issues(report) == [("county-sum-exceeds", "巾帼志愿服务!D5 巾帼志愿者人数", exceeds)]
    report = check_bytes(filled(2016, CHANGSHA, {"芙蓉区": 5}), "长沙.xlsx", db_path=db)
    assert [i.code for i in report.issues] == ["county-sum-partial"]
    assert "市州数记为未填报" in report.issues[0].message


def test_each_level_reports_only_its_own_indicators(db_path) -> None:
    a_county = xlsx_bytes({"就业": [["年度：2016"], ["市州", "实现就业妇女人数（人）"], ["芙蓉区", 5]]})
    assert issues(check_bytes(a_county, "e.xlsx", db_path=db_path)) == [
        ("level-not-reported", "就业!B3 实现就业妇女人数",
         "芙蓉区是县市区，“实现就业妇女人数”只由市州填报，县市区不填。如属长沙市，请填在长沙市一行。")
    ]  # fmt: skip
    a_city = xlsx_bytes({"培训": [["年度：2016"], ["市州", "培训县市区妇联干部人数（人）"], ["长沙市", 100]]})
    assert [i.code for i in check_bytes(a_city, "g.xlsx", db_path=db_path).issues] == ["level-not-reported"]
    header = ["单位", "培训县市区妇联干部人数（人）", "培训乡镇（街道）妇联干部人数（人）"]
    a_unit = xlsx_bytes({"培训": [["年度：2016"], header, ["省妇联组织联络部", 100, 200]]})
    assert load_bytes(a_unit, "组联部.xlsx", db_path, actor=SYSTEM).status == LOADED
    assert stored(db_path)[("省妇联组织联络部", 2016, "培训县市区妇联干部人数")] == 100
