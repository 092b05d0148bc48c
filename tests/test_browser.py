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
    "review": "审核",
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
    assert "9.03万人" in driver.find_element("tag name", "body").text  # 2016 实现就业妇女人数, Chinese style
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
    # 株洲市 is row 6 (after 长沙市), each figure beside its 上年数 (B, D, F); 实现就业妇女人数 above 提供就业岗位数
    # is a warning
    filled = fill_downloaded_template(template, tmp_path / "株洲市2025.xlsx", {"B6": 50, "D6": 8000, "F6": 9000})
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

    wait_text(driver, "待省妇联审核通过后发布")

    # Staff see it with 含待审核数据 (in the address, as a bookmark keeps it); it is not published yet.
    open_page(driver, url, "jobs", "2025年各市州举办招聘会场次", "?year=2025&city=430200&pending=1")
    wait_text(driver, "全省平均 50.0场")  # only 株洲市 has reported 2025: its 50 is the average (of counts: 1 decimal)
    screenshot(driver, "jobs_after_upload")

    open_page(driver, url, "export", "数据导出", "?year=2025&pending=1")
    click(driver, "//button[contains(., '明细 CSV')]")
    exported = wait_for_download(downloads, ".csv").read_text(encoding="utf-8-sig")
    assert "2025,430200,株洲市,,就业创业,举办招聘会场次,场,50,2000年起,待审核" in exported.splitlines()
    screenshot(driver, "export")


def test_broken_upload_shows_the_cell(served, tmp_path):
    url, driver, _, downloads = served
    open_page(driver, url, "upload", "第一步：下载报表模板")
    from tests.conftest import filled_template

    broken = tmp_path / "有错.xlsx"
    broken.write_bytes(filled_template(2024, {("就业创业", "衡阳市", "举办招聘会场次"): "近2000"}))
    upload(driver, broken)
    wait_text(driver, "有 1 个错误，未写入任何数据")
    wait_in_table(driver, "就业创业!B8")  # 衡阳市, the fourth 市州
    wait_in_table(driver, "“近2000”是约数")
    screenshot(driver, "upload_error")


def choose(driver, label: str, option: str) -> None:  # noqa: ANN001
    """Pick the option containing `option` in the selectbox labelled `label`, as a person does: open, click."""
    click(driver, f"//div[@data-testid='stSelectbox'][.//label[contains(., '{label}')]]//input")
    click(driver, f"//*[@role='option'][contains(., '{option}')]")


