"""End to end in a real browser: the app served by `streamlit run`, driven by headless Chromium."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.apptest import TEST_USERS
from tests.browser import (
    chromium,
    copy_warehouse,
    fill_log_in,
    log_in,
    require_chromium,
    screenshot,
    streamlit_server,
    wait_for_download,
)

pytestmark = pytest.mark.browser

PAGES = {
    "": "湖南省妇联统计总览",
    "jobs": "就业创业",
    "loans": "小额担保贷款",
    "screening": "两癌检查",
    "ecommerce": "农村电商",
    "city": "市州画像",
    "upload": "数据上报",
    "progress": "填报进度",
    "history": "上报记录",
    "export": "数据导出",
}


@pytest.fixture(scope="module")
def served(demo_db, tmp_path_factory):
    require_chromium()
    folder = tmp_path_factory.mktemp("served")
    warehouse = copy_warehouse(demo_db, folder)
    with streamlit_server(warehouse) as url, chromium(folder / "downloads") as driver:
        log_in(driver, url, "admin", TEST_USERS["admin"][2])
        yield url, driver, warehouse, folder / "downloads"


def wait_text(driver, text: str, timeout: float = 40) -> None:  # noqa: ANN001
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        # U+2060: the invisible word joiners ui.plain puts into www. and the like, so they never become links
        WebDriverWait(driver, timeout).until(
            lambda d: text in d.find_element("tag name", "body").text.replace("\u2060", "")
        )
    except TimeoutException:
        path = screenshot(driver, "failed_wait")
        raise AssertionError(f"“{text}” never appeared; the page is in {path}") from None


def wait_in_table(driver, text: str, timeout: float = 40) -> None:  # noqa: ANN001
    """A table cell's text: st.dataframe draws on a canvas, and keeps the cells in an accessible table."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(driver, timeout).until(lambda d: text in d.execute_script("return document.body.textContent"))
    except TimeoutException:
        path = screenshot(driver, "failed_wait")
        raise AssertionError(f"“{text}” never appeared in a table; the page is in {path}") from None


def open_page(driver, url: str, path: str, title: str, query: str = "") -> None:  # noqa: ANN001
    driver.get(f"{url}/{path}{query}")
    wait_text(driver, title)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_in_chromium(served, path):
    url, driver, _, _ = served
    open_page(driver, url, path, PAGES[path], "?year=2016")
    time.sleep(1)  # let the page finish its run: an error appears after the title
    body = driver.find_element("tag name", "body").text
    assert "Traceback" not in body and "encountered an error" not in body
    screenshot(driver, f"page_{path or 'overview'}")


def test_overview_draws_the_map_of_14_cities(served):
    from selenium.webdriver.support.ui import WebDriverWait

    url, driver, _, _ = served
    open_page(driver, url, "", PAGES[""], "?year=2016")
    WebDriverWait(driver, 40).until(lambda d: len(d.find_elements("css selector", "path.choroplethlocation")) >= 14)
    assert "7.92万人" in driver.find_element("tag name", "body").text  # 2016 实现就业妇女人数, Chinese style
    screenshot(driver, "overview_map")


