"""Every page, for every role, in a real Chromium: no Latin word a user can see (text, placeholders, tooltips,
open menus and calendars) outside a short allow-list, at 1440 px and, for the 管理员 who sees every page, at a
phone's 390 px too; full-length screenshots of every page at both widths in tests/artifacts/screens/; and, in the
管理员's pass, every page printed through Chromium's print-to-PDF (A4, header, page numbers, no sidebar or buttons).

The English Streamlit hard-codes is relabelled or hidden in one place, ui/chrome.py; this test is what tells
when a Streamlit upgrade brings some back.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from tests.apptest import TEST_USERS
from tests.browser import ARTIFACTS, chromium, copy_warehouse, log_in, require_chromium, streamlit_server

pytestmark = pytest.mark.browser

PAGES = {  # url path → the title the page shows (the role may not use it: then its Chinese refusal)
    "": "湖南省妇联统计总览", "briefing": "年度简报", "jobs": "就业创业", "loans": "小额担保贷款",
    "screening": "两癌检查", "ecommerce": "农村电商", "city": "市州画像", "upload": "数据上报", "progress": "填报进度",
    "review": "审核", "history": "上报记录", "export": "数据导出", "users": "用户管理", "audit": "审计日志",
    "catalog": "指标目录", "account": "我的账号", "entry": "在线填报",
}  # fmt: skip
ROLES = {"admin": "管理员", "rev": "审核员", "leader": "领导", "cs": "统计员"}
# Words that are ours or international: file formats and units. A user's own name or file name is data.
ALLOWED = {
    "CSV",
    "Excel",
    "PDF",
    "Word",
    "Markdown",
    "MB",
    "KB",
    "SHA",
    "xlsx",
    "xls",
    "xlsm",
    "csv",
    "txt",
    "md",
    "value",
}  # fmt: skip - {value}: the placeholder a 管理员 types in an indicator's 简报措辞
WIDTHS = (1440, 390)
HOVERED = ("jobs", "history")  # tables' toolbars: the same on every page
SCREENS = ARTIFACTS / "screens"

VISIBLE_LATIN = """
const found = {};
const add = (where, text) => {
  // A cell's address (就业创业!D4) is the spreadsheet's own, as the messages about a file must name it.
  for (const word of text.match(/[A-Za-z][A-Za-z'-]*(?![A-Za-z0-9])/g) || []) {
    if (!(word in found)) found[word] = where + text.trim().slice(0, 80);
  }
};
const shown = (el) => {
  if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
  const box = el.getBoundingClientRect();  // screen-reader-only text is clipped to 1 px
  return box.width > 1 && box.height > 1 && parseFloat(getComputedStyle(el).fontSize) > 0;
};
const skip = 'script, style, code, [data-testid="stIconMaterial"]';  // code: paths and commands, verbatim
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node; (node = walker.nextNode());) {
  const el = node.parentElement;
  if (!node.textContent.trim() || !el || el.closest(skip)) continue;
  if (!getComputedStyle(el).fontFamily.includes('Material') && shown(el)) add('', node.textContent);
}
for (const el of document.querySelectorAll('[title], [placeholder], [data-title]')) {
  if (!shown(el)) continue;
  for (const name of ['title', 'data-title', 'placeholder']) {
    const value = el.getAttribute(name);
    if (value && !(name === 'placeholder' && el.value)) add(name + '=', value);
  }
}
for (const el of document.querySelectorAll('*')) {
  for (const pseudo of ['::before', '::after']) {
    const content = getComputedStyle(el, pseudo).content;
    if (content && content !== 'none' && content !== 'normal' && shown(el)) add('css=', content);
  }
}
return found;
"""


@pytest.fixture(scope="module")
def served(demo_db, tmp_path_factory):
    """The demo plus a correction waiting for review (with a warning), so the 审核 page shows its controls and
    staff the 待审核 marks."""
    from tests.test_review_pages import send_correction

    require_chromium()
    folder = tmp_path_factory.mktemp("screens")
    warehouse = send_correction(copy_warehouse(demo_db, folder))
    with streamlit_server(warehouse) as url, chromium(folder / "downloads") as driver:
        yield url, driver, folder


def settle(driver, title: str, timeout: float = 40) -> None:  # noqa: ANN001
    """The script has finished, the page (or its refusal for this role) is shown and every chart is drawn."""
    from selenium.webdriver.support.ui import WebDriverWait

    def done(d) -> bool:  # noqa: ANN001
        app = d.find_elements("css selector", "[data-testid='stApp'][data-test-script-state='notRunning']")
        charts = d.find_elements("css selector", "[data-testid='stPlotlyChart']")
        drawn = d.find_elements("css selector", "[data-testid='stPlotlyChart'] .main-svg")
        body = d.find_element("tag name", "body").text
        return bool(app) and (title in body or "您的角色" in body) and len(drawn) >= len(charts)

    WebDriverWait(driver, timeout).until(done)


def latin(driver, users: tuple[str, ...]) -> dict[str, str]:  # noqa: ANN001
    """Visible Latin words outside the allow-list and the users' own names."""
    found = driver.execute_script(VISIBLE_LATIN)
    return {word: where for word, where in found.items() if word not in ALLOWED and word not in users}


def relabels(driver) -> str:  # noqa: ANN001
    """The Chinese the stylesheet draws (::before/::after content), which the page's text does not hold."""
    return driver.execute_script(
        "return [...document.querySelectorAll('*')].flatMap(e => ['::before', '::after']"
        ".map(p => getComputedStyle(e, p).content)).filter(c => c && c !== 'none' && c !== 'normal').join(' ')"
    )


def visit(driver, url: str, path: str) -> None:  # noqa: ANN001
    driver.get(f"{url}/{path}?year=2016")
    settle(driver, PAGES[path])


def tooltip_shown(driver) -> bool:  # noqa: ANN001
    """A tooltip has finished fading in (a half-transparent one would slip past the check)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    script = "return [...document.querySelectorAll('[role=tooltip]')].some(t => getComputedStyle(t).opacity === '1')"
    try:
        WebDriverWait(driver, 3, poll_frequency=0.1).until(lambda d: d.execute_script(script))
    except TimeoutException:
        return False
    return True


def hover_toolbars(driver) -> tuple[dict[str, str], int]:  # noqa: ANN001
    """The tooltips of the toolbars over the page's tables as a mouse shows them, and how many read 全屏查看."""
    from selenium.webdriver.common.action_chains import ActionChains

    found: dict[str, str] = {}
    relabelled = 0
    for element in driver.find_elements("css selector", "[data-testid='stDataFrame']")[:2]:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        ActionChains(driver).move_to_element(element).perform()
        for button in driver.find_elements("css selector", "[data-testid='stElementToolbarButton'] button"):
            if button.is_displayed():
                ActionChains(driver).move_to_element(button).perform()
                if tooltip_shown(driver):
                    found |= latin(driver, tuple(TEST_USERS))
                    relabelled += '"全屏查看"' in relabels(driver)
    return found, relabelled


def log_in_as(driver, url: str, name: str) -> None:  # noqa: ANN001
    driver.delete_all_cookies()
    log_in(driver, url, name, TEST_USERS[name][2])


@pytest.mark.parametrize("name", list(ROLES))
def test_every_page_is_chinese_only_for_every_role(served, name):
    url, driver, _ = served
    driver.set_window_size(1440, 1000)
    driver.delete_all_cookies()
    driver.get(url)
    settle(driver, "忘记密码请联系管理员重设")
    problems = {f"登录页 {w}": where for w, where in latin(driver, tuple(TEST_USERS)).items()}
    printouts, pages = {}, {}
    log_in_as(driver, url, name)
    for path, title in PAGES.items():
        visit(driver, url, path)
        problems |= {f"/{path} {w}": where for w, where in latin(driver, tuple(TEST_USERS)).items()}
        if name != "admin":
            continue
        wrong, pages[path] = print_problems(driver, path, title)  # issue 12 §4: every page prints on A4
        printouts |= {f"/{path}": wrong} if wrong else {}
        if path in HOVERED:
            tips, relabelled = hover_toolbars(driver)
            problems |= {f"/{path} 悬停 {w}": where for w, where in tips.items()}
            assert relabelled, f"/{path}：表格工具栏的提示没有显示“全屏查看”"
        # The 管理员 sees every page: each is photographed at both widths, and read again on a phone's.
        for width in WIDTHS:
            full_page(driver, path or "overview", width)
        problems |= {f"/{path} 390px {w}": where for w, where in latin(driver, tuple(TEST_USERS)).items()}
        driver.set_window_size(1440, 1000)
    assert problems == {}, f"{ROLES[name]}看到的英文：{problems}"
    if name == "admin":
        assert printouts == {}, f"打印问题：{printouts}（页数 {pages}）"
        assert pages["jobs"] >= 2 and pages["city"] >= 2  # a chart-and-table page is no single squeezed sheet
        shots = {p.name for p in SCREENS.glob("*.png")}
        assert shots >= {f"{path or 'overview'}_{width}.png" for path in PAGES for width in WIDTHS}


def test_menus_calendars_and_refusals_are_chinese(served):
    """What opens on a click: a list with no match, the calendar and its month list, a refused file."""
    from selenium.webdriver.common.keys import Keys

    url, driver, folder = served
    driver.set_window_size(1440, 1000)
    log_in_as(driver, url, "admin")
    problems: dict[str, str] = {}
    visit(driver, url, "export")
    box = driver.find_elements("css selector", "[data-testid='stMultiSelect'] input")[0]
    box.click()
    box.send_keys("没有这个市州")
    time.sleep(0.8)
    assert '"无匹配项"' in relabels(driver)
    problems |= {f"下拉 {w}": v for w, v in latin(driver, tuple(TEST_USERS)).items()}
    box.send_keys(Keys.ESCAPE)
    for path in ("audit", "progress"):
        visit(driver, url, path)
        driver.find_element("css selector", "[data-testid='stDateInputCalendarButton']").click()
        time.sleep(0.8)
        problems |= {f"/{path} 日历 {w}": v for w, v in latin(driver, tuple(TEST_USERS)).items()}
        driver.find_element("css selector", "[data-testid='stDateInputCalendar'] button[aria-label='month']").click()
        time.sleep(0.8)
        drawn = relabels(driver)
        assert '"1月"' in drawn and '"12月"' in drawn and '"六"' in drawn  # months and weekdays
        problems |= {f"/{path} 月份 {w}": v for w, v in latin(driver, tuple(TEST_USERS)).items()}
    visit(driver, url, "upload")
    # Past the widget's own ceiling (20 MB; a file between 10 and 20 MB meets the app's Chinese refusal instead).
    too_big = folder / "过大的报表.xlsx"
    too_big.write_bytes(b"0" * (21 * 1024 * 1024))
    driver.find_element("css selector", "input[type=file]").send_keys(str(too_big))
    time.sleep(2)
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).move_to_element(driver.find_element("css selector", "[data-testid='stFileChip']")).pause(
        0.8
    ).perform()
    assert '"文件未被接受：请按上方说明检查文件大小和格式"' in relabels(driver)
    problems |= {f"上传 {w}": v for w, v in latin(driver, tuple(TEST_USERS)).items()}
    assert problems == {}, f"点开后看到的英文：{problems}"


