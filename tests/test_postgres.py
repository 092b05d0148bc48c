"""PostgreSQL (make test's second run, pytest --backend=postgres): loaders of 14 市州 at once with a restore, an export
and a backup beside them, none waiting on another; the same slice serialised; two app processes sharing a log-in
and each other's uploads; backups with pg_dump; the move from a DuckDB file and back."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import psycopg
import pytest
from click.testing import CliRunner

from etl import actions, audit, catalog, catalog_admin, config, warehouse
from etl.access import store
from etl.cli import main
from etl.config import PROJECT_ROOT
from etl.demo import build_demo
from etl.pipeline import LOADED, load_bytes
from etl.roles import ADMIN, SYSTEM, User
from etl.warehouse import catalog_store, marts
from etl.warehouse.db import slice_key
from tests.apptest import TEST_USERS, seed_accounts
from tests.browser import chromium, log_in, require_chromium, streamlit_server
from tests.conftest import filled_template, stored
from tests.test_concurrency import BUSY, ZHUZHOU, city_return, finish, start_load

pytestmark = pytest.mark.postgres_only
ADMIN_USER = User("admin", ADMIN)


class LockWatch:
    """Samples pg_locks from its own connection while work runs: every lock some backend waits for, and the most
    transactions seen open at once."""

    def __init__(self, url: str) -> None:
        self.url, self.waits, self.samples, self.most_open = url, [], 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as con:
            while not self._stop.is_set():
                waiting = con.execute(
                    "select l.locktype, l.mode, left(a.query, 80) from pg_locks as l"
                    " join pg_stat_activity as a on a.pid = l.pid"
                    " where not l.granted and a.datname = current_database()"
                ).fetchall()
                (open_now,) = con.execute(
                    "select count(*) from pg_stat_activity where datname = current_database()"
                    " and xact_start is not null and pid <> pg_backend_pid() and backend_type = 'client backend'"
                ).fetchone()
                self.waits += waiting
                self.samples += 1
                self.most_open = max(self.most_open, open_now)
                time.sleep(0.001)

    def __enter__(self) -> LockWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def jobs_return(region: str, year: int, fairs: int) -> bytes:
    return filled_template(year, {("就业创业", region, "举办招聘会场次"): fairs}, catalog.find_region(region).code)


def test_fourteen_cities_load_at_once_beside_a_restore_an_export_and_a_backup(db_path, tmp_path):
    url = config.database_url()
    for version, fairs in ((1, 30), (2, 31)):  # 长沙市 2015 in two versions: the restore brings back the first
        report = load_bytes(jobs_return("长沙市", 2015, fairs), f"长沙2015-v{version}.xlsx", db_path, actor=SYSTEM)
        assert report.status == LOADED
    expected, loaders = {}, []
    for number, city in enumerate(catalog.cities()):
        data, values = city_return(city.code, seed=number)
        path = tmp_path / f"{city.code}.xlsx"
        path.write_bytes(data)
        expected |= values
        loaders.append(path)
    with LockWatch(url) as watch:
        processes = [start_load(path, "--db", db_path, wait_seconds=30) for path in loaders]
        export = subprocess.Popen(
            [sys.executable, "-m", "etl", "export", "--include-pending", "--db", str(db_path), "-o",
             str(tmp_path / "export.csv")],
            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        backup = subprocess.Popen(
            [sys.executable, "-m", "etl", "backup", str(tmp_path / "backup"), "--db", str(db_path)],
            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        restored = actions.restore_version(ADMIN_USER, db_path, "430100", 2015, "jobs", 1)
        results = [finish(p, timeout=120) for p in [*processes, export, backup]]
    assert [code for code, _, _ in results] == [0] * 16, results
    assert watch.waits == [], watch.waits  # nobody waited on anybody's lock: not a row, not a slice, not a table
    assert watch.samples > 50
    print(f"\n{watch.samples} samples of pg_locks, at most {watch.most_open} transactions open at once, no wait")

    assert restored.slices == 1
    assert stored(db_path, 2016) == expected  # nothing lost: every 市州's every figure
    assert stored(db_path, 2015)[("长沙市", 2015, "举办招聘会场次")] == 30
    with warehouse.connect(db_path, read_only=True) as con:
        counts = warehouse.summary_counts(con)
        domains = len({i.domain for i in catalog.indicators() if "city" in i.levels})  # every sheet of the template
        assert (counts["submissions"], counts["pending_slices"]) == (2 + 14 + 1, 14 * domains + 1)
        assert marts.province(con, True, measure="job_fairs", year=2016).iloc[0]["reported"] == 14
    assert (tmp_path / "backup" / "warehouse.pgdump").stat().st_size > 0
    exported = (tmp_path / "export.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(exported) > 1  # a consistent snapshot of whatever had committed when it ran


def test_the_same_slice_waits_its_turn_and_a_long_wait_is_refused(db_path, tmp_path):
    url = config.database_url()
    data, values = city_return(ZHUZHOU, seed=3)
    path = tmp_path / "zhuzhou.xlsx"
    path.write_bytes(data)
    with warehouse.connect(db_path):  # the schema exists before anyone holds a slice
        pass
    with psycopg.connect(url, autocommit=True) as holder:  # another writer of 株洲市 2016 就业创业, mid-transaction
        holder.execute("select pg_advisory_lock(%s)", [slice_key(ZHUZHOU, 2016, "jobs")])
        with LockWatch(url) as watch:
            loader = start_load(path, "--db", db_path, wait_seconds=30)
            deadline = time.monotonic() + 30
            while not any(kind == "advisory" for kind, _, _ in watch.waits) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert loader.poll() is None  # still waiting its turn
            holder.execute("select pg_advisory_unlock(%s)", [slice_key(ZHUZHOU, 2016, "jobs")])
            code, out, err = finish(loader)
        assert {kind for kind, _, _ in watch.waits} == {"advisory"}
        assert code == 0, out + err
        assert stored(db_path, 2016) == values

        holder.execute("select pg_advisory_lock(%s)", [slice_key(ZHUZHOU, 2017, "jobs")])
        later = tmp_path / "zhuzhou2017.xlsx"
        later.write_bytes(city_return(ZHUZHOU, seed=4, year=2017)[0])
        started = time.monotonic()
        code, out, err = finish(start_load(later, "--db", db_path, wait_seconds=1))
        assert code == 1 and BUSY in out and "Traceback" not in out + err, out + err
        assert 1 <= time.monotonic() - started < 10
    assert (2017 not in {year for _, year, _ in stored(db_path)}) and stored(db_path, 2016) == values


def test_every_write_advances_the_data_version_pages_are_keyed_on(db_path):
    first = warehouse.version(db_path)
    with warehouse.connect(db_path, read_only=True):
        pass
    assert warehouse.version(db_path) == first  # reading changes nothing
    load_bytes(jobs_return("长沙市", 2016, 44), "a.xlsx", db_path, actor=SYSTEM)
    second = warehouse.version(db_path)
    assert second != first
    audit.record(SYSTEM, "login", db_path=db_path)  # log-ins and the audit log live apart: caches stay warm
    assert warehouse.version(db_path) == second


def test_the_audit_log_is_append_only_even_for_truncate(db_path):
    audit.record(SYSTEM, "login", db_path=db_path)
    for statement in ("update audit_log set actor = 'x'", "delete from audit_log", "truncate audit_log"):
        with (
            pytest.raises(psycopg.errors.RaiseException, match="append-only"),
            store.connect(config.accounts_path(db_path)) as con,
        ):
            con.execute(statement)
    assert len(audit.entries(db_path)) == 1


def test_backup_and_restore_with_pg_dump_keep_the_audit_log(db_path, tmp_path):
    load_bytes(jobs_return("长沙市", 2016, 44), "a.xlsx", db_path, actor=SYSTEM)
    runner = CliRunner()
    done = runner.invoke(main, ["backup", str(tmp_path / "b"), "--db", str(db_path)])
    assert done.exit_code == 0, done.output
    assert {p.name for p in (tmp_path / "b").iterdir()} == {"warehouse.pgdump", "accounts.pgdump"}
    load_bytes(jobs_return("长沙市", 2016, 45), "b.xlsx", db_path, actor=SYSTEM)
    entries = len(audit.entries(db_path))
    before = warehouse.version(db_path)
    done = runner.invoke(main, ["restore", str(tmp_path / "b"), "--db", str(db_path)])
    assert done.exit_code == 0, done.output
    assert "原文件保留为 warehouse." in done.output and ".before-restore.pgdump" in done.output
    assert stored(db_path, 2016)[("长沙市", 2016, "举办招聘会场次")] == 44
    assert len(audit.entries(db_path)) >= entries  # the log since the backup survives
    assert warehouse.version(db_path) != before
    kept = list(config.backup_dir(db_path).glob("warehouse.*.before-restore.pgdump"))
    assert len(kept) == 1 and kept[0].stat().st_mode & 0o777 == 0o600
    refused = runner.invoke(main, ["restore", str(tmp_path), "--db", str(db_path)])
    assert refused.exit_code == 1 and "不是 PostgreSQL 数据仓库的备份目录" in refused.output


def test_migrate_from_a_duckdb_file_and_back_with_counts_checked(tmp_path, monkeypatch):
    url = config.database_url()
    monkeypatch.delenv("HNFL_DATABASE_URL")
    source = tmp_path / "file" / "warehouse.duckdb"
    build_demo(source)
    seed_accounts(source)
    bases = catalog.shipped().edition(None).indicator_by_code["demo_bases"]  # a catalogue a 管理员 changed moves too
    catalog_admin.save(SYSTEM, source, [replace(bases, retired=True, valid_from=2022, note="不再统计")], "停用")
    with warehouse.connect(source, read_only=True) as con:
        counts, city = warehouse.summary_counts(con), marts.city(con, True)
        edited = catalog_store.catalogue(con)
    users, log = store_counts(source)

    runner = CliRunner()
    moved = runner.invoke(main, ["migrate", "--from", str(source), "--to", url])
    assert moved.exit_code == 0, moved.output
    assert "各表行数与来源一致" in moved.output and f"facts {counts['facts']} 行" in moved.output
    assert "users 5 行" in moved.output and "catalog_revisions 2 行" in moved.output
    assert "已迁移到 postgresql://postgres@127.0.0.1:" in moved.output
    with warehouse.open_database(url, read_only=True) as con:
        assert warehouse.summary_counts(con) == counts
        pd.testing.assert_frame_equal(marts.city(con, True), city)
        assert (catalog_store.catalogue(con).token, catalog_store.catalogue(con).revision) == (edited.token, 2)
        assert con.value("select count(*) from indicators where code = 'demo_bases'") == 1
    with store.connect_to(url) as con:
        assert con.value("select count(*) from users") == users
        assert con.value("select count(*) from audit_log") == log + 1
        assert con.value("select action from audit_log order by entry_id desc limit 1") == "migrate"

    again = runner.invoke(main, ["migrate", "--from", str(source), "--to", url])
    assert again.exit_code == 1 and "迁移只写入空的" in again.output

    back = tmp_path / "back" / "warehouse.duckdb"
    returned = runner.invoke(main, ["migrate", "--from", url, "--to", str(back)])
    assert returned.exit_code == 0, returned.output
    with warehouse.connect(back, read_only=True) as con:
        assert warehouse.summary_counts(con) == counts
        pd.testing.assert_frame_equal(marts.city(con, True), city)
        assert catalog_store.catalogue(con).edition(2022).indicators == edited.edition(2022).indicators
    assert store_counts(back) == (users, log + 2)  # the first move's entry and this one's
    following = load_bytes(jobs_return("长沙市", 2025, 12), "next.xlsx", back, actor=SYSTEM)
    assert following.store.submission_id == counts["submissions"] + 1  # the sequence goes on where it was


def store_counts(db_path: Path) -> tuple[int, int]:
    with store.connect_to(config.accounts_path(db_path)) as con:
        return con.value("select count(*) from users"), con.value("select count(*) from audit_log")


# ---------------------------------------------------------------- two app processes behind one address


def _get(url: str, path: str, cookie: str = "") -> http.client.HTTPResponse:
    parts = urlparse(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    return connection.getresponse()


@pytest.mark.browser
def test_two_app_processes_share_a_log_in_and_each_others_uploads(demo_copy, tmp_path):
    require_chromium()
    from selenium.webdriver.common.by import By

    from tests.test_browser import click, open_page, upload, wait_text

    first, second = tmp_path / "a" / "warehouse.duckdb", tmp_path / "b" / "warehouse.duckdb"
    first.parent.mkdir()
    second.parent.mkdir()
    with (
        streamlit_server(first) as one,
        streamlit_server(second) as two,
        chromium(tmp_path / "downloads") as driver,
    ):
        # A cookie offered by one process is taken by the other, once: the nonces live in the database.
        from ui import web

        nonce = web.offer_cookie("a-token")
        taken = _get(two, f"{web.COOKIE_PATH}?n={nonce}")
        assert taken.status == 200 and "hnfl_session=a-token" in taken.getheader("set-cookie")
        assert _get(one, f"{web.COOKIE_PATH}?n={nonce}").status == 404

        log_in(driver, one, "cs", TEST_USERS["cs"][2])  # the form on the first process
        open_page(driver, two, "jobs", "各市州举办招聘会场次", "?year=2025&pending=1")  # the second: no form
        assert "当前用户：cs" in driver.find_element(By.TAG_NAME, "body").text
        assert "全省平均 120.0场" not in driver.find_element(By.TAG_NAME, "body").text

        path = tmp_path / "长沙2025就业.xlsx"
        path.write_bytes(jobs_return("长沙市", 2025, 120))
        open_page(driver, one, "upload", "第一步：下载报表模板")
        upload(driver, path)
        click(driver, "//button[normalize-space(.)='提交']")
        wait_text(driver, "待省妇联审核通过后发布")

        open_page(driver, two, "jobs", "各市州举办招聘会场次", "?year=2025&pending=1")  # its caches were warm
        wait_text(driver, "全省平均 120.0场")
    assert os.environ["HNFL_DATABASE_URL"] == config.database_url()
