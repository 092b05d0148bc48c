"""指标目录 page: a 管理员 changes the catalogue in the app (a new 口径 from a year, a new indicator, bulk import);
each change acts as the user at the click, is checked as a whole, and audited."""

from __future__ import annotations

from etl import accounts, audit, catalog, catalog_admin, catalog_workbook
from etl.catalog.changes import merge
from etl.roles import SYSTEM
from tests.apptest import new_app, switch, texts
from tests.test_catalog import PILOT
from ui import plain
from ui.common import XLSX_MIME


def open_catalog(name: str = "admin"):  # noqa: ANN201 - an AppTest
    at = new_app(name).run()
    at.switch_page("app_pages/catalog.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_admin_changes_a_definition_from_a_year(demo_copy):
    at = open_catalog()
    assert at.title[0].value == "指标目录"
    summary = next(t for t in texts(at.caption) if t.startswith("指标目录"))  # past the print-only header
    assert summary.startswith("指标目录第 1 版：14 个类别、65 项指标、5 项派生指标、11 条规则")
    at.selectbox(key="catalog_indicators_pick").set_value("job_fairs").run()
    at.text_area(key="catalog_indicators_definition_job_fairs").set_value("含线上招聘会。")
    at.number_input(key="catalog_indicators_valid_from_job_fairs").set_value(2021)
    at.button(key="catalog_indicators_save_job_fairs").click().run()
    assert texts(at.error) == ["未保存：请写明修改说明（为什么改、改了什么），它会记入目录的修改记录和审计日志。"]
    at.text_area(key="catalog_indicators_note_job_fairs").set_value("线上招聘会计入")
    at.button(key="catalog_indicators_save_job_fairs").click().run()
    assert texts(at.success) == [plain.markdown("已保存，指标目录第 2 版：修改指标 job_fairs（2021年起）。")]
    cat = catalog.active()
    assert (cat.edition(2020).indicator_by_code["job_fairs"].definition, cat.edition(2021).indicator_by_code[
        "job_fairs"].definition) == (catalog.shipped().edition(None).indicator_by_code["job_fairs"].definition,
                                     "含线上招聘会。")  # fmt: skip
    assert audit.entries(demo_copy, limit=1)[0]["detail"].endswith("说明：线上招聘会计入")
    revisions = next(d.value for d in at.dataframe if "修改内容" in d.value.columns)
    assert revisions.iloc[0][["版本", "修改人", "说明"]].tolist() == [2, "admin", "线上招聘会计入"]


def test_an_inconsistent_change_is_refused_with_every_problem(demo_copy):
    at = open_catalog()
    at.selectbox(key="catalog_rates_pick").set_value("placement_rate").run()
    at.text_input(key="catalog_rates_numerator_placement_rate").set_value("no_such_indicator")
    at.text_area(key="catalog_rates_note_placement_rate").set_value("试改")
    at.button(key="catalog_rates_save_placement_rate").click().run()
    assert texts(at.error) == ["未保存：修改后的目录有以下问题。"]
    problems = next(d.value for d in at.dataframe if list(d.value.columns) == ["位置", "问题"])
    assert problems.values.tolist() == [["派生指标 placement_rate 分子指标", "指标“no_such_indicator”不存在。"]]
    assert catalog.active().revision == 1


def test_a_session_ended_before_the_click_changes_nothing(demo_copy):
    """The callback reads the session and role at the click: a password reset in between ends the session."""
    at = open_catalog()
    at.selectbox(key="catalog_domains_pick").set_value("jobs").run()
    at.text_input(key="catalog_domains_name_jobs").set_value("就业与创业")
    at.text_area(key="catalog_domains_note_jobs").set_value("改名")
    accounts.set_password(SYSTEM, "admin", "another-admin-password", db_path=demo_copy)
    at.button(key="catalog_domains_save_jobs").click().run()
    assert not at.success
    assert catalog_admin.current(demo_copy).edition(None).domain_by_code["jobs"].name == "就业创业"


def test_bulk_import_adds_a_domain_to_the_navigation(demo_copy, tmp_path):
    at = open_catalog()
    data = catalog_workbook.workbook_bytes(merge(catalog.shipped(), PILOT))
    at.text_input(key="catalog_import_note").set_value("新增试点项目")
    at.file_uploader[0].set_value(("目录.xlsx", data, XLSX_MIME)).run()
    at.button(key="catalog_import").click().run()
    assert texts(at.success)[0].startswith("已导入，指标目录第 2 版：新增类别 pilot")
    switch(at, "app_pages/pilot.py").run()  # one page per 类别, generated from the catalogue
    assert [t.value for t in at.title] == ["试点项目"]
