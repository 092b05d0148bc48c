"""Issue 14 in a real browser, one session of a 长沙市 统计员: four files at once, the refused one's annotated
workbook downloaded, fixed and sent again; one 类别 typed online, kept as a draft across a reload, submitted; its
回执 downloaded."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import duckdb
import openpyxl
import pytest

from tests.apptest import TEST_USERS
from tests.browser import (
    chromium,
    copy_warehouse,
    log_in,
    require_chromium,
    screenshot,
    streamlit_server,
    wait_for_download,
)
from tests.conftest import filled_template
from tests.test_browser import click, wait_in_table, wait_text

pytestmark = pytest.mark.browser

LOANS = ("小额担保贷款", "长沙市")
FOUR = {
    "长沙就业.xlsx": {("就业创业", "长沙市", "举办招聘会场次"): 120, ("就业创业", "长沙市", "提供就业岗位数"): 131000},
    "长沙贷款.xlsx": {(*LOANS, "发放贷款笔数"): 1700, (*LOANS, "发放贷款金额"): 20400},
    "长沙两癌.xlsx": {("两癌检查", "长沙市", "两癌检查人数"): "近13万"},  # an approximation: refused
    "长沙电商.xlsx": {("农村电商", "长沙市", "村级电商服务站数"): 2900},
}  # fmt: skip
RED = "FFFFC7CE"


@pytest.fixture(scope="module")
def desk(demo_db, tmp_path_factory):
    require_chromium()
    folder = tmp_path_factory.mktemp("desk")
    warehouse = copy_warehouse(demo_db, folder)
    with (
        streamlit_server(warehouse, env={"HNFL_COLLECTING_YEAR": "2025"}) as url,
        chromium(folder / "downloads") as driver,
    ):
        log_in(driver, url, "cs", TEST_USERS["cs"][2])
        yield url, driver, warehouse, folder / "downloads"


def submitted(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select submission_id, file_name, source from submissions where submission_id >= 10 order by 1"
        ).fetchall()


def values_of(workbook: openpyxl.Workbook) -> dict[str, list[tuple]]:
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in workbook.worksheets}


def looks_of(workbook: openpyxl.Workbook) -> dict[tuple[str, str], tuple]:
    """Each cell's fill and comment (the template's own header comments included)."""
    return {
        (ws.title, c.coordinate): (c.fill.fgColor.rgb, c.comment.text if c.comment else None)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for c in row
    }


def input_field(driver, label: str):  # noqa: ANN001, ANN201 - a selenium WebDriver and WebElement
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 30).until(ec.element_to_be_clickable(("css selector", f"input[aria-label='{label}']")))


def test_four_files_annotated_fixed_resubmitted_then_one_category_online_with_a_draft_and_its_receipt(desk, tmp_path):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    url, driver, warehouse, downloads = desk
    driver.get(f"{url}/upload")
    wait_text(driver, "长沙市2025年：14 类中 未报 14 类。")  # the status comes first

    # Four files in one choice of the file dialog.
    paths = []
    for name, values in FOUR.items():
        (tmp_path / name).write_bytes(filled_template(2025, values, region_code="430100"))
        paths.append(str(tmp_path / name))
    driver.find_element("css selector", "input[type=file]").send_keys("\n".join(paths))
    wait_text(driver, "共 4 个文件：3 个通过检查，1 个未通过。")
    wait_text(driver, "“长沙两癌.xlsx”有 1 个错误，未写入任何数据。请按下表逐项更正后重新上传。")
    wait_in_table(driver, "“近13万”是约数")
    screenshot(driver, "desk_four_files")

    # The refused file comes back marked: its error cell red with the message, everything else as it was.
    click(driver, "//button[contains(., '下载标注后的报表')]")
    marked_path = wait_for_download(downloads, "（标注）.xlsx")
    assert marked_path.name == "长沙两癌（标注）.xlsx"
    original = openpyxl.load_workbook(tmp_path / "长沙两癌.xlsx")
    marked = openpyxl.load_workbook(marked_path)
    assert marked.sheetnames == original.sheetnames
    assert values_of(marked) == values_of(original)
    cell = marked["两癌检查"]["B5"]
    assert (cell.value, cell.fill.fgColor.rgb) == ("近13万", RED)
    assert cell.comment.text.startswith("错误：“近13万”是约数，是估计的数字。")
    before, after = looks_of(original), looks_of(marked)
    assert {k for k in after if after[k] != before[k]} == {("两癌检查", "B5")}  # only the error cell looks different

    click(driver, "//button[contains(., '提交全部 3 个通过检查的文件')]")
    wait_text(driver, "已处理 4 个文件：提交 3 个，待审核通过后发布。")
    wait_text(driver, "“长沙两癌.xlsx”未提交：请按问题更正后重新上传。")
    assert submitted(warehouse) == [
        (10, "长沙就业.xlsx", "app"), (11, "长沙贷款.xlsx", "app"), (12, "长沙电商.xlsx", "app"),
    ]  # fmt: skip
    screenshot(driver, "desk_four_submitted")

    # Corrected in the annotated workbook itself, and sent again.
    marked["两癌检查"]["B5"] = 131000
    fixed = tmp_path / "长沙两癌更正.xlsx"
    marked.save(fixed)
    driver.find_element("css selector", "input[type=file]").send_keys(str(fixed))
    wait_text(driver, "检查通过：")
    click(driver, "//button[normalize-space(.)='提交']")
    wait_text(driver, "已提交（上报编号 13）")
    assert submitted(warehouse)[-1] == (13, "长沙两癌更正.xlsx", "app")
    driver.get(f"{url}/upload")
    wait_text(driver, "长沙市2025年：14 类中 待审核 4 类，未报 10 类。")

    # 在线填报: the 就业创业 return starts from what was sent; one more figure typed, kept as a draft.
    driver.get(f"{url}/entry")
    wait_text(driver, "上年（已发布）：117 场")
    field = input_field(driver, "实现就业妇女人数（人）")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("13500", Keys.TAB)
    click(driver, "//button[normalize-space(.)='保存草稿']")
    wait_text(driver, "刷新页面或退出后再登录，都可以接着填写。")
    driver.refresh()
    wait_text(driver, "草稿保存于 2")
    WebDriverWait(driver, 30).until(
        lambda d: input_field(d, "实现就业妇女人数（人）").get_attribute("value") == "13500"
    )
    assert input_field(driver, "提供就业岗位数（个）").get_attribute("value") == "131000"
    screenshot(driver, "desk_draft_after_reload")
    click(driver, "//button[normalize-space(.)='检查并提交']")
    wait_text(driver, "已提交（上报编号 14）：新增 1 项，更改 0 项，未变 2 项。")
    assert submitted(warehouse)[-1] == (14, "在线填报（长沙市2025年就业创业）", "online")

    # Its 回执, in Word.
    click(driver, "//button[contains(., '下载回执（Word）')]")
    receipt = docx.Document(io.BytesIO(wait_for_download(downloads, "第14号.docx").read_bytes()))
    facts = {r.cells[0].text: r.cells[1].text for r in receipt.tables[0].rows}
    assert (facts["上报编号"], facts["上报方式"], facts["SHA-256"]) == ("14", "在线填报", "在线填报，无文件")
    figures = {r.cells[0].text: r.cells[2].text for r in receipt.tables[1].rows[1:]}
    assert figures["实现就业妇女人数"] == "13,500" and figures["举办招聘会场次"] == "120"
    assert "长沙市2025年就业创业（第 2 版）：待审核。" in [p.text for p in receipt.paragraphs]
    screenshot(driver, "desk_receipt")
