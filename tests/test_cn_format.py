"""One number style: every unit kind, table-driven (cards, hovers, changes, axes, tables, Excel formats)."""

from __future__ import annotations

import pytest

from etl import catalog
from etl.cn_format import (
    AMOUNT,
    AVERAGE,
    COUNT,
    PERCENT,
    RATE,
    cn_change,
    cn_number,
    cn_quantity,
    exact,
    kind_of,
    table_text,
    value_axis,
)


@pytest.mark.parametrize(
    ("unit", "derived", "kind"),
    [("人", False, COUNT), ("人次", False, COUNT), ("万元", False, AMOUNT), ("人", True, AVERAGE),
     ("万元", True, AMOUNT), ("%", True, PERCENT), ("每万人", True, RATE)],
)  # fmt: skip
def test_kind_follows_the_unit(unit, derived, kind):
    assert kind_of(unit, derived=derived) is kind


def test_every_catalogue_indicator_has_the_kind_its_unit_implies():
    assert {i.code: kind_of(i.unit).code for i in catalog.indicators()} == {
        i.code: i.kind for i in catalog.indicators()
    }


@pytest.mark.parametrize(
    ("value", "unit", "kind", "text"),
    [
        # counts: whole numbers, then 万/亿 with two decimals
        (0, "个", COUNT, "0个"),
        (5890, "人", COUNT, "5890人"),
        (9999, "个", COUNT, "9999个"),
        (10000, "个", COUNT, "1.00万个"),
        (75700, "个", COUNT, "7.57万个"),
        (124600, "人", COUNT, "12.46万人"),
        (99_999_999, "人", COUNT, "1.00亿人"),  # rounds up to the next step, never 10000.00万人
        (102_110_000, "人次", COUNT, "1.02亿人次"),
        # 万元 amounts: two decimals, then 亿元 and 万亿元
        (0.25, "万元", AMOUNT, "0.25万元"),
        (700.5, "万元", AMOUNT, "700.50万元"),
        (9999.99, "万元", AMOUNT, "9999.99万元"),
        (9999.996, "万元", AMOUNT, "1.00亿元"),
        (10211, "万元", AMOUNT, "1.02亿元"),
        (138_000_000, "万元", AMOUNT, "1.38万亿元"),  # 13800亿元 reads as 1.38万亿元
        # averages of counts: one decimal
        (3.14159, "人", AVERAGE, "3.1人"),
        (12.0, "人", AVERAGE, "12.0人"),
        # percentages and rates: one decimal, never scaled
        (45.23, "%", PERCENT, "45.2%"),
        (12345.6, "每万人", RATE, "12345.6每万人"),
        (None, "人", COUNT, "未填报"),
        (float("nan"), "万元", AMOUNT, "未填报"),
    ],
)
def test_quantities(value, unit, kind, text):
    assert cn_quantity(value, unit, kind) == text


def test_the_kind_defaults_from_the_unit():
    assert cn_quantity(700.5, "万元") == "700.50万元"
    assert cn_quantity(75700, "个") == "7.57万个"


@pytest.mark.parametrize(("value", "text"), [(5890, "5890"), (79200, "7.92万"), (102_110_000, "1.02亿")])
def test_numbers_without_unit_for_prose(value, text):
    assert cn_number(value) == text


@pytest.mark.parametrize(
    ("change", "unit", "reference", "text"),
    [
        (7139, "人", 124600, "+0.71万人"),  # the scale of 12.46万人, not +7139人
        (-7139, "人", 124600, "-0.71万人"),
        (-120, "人", 9000, "-120人"),
        (0, "人", 9000, "+0人"),
        (-0.001, "人", 124600, "+0.00万人"),  # no "-0.00"
        (500, "万元", 700, "+500.00万元"),
        (5_000_000, "万元", 138_000_000, "+0.05万亿元"),
        (2.5, "%", 45.0, "+2.5%"),
        (1.25, "人", 3.5, "+1.2人"),  # an average's change: one decimal (banker's rounding of 1.25)
        (None, "人", 100, "未填报"),
    ],
)
def test_changes_in_the_scale_of_the_value(change, unit, reference, text):
    kind = kind_of(unit, derived=unit == "人" and reference < 10)
    assert cn_change(change, unit, reference, kind) == text


