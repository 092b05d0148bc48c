"""The shipped 示例 returns: generated deterministically, and `python -m etl demo` loads them cleanly."""

from __future__ import annotations

import codecs
import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from etl import catalog
from etl.config import RAW_DIR
from etl.demo import sample_files
from etl.sample_data import write_samples

PROJECT_ROOT = Path(__file__).resolve().parent.parent
YEARS = range(2016, 2025)
EXPORT_HEADER = ["年度", "行政区划代码", "市州", "类别", "指标", "单位", "数值", "口径"]
# Every exact figure of the 2016 review (shared/seeds/000_354de88c5772150a.txt), as the export writes it (the
# shipped definitions are in force from 2000: 口径 "2000年起").
SEED_ROWS = [
    "2016,430100,长沙市,就业创业,巾帼示范基地数,个,41,2000年起",
    "2016,430200,株洲市,就业创业,举办招聘会场次,场,44,2000年起",
    "2016,430200,株洲市,就业创业,提供就业岗位数,个,75700,2000年起",
    "2016,430200,株洲市,就业创业,实现就业妇女人数,人,5890,2000年起",
    "2016,430500,邵阳市,农村电商,村级电商服务站数,个,1287,2000年起",
    "2016,430600,岳阳市,小额担保贷款,获贷妇女人数,人,1289,2000年起",
    "2016,430600,岳阳市,两癌检查,两癌检查人数,人,103200,2000年起",
    "2016,430900,益阳市,小额担保贷款,发放贷款笔数,笔,878,2000年起",
    "2016,430900,益阳市,小额担保贷款,发放贷款金额,万元,10211,2000年起",
    "2016,430900,益阳市,小额担保贷款,扶持自主创业人数,人,716,2000年起",
    "2016,430900,益阳市,小额担保贷款,带动就业人数,人,2135,2000年起",
    "2016,431300,娄底市,就业创业,创业就业培训期数,期,36,2000年起",
    "2016,431300,娄底市,就业创业,创业就业培训人次,人次,53000,2000年起",
    "2016,431300,娄底市,农村电商,女性创业孵化基地数,个,7,2000年起",
]
# The review gives these only roughly (近2000, 近亿元, 700多万元): not reported, never a guess.
APPROXIMATE_2016 = [("邵阳市", "培育女性电商带头人数"), ("岳阳市", "发放贷款金额"), ("岳阳市", "救助资金")]


def run_etl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=280
    )


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def sheet_values(path: Path, skip: tuple[str, ...] = ("generated_at",)) -> dict[str, list[list[object]]]:
    """Every sheet's cells as calamine reads them, minus rows whose first cell is in `skip` (timestamps)."""
    book = CalamineWorkbook.from_path(str(path))
    return {
        name: [row for row in book.get_sheet_by_name(name).to_python() if not row or row[0] not in skip]
        for name in book.sheet_names
    }


# --- the generator -------------------------------------------------------------------------------


def test_write_samples_is_deterministic(tmp_path: Path) -> None:
    first = write_samples(tmp_path / "a")
    second = write_samples(tmp_path / "b")
    assert [p.name for p in first] == [f"示例_{year}_全省报表.xlsx" for year in YEARS]
    for a, b in zip(first, second, strict=True):
        assert sheet_values(a) == sheet_values(b), a.name


def test_committed_samples_are_the_generated_ones(tmp_path: Path) -> None:
    committed = {p.name: p for p in sample_files(RAW_DIR)}
    for path in write_samples(tmp_path):
        assert path.name in committed, "run `python -m etl.sample_data` to regenerate data/raw/"
        assert committed[path.name].stat().st_size < 60 * 1024
        domain_sheets = [d.name for d in catalog.domains()]
        fresh, shipped = sheet_values(path), sheet_values(committed[path.name])
        for sheet in domain_sheets:
            assert shipped[sheet] == fresh[sheet], f"{path.name} {sheet}: run `python -m etl.sample_data`"
        assert dict(shipped["_meta"])["sample"] == "1"


# --- the demo warehouse, built by the CLI as `make demo` does ----------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    db = tmp_path_factory.mktemp("demo") / "w.duckdb"
    return db, run_etl("demo", "--db", str(db))


@pytest.fixture(scope="module")
def demo_db(demo: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    db, result = demo
    assert result.returncode == 0, result.stdout + result.stderr
    return db


@pytest.fixture(scope="module")
def exported(demo_db: Path) -> list[list[str]]:
    out = demo_db.parent / "out.csv"
    result = run_etl("export", "--db", str(demo_db), "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.slow
def test_demo_exits_cleanly(demo: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, result = demo
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"（{len(sample_files())} 个示例文件）" in result.stdout
    assert f"[1/{len(sample_files())}] {sample_files()[0].name}：已导入\n" in result.stdout  # Chinese, not "loaded"
    words = re.sub(r"\S*/\S*|\S*\.xlsx", "", result.stdout)  # paths and file names are the user's
    assert not re.search(r"[A-Za-z]{2,}", words)


@pytest.mark.slow
def test_export_header(exported: list[list[str]]) -> None:
    assert exported[0] == EXPORT_HEADER


@pytest.mark.slow
@pytest.mark.parametrize("row", SEED_ROWS)
def test_seed_figures_exported_exactly(exported: list[list[str]], row: str) -> None:
    assert row.split(",") in exported


@pytest.mark.slow
@pytest.mark.parametrize(("region", "indicator"), APPROXIMATE_2016)
def test_approximate_figures_not_reported(
    exported: list[list[str]], demo_db: Path, region: str, indicator: str
) -> None:
    assert not [r for r in exported[1:] if (r[0], r[2], r[4]) == ("2016", region, indicator)]
    # Stored as NULL in a slice the city did report: 未填报, not a missing return.
    sql = "select value from current_values where year = 2016 and region_name = ? and indicator_name = ?"
    rows = query(demo_db, sql, [region, indicator])
    assert rows == [(None,)]


@pytest.mark.slow
def test_every_year_has_every_city(demo_db: Path) -> None:
    rows = query(
        demo_db, "select year, count(distinct region_code) from current_values where value is not null group by year"
    )
    assert dict(rows) == {year: 14 for year in YEARS}


@pytest.mark.slow
def test_later_years_have_honest_gaps(demo_db: Path) -> None:
    ecommerce_2024 = query(
        demo_db, "select count(distinct region_code) from current_values where year = 2024 and domain = 'ecommerce'"
    )
    assert ecommerce_2024 == [(12,)]
    blank = query(demo_db, "select count(*) from current_values where year >= 2017 and value is null")
    assert blank[0][0] >= 1


@pytest.mark.slow
def test_every_submission_is_sample(demo_db: Path) -> None:
    rows = query(demo_db, "select count(*), bool_and(is_sample), bool_and(source = 'demo') from submissions")
    assert rows == [(len(sample_files()), True, True)]


@pytest.mark.slow
def test_demo_stores_no_warnings(demo_db: Path) -> None:
    assert query(demo_db, "select count(*) from submission_issues") == [(0,)]


@pytest.mark.slow
def test_demo_again_adds_nothing(demo_db: Path) -> None:
    counts = "select (select count(*) from submissions), (select count(*) from facts)"
    before = query(demo_db, counts)
    result = run_etl("demo", "--db", str(demo_db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert query(demo_db, counts) == before
