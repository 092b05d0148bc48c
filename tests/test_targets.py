"""任务数 and 完成率 (issue 13 §4): a 管理员 imports a 任务数 table (the return's layout, checked as strictly: every
error at its sheet!cell, nothing half-applied) or sets a target on the 任务数 page; 完成率 is computed once, in
mart_targets; the domain page shows it beside the figure with a ranking by completion; the briefing says who met
it; every change is audited, and only a 管理员 may make it."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner

from etl import actions, audit, briefing, catalog, targets
from etl.cli import main
from etl.roles import PermissionDenied, User
from etl.template import FIRST_DATA_ROW, HEADER_ROW
from etl.warehouse import marts
from tests.apptest import figures, new_app, open_page, switch
from tests.conftest import fingerprint, stored

SHEET, NAME, CODE = "就业创业", "实现就业妇女人数", "women_employed"
ADMIN = User("admin", "管理员", None)


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def target_file(path: Path, values: dict[str, object], year: int = 2016) -> Path:
    """The 任务数 table of `year` with 实现就业妇女人数 targets in the rows named (市州, 县市区)."""
    wb = openpyxl.load_workbook(io.BytesIO(targets.template_bytes(year)))
    ws = wb[SHEET]
    col = next(c.column for c in ws[HEADER_ROW] if str(c.value or "").startswith(NAME))
    rows = {ws.cell(r, 1).value: r for r in range(FIRST_DATA_ROW, ws.max_row + 1)}
    for name, value in values.items():
        ws.cell(rows[name], col).value = value
    wb.save(path)
    return path


def plan(db: Path) -> dict[str, float]:
    """Targets for 2016: the first seven 市州 exactly their figure (met), the other seven one more (not met)."""
    actual = stored(db, 2016)
    return {c.name: actual[(c.name, 2016, NAME)] + (0 if i < 7 else 1) for i, c in enumerate(catalog.cities())}


def test_the_target_table_is_the_returns_layout_retitled() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(targets.template_bytes(2016)))
    assert wb.sheetnames[0] == "填报说明" and SHEET in wb.sheetnames
    assert str(wb[SHEET].cell(1, 1).value).endswith("任务数表")
    assert "本文件为2016年度任务数表" in str(wb["填报说明"].cell(2, 1).value)


def test_a_bad_target_file_is_refused_at_its_cells_and_writes_nothing(demo_copy, tmp_path) -> None:
    before = fingerprint(demo_copy)
    path = target_file(tmp_path / "任务数.xlsx", {"长沙市": "近2000", "株洲市": -5, "湘潭市": 3000})
    result = invoke("targets", "import", str(path), "--db", str(demo_copy))
    assert result.exit_code == 1
    assert "✗ 任务数.xlsx：已拒绝，未导入任何任务数（2 个错误）。" in result.output
    assert "错误 就业创业!F5 实现就业妇女人数：“近2000”是约数，是估计的数字。" in result.output
    assert "错误 就业创业!F6 实现就业妇女人数：“-5”是负数" in result.output
    assert fingerprint(demo_copy) == before
    a_return = tmp_path / "报表.xlsx"
    a_return.write_bytes(open_template(2016))
    assert invoke("targets", "import", str(a_return), "--db", str(demo_copy)).exit_code == 1
    assert fingerprint(demo_copy) == before


def open_template(year: int) -> bytes:
    from etl.template import template_bytes

    return template_bytes(year)


def test_targets_import_completion_ranking_page_and_briefing(demo_copy, tmp_path) -> None:
    wanted = plan(demo_copy)
    path = target_file(tmp_path / "任务数.xlsx", wanted)
    result = invoke("targets", "import", str(path), "--db", str(demo_copy))
    assert result.exit_code == 0, result.output
    assert "✓ 任务数.xlsx：已导入 14 项任务数（新设或改动 14 项）。" in result.output
    entry = audit.entries(demo_copy, limit=1)[0]
    assert entry["action"] == "targets"
    assert entry["detail"].startswith("设置任务数 14 项：2016年 长沙市 实现就业妇女人数 任务数 ")

    with duckdb.connect(str(demo_copy), read_only=True) as con:
        frame = marts.targets(con, False, year=2016, indicator=CODE)
    rows = frame.set_index("region_name")
    first, last = catalog.cities()[0].name, catalog.cities()[-1].name
    assert rows.at[first, "completion_pct"] == pytest.approx(100.0) and bool(rows.at[first, "met"])
    assert rows.at[last, "target"] == wanted[last] and not bool(rows.at[last, "met"])
    assert rows.at[last, "completion_pct"] == pytest.approx((wanted[last] - 1) / wanted[last] * 100)
    assert sorted(rows["completion_rank"]) == [1] * 7 + list(range(8, 15))  # ties share a rank

    at = open_page(new_app("admin"), "app_pages/jobs.py", 2016)
    at.selectbox(key="jobs_indicator").set_value(CODE).run()
    assert "2016年各市州实现就业妇女人数任务完成情况" in [s.value for s in at.subheader]
    caption = next(c.value for c in at.caption if "下达了任务数" in c.value)
    assert caption.startswith("14 个市州下达了任务数：已完成 7 个（")
    bar = next(f for f in figures(at) if "任务完成率" in f["layout"]["title"]["text"])
    assert bar["layout"]["shapes"][0]["x0"] == 100  # the target's line across the horizontal bars
    table = next(d.value for d in at.dataframe if "完成率（%）" in d.value.columns)
    assert list(table["完成情况"]) == ["已完成"] * 7 + ["未完成"] * 7  # ranked by completion

    with duckdb.connect(str(demo_copy), read_only=True) as con:
        text = briefing.briefing_from(con, 2016).summary
    met = "、".join(c.name for c in catalog.cities()[:7])
    assert f"实现就业妇女人数任务完成情况：14 个市州下达了任务数：已完成 7 个（{met}），未完成 7 个（" in text

    listed = invoke("targets", "list", "--year", "2016", "--db", str(demo_copy))
    assert listed.output.splitlines()[0].startswith("2016\t430100\t长沙市\t实现就业妇女人数\t")


def test_only_an_administrator_sets_targets(demo_copy) -> None:
    statistician = User("zhuzhou", "统计员", "430200")
    with pytest.raises(PermissionDenied):
        actions.set_targets(statistician, demo_copy, [targets.Target(2016, "430200", CODE, 1.0)])
    assert audit.entries(demo_copy, limit=1)[0]["action"] == "denied"
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        assert marts.targets(con, False, year=2016).empty


def test_the_targets_page_sets_one_and_refuses_an_estimate(demo_copy) -> None:
    at = open_page(new_app("admin"), "app_pages/overview.py")
    switch(at, "app_pages/targets.py").run()
    at.selectbox(key="targets_year").set_value(2016).run()
    at.selectbox(key="target_region").set_value("430281")  # 醴陵市, a 县市区 of 株洲
    at.selectbox(key="target_indicator").set_value("volunteers")
    at.text_input(key="target_value").set_value("约500").run()
    at.button(key="targets_set").click().run()
    assert any("是约数" in e.value for e in at.error), [e.value for e in at.error]
    at.text_input(key="target_value").set_value("500").run()
    at.button(key="targets_set").click().run()
    assert [s.value for s in at.success] == ["已设置2016年醴陵市任务数 500。"]
    table = next(d.value for d in at.dataframe if "任务数" in d.value.columns)
    assert table.iloc[0].tolist()[:6] == ["2016", "430281", "醴陵市", "巾帼志愿者人数", "500", "人"]
    entry = audit.entries(demo_copy, limit=1)[0]
    assert entry["actor"] == "admin" and "醴陵市 巾帼志愿者人数 任务数 500（原为 无）" in entry["detail"]

    at.session_state["targets_table"] = {"selection": {"rows": [0], "columns": []}}
    at.button(key="targets_delete").click().run()
    assert [s.value for s in at.success] == ["已删除 1 项任务数。"]


def test_a_statistician_is_not_offered_the_targets_page(demo_copy) -> None:
    at = open_page(new_app("zz"), "app_pages/overview.py")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/targets.py")
