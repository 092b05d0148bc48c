"""Issue 10 in a real browser: hostile text stays text on every page that shows it, a user disabled from the
command line is out of every open tab at its next click, the session cookie is HttpOnly, and the pages run
under the app's Content-Security-Policy without a single violation."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from etl import accounts, actions, audit, roles
from etl.config import PROJECT_ROOT
from etl.pipeline import LOADED, load_bytes
from tests.apptest import TEST_USERS
from tests.browser import chromium, copy_warehouse, log_in, require_chromium, screenshot, streamlit_server
from tests.conftest import filled_template, with_sheet_named
from tests.test_browser import click, upload, wait_in_table, wait_text

pytestmark = pytest.mark.browser

HOSTILE_USER, HOSTILE_PASSWORD = "www.evil.example", "evil-test-password"  # a valid name that autolinks
HOSTILE_SHEET = "__粗__ <u>www.evil.example"  # Excel forbids : / \ ? * [ ] in sheet names, not these


class Listener:
    """A web server on this machine that hostile text points at: any request it gets left the page."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def hostile_texts(host: str) -> dict[str, str]:
    image, link, html = f"![b](http://{host}/md.png)", f"[点我](http://{host}/link)", f"<img src=http://{host}/h.png>"
    return {
        "file": f"{image}{link} www.evil.example 上报.xlsx",
        "note": f"说明 {image} {link} {html} www.evil.example a@evil.example :red[红] $x$",
        "sender": f"{link}www.evil.example",
        "reason": f"退回 {image} {link} {html} www.evil.example :red[红]",
        "cells": [image, link, html, "www.evil.example"],
        # a real file name on disk: no slash, but browsers read a backslash in a URL as one
        "upload_name": f"![b](http:\\{host}\\up.png) www.evil.example.xlsx",
    }


@pytest.fixture(scope="module")
def site(demo_db, tmp_path_factory):
    """The served app over a demo copy holding hostile text everywhere text can come from, and a listener."""
    require_chromium()
    folder = tmp_path_factory.mktemp("hostile")
    warehouse = copy_warehouse(demo_db, folder)
    listener = Listener()
    texts = hostile_texts(listener.host)
    from tests.apptest import seed_accounts

    seed_accounts(warehouse)
    accounts.add_user(roles.SYSTEM, HOSTILE_USER, roles.ADMIN, HOSTILE_PASSWORD, db_path=warehouse)
    actor = roles.User(HOSTILE_USER, roles.ADMIN)

    # 株洲市's stays 待审核, with a warning at a cell of the hostile sheet (the 审核 page asks to confirm it);
    # 长沙市's is returned with a hostile reason (数据上报 and 填报进度 show it).
    def send(values: dict, region: str, file_name: str):  # noqa: ANN202 - a FileReport
        data = with_sheet_named(filled_template(2016, values, region_code=region), "就业创业", HOSTILE_SHEET)
        report = load_bytes(data, file_name, warehouse, actor=actor, source="app", submitted_by=texts["sender"],
                            note=texts["note"])  # fmt: skip
        assert report.status == LOADED, [i.describe() for i in report.issues]
        return report

    jobs = ("就业创业", "株洲市")
    zhuzhou = {(*jobs, "举办招聘会场次"): 51, (*jobs, "提供就业岗位数"): 100, (*jobs, "实现就业妇女人数"): 200}
    warned = send(zhuzhou, "430200", texts["file"])
    assert [w.location for w in warned.warnings] == [f"{HOSTILE_SHEET}!F5"]
    send({("就业创业", "长沙市", "举办招聘会场次"): 52}, "430100", f"长沙 {texts['file']}")
    actions.send_back(actor, warehouse, reason=texts["reason"], year=2016, region_code="430100")
    actions.lock(actor, warehouse, 2016)  # 填报进度 names who locked the year
    with streamlit_server(warehouse) as url:
        yield url, warehouse, folder, listener, texts
    listener.close()


def assert_nothing_interpreted(driver, listener: Listener, page: str) -> None:  # noqa: ANN001
    """No link or image made from the hostile text, and no request to the listener."""
    time.sleep(1)  # let images and prefetches start, if any were made
    host = listener.host
    made = driver.find_elements(
        "css selector",
        f"a[href*='evil.example'], a[href*='{host}'], a[href^='mailto:'], a[href^='javascript:'],"
        f" img[src*='{host}'], img[src*='evil']",
    )
    if made or listener.hits:
        path = screenshot(driver, f"hostile_{page}")
        raise AssertionError(f"{page}: {[e.get_attribute('outerHTML') for e in made]} {listener.hits}; see {path}")


