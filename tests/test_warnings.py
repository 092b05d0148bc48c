"""Warnings load the file, are reported with their cell, and are stored with the submission."""

from __future__ import annotations

import pytest

from etl.pipeline import LOADED, REFUSED, load_bytes
from etl.roles import SYSTEM
from tests.conftest import header_of, read_db, stored, xlsx_bytes


def sheet(domain: str, *rows: list[object], year: int = 2016) -> dict[str, list[list[object]]]:
    return {"表": [[f"年度：{year}"], header_of(domain), *rows]}


CASES = {
    "total differs from the sum": (
        sheet("jobs", ["株洲市", 44], ["湘潭市", 6], ["合计", 51]),
        ("表!B5", "total-mismatch", "合计行“举办招聘会场次”为 51，而各市州之和为 50。合计行不入库，请核对。"),
    ),
    "employed above jobs offered": (
        sheet("jobs", ["株洲市", 44, 5000, 5890]),
        ("表!D3", "employed-exceeds-jobs", "实现就业妇女人数（5890）大于提供就业岗位数（5000），请核实。"),
    ),
    "borrowers above loans": (
        sheet("loans", ["益阳市", 878, 10211, 900]),
        ("表!D3", "borrowers-exceed-loans", "获贷妇女人数（900）大于发放贷款笔数（878），请核实。"),
    ),
    "aided above cases": (
        sheet("screening", ["岳阳市", 103200, 60000, 60000, 100, 120]),
        ("表!F3", "aided-exceed-cases", "救助患病妇女人数（120）大于查出患病人数（100），请核实。"),
    ),
    "average loan unusually large but possible": (
        sheet("loans", ["益阳市", 10, 800]),
        (
            "表!C3",
            "loan-average-out-of-range",
            "平均每笔贷款 80.00 万元，超出常见范围（0.5–50 万元）。金额是否误按“元”填报？应以万元计。",
        ),
    ),
    "average loan too small": (
        sheet("loans", ["益阳市", 878, 100]),
        ("表!C3", "loan-average-out-of-range", None),
    ),
}


@pytest.mark.parametrize("case", CASES.keys())
def test_warning_reported_loaded_and_stored(db_path, case):
    sheets, (location, code, message) = CASES[case]
    report = load_bytes(xlsx_bytes(sheets), "上报.xlsx", db_path, actor=SYSTEM)
    assert report.status == LOADED
    assert report.errors == []
    assert [(w.location, w.code) for w in report.warnings] == [(location, code)]
    if message:
        assert report.warnings[0].message == message
    with read_db(db_path) as con:
        rows = con.execute("select level, code, sheet || '!' || cell, message from submission_issues").fetchall()
    assert rows == [("warning", code, location, report.warnings[0].message)]


def test_total_that_matches_gives_no_warning(db_path):
    report = load_bytes(
        xlsx_bytes(sheet("jobs", ["株洲市", 44], ["湘潭市", 6], ["总计", 50])), "上报.xlsx", db_path, actor=SYSTEM
    )
    assert report.issues == []


def test_jump_against_last_year_in_the_warehouse(db_path):
    first = load_bytes(xlsx_bytes(sheet("jobs", ["株洲市", 44, 75700], year=2016)), "2016.xlsx", db_path, actor=SYSTEM)
    assert first.issues == []
    report = load_bytes(xlsx_bytes(sheet("jobs", ["株洲市", 450, 7000], year=2017)), "2017.xlsx", db_path, actor=SYSTEM)
    assert report.status == LOADED
    assert [(w.location, w.code, w.message) for w in report.warnings] == [
        ("表!B3", "year-on-year-jump", "举办招聘会场次为 450，是上年（44）的 10.2 倍。变化异常，请核实。"),
        ("表!C3", "year-on-year-jump", "提供就业岗位数为 7000，是上年（75700）的 9.2%。变化异常，请核实。"),
    ]
    assert stored(db_path)[("株洲市", 2017, "举办招聘会场次")] == 450


def test_jump_within_one_file(db_path):
    rows = [["年度", *header_of("jobs")], [2016, "株洲市", 44], [2017, "株洲市", 4]]
    report = load_bytes(xlsx_bytes({"S": rows}), "两年.xlsx", db_path, actor=SYSTEM)
    assert [(w.location, w.code) for w in report.warnings] == [("S!C3", "year-on-year-jump")]


def test_no_jump_warning_for_ordinary_growth(db_path):
    load_bytes(xlsx_bytes(sheet("jobs", ["株洲市", 44], year=2016)), "2016.xlsx", db_path, actor=SYSTEM)
    report = load_bytes(xlsx_bytes(sheet("jobs", ["株洲市", 60], year=2017)), "2017.xlsx", db_path, actor=SYSTEM)
    assert report.issues == []


# ---------------------------------------------------------------- impossible figures: refused, with the likely fix


def refusal(report) -> list[tuple[str, str, str]]:  # noqa: ANN001
    assert report.status == REFUSED
    return [(i.location, i.code, i.message) for i in report.errors]


def test_average_loan_over_100_wan_is_refused_with_the_fix(db_path):
    """益阳市 typed 发放贷款金额 in 元: 102110000 over 878 loans would be 11.6 亿 a loan."""
    report = load_bytes(xlsx_bytes(sheet("loans", ["益阳市", 878, 102110000])), "上报.xlsx", db_path, actor=SYSTEM)
    assert refusal(report) == [
        (
            "表!C3",
            "loan-average-impossible",
            "发放贷款金额 102110000 万元、878 笔，平均每笔 116298.41 万元，超过 100 万元，不可能成立。"
            "是否按元填写？按万元应为 10211。",
        )
    ]
    assert not db_path.exists()  # a refused upload writes nothing


def test_jump_over_100_times_last_year_is_refused_with_the_fix(db_path):
    load_bytes(xlsx_bytes(sheet("loans", ["长沙市", 1000, 13800], year=2024)), "2024.xlsx", db_path, actor=SYSTEM)
    before = stored(db_path)
    # 2025 in 元 instead of 万元: 1.38亿 (元) typed where 13800 (万元) belongs, 10000 times last year.
    report = load_bytes(
        xlsx_bytes(sheet("loans", ["长沙市", None, 138000000], year=2025)), "2025.xlsx", db_path, actor=SYSTEM
    )
    assert refusal(report) == [
        ("表!C3", "year-on-year-impossible",
         "发放贷款金额为 138000000，是上年（13800）的 10000.0 倍，不可能成立。是否按元填写？按万元应为 13800。")
    ]  # fmt: skip
    count = load_bytes(xlsx_bytes(sheet("loans", ["长沙市", 110000], year=2025)), "count.xlsx", db_path, actor=SYSTEM)
    assert refusal(count) == [
        ("表!B3", "year-on-year-impossible",
         "发放贷款笔数为 110000，是上年（1000）的 110.0 倍，不可能成立。请核对是否多输了数字、填错了行或单位。")
    ]  # fmt: skip
    assert stored(db_path) == before


def test_a_jump_under_100_times_is_only_a_warning(db_path):
    load_bytes(xlsx_bytes(sheet("jobs", ["株洲市", 44], year=2016)), "2016.xlsx", db_path, actor=SYSTEM)
    report = load_bytes(xlsx_bytes(sheet("jobs", ["株洲市", 4400], year=2017)), "2017.xlsx", db_path, actor=SYSTEM)
    assert report.status == LOADED
    assert [w.code for w in report.warnings] == ["year-on-year-jump"]
