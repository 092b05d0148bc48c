"""A real `streamlit run` on a free loopback port and a headless Debian Chromium driving it, for e2e tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from etl.config import PROJECT_ROOT

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"


def require_chromium() -> None:
    """Skip with a clear message on a machine without Chromium; in CI (CI=true) a missing browser is a failure."""
    if Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists():
        return
    message = "浏览器测试需要 Debian 的 chromium 和 chromium-driver：运行 scripts/install_browser.sh 安装"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("streamlit did not become healthy")


@contextmanager
def streamlit_server(
    warehouse: Path, *, address: str = "127.0.0.1", env: dict | None = None, script: str = "serve.py"
) -> Iterator[str]:
    """What `make run` serves (serve.py: app.py with its HTTP side; or `script`) on a free port over the given
    warehouse; stopped (and waited for) on exit."""
    from tests.apptest import seed_accounts

    seed_accounts(warehouse)
    port = free_port()
    env = os.environ | {"HNFL_WAREHOUSE": str(warehouse), "HNFL_LOCK_WAIT_SECONDS": "10"} | (env or {})
    command = [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / script),
        "--server.port", str(port), "--server.address", address, "--server.headless", "true",
        "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    log = open(warehouse.parent / "streamlit.log", "w")  # noqa: SIM115 - closed below, after the process
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


@contextmanager
def chromium(download_dir: Path) -> Iterator[object]:
    """Headless Chromium with the flags this machine's closed network needs, downloading into download_dir."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1800", "--lang=zh-CN",
    ):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(download_dir), "download.prompt_for_download": False}
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP violations are console errors
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver, name: str) -> Path:  # noqa: ANN001 - a selenium WebDriver
    """Saved for a person to look at after the run (tests/artifacts is git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def wait_for_download(folder: Path, suffix: str, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.2)
    raise TimeoutError(f"no {suffix} download in {folder}")


def copy_warehouse(source: Path, folder: Path) -> Path:
    target = folder / "warehouse.duckdb"
    shutil.copy(source, target)
    return target


def fill_log_in(driver, name: str, password: str) -> None:  # noqa: ANN001 - a selenium WebDriver
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 40)
    field = wait.until(ec.element_to_be_clickable(("css selector", "input[aria-label='用户名']")))
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(name)
    wait.until(ec.element_to_be_clickable(("css selector", "input[type='password']"))).send_keys(password, Keys.ENTER)


def log_in(driver, url: str, name: str, password: str) -> None:  # noqa: ANN001 - a selenium WebDriver
    """Through the real form; the session cookie then keeps the browser logged in across page loads."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    fill_log_in(driver, name, password)
    WebDriverWait(driver, 40).until(lambda d: "当前用户：" in d.find_element("tag name", "body").text)