def body(driver) -> str:  # noqa: ANN001
    return driver.find_element("tag name", "body").text.replace("\u2060", "")


def test_hostile_text_is_shown_as_text_on_every_page(site):
    """Defect 4: a cell `![b](http://host/x.png)` made the browser fetch that address, `[text](url)` became a link."""
    url, _, folder, listener, texts = site
    with chromium(folder / "downloads-hostile") as driver:
        log_in(driver, url, HOSTILE_USER, HOSTILE_PASSWORD)
        assert f"当前用户：{HOSTILE_USER}（管理员）" in body(driver)  # the sidebar, as text
        assert_nothing_interpreted(driver, listener, "sidebar")

        # 数据上报: hostile cells and sheet name in a refused file with a hostile name
        cells = {("就业创业", "株洲市", name): value for name, value in zip(
            ["举办招聘会场次", "提供就业岗位数", "实现就业妇女人数", "创业就业培训期数"], texts["cells"], strict=True
        )}  # fmt: skip
        refused = with_sheet_named(filled_template(2024, cells, region_code="430200"), "就业创业", HOSTILE_SHEET)
        path = folder / texts["upload_name"]
        path.write_bytes(refused)
        driver.get(f"{url}/upload")
        wait_text(driver, "第一步：下载报表模板")
        # the returned 长沙 submission: its file name, who returned it and the reason, as typed
        assert f"（第 2 版，长沙 {texts['file']}）：{HOSTILE_USER} 于 " in body(driver)
        assert f"退回原因：{texts['reason']}" in body(driver)
        upload(driver, path)
        wait_text(driver, "个错误，未写入任何数据")
        assert f"“{texts['upload_name']}”有 4 个错误" in body(driver)  # the name as typed, not as Markdown
        wait_in_table(driver, f"{HOSTILE_SHEET}!B5")
        assert_nothing_interpreted(driver, listener, "upload")

        # 上报记录: file name, 上报说明 and sender of a stored submission, its sheet name in the cells
        driver.get(f"{url}/history?year=2016&city=430200&pending=1")  # the hostile version is 待审核
        wait_text(driver, "查看一次上报")
        wait_in_table(driver, texts["file"])
        assert_nothing_interpreted(driver, listener, "history")
        click(driver, "//*[@role='tab'][contains(., '版本与恢复')]")
        wait_text(driver, f"文件：{texts['file']}")
        assert f"说明：{texts['note']}" in body(driver)
        assert f"上报人：{texts['sender']}" in body(driver)
        assert_nothing_interpreted(driver, listener, "versions")
        click(driver, "//*[@role='tab'][contains(., '这个数哪来的')]")
        wait_in_table(driver, f"{HOSTILE_SHEET}!B5")
        assert_nothing_interpreted(driver, listener, "provenance")

        # 填报进度 names the (hostile) user who locked the year; 用户管理 and 审计日志 list names and files
        driver.get(f"{url}/progress?year=2016")
        wait_text(driver, f"2016年已整年审核锁定（{HOSTILE_USER}，")
        wait_in_table(driver, texts["reason"])  # 已退回，待重新上报
        assert_nothing_interpreted(driver, listener, "progress")

        # 审核: the waiting submission's file name, sender and 上报说明, and its warning at the hostile sheet
        driver.get(f"{url}/review")
        wait_text(driver, "审核一次上报")
        wait_in_table(driver, texts["file"])
        wait_text(driver, f"文件：{texts['file']}\n上报人：{texts['sender']}")
        assert f"统计员的上报说明：{texts['note']}" in body(driver)
        confirm = f"已核实 {HOSTILE_SHEET}!F5 实现就业妇女人数：实现就业妇女人数（200）大于提供就业岗位数（100）"
        assert confirm in body(driver)
        assert_nothing_interpreted(driver, listener, "review")
        driver.get(f"{url}/users")
        wait_in_table(driver, HOSTILE_USER)
        assert_nothing_interpreted(driver, listener, "users")
        driver.get(f"{url}/audit")
        wait_in_table(driver, HOSTILE_USER)  # (the table draws the columns in view; 文件名 is further right)
        assert_nothing_interpreted(driver, listener, "audit")
        assert not csp_violations(driver)
        screenshot(driver, "hostile_audit")
    assert listener.hits == []


def csp_violations(driver) -> list[str]:  # noqa: ANN001
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]


