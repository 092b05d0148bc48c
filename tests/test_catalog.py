"""The catalogue as data (issue 13 §1): seeded into the warehouse, edited as versions (口径) from a year, checked as a
whole, imported from a workbook as strictly as a return; and a new 类别 added by `catalog import` is templated,
loaded, charted and exported end to end with no code change."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from etl import audit, catalog, catalog_admin, catalog_workbook, warehouse
from etl.catalog import Domain, Indicator, Rate, Rule
from etl.catalog.changes import merge
from etl.catalog.check import MARKUP_WORDS, check
from etl.cli import main
from etl.pipeline import REFUSED, check_bytes
from etl.roles import SYSTEM, PermissionDenied, User
from etl.template import FIRST_DATA_ROW, HEADER_ROW, template_bytes
from etl.warehouse import catalog_store
from etl.warehouse.catalog_store import CatalogueRejected
from tests.apptest import array, figures, new_app, open_page
from tests.conftest import fingerprint, read_db, stored, xlsx_bytes

PILOT = [
    Domain("pilot", "试点项目", 9, "pilot_projects", icon="flag"),
    Indicator("pilot_projects", "pilot", "试点项目个数", "个", "count", 1, "年末在建的妇联试点项目个数。",
              levels=("city", "county"), aliases=("试点项目数",), phrase="建成试点项目{value}"),
    Indicator("pilot_women", "pilot", "试点覆盖妇女人数", "人", "count", 2, "试点项目覆盖的妇女人数。"),
    Indicator("pilot_funds", "pilot", "试点投入资金", "万元", "amount", 3, "本年度投入试点项目的资金。"),
    Rate("women_per_pilot", "pilot", "每个试点覆盖妇女", "人", "pilot_women", "pilot_projects", 1.0, 101),
    Rule("pilot_funds_per_project", "pilot", "band", "pilot_funds", ("pilot_projects",), high=500.0,
         severity="error", sort_order=1),
]  # fmt: skip


def pilot_workbook(tmp_path: Path) -> Path:
    """The catalogue workbook as `catalog export` writes it, with the new 类别 in its rows."""
    path = tmp_path / "目录.xlsx"
    path.write_bytes(catalog_workbook.workbook_bytes(merge(catalog.shipped(), PILOT)))
    return path


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


# ---------------------------------------------------------------- seeding and the shipped catalogue


def test_shipped_catalogue_holds_todays_rules_rates_and_words():
    shipped = catalog.shipped()
    assert check(shipped) == []
    assert [d.code for d in catalog.domains()][:4] == ["jobs", "loans", "screening", "ecommerce"]
    assert len(catalog.domains()) == 14  # and the federation's other work (test_levels.py)
    assert len(catalog.indicators()) == 65 and len(catalog.rates()) == 5
    rules = {r.code: r for r in shipped.rules_all}
    assert (rules["loan_average_possible"].high, rules["loan_average_usual"].low) == (100.0, 0.5)
    assert (rules["year_on_year_possible"].high, rules["year_on_year_usual"].low) == (100.0, 0.1)
    assert catalog.parse_header("实现就业妇女人数人")[0].code == "women_employed"


def test_a_new_warehouse_holds_the_shipped_catalogue(db_path):
    with warehouse.connect(db_path) as con:
        cat = catalog_store.catalogue(con)
        assert (cat.revision, cat.token) == (1, catalog.shipped().token)
        assert con.execute("select count(*) from indicators").fetchall() == [(len(catalog.indicators()),)]
        assert catalog_store.revisions(con)[0]["changed_by"] == "随系统发布"


# ---------------------------------------------------------------- 口径 versions


def test_a_definition_changed_from_a_year_checks_each_year_by_its_own(db_path):
    """From 2020 the usual band of 万元 per loan is 0.5–80: a 2019 return is checked by the old one."""
    with warehouse.connect(db_path):
        pass
    usual = next(r for r in catalog.shipped().rules_all if r.code == "loan_average_usual")
    catalog_admin.save(SYSTEM, db_path, [replace(usual, high=80.0, valid_from=2020, note="贷款额度提高")], "额度")
    header = ["市州", "发放贷款笔数（笔）", "发放贷款金额（万元）"]
    for year, warned in ((2019, ["loan-average-out-of-range"]), (2020, [])):
        data = xlsx_bytes({"贷款": [[f"年度：{year}"], header, ["益阳市", 100, 6000]]})
        report = check_bytes(data, f"{year}.xlsx", db_path=db_path)
        assert [w.code for w in report.warnings] == warned, year


def test_an_indicator_introduced_or_retired_is_read_only_for_its_years(db_path):
    with warehouse.connect(db_path):
        pass
    bases = catalog.shipped().edition(None).indicator_by_code["demo_bases"]
    catalog_admin.save(SYSTEM, db_path, [replace(bases, retired=True, valid_from=2022, note="不再统计")], "停用")
    cat = catalog_admin.current(db_path)
    assert "demo_bases" in [i.code for i in cat.edition(2021).indicators]
    assert "demo_bases" not in [i.code for i in cat.edition(2022).indicators]
    assert "巾帼示范基地数（个）" not in [c.value for c in openpyxl.load_workbook(
        io.BytesIO(template_bytes(2022, cat=cat)))["就业创业"][HEADER_ROW]]  # fmt: skip
    header = ["市州", "举办招聘会场次（场）", "巾帼示范基地数（个）"]
    report = check_bytes(xlsx_bytes({"S": [["年度：2022"], header, ["长沙市", 9, 41]]}), "x.xlsx", db_path=db_path)
    assert [(i.location, i.code) for i in report.errors] == [("S!C3", "indicator-not-in-year")]
    assert report.errors[0].message.startswith("“巾帼示范基地数”已停用，2022年的报表不填这一项。")
    report = check_bytes(xlsx_bytes({"S": [["年度：2021"], header, ["长沙市", 9, 41]]}), "x.xlsx", db_path=db_path)
    assert report.status != REFUSED


# ---------------------------------------------------------------- changes are checked, audited, permitted


def test_a_change_that_breaks_the_catalogue_writes_nothing(db_path):
    with warehouse.connect(db_path):
        pass
    before = fingerprint(db_path)
    fairs = catalog.shipped().edition(None).indicator_by_code["job_fairs"]
    with pytest.raises(CatalogueRejected) as caught:
        catalog_admin.save(SYSTEM, db_path, [replace(fairs, name="两癌检查人数", kind="score")], "错误的修改")
    messages = [(p.code, p.field, p.message) for p in caught.value.problems]
    assert ("job_fairs", "kind", "类型应为 计数、金额、比率 之一，写的是“score”。") in messages
    assert ("job_fairs", "name", "名称“两癌检查人数”也是指标 screened_total 的名称或别名，表头会无法区分。") in messages
    assert fingerprint(db_path) == before


@pytest.mark.parametrize("name", ["![b](http://evil.example/x.png)", "www.evil.example", "**粗**", "a\x1b[2J"])
def test_a_name_that_could_be_markup_or_a_link_is_refused(db_path, name):
    """Names and units stand in titles, labels and axes: what an imported catalogue could smuggle in is refused."""
    with warehouse.connect(db_path):
        pass
    fairs = catalog.shipped().edition(None).indicator_by_code["job_fairs"]
    with pytest.raises(CatalogueRejected) as caught:
        catalog_admin.save(SYSTEM, db_path, [replace(fairs, name=name, unit="场<b>")], "恶意名称")
    fields = {p.field: p.message for p in caught.value.problems if p.code == "job_fairs"}
    assert fields["name"].startswith(f"“{name}”含有不能用于名称的符号：")
    assert fields["unit"] == f"“场<b>”含有不能用于名称的符号：{MARKUP_WORDS}，请改用中文标点。"


def test_only_an_administrator_changes_the_catalogue(db_path):
    with warehouse.connect(db_path):
        pass
    statistician = User("cs", "统计员", "430100")
    with pytest.raises(PermissionDenied):
        catalog_admin.save(statistician, db_path, [], "试图修改")
    assert audit.entries(db_path, limit=1)[0]["action"] == "denied"
    fairs = catalog.shipped().edition(None).indicator_by_code["job_fairs"]
    revision, summary = catalog_admin.save(SYSTEM, db_path, [replace(fairs, definition="新的口径说明。")], "改说明")
    assert (revision, summary) == (2, "修改指标 job_fairs（2000年起）")
    entry = audit.entries(db_path, limit=1)[0]
    assert (entry["action"], entry["detail"]) == (
        "catalog",
        "指标目录第 2 版：修改指标 job_fairs（2000年起）。说明：改说明",
    )


# ---------------------------------------------------------------- the workbook, as strict as a return


def test_export_then_import_changes_nothing(db_path, tmp_path):
    with warehouse.connect(db_path):
        pass
    out = tmp_path / "目录.xlsx"
    assert invoke("catalog", "export", str(out), "--db", str(db_path)).exit_code == 0
    result = invoke("catalog", "import", str(out), "--note", "原样导入", "--db", str(db_path))
    assert (result.exit_code, result.output) == (0, "= 目录.xlsx：文件中的定义与现有目录相同，未作修改。\n")


def test_import_reports_every_error_at_its_cell_and_applies_nothing(db_path, tmp_path):
    with warehouse.connect(db_path):
        pass
    path = pilot_workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    sheet = wb["指标"]
    rows = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    sheet.cell(rows["pilot_women"], 6).value = "人口"  # 类型 (kind): column F
    sheet.cell(rows["pilot_funds"], 3).value = "nowhere"  # 类别 (domain): column C
    sheet.cell(rows["pilot_projects"], 7).value = "两"  # 小数位: column G
    wb["规则"].cell(2, 2).value = "2000年"  # 生效年度 of the first rule: for every 类别, 同比不超过 100 倍
    wb.save(path)
    before = fingerprint(db_path)
    result = invoke("catalog", "import", str(path), "--note", "新增试点", "--db", str(db_path))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "✗ 目录.xlsx：已拒绝，指标目录未作任何修改（3 个错误）。"
    kind = "“类型”应填 计数、金额、比率 之一，写的是“人口”。"
    assert f"  错误 指标!F{rows['pilot_women']} pilot_women：{kind}" in result.output
    assert f"  错误 指标!G{rows['pilot_projects']} pilot_projects：“小数位”应为数字，写的是“两”。" in result.output
    assert "  错误 规则!B2 year_on_year_possible：“生效年度”应为数字，写的是“2000年”。" in result.output
    assert fingerprint(db_path) == before
    wb["规则"].cell(2, 2).value = 2000
    sheet.cell(rows["pilot_projects"], 7).value = None
    sheet.cell(rows["pilot_women"], 6).value = "计数"  # the Chinese word is as good as the code
    wb.save(path)
    result = invoke("catalog", "import", str(path), "--note", "新增试点", "--db", str(db_path))
    assert result.output.splitlines()[0] == "✗ 目录.xlsx：已拒绝，指标目录未作任何修改（1 个错误）。"
    assert f"  错误 指标!C{rows['pilot_funds']} pilot_funds：类别“nowhere”不存在。" in result.output
    assert fingerprint(db_path) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x01not a workbook", "无法识别的文件"),
        ("类别,代码\n".encode(), "指标目录须为 Excel 工作簿（.xlsx）"),
        (xlsx_bytes({"其他": [["a"]]}), "文件中没有“类别、指标、派生指标、规则”中的任何一张工作表"),
    ],
)
def test_import_refuses_files_that_are_not_a_catalogue(db_path, data, message):
    with warehouse.connect(db_path):
        pass
    result = catalog_admin.import_workbook(SYSTEM, db_path, data, "x.xlsx", "试导入")
    assert result.refused and message in result.issues[0].message


# ---------------------------------------------------------------- a new 类别, end to end


def test_a_new_domain_is_templated_loaded_charted_and_exported(demo_copy, tmp_path):
    path = pilot_workbook(tmp_path)
    result = invoke("catalog", "import", str(path), "--note", "新增试点项目类别", "--db", str(demo_copy))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("✓ 目录.xlsx：已导入，指标目录第 2 版：新增类别 pilot、新增指标 pilot_projects")

    template = tmp_path / "模板.xlsx"
    assert invoke("template", "--year", "2024", "--db", str(demo_copy), "-o", str(template)).exit_code == 0
    wb = openpyxl.load_workbook(template)
    assert "试点项目" in wb.sheetnames
    sheet = wb["试点项目"]
    assert [c.value for c in sheet[HEADER_ROW]][1::2] == [
        "试点项目个数（个）",
        "试点覆盖妇女人数（人）",
        "试点投入资金（万元）",
    ]
    # 试点项目个数 is reported by 县市区 too: 株洲's return gives two of its 县市区 beside the 市州
    filled = {"长沙市": (12, 3400, 260.5), "株洲市": (5, 1200, 80), "荷塘区": (2,), "醴陵市": (3,)}
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        for col, value in zip((2, 4, 6), filled.get(sheet.cell(row, 1).value, ()), strict=False):
            sheet.cell(row, col).value = value
    wb.save(template)
    result = invoke("load", str(template), "--db", str(demo_copy))
    assert result.exit_code == 0, result.output
    assert stored(demo_copy, 2024)[("长沙市", 2024, "试点投入资金")] == 260.5
    assert stored(demo_copy, 2024)[("醴陵市", 2024, "试点项目个数")] == 3

    out = tmp_path / "导出.csv"
    assert invoke("export", "--year", "2024", "--domain", "试点项目", "--include-pending", "--db", str(demo_copy),
                  "-o", str(out)).exit_code == 0  # fmt: skip
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert ["2024", "430100", "长沙市", "", "试点项目", "试点项目个数", "个", "12", "2000年起", "待审核"] in rows
    assert ["2024", "430281", "株洲市", "醴陵市", "试点项目", "试点项目个数", "个", "3", "2000年起", "待审核"] in rows

    at = open_page(new_app("admin"), "app_pages/pilot.py", 2024, pending=True)
    assert at.title[0].value == "试点项目"
    bar = figures(at)[0]
    assert "试点项目个数" in bar["layout"]["title"]["text"]
    at.selectbox(key="pilot_pilot_projects_county_city").set_value(catalog.region_by_code()["430200"]).run()
    county_map = next(f for f in figures(at) if f["layout"]["title"]["text"] == "2024年株洲市各县市区试点项目个数")
    shaded = next(t for t in county_map["data"] if t["type"] == "choropleth" and "z" in t)
    assert dict(zip(array(shaded["locations"]), array(shaded["z"]), strict=True)) == {"430202": 2, "430281": 3}

    at = open_page(new_app("admin"), "app_pages/overview.py", 2024, pending=True)
    at.selectbox(key="overview_indicator").set_value("pilot_projects").run()
    traces = figures(at)[0]["data"]  # the map: 市州 names, then the shaded and the grey 市州
    shaded = next(t for t in traces if t["type"] == "choropleth" and "z" in t)
    assert dict(zip(array(shaded["locations"]), array(shaded["z"]), strict=True)) == {"430100": 12, "430200": 5}

    a_bad_one = xlsx_bytes(
        {"试点": [["年度：2024"], ["市州", "试点项目数（个）", "试点投入资金（万元）"], ["益阳市", 2, 5000]]}
    )
    report = check_bytes(a_bad_one, "益阳.xlsx", db_path=demo_copy)  # 2500 万元 per project: the new rule
    assert [(i.place, i.code) for i in report.errors] == [("试点!C3 试点投入资金", "ratio-impossible")]


def test_a_chart_marks_a_change_of_definition(demo_copy):
    employed = catalog.shipped().edition(None).indicator_by_code["women_employed"]
    note = "自2020年起含灵活就业"
    catalog_admin.save(SYSTEM, demo_copy, [replace(employed, valid_from=2020, note=note)], "口径调整")
    at = open_page(new_app("admin"), "app_pages/jobs.py", 2024)
    at.selectbox(key="jobs_indicator").set_value("women_employed").run()
    lines = figures(at)[1]
    marks = [t for t in lines["data"] if t.get("name") == "口径调整"]
    assert marks and marks[0]["customdata"] == [f"2020年起口径调整：{note}"]
    assert lines["layout"]["shapes"][0]["x0"] == 2019.5
    assert f"2020年起实现就业妇女人数口径调整：{note}。此前年度按原口径填报。" in [c.value for c in at.caption]
    with read_db(demo_copy) as con:
        rows = warehouse.current_values(con, year=2021, region_code="430200", domain="jobs")
    assert {r[5]: r[8] for r in rows}["实现就业妇女人数"] == "2020年起"
