"""The annual briefing: the seed's sentences from the demo, remarks, wording file, Word, Markdown, CLI, page."""

from __future__ import annotations

import io
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pandas as pd
import pytest
from click.testing import CliRunner

from etl import briefing, catalog, catalog_admin, chart_images, warehouse
from etl.briefing import BriefingError, build_briefing, load_templates, read_figures, to_markdown
from etl.cli import main
from etl.cn_format import cn_quantity
from etl.pipeline import LOADED, load_bytes
from etl.roles import SYSTEM
from tests.apptest import new_app, open_page
from tests.conftest import backend_scope, header_of, xlsx_bytes

CITY_NAMES = [c.name for c in catalog.cities()]
ZHUZHOU_2016 = "2016年，株洲市妇联组织招聘会44场，提供就业岗位7.57万个，5890名妇女实现就业"


AS_OF = date(2025, 3, 5)


def demo_briefing(demo_db: Path, year: int, **options: object) -> briefing.Briefing:
    with warehouse.connect(demo_db, read_only=True) as con:
        return build_briefing(read_figures(con, year, as_of=AS_OF), **options)


@pytest.fixture(scope=backend_scope("module"))
def frame(demo_db: Path) -> pd.DataFrame:
    """The demo's published values of the 14 市州, for the expected figures."""
    with warehouse.connect(demo_db, read_only=True) as con:
        return con.execute(
            "select year, region_code, indicator, value from published_values where region_level = 'city'"
        ).df()


@pytest.fixture(scope=backend_scope("module"))
def b2016(demo_db: Path) -> briefing.Briefing:
    return demo_briefing(demo_db, 2016)


def paragraph(b: briefing.Briefing, city: str) -> str:
    return dict(b.sections)[city]


def briefing_of(
    db: Path, values: dict[tuple[int, str, str], float | None], year: int = 2024, *, sample: bool = False
) -> briefing.Briefing:
    """The briefing of `year` over a real warehouse holding {(year, 市州, indicator code): value}, published."""
    names = catalog.indicator_by_code()
    rows = [["年度", "市州", "指标", "数值"]] + [[y, city, names[i].name, v] for (y, city, i), v in values.items()]
    report = load_bytes(xlsx_bytes({"长表": rows}), "values.xlsx", db, is_sample=sample, published=True, actor=SYSTEM)
    assert report.status == LOADED, [i.describe() for i in report.issues]
    with warehouse.connect(db, read_only=True) as con:
        return build_briefing(read_figures(con, year, as_of=AS_OF))


# ---------------------------------------------------------------- the seed's figures, the seed's style


def test_zhuzhou_2016_reads_like_the_seed(b2016):
    assert paragraph(b2016, "株洲市").startswith(ZHUZHOU_2016)


def test_yiyang_2016_loans(b2016):
    text = paragraph(b2016, "益阳市")
    assert "发放妇女小额担保贷款878笔，贷款金额1.02亿元，" in text
    assert "扶持自主创业716人，带动就业2135人" in text


def test_yueyang_2016_screening_and_no_clause_for_unreported_figures(b2016):
    text = paragraph(b2016, "岳阳市")
    assert "1289名妇女获得贷款" in text
    assert "免费为10.32万名农村适龄妇女进行“两癌”检查" in text
    assert "贷款金额" not in text  # 发放贷款金额 2016 not reported: no clause, no 0, no 未填报
    assert "救助资金" not in text
    assert "未填报" not in text


def test_shaoyang_and_loudi_2016(b2016):
    shaoyang, loudi = paragraph(b2016, "邵阳市"), paragraph(b2016, "娄底市")
    assert "建成村级电子商务服务站1287个" in shaoyang
    assert "电商带头人" not in shaoyang  # 近2000: not reported
    # 5.3万 benefited (人), not 5.3万 attendances (人次); 1.5万 助推创业就业 is 实现就业妇女人数
    assert "举办创业就业培训36期，" in loudi and "各类培训5.30万人受益" in loudi
    assert "1.50万名妇女实现就业" in loudi
    assert "建成女性创业孵化基地7个" in loudi