def test_pages_run_under_the_content_security_policy(site):
    """Charts, the map, tables and downloads all work with script-src 'self' and no framing."""
    url, _, folder, _, _ = site
    with chromium(folder / "downloads-csp") as driver:
        log_in(driver, url, "admin", TEST_USERS["admin"][2])
        driver.get(f"{url}/?year=2016")
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(driver, 40).until(lambda d: len(d.find_elements("css selector", "path.choroplethlocation")) >= 14)
        for page, title in (("jobs", "2016年各市州举办招聘会场次"), ("history", "查看一次上报"), ("audit", "审计日志")):
            driver.get(f"{url}/{page}?year=2016")
            wait_text(driver, title)
        driver.get(f"{url}/jobs?year=2016")
        wait_text(driver, "2016年各市州举办招聘会场次")
        click(driver, "(//button[contains(., '下载 CSV')])[1]")
        deadline = time.monotonic() + 30
        while not list((folder / "downloads-csp").glob("*.csv")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert list((folder / "downloads-csp").glob("*.csv")), "the download did not arrive under the CSP"
        # ui/chrome.py's stylesheet is an inline <style> (style-src 'unsafe-inline'): it applies, nothing is refused.
        hidden = driver.execute_script(
            "const b = document.querySelector('[data-testid=\"stSkipToContent\"]');"
            "return b ? getComputedStyle(b, '::after').content : null"
        )
        assert hidden == '"跳到正文"'
        assert csp_violations(driver) == []


def etl_command(*args: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HNFL_ACCOUNTS", "HNFL_WAREHOUSE")}
    return subprocess.run(
        [sys.executable, "-m", "etl", *map(str, args)], capture_output=True, text=True, cwd=PROJECT_ROOT, env=env
    )


def test_two_tabs_of_a_user_disabled_from_the_command_line(site):
    """Done-when of issue 10: disable from the CLI; a click in either tab only shows the Chinese 已停用 message."""
    url, warehouse, folder, _, _ = site
    downloads = folder / "downloads-tabs"
    with chromium(downloads) as driver:
        log_in(driver, url, "cs", TEST_USERS["cs"][2])
        cookie = next(c for c in driver.get_cookies() if c["name"] == "hnfl_session")
        assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
        assert "hnfl_session" not in driver.execute_script("return document.cookie")  # script never sees it
        first = driver.current_window_handle
        driver.get(f"{url}/upload")
        wait_text(driver, "第一步：下载报表模板")
        driver.switch_to.new_window("tab")  # the same browser: the cookie logs the second tab in
        driver.get(f"{url}/jobs?year=2016")
        wait_text(driver, "当前用户：cs（统计员·长沙市）")

        done = etl_command("users", "disable", "cs", "--db", warehouse)
        assert done.returncode == 0, done.stderr

        driver.switch_to.window(first)
        click(driver, "//button[contains(., '下载模板')]")  # a download, built on the server at the click
        wait_text(driver, "该账号已停用，请联系管理员。")
        assert "当前用户" not in body(driver) and "第一步" not in body(driver)
        time.sleep(2)
        assert not (downloads.exists() and any(downloads.iterdir()))  # nothing was built or downloaded

        driver.switch_to.window(driver.window_handles[-1])
        click(driver, "//a[contains(., '小额担保贷款')]")  # any click: here, another page
        wait_text(driver, "该账号已停用，请联系管理员。")
        assert "当前用户" not in body(driver) and "贷款" not in body(driver).replace("小额担保贷款", "")
        screenshot(driver, "disabled_second_tab")

    refusals = audit.entries(warehouse, actor="cs", actions=["denied"])
    assert sorted(e["detail"] for e in refusals) == [
        "upload：该账号已停用，请联系管理员。",  # the download in the first tab
        "view：该账号已停用，请联系管理员。",  # the page in the second
    ]
    assert {e["outcome"] for e in refusals} == {audit.REFUSED}
    printed = etl_command("audit", "--user", "cs", "--db", warehouse).stdout
    assert "\t越权操作被拒绝\t被拒绝\tupload：该账号已停用，请联系管理员。" in printed


def test_a_file_a_little_over_the_limit_gets_the_chinese_refusal(site):
    """Defect 7: the widget stopped anything over 10,000,000 bytes in English; the Chinese message never showed."""
    url, _, folder, _, _ = site
    big = folder / "稍大.xlsx"
    big.write_bytes(b"\0" * (10 * 2**20 + 500_000))  # 10.5 MB as Windows counts, 11.0 MB in decimal
    with chromium(folder / "downloads-big") as driver:
        log_in(driver, url, "admin", TEST_USERS["admin"][2])
        driver.get(f"{url}/upload")
        wait_text(driver, "单个文件不超过 10 MB")
        upload(driver, big)
        wait_text(driver, "“稍大.xlsx”有 1 个错误，未写入任何数据。")
        wait_in_table(driver, "文件大小 10.5 MB 超过上限 10 MB，请只保留报表数据后再上报。")
        assert "File must be" not in body(driver)