def downloads_in(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*")} if folder.exists() else set()


def click(driver, xpath: str, timeout: float = 30) -> None:  # noqa: ANN001
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(ec.element_to_be_clickable(("xpath", xpath))).click()


def fill_downloaded_template(template: Path, target: Path, cells: dict[str, object]) -> Path:
    """Fill the template as a statistician would in Excel (here: openpyxl), on the 就业创业 sheet."""
    import openpyxl

    wb = openpyxl.load_workbook(template)
    for ref, value in cells.items():
        wb["就业创业"][ref] = value
    wb.save(target)
    return target


def upload(driver, path: Path) -> None:  # noqa: ANN001
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(ec.presence_of_element_located(("css selector", "input[type=file]")))
    driver.find_element("css selector", "input[type=file]").send_keys(str(path))


def test_statistician_round_trip(served, tmp_path):
    """Template → fill → upload → confirm the warning → submit → see it on the dashboard → export it."""
    import duckdb
    from selenium.webdriver.common.keys import Keys

    url, driver, warehouse, downloads = served
    open_page(driver, url, "upload", "第一步：下载报表模板")
    click(driver, "//button[contains(., '下载模板')]")
    template = wait_for_download(downloads, ".xlsx")
    # 株洲市 is row 5; 实现就业妇女人数 above 提供就业岗位数 is a warning, not an error
    filled = fill_downloaded_template(template, tmp_path / "株洲市2025.xlsx", {"B5": 50, "C5": 8000, "D5": 9000})
    upload(driver, filled)
    wait_text(driver, "有 1 个警告")
    wait_in_table(driver, "实现就业妇女人数（9000）大于提供就业岗位数（8000），请核实。")
    screenshot(driver, "upload_warning")
    click(driver, "//label[contains(., '已核实，仍然提交')]")
    note = driver.find_element("css selector", "input[aria-label^='上报说明']")
    note.send_keys("含灵活就业人数，已与人社局核对", Keys.TAB)
    click(driver, "//button[normalize-space(.)='提交']")
    wait_text(driver, "已提交（上报编号 10）")
    screenshot(driver, "upload_submitted")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select note from submissions where submission_id = 10").fetchone() == (
            "含灵活就业人数，已与人社局核对",
        )

    open_page(driver, url, "jobs", "2025年各市州举办招聘会场次", "?year=2025&city=430200")
    wait_text(driver, "全省平均 50场")  # only 株洲市 has reported 2025: its 50 is the average
    screenshot(driver, "jobs_after_upload")

    open_page(driver, url, "export", "数据导出", "?year=2025")
    click(driver, "//button[contains(., '明细 CSV')]")
    exported = wait_for_download(downloads, ".csv").read_text(encoding="utf-8-sig")
    assert "2025,430200,株洲市,就业创业,举办招聘会场次,场,50" in exported.splitlines()
    screenshot(driver, "export")


def test_broken_upload_shows_the_cell(served, tmp_path):
    url, driver, _, downloads = served
    open_page(driver, url, "upload", "第一步：下载报表模板")
    from tests.conftest import filled_template

    broken = tmp_path / "有错.xlsx"
    broken.write_bytes(filled_template(2024, {("就业创业", "衡阳市", "举办招聘会场次"): "近2000"}))
    upload(driver, broken)
    wait_text(driver, "有 1 个错误，未写入任何数据")
    wait_in_table(driver, "就业创业!B7")
    wait_in_table(driver, "“近2000”是约数")
    screenshot(driver, "upload_error")


def test_log_in_survives_a_reload_and_log_out_ends_it(served):
    """Runs last in this module: it leaves the browser logged in as a 统计员."""
    url, driver, _, _ = served
    open_page(driver, url, "jobs", "2016年各市州举办招聘会场次", "?year=2016")  # a new page load: the cookie holds
    click(driver, "//button[contains(., '退出登录')]")
    wait_text(driver, "已退出登录。")
    driver.get(f"{url}/jobs?year=2016")
    wait_text(driver, "忘记密码请联系管理员重设")
    body = driver.find_element("tag name", "body").text
    assert "当前用户" not in body and "招聘会" not in body  # the old token was ended on the server
    screenshot(driver, "login")
    fill_log_in(driver, "cs", "wrong-password")
    wait_text(driver, "用户名或密码错误。")
    fill_log_in(driver, "cs", TEST_USERS["cs"][2])
    wait_text(driver, "当前用户：cs（统计员·长沙市）")
    wait_text(driver, "2016年各市州举办招聘会场次")  # the address asked for before logging in
    open_page(driver, url, "users", "您的角色（统计员）不能管理用户。")  # a typed address of another role's page
    sidebar = driver.find_element("css selector", "[data-testid='stSidebar']").text
    assert "用户管理" not in sidebar and "管理\n" not in sidebar and "数据上报" in sidebar
    screenshot(driver, "denied_page")