@pytest.mark.parametrize(
    ("value", "unit", "kind", "text"),
    [(75700, "人", COUNT, "75,700"), (10211.5, "万元", AMOUNT, "10,211.50"), (3.14, "人", AVERAGE, "3.1"),
     (45.0, "%", PERCENT, "45.0%"), (None, "人", COUNT, "未填报")],
)  # fmt: skip
def test_table_cells_of_mixed_units(value, unit, kind, text):
    assert table_text(value, unit, kind) == text


def test_exact_figures_for_messages():
    assert [exact(v) for v in (75700.0, 10211.5, None, float("nan"), 0.0)] == [
        "75700",
        "10211.5",
        "未填报",
        "未填报",
        "0",
    ]


@pytest.mark.parametrize(
    ("low", "high", "unit", "kind", "ticks", "labels", "title"),
    [
        (0, 137_000, "人", COUNT, [0, 50_000, 100_000, 150_000], ["0", "5", "10", "15"], "单位：万人"),
        (0, 200_000, "人", COUNT, [0, 50_000, 100_000, 150_000, 200_000, 250_000],
         ["0", "5", "10", "15", "20", "25"], "单位：万人"),
        (0, 140_000_000, "人次", COUNT, [0, 50_000_000, 100_000_000, 150_000_000], ["0.0", "0.5", "1.0", "1.5"],
         "单位：亿人次"),
        (0, 13_800, "万元", AMOUNT, [0, 5_000, 10_000, 15_000], ["0.0", "0.5", "1.0", "1.5"], "单位：亿元"),
        (0, 860, "万元", AMOUNT, [0, 200, 400, 600, 800, 1000], ["0", "200", "400", "600", "800", "1000"],
         "单位：万元"),
        (0, 3, "场", COUNT, [0, 1, 2, 3, 4], ["0", "1", "2", "3", "4"], "单位：场"),
        (0, 0.8, "人", AVERAGE, [0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], "单位：人"),
        (0, 47.5, "%", PERCENT, [0, 10, 20, 30, 40, 50], ["0", "10", "20", "30", "40", "50"], "单位：%"),
        (-30, 60, "人", COUNT, [-40, -20, 0, 20, 40, 60, 80], ["-40", "-20", "0", "20", "40", "60", "80"],
         "单位：人"),
        (0, 0, "人", COUNT, [0, 1], ["0", "1"], "单位：人"),
        (0, 9654, "人", COUNT, [0, 2000, 4000, 6000, 8000, 10000], ["0", "2000", "4000", "6000", "8000", "10000"],
         "单位：人"),  # below 1万 the axis stays in 人 like the hovers (5658人), though its top tick is 10000
    ],
)  # fmt: skip
def test_value_axes_read_in_wan_and_yi(low, high, unit, kind, ticks, labels, title):
    axis = value_axis(low, high, unit, kind)
    assert axis.tickvals == pytest.approx(ticks)
    assert axis.ticktext == labels
    assert axis.title == title
    assert axis.range == (axis.tickvals[0], axis.tickvals[-1]) and axis.range[1] > high


@pytest.mark.parametrize(
    ("kind", "table_format", "excel_format"),
    [(COUNT, "%,d", "#,##0"), (AMOUNT, "%,.2f", "#,##0.00"), (AVERAGE, "%,.1f", "#,##0.0"),
     (PERCENT, "%.1f%%", '0.0"%"'), (RATE, "%,.1f", "#,##0.0")],
)  # fmt: skip
def test_each_kind_has_one_table_and_one_excel_format(kind, table_format, excel_format):
    assert (kind.table_format, kind.excel_format) == (table_format, excel_format)