def test_title_note_order_and_table(b2016):
    assert b2016.title == "2016年湖南省十四市州妇联工作统计简报"
    assert b2016.note == "注：本简报含示例数据，仅供演示。"
    assert [name for name, _ in b2016.sections] == CITY_NAMES
    assert b2016.missing is None
    assert list(b2016.table.index) == CITY_NAMES
    assert b2016.table.loc["株洲市", ("就业创业", "提供就业岗位数（个）")] == 75700
    assert pd.isna(b2016.table.loc["岳阳市", ("小额担保贷款", "发放贷款金额（万元）")])


def test_2016_summary_names_the_gap(b2016, frame):
    amount = frame.loc[(frame["year"] == 2016) & (frame["indicator"] == "loan_amount"), "value"].sum()
    assert b2016.summary.startswith("2016年，全省14个市州全部报送统计数据，均已审核通过。")
    assert f"13个市州报送了发放贷款金额数据，合计发放妇女小额担保贷款{cn_quantity(amount, '万元')}。" in b2016.summary
    assert "比上年" not in b2016.summary  # nothing before 2016 to compare with


def test_2024_summary_compares_like_with_like(demo_db, frame):
    b = demo_briefing(demo_db, 2024)
    rows = frame[(frame["indicator"] == "village_stations") & frame["value"].notna()]
    now = rows[rows["year"] == 2024].set_index("region_code")["value"]
    before = rows[rows["year"] == 2023].set_index("region_code")["value"]
    both = now.index.intersection(before.index)
    pct = (now[both].sum() - before[both].sum()) / before[both].sum() * 100
    total = cn_quantity(now.sum(), "个")
    assert f"12个市州报送了农村电商数据，合计建成村级电子商务服务站{total}，比上年增长{pct:.1f}%。" in b.summary
    assert "（按两年均报送的13个市州计算）" in b.summary  # 2023 had a 市州 without loans
    assert "农村电商" not in paragraph(b, "张家界市") and "电子商务" not in paragraph(b, "张家界市")


def test_an_incomplete_year_says_so_first_and_names_the_missing_in_one_sentence(demo_db):
    b = demo_briefing(demo_db, 2024)  # 张家界市 and 湘西州 sent no 农村电商
    first = b.summary.split("。")[0] + "。"
    assert first == (
        "截至3月5日，2024年全省14个市州中12个已审核通过，张家界市、湘西土家族苗族自治州的数据尚未报齐或尚未审核通过，"
        "以下合计只含已报市州。"
    )
    assert b.summary.count("张家界市") == 1


# ---------------------------------------------------------------- rules, on small frames


def test_a_city_with_nothing_reported_and_the_province_opening(db_path):
    b = briefing_of(db_path, {(2024, "长沙", "women_employed"): 100, (2024, "株洲", "women_employed"): 80})
    assert [name for name, _ in b.sections] == ["长沙市", "株洲市"]  # no line per silent 市州 …
    assert b.missing == "、".join(CITY_NAMES[2:]) + "本年度未报送统计数据。"  # … one sentence names them
    name, cells, is_total = list(briefing.table_rows(b, "就业创业"))[-1]  # the marts' total, labelled as what it is
    assert (name, cells[2], cells[0], is_total) == ("已报 2 个市州合计", "180", "未填报", True)
    assert paragraph(b, "长沙市") == "2024年，长沙市妇联100名妇女实现就业，居全省首位。"
    assert paragraph(b, "株洲市") == "2024年，株洲市妇联80名妇女实现就业。"
    assert b.summary.startswith("截至3月5日，2024年全省14个市州中0个已审核通过，长沙市、株洲市、湘潭市、")
    assert "湘西土家族苗族自治州的数据尚未报齐或尚未审核通过，以下合计只含已报市州。" in b.summary
    assert "2个市州报送了就业创业数据，合计180名妇女实现就业。" in b.summary
    assert "本年度无市州报送小额担保贷款数据。" in b.summary
    assert b.note is None


