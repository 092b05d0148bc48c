"""Backups on real DuckDB files and real processes: export and restore, the automatic copies, the file swap."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl import actions, backup, config, warehouse
from etl.config import PROJECT_ROOT
from etl.pipeline import ALREADY_LOADED, LOADED, REFUSED, load_bytes
from etl.roles import SYSTEM
from tests.conftest import fingerprint, header_of, read_db, stored, xlsx_bytes

pytestmark = pytest.mark.duckdb_only("the DuckDB file's backups: EXPORT DATABASE, file copies (PG: test_postgres)")

HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read-only")
print("holding", flush=True)
if sys.argv[3] == "stdin":
    sys.stdin.read()
else:
    time.sleep(float(sys.argv[3]))
print(time.time(), flush=True)  # before closing: whoever waits for the file gets it after this moment
con.close()
"""


def jobs(region: str, *values: object, year: int = 2016) -> bytes:
    return xlsx_bytes({"就业创业": [[f"年度：{year}"], header_of("jobs"), [region, *values]]})


def etl(*args: object, **env: str) -> subprocess.CompletedProcess[str]:
    """python -m etl in its own process, as an administrator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "etl", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        timeout=60,
    )


def hold(db: Path, mode: str, until: str = "stdin") -> subprocess.Popen[str]:
    """Another process with the warehouse open ("read-only" or "read-write"), holding it until told or timed out."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), mode, until], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "holding"
    return child


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """The demo warehouse in a folder of its own, free to change."""
    path = tmp_path / "wh" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copyfile(demo_db, path)
    return path


def next_submission_id(db: Path) -> int:
    with read_db(db) as con:
        return con.execute("select max(submission_id) from submissions").fetchall()[0][0] + 1


# ---------------------------------------------------------------- backup and restore


def test_backup_then_restore_round_trips_every_table(demo_copy, tmp_path):
    before, next_id = fingerprint(demo_copy), next_submission_id(demo_copy)
    with read_db(demo_copy) as con:
        (facts,) = con.execute("select count(*) from facts").fetchone()
    done = etl("backup", tmp_path / "备份", "--db", demo_copy)
    assert (done.returncode, done.stdout.strip()) == (0, f"已备份到 {tmp_path / '备份'}：19 张表，{facts} 条数值记录。")

    assert load_bytes(jobs("株洲市", 1, 2, 1), "later.xlsx", demo_copy, actor=SYSTEM).status == LOADED
    changed = fingerprint(demo_copy)
    done = etl("restore", tmp_path / "备份", "--db", demo_copy)
    assert done.returncode == 0, done.stderr
    kept = [p for p in demo_copy.parent.iterdir() if p.name.startswith("warehouse.duckdb.before-restore-")]
    assert done.stdout.strip() == f"已从 {tmp_path / '备份'} 恢复数据仓库 {demo_copy}。原文件保留为 {kept[0].name}。"
    assert fingerprint(demo_copy) == before
    assert fingerprint(kept[0]) == changed  # the warehouse that was replaced, kept whole
    # the submission counter came back too: the next load does not reuse an id the backup holds
    assert load_bytes(jobs("株洲市", 7, 8, 7), "next.xlsx", demo_copy, actor=SYSTEM).store.submission_id == next_id


def test_backup_includes_work_still_in_the_wal(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    load_bytes(jobs("株洲市", 44, 75700, 5890), "a.xlsx", db, actor=SYSTEM)
    crash = (
        "import os, sys\nfrom pathlib import Path\nfrom etl import warehouse\n"
        "with warehouse.connect(Path(sys.argv[1])) as con:\n"
        "    con.execute(\"insert into deadlines values (2030, date '2030-03-31', '省妇联', now())\")\n"
        "    os._exit(0)  # no close, no checkpoint: the committed row lives only in the WAL\n"
    )
    subprocess.run([sys.executable, "-c", crash, str(db)], cwd=PROJECT_ROOT, check=True)
    assert db.with_name(db.name + ".wal").exists()
    plain_copy = tmp_path / "copy.duckdb"
    shutil.copyfile(db, plain_copy)
    assert fingerprint(plain_copy) != fingerprint(db)  # why the backup does not simply copy the file

    backup.export_backup(db, tmp_path / "bk")
    backup.restore_backup(tmp_path / "bk", tmp_path / "restored.duckdb")
    assert fingerprint(tmp_path / "restored.duckdb") == fingerprint(db)


def test_backup_while_another_process_reads(demo_copy, tmp_path):
    reader = hold(demo_copy, "read-only")
    try:
        done = etl("backup", tmp_path / "bk", "--db", demo_copy, HNFL_LOCK_WAIT_SECONDS="2")
    finally:
        reader.communicate("")
    assert done.returncode == 0, done.stderr
    backup.restore_backup(tmp_path / "bk", tmp_path / "restored.duckdb")
    assert fingerprint(tmp_path / "restored.duckdb") == fingerprint(demo_copy)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("folder with a file", "已存在且不为空，请指定一个新目录"),
        ("no warehouse", "数据仓库 missing.duckdb 不存在"),
    ],
)
def test_backup_refusals(tmp_path, db_path, setup, message):
    load_bytes(jobs("株洲市", 44), "a.xlsx", db_path, actor=SYSTEM)
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "别的文件.txt").write_text("留着")
    target = tmp_path / ("bk" if setup == "folder with a file" else "new")
    db = db_path if setup == "folder with a file" else tmp_path / "missing.duckdb"
    done = etl("backup", target, "--db", db)
    assert done.returncode == 1 and message in done.stderr
    assert [p.name for p in (tmp_path / "bk").iterdir()] == ["别的文件.txt"]
    assert not (tmp_path / "new").exists()


