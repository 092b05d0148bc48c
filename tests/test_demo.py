"""The shipped 示例 returns: generated deterministically, and `python -m etl demo` loads them cleanly."""

from __future__ import annotations

import codecs
import csv
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from python_calamine import CalamineWorkbook

from etl import catalog, levels
from etl.config import RAW_DIR
from etl.demo import sample_files
from etl.records import format_number
from etl.sample_data import write_samples
from tests.conftest import read_db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
YEARS = range(2016, 2025)
EXPORT_HEADER = ["年度", "行政区划代码", "市州", "县市区", "类别", "指标", "单位", "数值", "口径"]


class Figure(NamedTuple):
    unit: str  # 市州 or 省级单位 that reported it
    text: str  # as the review writes it
    indicator: str | None  # where the catalogue holds it (None: nowhere, an approximate count of leaflets…)
    value: float | None  # the exact figure; None when the review gives it only roughly


# All 43 figures of the 2016 review (shared/seeds/000_354de88c5772150a.txt), in its order. 34 are exact: each has an
# indicator, and the 2016 demo carries it. 9 are approximate (近, 余, 多): never reported as a number.
REVIEW_2016 = [
    Figure("长沙市", "创建巾帼现代农业科技示范基地41个", "demo_bases", 41),
    Figure("长沙市", "市级巾帼合作社10个", "women_coops", 10),
    Figure("长沙市", "民间手工女艺人手工制品示范基地8个", "craft_bases", 8),
    Figure("株洲市", "组织44场招聘会", "job_fairs", 44),
    Figure("株洲市", "提供就业岗位7.57万个", "jobs_offered", 75_700),
    Figure("株洲市", "5890名妇女实现就业", "women_employed", 5_890),
    Figure("湘潭市", "争取“创文”经费226万元", "funds_raised", 226),
    Figure("湘潭市", "巾帼志愿者参与人数达7000人次", "volunteer_turnout", 7_000),
    Figure("邵阳市", "培育女性农村电商带头人近2000人", "female_leaders", None),
    Figure("邵阳市", "建成村级电子商务服务站1287个", "village_stations", 1_287),
    Figure("岳阳市", "1289名妇女获得小额贷款", "women_borrowers", 1_289),
    Figure("岳阳市", "近亿元小额贷款", "loan_amount", None),
    Figure("岳阳市", "为10.32万农村适龄妇女进行“两癌”检查", "screened_total", 103_200),
    Figure("岳阳市", "争取“两癌”救助资金700多万元", "aid_funds", None),
    Figure("张家界市", "争取各类项目资金370万元", "funds_raised", 370),
    Figure("张家界市", "210名女性建立农民合作专业社", "coop_founders", 210),
    Figure("张家界市", "培养女性致富带头人180名", "rich_leaders", 180),
    Figure("益阳市", "发放妇女小额担保贷款878笔", "loan_count", 878),
    Figure("益阳市", "金额10211万元", "loan_amount", 10_211),
    Figure("益阳市", "扶持自主创业716人", "self_employed_supported", 716),
    Figure("益阳市", "带动就业2135人", "jobs_created", 2_135),
    Figure("郴州市", "开展各类志愿服务活动78次", "volunteer_activities", 78),
    Figure("郴州市", "服务群众2.4万人次", "people_served", 24_000),
    Figure("郴州市", "创建省家庭教育示范社区(村)4个", "family_demo_sites", 4),
    Figure("郴州市", "开展“父母课堂”150余场", "parent_classes", None),
    Figure("郴州市", "惠及6万余人", "parent_class_reach", None),
    Figure("永州市", "发放宣传手册1200余份", None, None),
    Figure("永州市", "为354名女职工进行义诊", "clinic_women", 354),
    Figure("永州市", "4万余名妇女得到（安康保险）保障", "insured_women", None),
    Figure("永州市", "60人获得救助", "insurance_aided", 60),
    Figure("怀化市", "在11个县市区开展农村留守儿童心理健康辅导中心项目", "counselling_counties", 11),
    Figure("怀化市", "在8个县市区开展云校智慧教育综合服务平台项目", "smart_school_counties", 8),
    Figure("怀化市", "15名网评员", "online_commentators", 15),
    Figure("怀化市", "200名网宣员", "online_publicists", 200),
    Figure("娄底市", "电商培训全覆盖到全市80多个乡镇(办)", None, None),
    Figure("娄底市", "举办培训36期", "training_sessions", 36),
    Figure("娄底市", "5.3万人受益", "training_beneficiaries", 53_000),  # 人, not 人次
    Figure("娄底市", "助推女性创业就业1.5万人", "women_employed", 15_000),
    Figure("娄底市", "构筑电商平台、女性创业孵化基地7个", "incubators", 7),
    Figure("省妇联办公室", "收集调研报告200多篇", "research_reports", None),
    Figure("省妇联办公室", "遴选38篇", "selected_reports", 38),
    Figure("省妇联组织联络部", "培训县市区妇联干部100人", "county_cadres_trained", 100),
    Figure("省妇联组织联络部", "乡镇妇联干部200人", "township_cadres_trained", 200),
]
EXACT_2016 = [f for f in REVIEW_2016 if f.value is not None]
APPROXIMATE_2016 = [f for f in REVIEW_2016 if f.value is None and f.indicator]