@pytest.mark.parametrize(
    ("before", "after", "remark"),
    [
        (100, 130, "，比上年增长30.0%"),
        (100, 129, ""),
        (100, 70, "，比上年下降30.0%"),
        (100, 71, ""),
        (1000, 1452, "，比上年增长45.2%"),
        (0, 50, ""),  # no percentage of nothing
        (None, 50, ""),
    ],
)
def test_sharp_change_remark(db_path, before, after, remark):
    values = {(2023, "长沙", "women_employed"): before, (2024, "长沙", "women_employed"): after}
    b = briefing_of(db_path, values)
    # One 市州 alone is not "居全省首位".
    assert paragraph(b, "长沙市") == f"2024年，长沙市妇联{after}名妇女实现就业{remark}。"


def test_province_total_flat_and_only_over_cities_reporting_both_years(db_path):
    values = {
        (2023, "长沙", "loan_amount"): 500,
        (2024, "长沙", "loan_amount"): 500,
        (2024, "株洲", "loan_amount"): 20000,  # new this year: counts in the total, not in the change
    }
    b = briefing_of(db_path, values, sample=True)
    sentence = (
        "2个市州报送了小额担保贷款数据，合计发放妇女小额担保贷款2.05亿元，与上年持平（按两年均报送的1个市州计算）"
    )
    assert sentence + "。" in b.summary
    assert b.note == "注：本简报含示例数据，仅供演示。"


def test_a_year_with_no_data_is_refused(db_path):
    with pytest.raises(BriefingError, match="^2015年尚无市州已审核通过的报送数据，无法生成简报。$"):
        briefing_of(db_path, {(2016, "长沙", "women_employed"): 1}, 2015)


def test_pending_figures_stay_out_unless_asked(db_path):
    briefing_of(db_path, {(2024, "长沙", "women_employed"): 100})
    load_bytes(
        xlsx_bytes({"S": [["2024年"], header_of("jobs"), ["株洲市", None, None, 80]]}), "zz.xlsx", db_path, actor=SYSTEM
    )
    with warehouse.connect(db_path, read_only=True) as con:
        published = build_briefing(read_figures(con, 2024, as_of=AS_OF))
        staff = build_briefing(read_figures(con, 2024, include_pending=True, as_of=AS_OF))
    assert "株洲市" not in dict(published.sections) and published.missing.startswith("株洲市、湘潭市、")
    assert "1个市州报送了就业创业数据，合计100名妇女实现就业。" in published.summary
    assert paragraph(staff, "株洲市") == "2024年，株洲市妇联80名妇女实现就业。"
    assert staff.note == "注：本简报含待审核数据，仅供内部核对，不得对外使用。"


# ---------------------------------------------------------------- the wording file


def test_every_shipped_indicator_has_its_phrase():
    assert all(i.phrase for i in catalog.shipped().indicators_all)
    with briefing.TEMPLATES_FILE.open("rb") as f:
        assert set(tomllib.load(f)["default_clauses"]) == set(catalog.KINDS)