def test_restore_refuses_what_is_not_a_backup(demo_copy, tmp_path):
    before = demo_copy.read_bytes()
    (tmp_path / "空目录").mkdir()
    done = etl("restore", tmp_path / "空目录", "--db", demo_copy)
    assert done.returncode == 1
    assert "不是备份目录（缺少 schema.sql 或 load.sql）" in done.stderr
    assert etl("restore", tmp_path / "没有这个目录", "--db", demo_copy).returncode == 2  # usage
    assert demo_copy.read_bytes() == before
    assert [p.name for p in demo_copy.parent.iterdir()] == ["warehouse.duckdb"]


def test_restore_waits_for_a_writer_then_swaps(demo_copy, tmp_path):
    backup.export_backup(demo_copy, tmp_path / "bk")
    fairs = stored(demo_copy)[("株洲市", 2016, "举办招聘会场次")]
    assert load_bytes(jobs("株洲市", 1, 2, 1), "later.xlsx", demo_copy, actor=SYSTEM).status == LOADED
    writer = hold(demo_copy, "read-write", until="1.5")
    started = time.time()
    done = etl("restore", tmp_path / "bk", "--db", demo_copy)
    released = float(writer.communicate()[0])
    assert done.returncode == 0, done.stderr
    (kept,) = demo_copy.parent.glob("warehouse.duckdb.before-restore-*")
    assert started < released - 1  # the restore began while the writer held the file …
    assert kept.stat().st_ctime >= released - 0.05  # … and set the old file aside only once it was let go
    assert stored(demo_copy)[("株洲市", 2016, "举办招聘会场次")] == fairs


def test_restore_into_a_new_place_and_from_an_automatic_copy(tmp_path, db_path):
    load_bytes(jobs("株洲市", 44, 75700, 5890), "v1.xlsx", db_path, actor=SYSTEM)
    after_first = fingerprint(db_path)
    load_bytes(jobs("株洲市", 45, 75700, 5890), "v2.xlsx", db_path, actor=SYSTEM)
    newest = backup.automatic_backups(db_path)[-1]  # taken just before v2
    other = tmp_path / "elsewhere" / "warehouse.duckdb"
    done = etl("restore", newest, "--db", other)
    assert (done.returncode, done.stdout.strip()) == (0, f"已从 {newest} 恢复数据仓库 {other}。")
    assert fingerprint(other) == after_first
    assert sorted(p.name for p in other.parent.iterdir()) == ["warehouse.duckdb"]


# ---------------------------------------------------------------- automatic copies before each write


def test_each_load_is_preceded_by_a_copy_and_only_the_newest_are_kept(db_path, monkeypatch):
    monkeypatch.setattr(config, "BACKUP_KEEP", 3)
    states = []
    for fairs in range(1, 6):
        states.append(fingerprint(db_path) if db_path.exists() else None)
        data = jobs("株洲市", fairs)  # openpyxl stamps the time: keep these exact bytes to load them again below
        assert load_bytes(data, f"v{fairs}.xlsx", db_path, actor=SYSTEM).status == LOADED
    copies = backup.automatic_backups(db_path)
    assert [p.name.split(".")[-2] for p in copies] == ["before-load"] * 3
    assert [fingerprint(p) for p in copies] == states[-3:]
    assert copies[0].parent == db_path.parent / "backups"

    assert load_bytes(data, "again.xlsx", db_path, actor=SYSTEM).status == ALREADY_LOADED
    assert load_bytes(jobs("株洲市", "很多"), "bad.xlsx", db_path, actor=SYSTEM).status == REFUSED
    assert backup.automatic_backups(db_path) == copies  # nothing written, nothing copied


def test_the_writer_keeps_its_lock_while_it_copies(db_path):
    """Closing any descriptor of a file drops the process's POSIX locks on it: the copy must not be made here."""
    load_bytes(jobs("株洲市", 44), "a.xlsx", db_path, actor=SYSTEM)
    probe = f"import duckdb; duckdb.connect({str(db_path)!r})"
    with warehouse.connect(db_path) as con:
        backup.snapshot(con, "before-load")
        other = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert other.returncode == 1 and "Could not set lock" in other.stderr


def test_keep_comes_from_the_environment_and_zero_turns_copies_off(tmp_path, write_file):
    db = tmp_path / "warehouse.duckdb"
    for fairs, keep in [(1, "2"), (2, "2"), (3, "2"), (4, "0")]:
        done = etl("load", write_file(f"v{fairs}.xlsx", jobs("株洲市", fairs)), "--db", db, HNFL_BACKUP_KEEP=keep)
        assert done.returncode == 0, done.stdout
        assert len(backup.automatic_backups(db)) == min(fairs, 2)


def test_version_restore_is_preceded_by_a_copy(db_path):
    load_bytes(jobs("株洲市", 44), "v1.xlsx", db_path, actor=SYSTEM)
    load_bytes(jobs("株洲市", 45), "v2.xlsx", db_path, actor=SYSTEM)
    before = fingerprint(db_path)
    actions.restore_version(SYSTEM, db_path, "430200", 2016, "jobs", 1)  # the action takes the copy first
    newest = backup.automatic_backups(db_path)[-1]
    assert newest.name.endswith(".before-version-restore.duckdb")
    assert fingerprint(newest) == before
    assert stored(db_path)[("株洲市", 2016, "举办招聘会场次")] == 44
