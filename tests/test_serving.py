"""How the app is served: `make run` listens on this machine only, the app sends its own security headers and
hides Streamlit's metrics, and the README's nginx example — run by Debian's nginx — does the same in front."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from etl.config import PROJECT_ROOT
from tests.apptest import TEST_USERS
from tests.browser import chromium, copy_warehouse, free_port, log_in, require_chromium, screenshot, streamlit_server
from ui import web

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")


def get(url: str, headers: dict | None = None) -> tuple[int, object, bytes]:
    """(status, headers, body) of a GET, errors included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def make_run_command(*overrides: str) -> list[str]:
    """The streamlit command `make run` would run, as make itself prints it."""
    done = subprocess.run(["make", "-n", "run", *overrides], capture_output=True, text=True, cwd=PROJECT_ROOT)
    line = next(line for line in done.stdout.splitlines() if "streamlit run" in line)
    return line.split()


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


@pytest.fixture(scope="module")
def served(demo_db, tmp_path_factory):
    """The app as `make run` starts it: serve.py, on the address the Makefile gives."""
    command = make_run_command()
    assert command[command.index("run") + 1] == "serve.py"
    folder = tmp_path_factory.mktemp("served")
    with streamlit_server(copy_warehouse(demo_db, folder), address=option(command, "--server.address")) as url:
        yield url


def this_machines_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_make_run_listens_on_this_machine_only(served):
    assert option(make_run_command(), "--server.address") == "127.0.0.1"
    assert option(make_run_command("HNFL_ADDRESS=0.0.0.0"), "--server.address") == "0.0.0.0"  # the documented way
    port = int(served.rsplit(":", 1)[1])
    assert get(f"{served}/_stcore/health")[0] == 200
    outside = this_machines_address()
    if outside is None:
        pytest.skip("this machine has no address besides 127.0.0.1 to try")
    with pytest.raises(OSError), socket.create_connection((outside, port), timeout=3):
        pass


def test_the_app_sends_its_security_headers_and_hides_its_metrics(served):
    for path in ("/", "/jobs", "/_stcore/health", "/static/favicon.png"):
        status, headers, _ = get(served + path)
        assert headers["Content-Security-Policy"] == web.content_security_policy(), path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self' 'sha256-" in headers["Content-Security-Policy"]  # no 'unsafe-inline' for scripts
        assert (headers["X-Frame-Options"], headers["X-Content-Type-Options"]) == ("DENY", "nosniff"), path
    for path in ("/_stcore/metrics", "/_stcore/metrics?families=session_events_total", "/_stcore/metrics/"):
        status, _, body = get(served + path)
        assert (status, b"session" in body) == (404, False), path
    status, headers, _ = get(f"{served}{web.COOKIE_PATH}?n=guessed")  # a nonce nobody was given
    assert status == 404 and "set-cookie" not in {k.lower() for k in headers}


def test_the_inline_script_hash_in_the_policy_matches_streamlits_page(served):
    """If a Streamlit upgrade changes its one inline script, the policy (and the README) must follow."""
    _, _, page = get(served + "/")
    (script,) = re.findall(rb"<script>(.*?)</script>", page, flags=re.S)
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
    assert f"'sha256-{digest}'" in web.content_security_policy()


@pytest.mark.parametrize(
    ("peer", "forwarded", "behind_proxy", "expected"),
    [
        ("203.0.113.9", ["6.6.6.6"], True, "203.0.113.9"),  # a direct connection: the header is ignored
        (None, ["6.6.6.6"], False, ""),  # on this machine, no proxy declared: never believed
        (None, ["6.6.6.6, 10.20.0.7"], True, "10.20.0.7"),  # behind nginx: the address nginx appended, last
        (None, ["6.6.6.6", "10.20.0.7"], True, "10.20.0.7"),
        (None, [], True, ""),
    ],
)
def test_the_log_in_address_trusts_x_forwarded_for_only_behind_a_declared_proxy(
    peer, forwarded, behind_proxy, expected
):
    assert web.forwarded_client(peer, forwarded, behind_proxy) == expected