def export_row(figure: Figure) -> list[str]:
    """The export's row of an exact figure: 年度, 代码, 市州 (or 省级单位), 县市区 (blank), 类别, 指标, 单位, 数值,
    口径 (the shipped definitions are in force from 2000: "2000年起")."""
    region, indicator = catalog.find_region(figure.unit), catalog.indicator_by_code()[figure.indicator]
    domain = catalog.domain_by_code()[indicator.domain].name
    value = format_number(figure.value)
    return ["2016", region.code, region.name, "", domain, indicator.name, indicator.unit, value, "2000年起"]


def test_the_review_gives_43_figures_34_exact() -> None:
    assert (len(REVIEW_2016), len(EXACT_2016), len(APPROXIMATE_2016)) == (43, 34, 7)
    for figure in EXACT_2016:  # the catalogue holds each one, at the level of the unit that reported it
        region = catalog.find_region(figure.unit)
        assert levels.reports(catalog.indicator_by_code()[figure.indicator], region), figure


def run_etl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=280
    )


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with read_db(db) as con:
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
        assert committed[path.name].stat().st_size < 150 * 1024
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
def test_every_exact_figure_of_the_review_is_exported(exported: list[list[str]]) -> None:
    missing = [f for f in EXACT_2016 if export_row(f) not in exported]
    assert not missing


@pytest.mark.slow
@pytest.mark.parametrize("figure", APPROXIMATE_2016, ids=lambda f: f.text)
def test_approximate_figures_not_reported(exported: list[list[str]], demo_db: Path, figure: Figure) -> None:
    name = catalog.indicator_by_code()[figure.indicator].name
    region = catalog.find_region(figure.unit).name
    assert not [r for r in exported[1:] if (r[0], r[2], r[3], r[5]) == ("2016", region, "", name)]
    # Stored as NULL in a slice the city did report: 未填报, not a missing return.
    sql = "select value from current_values where year = 2016 and region_name = ? and indicator_name = ?"
    rows = query(demo_db, sql, [region, name])
    assert rows == [(None,)]


@pytest.mark.slow
def test_every_year_has_every_city(demo_db: Path) -> None:
    rows = query(
        demo_db,
        "select year, count(distinct region_code) from current_values"
        " where value is not null and region_level = 'city' group by year",
    )
    assert dict(rows) == {year: 14 for year in YEARS}


@pytest.mark.slow
def test_later_years_have_honest_gaps(demo_db: Path) -> None:
    ecommerce_2024 = query(
        demo_db,
        "select count(distinct region_code) from current_values"
        " where year = 2024 and domain = 'ecommerce' and region_level = 'city'",
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
