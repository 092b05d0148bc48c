"""The marts (etl/warehouse/marts.sql) on a small real warehouse whose every figure is worked out by hand here:
totals, true averages, year-on-year over 市州 reporting both years, ranks with ties, shares, rates, coverage and
completeness, in the published scope and with pending figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import warehouse
from etl.pipeline import LOADED, load_bytes
from etl.roles import SYSTEM
from etl.warehouse import marts
from tests.conftest import backend_scope, header_of, xlsx_bytes


def sheet(domain: str, year: int, *rows: list[object]) -> dict[str, list[list[object]]]:
    return {domain: [[f"年度：{year}"], header_of(domain), *rows]}


@pytest.fixture(scope=backend_scope("module"))
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("marts") / "warehouse.duckdb"
    published = [
        sheet("jobs", 2023, ["长沙市", 8], ["衡阳市", 5]),
        sheet("jobs", 2024, ["长沙市", 10, 100, 50], ["株洲市", 20, 200, 120], ["湘潭市", 20, None, 30]),
        sheet("loans", 2024, ["长沙市", 10, 100], ["株洲市", 0, 50]),
    ]
    for index, sheets in enumerate(published):
        report = load_bytes(xlsx_bytes(sheets), f"p{index}.xlsx", path, published=True, actor=SYSTEM)
        assert report.status == LOADED, [i.describe() for i in report.issues]
    # A correction still waiting for review: 株洲市 2024 招聘会 20 → 40.
    correction = xlsx_bytes(sheet("jobs", 2024, ["株洲市", 40, 200, 120]))
    assert load_bytes(correction, "correction.xlsx", path, actor=SYSTEM).status == LOADED
    return path


def rows(frame, key: str = "region_code") -> dict:  # noqa: ANN001 - a DataFrame
    return {r[key]: r for r in frame.to_dict("records")}


def test_province_total_true_average_and_change(db):
    with warehouse.connect(db, read_only=True) as con:
        fairs = rows(marts.province(con, False, measure="job_fairs"), "year")
        pending = rows(marts.province(con, True, measure="job_fairs"), "year")
    now = fairs[2024]
    assert (now["total"], now["reported"], now["average"]) == (50, 3, pytest.approx(50 / 3))
    # Only 长沙市 reported both years (衡阳市 did not report 2024, 株洲/湘潭 not 2023): 10 against 8.
    assert (now["comparable"], now["change"], now["change_pct"]) == (1, 2, pytest.approx(25.0))
    assert (fairs[2023]["total"], fairs[2023]["comparable"]) == (13, 0)
    assert (pending[2024]["total"], pending[2024]["pending_cities"]) == (70, 1)  # the correction counts, marked
    assert now["pending_cities"] == 0


def test_ranks_with_ties_shares_and_own_change(db):
    with warehouse.connect(db, read_only=True) as con:
        city = rows(marts.city(con, False, measure="job_fairs", year=2024))
        staff = rows(marts.city(con, True, measure="job_fairs", year=2024))
    assert [(city[c]["rank"], city[c]["share"]) for c in ("430200", "430300", "430100")] == [
        (1, 40.0), (1, 40.0), (3, 20.0),
    ]  # fmt: skip
    assert (city["430100"]["previous_value"], city["430100"]["change_pct"]) == (8, pytest.approx(25.0))
    assert city["430100"]["reported"] == 3
    assert (staff["430200"]["value"], staff["430200"]["pending"], staff["430200"]["rank"]) == (40, True, 1)
    assert staff["430300"]["rank"] == 2


def test_rates_per_city_and_for_the_province(db):
    with warehouse.connect(db, read_only=True) as con:
        placement = rows(marts.city(con, False, measure="placement_rate", year=2024))
        loans = rows(marts.city(con, False, measure="average_loan", year=2024))
        province = rows(marts.province(con, False, year=2024), "measure")
    assert placement["430100"]["value"] == 50 and placement["430200"]["value"] == 60
    assert placement["430300"]["value"] != placement["430300"]["value"]  # 湘潭 gave no 岗位数: NaN, not 0
    assert loans["430100"]["value"] == 10
    assert loans["430200"]["value"] != loans["430200"]["value"]  # 0 loans: no average, not infinity
    # The province's own rate is Σ numerator ÷ Σ denominator over the 市州 where it exists, not a mean of rates.
    assert province["placement_rate"]["average"] == pytest.approx((50 + 120) / (100 + 200) * 100)
    assert province["average_loan"]["average"] == 10
    assert province["placement_rate"]["total"] != province["placement_rate"]["total"]  # a rate has no total
    assert province["placement_rate"]["kind"] == "rate"


def test_coverage_and_completeness(db):
    with warehouse.connect(db, read_only=True) as con:
        coverage = marts.coverage(con, False)
        status = marts.year_status(con, False)
    assert coverage[(2024, "jobs")] == (3, 0) and coverage[(2024, "loans")] == (2, 0)
    assert (2024, "screening") not in coverage
    year = status[2024]
    assert (year["cities"], year["cities_reported"], year["cities_complete"]) == (14, 3, 0)
    assert year["missing"].startswith("衡阳市、邵阳市、岳阳市") and "长沙市" not in year["missing"]
    assert year["incomplete"].startswith("长沙市、株洲市、湘潭市、衡阳市")
    assert status[2023]["cities_reported"] == 2