# ---------------------------------------------------------------- the README's nginx example, run


def readme_nginx_server() -> str:
    """The first `server { … }` block of the README's nginx example."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```nginx\n(.*?)```", readme, flags=re.S)[1]
    start = block.index("server {")
    depth = 0
    for end, char in enumerate(block[start:], start):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and char == "}":
            return block[start : end + 1]
    raise AssertionError("the README's nginx server block is not closed")


def nginx_config(folder: Path, listen: int, upstream: int) -> Path:
    """The README's server block, listening on a free local port without TLS, in front of `upstream`."""
    server = readme_nginx_server()
    assert "listen 443 ssl;" in server and "proxy_pass http://127.0.0.1:8501;" in server
    server = server.replace("listen 443 ssl;", f"listen 127.0.0.1:{listen};")
    server = server.replace("proxy_pass http://127.0.0.1:8501;", f"proxy_pass http://127.0.0.1:{upstream};")
    server = "\n".join(line for line in server.splitlines() if "ssl_certificate" not in line)
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = folder / "nginx.conf"
    config.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\ndaemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        + "events { worker_connections 64; }\n"
        + f"http {{\n    access_log off;\n{temp}\n{server}\n}}\n",
        encoding="utf-8",
    )
    return config


@contextmanager
def nginx(folder: Path, upstream_url: str):  # noqa: ANN201
    if not Path(NGINX).exists():
        message = "反向代理测试需要 Debian 的 nginx：运行 scripts/install_nginx.sh 安装"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    config = nginx_config(folder, port, int(upstream_url.rsplit(":", 1)[1]))
    tested = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(config)], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(config)], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if get(f"{url}/_stcore/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def proxied(demo_db, tmp_path_factory):
    """Plain `streamlit run app.py` (no headers of its own, metrics open) behind the README's nginx."""
    folder = tmp_path_factory.mktemp("nginx")
    warehouse = copy_warehouse(demo_db, folder)
    with (
        streamlit_server(warehouse, script="app.py", env={"HNFL_BEHIND_PROXY": "1"}) as upstream,
        nginx(folder, upstream) as url,
    ):
        yield url, upstream


def test_the_readme_nginx_example_hides_metrics_and_sends_the_headers_once(proxied):
    url, upstream = proxied
    assert get(f"{upstream}/_stcore/metrics")[0] == 200  # Streamlit itself would tell anyone
    for path in ("/_stcore/metrics", "/_stcore/metrics?families=session_events_total", "/_stcore//metrics"):
        status, _, body = get(url + path)
        assert (status, b"session" in body) == (404, False), path
    status, headers, _ = get(url + "/")
    assert status == 200
    for name in HEADERS:
        assert len(headers.get_all(name) or []) == 1, name
    assert headers["Content-Security-Policy"] == web.content_security_policy()  # the README's policy is the app's
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.browser
def test_the_readme_nginx_example_in_front_of_serve_py(demo_db, tmp_path):
    """As deployed: serve.py behind the README's nginx. Each header once (the app's are replaced, never doubled),
    and the WebSocket, the policy, the log-in and its cookie work through the proxy."""
    require_chromium()
    warehouse = copy_warehouse(demo_db, tmp_path)
    with streamlit_server(warehouse, env={"HNFL_BEHIND_PROXY": "1"}) as upstream, nginx(tmp_path, upstream) as url:
        status, headers, _ = get(url + "/")
        assert status == 200
        for name in HEADERS:
            assert len(headers.get_all(name) or []) == 1, name
        with chromium(tmp_path / "downloads") as driver:
            log_in(driver, url, "leader", TEST_USERS["leader"][2])
            driver.get(f"{url}/jobs?year=2016")  # a new page load: the HttpOnly cookie, set through the proxy
            from tests.test_browser import wait_text

            wait_text(driver, "2016年各市州举办招聘会场次")
            violations = [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
            assert violations == []
            screenshot(driver, "through_nginx")