def test_the_phrase_of_an_indicator_is_edited_in_the_catalogue(demo_copy):
    """Each indicator's phrase is catalogue data; without one, the default sentence of its kind; "-" leaves it out."""
    fairs, offered, employed = (catalog.indicator_by_code()[c] for c in ("job_fairs", "jobs_offered", "women_employed"))
    items = [replace(fairs, phrase="举办{value}招聘会"), replace(offered, phrase=""), replace(employed, phrase="-")]
    catalog_admin.save(SYSTEM, demo_copy, items, "简报措辞")
    b = demo_briefing(demo_copy, 2016)
    assert paragraph(b, "株洲市").startswith(
        "2016年，株洲市妇联举办44场招聘会，提供就业岗位数7.57万个，举办创业就业培训"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('count = "{name}{value}"', 'count = "{name}{valeu}"', "中 [default_clauses] count 含未知占位符 {valeu}。"),
        ('count = "{name}{value}"', 'count = "{name}{value"', "中 [default_clauses] count 的花括号不成对"),
        ('opening = "{year}年，{city}妇联"', "", "缺少 [paragraph] opening。"),
        ("change_threshold = 30", 'change_threshold = "30"', "[remarks] change_threshold 应为数字。"),
    ],
)
def test_a_broken_wording_file_says_what_is_wrong(tmp_path, old, new, message):
    path = tmp_path / "wording.toml"
    path.write_text(briefing.TEMPLATES_FILE.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(BriefingError) as caught:
        load_templates(path)
    assert str(caught.value).startswith("简报模板 wording.toml ")
    assert message in str(caught.value)


# ---------------------------------------------------------------- Word and Markdown


def test_markdown_has_the_same_paragraphs(b2016):
    text = to_markdown(b2016)
    assert text.startswith("# 2016年湖南省十四市州妇联工作统计简报\n\n注：本简报含示例数据，仅供演示。\n")
    for name, body in b2016.sections:
        assert f"### {name}\n\n{body}\n" in text
    assert "| 株洲市 | 44 | 75,700 | 5,890 |" in text
    assert "| 市州 | 举办招聘会场次（场） |" in text
    assert "| **全省合计** | " in text  # every 市州 reported 2016: the marts' total is the province's


# ---------------------------------------------------------------- CLI


def test_cli_writes_word_and_markdown(demo_db, tmp_path, b2016, monkeypatch):
    monkeypatch.setenv(chart_images.SWITCH, "0")  # drawing charts is tested once, in the browser tests
    for name in ("简报.docx", "简报.md"):
        out = tmp_path / name
        result = CliRunner().invoke(main, ["briefing", "--year", "2016", "--db", str(demo_db), "-o", str(out)])
        assert result.exit_code == 0, result.output
        note = (
            "注意：简报未含图表：图表已按设置关闭（环境变量 HNFL_BRIEFING_CHARTS=0）。\n" if name.endswith("x") else ""
        )
        assert result.output == f"{note}已生成 2016 年简报：{out}\n"
    assert docx.Document(str(tmp_path / "简报.docx")).paragraphs[0].text == b2016.title
    assert (tmp_path / "简报.md").read_text(encoding="utf-8") == to_markdown(b2016)


@pytest.mark.parametrize(
    ("year", "output", "code", "message"),
    [
        ("2016", "x.pdf", 2, "✗ 不支持的简报格式 .pdf：输出文件请以 .docx（Word）或 .md（Markdown）结尾。\n"),
        ("2015", "x.md", 1, "✗ 2015年尚无市州已审核通过的报送数据，无法生成简报。\n"),
    ],
)
def test_cli_refusals(demo_db, tmp_path, year, output, code, message):
    out = tmp_path / output
    result = CliRunner().invoke(main, ["briefing", "--year", year, "--db", str(demo_db), "-o", str(out)])
    assert (result.exit_code, result.output) == (code, message)
    assert not out.exists()


# ---------------------------------------------------------------- page


def test_page_reads_and_downloads_the_briefing(app, downloads, monkeypatch):
    monkeypatch.setenv(chart_images.SWITCH, "0")  # the charts are drawn in test_briefing_docx's browser test
    at = open_page(app, "app_pages/briefing.py", year=2016)
    assert "Word 简报将不含图表：图表已按设置关闭（环境变量 HNFL_BRIEFING_CHARTS=0）。" in [c.value for c in at.caption]
    assert at.selectbox(key="briefing_year").value == 2016  # follows the sidebar year
    assert at.header[0].value == "2016年湖南省十四市州妇联工作统计简报"
    assert at.warning[0].value == "注：本简报含示例数据，仅供演示。"
    texts = [m.value for m in at.markdown]
    assert any(t.startswith(ZHUZHOU_2016) for t in texts)
    jobs = at.dataframe[0].value
    assert jobs.loc["株洲市", "提供就业岗位数（个）"] == 75700
    assert jobs.index[-1] == "全省合计" and jobs.loc["全省合计", "实现就业妇女人数（人）"] == 90253
    assert docx.Document(io.BytesIO(downloads["2016年统计简报.docx"]())).paragraphs[0].text.startswith("2016年")
    at.selectbox(key="briefing_year").set_value(2024).run()
    assert not at.exception
    assert at.header[0].value == "2024年湖南省十四市州妇联工作统计简报"
    assert downloads["2024年统计简报.md"]().startswith("# 2024年湖南省十四市州妇联工作统计简报")


def test_page_on_an_empty_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("HNFL_WAREHOUSE", str(tmp_path / "none.duckdb"))
    at = open_page(new_app(), "app_pages/briefing.py")
    assert [i.value for i in at.info] == ["尚无数据，请先上报。"]
    assert [s.key for s in at.selectbox] == ["filter_year"]  # staff: the year being collected, nothing else