def log_in_as(driver, url: str, name: str) -> None:  # noqa: ANN001
    """Log out whoever is logged in, then log in as `name` through the form."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{url}/account")
    logged_in, form = "当前用户", "忘记密码请联系管理员重设"
    WebDriverWait(driver, 40).until(
        lambda d: any(t in d.find_element("tag name", "body").text for t in (logged_in, form))
    )
    if logged_in in driver.find_element("tag name", "body").text:
        click(driver, "//button[contains(., '退出登录')]")
        wait_text(driver, "已退出登录。")
    fill_log_in(driver, name, TEST_USERS[name][2])
    wait_text(driver, f"当前用户：{name}")


def test_review_before_publication(served, tmp_path):
    """统计员 uploads; a 元-for-万元 figure is refused with the fix; an unusual one goes to review with its 说明 and
    leaders do not see it until the 审核员 approves; a return reaches the 统计员 with its reason."""
    from tests.conftest import filled_template

    url, driver, _, _ = served
    log_in_as(driver, url, "cs")
    in_yuan = tmp_path / "长沙2025元.xlsx"
    loans = ("小额担保贷款", "长沙市")
    # 10.2亿 typed in 元 where 万元 belong: 60 万 per loan becomes 60 亿
    in_yuan.write_bytes(
        filled_template(2025, {(*loans, "发放贷款笔数"): 1700, (*loans, "发放贷款金额"): 1020000000}, "430100")
    )
    open_page(driver, url, "upload", "第一步：下载报表模板")
    upload(driver, in_yuan)
    wait_text(driver, "有 1 个错误，未写入任何数据")
    wait_in_table(driver, "是否按元填写？按万元应为 102000。")  # issues are a table: text, never Markdown
    screenshot(driver, "review_refused_yuan")

    unusual = tmp_path / "长沙2025.xlsx"
    unusual.write_bytes(
        filled_template(2025, {(*loans, "发放贷款笔数"): 1700, (*loans, "发放贷款金额"): 102000}, "430100")
    )
    driver.get(f"{url}/upload")
    wait_text(driver, "第一步：下载报表模板")
    upload(driver, unusual)
    wait_in_table(driver, "平均每笔贷款 60.00 万元，超出常见范围")
    click(driver, "//label[contains(., '已核实，仍然提交')]")
    from selenium.webdriver.common.keys import Keys

    driver.find_element("css selector", "input[aria-label^='上报说明']").send_keys("含两笔大额创业贷款", Keys.TAB)
    click(driver, "//button[normalize-space(.)='提交']")
    wait_text(driver, "待省妇联审核通过后发布")

    log_in_as(driver, url, "leader")
    open_page(driver, url, "loans", "小额担保贷款", "?year=2025")
    body = driver.find_element("tag name", "body").text
    assert "2025年各市州" not in body and "2022年各市州发放贷款笔数" in body  # 2025 has nothing published
    screenshot(driver, "review_leader_before")

    log_in_as(driver, url, "rev")
    open_page(driver, url, "review", "审核一次上报")
    choose(driver, "审核一次上报", "长沙2025.xlsx")  # other tests may have left a submission waiting too
    wait_text(driver, "统计员的上报说明：含两笔大额创业贷款")
    click(driver, "//label[contains(., '已核实 小额担保贷款!D5 发放贷款金额：平均每笔贷款 60.00 万元')]")
    click(driver, "//button[contains(., '审核通过')]")
    wait_text(driver, "数据已发布并审核锁定，领导即可看到。")
    screenshot(driver, "review_approved")

    log_in_as(driver, url, "leader")
    open_page(driver, url, "loans", "2025年各市州发放贷款笔数", "?year=2025")
    wait_text(driver, "14 个市州中 0 个已审核通过")  # 长沙市 sent one 类别 of four: the year is far from complete
    wait_text(driver, "2025年已报 1 个市州合计 1700笔")
    screenshot(driver, "review_leader_after")

    log_in_as(driver, url, "cs")
    jobs = tmp_path / "长沙2025就业.xlsx"
    jobs.write_bytes(filled_template(2025, {("就业创业", "长沙市", "举办招聘会场次"): 120}, "430100"))
    open_page(driver, url, "upload", "第一步：下载报表模板")
    upload(driver, jobs)
    click(driver, "//button[normalize-space(.)='提交']")
    wait_text(driver, "待省妇联审核通过后发布")
    log_in_as(driver, url, "rev")
    open_page(driver, url, "review", "审核一次上报")
    choose(driver, "审核一次上报", "长沙2025就业.xlsx")
    wait_text(driver, "这次上报没有警告。")
    reason = driver.find_element("css selector", "textarea[aria-label^='退回原因']")
    reason.send_keys("请补填提供就业岗位数和培训人次")
    reason.send_keys(Keys.CONTROL, Keys.ENTER)
    click(driver, "//button[normalize-space(.)='退回']")
    wait_text(driver, "统计员将看到退回原因。")
    log_in_as(driver, url, "cs")
    open_page(driver, url, "upload", "被省妇联退回")
    wait_text(driver, "请补填提供就业岗位数和培训人次")
    screenshot(driver, "review_returned")


def test_log_in_survives_a_reload_and_log_out_ends_it(served):
    """Runs last in this module: it leaves the browser logged in as a 统计员."""
    url, driver, _, _ = served
    log_in_as(driver, url, "admin")
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
