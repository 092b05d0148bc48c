"""Versions, archive and provenance of loads, and the command line's exit codes and reports."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import python_calamine
from click.testing import CliRunner

from etl import actions, catalog
from etl.cli import main
from etl.config import PROJECT_ROOT
from etl.export import neutralise, tidy_csv
from etl.pipeline import ALREADY_LOADED, LOADED, load_bytes
from etl.roles import SYSTEM
from tests.conftest import filled_template, fingerprint, header_of, read_db, stored, xlsx_bytes


def jobs(region: str, *values: object, year: int = 2016) -> bytes:
    return xlsx_bytes({"就业创业": [[f"年度：{year}"], header_of("jobs"), [region, *values]]})


def test_same_file_twice_adds_nothing(db_path):
    data = jobs("株洲市", 44, 75700, 5890)
    assert load_bytes(data, "a.xlsx", db_path, actor=SYSTEM).status == LOADED
    before = fingerprint(db_path)
    again = load_bytes(data, "renamed.xlsx", db_path, actor=SYSTEM)
    assert again.status == ALREADY_LOADED
    assert again.store.submission_id == 1
    assert fingerprint(db_path) == before


def test_new_version_replaces_slice_and_keeps_history(db_path):
    load_bytes(jobs("株洲市", 44, 75700, 5890), "v1.xlsx", db_path, actor=SYSTEM)
    load_bytes(jobs("衡阳市", 30), "hy.xlsx", db_path, actor=SYSTEM)
    report = load_bytes(jobs("株洲市", 45, None, 5890), "v2.xlsx", db_path, actor=SYSTEM)
    assert (report.store.added, report.store.changed, report.store.unchanged) == (0, 2, 1)
    values = stored(db_path)
    assert values[("株洲市", 2016, "举办招聘会场次")] == 45
    assert values[("株洲市", 2016, "提供就业岗位数")] is None  # blanked in v2: now not reported
    assert values[("衡阳市", 2016, "举办招聘会场次")] == 30  # other slices untouched
    with read_db(db_path) as con:
        versions = con.execute(
            "select version, submission_id, is_current from slice_versions"
            " where region_code = '430200' order by version"
        ).fetchall()
        history = con.execute(
            "select submission_id, value from facts where region_code = '430200' and indicator = 'job_fairs' order by 1"
        ).fetchall()
    assert versions == [(1, 1, False), (2, 3, True)]
    assert history == [(1, 44.0), (3, 45.0)]


def test_provenance_and_archive(db_path):
    data = filled_template(2016, {("两癌检查", "岳阳市", "两癌检查人数"): 103200})
    load_bytes(data, "../../etc/passwd.xlsx", db_path, submitted_by="岳阳市统计员", actor=SYSTEM)
    with read_db(db_path) as con:
        sheet, cell, name, who, path = con.execute(
            """
            select sheet, cell, file_name, submitted_by, archive_path
            from current_values join submissions using (submission_id, file_name, submitted_by)
            where indicator_name = '两癌检查人数'
            """
        ).fetchall()[0]
    # row 57: 岳阳市 comes after the first five 市州 and their 县市区 (the 2016 template lists them)
    assert (sheet, cell, name, who) == ("两癌检查", "B57", "../../etc/passwd.xlsx", "岳阳市统计员")
    archived = db_path.parent / path
    assert archived.read_bytes() == data  # kept under its hash, the uploaded name never used as a path
    assert archived.parent.parent == db_path.parent / "raw" / "archive"
    assert "passwd" not in path


def test_sample_flag_from_template_meta(db_path):
    from etl.template import template_bytes

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(template_bytes(2016, sample=True)))
    assert ["sample", "1"] in [[str(c) for c in row] for row in book.get_sheet_by_name("_meta").to_python()]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )


def test_cli_load_exit_codes_and_reports(db_path, write_file):
    good = write_file("株洲.xlsx", jobs("株洲市", 44, 5000, 5890))
    bad = write_file("衡阳.xlsx", jobs("衡阳市", "近2000"))
    result = run_cli("load", str(good), "--db", str(db_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ 株洲.xlsx：已导入" in result.stdout
    assert (
        "警告 就业创业!D3 实现就业妇女人数：实现就业妇女人数（5890）大于提供就业岗位数（5000），请核实。"
        in result.stdout
    )
    before = fingerprint(db_path)
    result = run_cli("load", str(bad), str(good), "--db", str(db_path))
    assert result.returncode == 1
    assert "✗ 衡阳.xlsx：已拒绝，未写入任何数据（1 个错误）。" in result.stdout
    assert "错误 就业创业!B3 举办招聘会场次：“近2000”是约数" in result.stdout
    assert "= 株洲.xlsx：该文件已导入过（上报编号 1），未重复写入。" in result.stdout
    assert fingerprint(db_path) == before


def test_cli_usage_errors_exit_2(db_path, write_file):
    good = write_file("株洲.xlsx", jobs("株洲市", 44))
    assert run_cli("load", str(good), "--region", "火星市", "--db", str(db_path)).returncode == 2
    assert run_cli("load", "--db", str(db_path)).returncode == 2
    assert run_cli("load", str(good), "--year", "abc").returncode == 2
    assert run_cli("frobnicate").returncode == 2
    assert not db_path.exists()


def test_cli_load_with_year_and_region(db_path, write_file):
    path = write_file("无年度.xlsx", xlsx_bytes({"S": [["举办招聘会场次（场）"], [44]]}))
    runner = CliRunner()
    result = runner.invoke(main, ["load", str(path), "--db", str(db_path), "--year", "2016", "--region", "株洲"])
    assert result.exit_code == 0, result.output
    assert stored(db_path)[("株洲市", 2016, "举办招聘会场次")] == 44


def test_cli_check_writes_nothing(db_path, write_file):
    path = write_file("株洲.xlsx", jobs("株洲市", 44))
    result = CliRunner().invoke(main, ["check", str(path), "--db", str(db_path)])
    assert result.exit_code == 0
    assert "✓ 株洲.xlsx：检查通过，可导入 1 组（市州×年度×类别）、1 个数值。" in result.output
    assert not db_path.exists()
    bad = write_file("坏.xlsx", jobs("株洲市", -1))
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert result.exit_code == 1
    assert "负数" in result.output


def test_cli_refuses_oversize_file_before_reading(db_path, write_file):
    path = write_file("巨大.csv", b"0" * (10 * 1024 * 1024 + 1))
    result = CliRunner().invoke(main, ["load", str(path), "--db", str(db_path)])
    assert result.exit_code == 1
    assert "超过上限 10 MB" in result.output


def cli_export(db_path: Path, out: Path, *options: str) -> list[list[str]]:
    result = CliRunner().invoke(main, ["export", "--db", str(db_path), *options, "-o", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_cli_export_is_tidy_with_bom_and_published_only_unless_asked(db_path, tmp_path):
    load_bytes(jobs("株洲市", 44, 75700, 5890), "zz.xlsx", db_path, actor=SYSTEM)
    load_bytes(
        xlsx_bytes({"S": [["2016年"], header_of("loans"), ["益阳市", 878, 10211.5]]}), "yy.xlsx", db_path, actor=SYSTEM
    )
    header = ["年度", "行政区划代码", "市州", "县市区", "类别", "指标", "单位", "数值", "口径"]
    figures = [
        ["2016", "430200", "株洲市", "", "就业创业", "举办招聘会场次", "场", "44", "2000年起"],
        ["2016", "430200", "株洲市", "", "就业创业", "提供就业岗位数", "个", "75700", "2000年起"],
        ["2016", "430200", "株洲市", "", "就业创业", "实现就业妇女人数", "人", "5890", "2000年起"],
        ["2016", "430900", "益阳市", "", "小额担保贷款", "发放贷款笔数", "笔", "878", "2000年起"],
        ["2016", "430900", "益阳市", "", "小额担保贷款", "发放贷款金额", "万元", "10211.5", "2000年起"],
    ]
    out = tmp_path / "out.csv"
    assert cli_export(db_path, out, "--year", "2016") == [header]  # nothing reviewed yet
    pending = cli_export(db_path, out, "--year", "2016", "--include-pending")
    assert pending == [[*header, "审核状态"]] + [[*row, "待审核"] for row in figures]
    actions.approve(SYSTEM, db_path, year=2016, region_code="430200")
    assert cli_export(db_path, out, "--year", "2016") == [header] + figures[:3]
    both = cli_export(db_path, out, "--year", "2016", "--include-pending")
    assert [row[-1] for row in both[1:]] == ["已审核"] * 3 + ["待审核"] * 2
    assert len(cli_export(db_path, tmp_path / "loans.csv", "--domain", "小额担保贷款", "--include-pending")) == 3


@pytest.mark.duckdb_only("a server database is never missing")
def test_export_without_warehouse_says_so(tmp_path):
    result = CliRunner().invoke(main, ["export", "--db", str(tmp_path / "none.duckdb"), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 1
    assert "不存在" in result.output


def test_export_neutralises_formula_injection():
    hostile = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "正常"]
    assert [neutralise(h) for h in hostile] == [
        "'=cmd|' /C calc'!A0",
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTAB",
        "'\rCR",
        "正常",
    ]
    text = tidy_csv([(2016, "430200", '=HYPERLINK("http://x")', None, "就业创业", "+x", "个", 1.0)]).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",'+x," in text


def test_cli_template(tmp_path):
    out = tmp_path / "株洲2024.xlsx"
    result = CliRunner().invoke(main, ["template", "--year", "2024", "--region", "株洲市", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = python_calamine.CalamineWorkbook.from_path(str(out))
    assert book.sheet_names[:5] == ["填报说明", "就业创业", "小额担保贷款", "两癌检查", "农村电商"]
    rows = book.get_sheet_by_name("两癌检查").to_python()  # 株洲市, then its 县市区 of 2024
    assert [r[0] for r in rows[4:]] == ["株洲市", *(c.name for c in catalog.counties_of("430200"))]


def test_load_path_imports_no_heavy_modules(write_file, db_path):
    path = write_file("株洲.xlsx", jobs("株洲市", 44))
    code = (
        "import sys; from etl.cli import main\n"
        f"try:\n    main(['load', {str(path)!r}, '--db', {str(db_path)!r}])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'openpyxl', 'plotly', 'streamlit') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr


def test_readme_gives_the_two_commands():
    readme = (Path(PROJECT_ROOT) / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme


@pytest.mark.duckdb_only("a DuckDB file made by an earlier release")
def test_reading_a_warehouse_from_an_older_version_upgrades_its_schema(db_path):
    from etl import warehouse

    load_bytes(jobs("株洲市", 44), "a.xlsx", db_path, actor=SYSTEM)
    with duckdb.connect(
        str(db_path)
    ) as con:  # as an older release left it: no deadlines table, no migrations, old digest
        con.execute("drop table deadlines")
        con.execute("drop table schema_migrations")
        con.execute("update schema_info set value = 'old' where key = 'digest'")
    with warehouse.connect(db_path, read_only=True) as con:
        assert warehouse.deadline_of(con, 2016) is None
        assert warehouse.current_values(con, include_pending=True)[0][7] == 44