def full_page(driver, name: str, width: int) -> Path:  # noqa: ANN001
    """The whole page, not just the window: the window is made as tall as the scrolled content."""
    driver.set_window_size(width, 1000)
    time.sleep(0.3)
    height = driver.execute_script(
        "const m = document.querySelector('[data-testid=\"stMain\"]');"
        "if (!m) return 1000; m.scrollTo(0, 0); return m.scrollHeight;"
    )
    driver.set_window_size(width, min(max(int(height) + 40, 800), 9000))
    time.sleep(0.7)  # charts redraw at the new size
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}_{width}.png"
    driver.save_screenshot(str(path))
    return path


# ---------------------------------------------------------------- print (issue 12 §4)

# Pages whose print-out may run long: every row of a log or a history, the whole briefing, is the point of printing.
# The briefing and the 市州画像 cover the 14 类别; a 类别 page adds its 县市区 and 任务数 sections.
LONG = {"briefing": 20, "city": 8, "jobs": 8, "loans": 8, "screening": 8, "ecommerce": 8}
LONG |= {"history": 8, "audit": 8, "catalog": 8, "progress": 6, "review": 6}
NOT_IN_PRINT = ("退出登录", "下载 CSV", "下载 Excel", "下载 PDF", "下载 Word")
CHARTS = {  # what a page's charts write (vector text in the print-out): the charts made it onto the paper
    "": "各市州", "jobs": "全省平均（已报", "loans": "全省平均（已报", "screening": "全省平均（已报",
    "ecommerce": "全省平均（已报", "city": "占全省比重",
}  # fmt: skip


def printed(driver) -> bytes:  # noqa: ANN001
    """The page as the browser's own print (Ctrl+P) makes it: Chromium's print-to-PDF with the page's @page rules."""
    import base64

    result = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    return base64.b64decode(result["data"])


def squeezed(text: str) -> str:
    """Text without white space: a PDF's text puts spaces between Latin and Chinese where the page has none."""
    return "".join(text.split())


def sidebar_only(driver) -> list[str]:  # noqa: ANN001
    """Lines of the sidebar (menu, filters, user) that the page's own content and print header do not repeat."""
    side = driver.find_element("css selector", "[data-testid='stSidebar']").text.splitlines()
    main = squeezed(driver.execute_script("return document.querySelector('[data-testid=\"stMain\"]').textContent"))
    return [line for line in map(squeezed, side) if len(line) >= 2 and line not in main]


def print_problems(driver, path: str, title: str) -> tuple[list[str], int]:  # noqa: ANN001
    """The page through Chromium's print (what Ctrl+P gives a user): what is wrong with the print-out (A4
    portrait, the print header with the page's title, page numbers, no sidebar text and no buttons, the charts, a
    reasonable number of pages), and its page count. Run in the 管理员's pass, who sees every page."""
    from pypdf import PdfReader

    from tests.test_pdf import A4, text_of

    side = sidebar_only(driver)
    reader = PdfReader(io.BytesIO(printed(driver)))
    text, pages = squeezed(text_of(reader)), len(reader.pages)
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    found = [
        sizes == {(round(A4[0]), round(A4[1]))} or f"纸张 {sizes}",
        pages <= LONG.get(path, 4) or f"{pages} 页",
        f"湖南省妇联统计平台·{title if path else '总览'}" in text or "没有页眉",
        all(f"第{n}页，共{pages}页" in text for n in range(1, pages + 1)) or "没有页码",
        not [w for w in NOT_IN_PRINT if squeezed(w) in text] or f"打印出了 {NOT_IN_PRINT}",
        not [w for w in side if w in text] or f"打印出了侧栏 {[w for w in side if w in text]}",
        squeezed(CHARTS.get(path, "")) in text or "没有图表",
    ]
    return [f for f in found if f is not True], pages
