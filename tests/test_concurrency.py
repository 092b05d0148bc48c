"""Real loader processes on one DuckDB file: simultaneous loads, a held lock, and SIGKILL mid-load."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl import catalog, warehouse
from etl.config import FIRST_YEAR, PROJECT_ROOT, archive_dir
from etl.pipeline import LOADED, load_bytes
from etl.roles import SYSTEM
from tests.conftest import filled_template, fingerprint, stored

pytestmark = pytest.mark.duckdb_only("one DuckDB file's lock between processes (PostgreSQL: test_postgres.py)")
ZHUZHOU, YIYANG = "430200", "430900"
BUSY = "数据仓库正被其他程序写入"
# Every (年度, 市州, 指标) of the first four 类别 a long file can hold once: 27 years × 14 市州 × 27 指标.
YEARS = range(FIRST_YEAR, date.today().year + 1)

HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "read-only")
print("holding", flush=True)
sys.stdin.read()
con.close()
"""


# The long file's indicators: those of the first four 类别 keep its size (and this test's time) as it was.
FOUR_DOMAINS = [i for i in catalog.indicators() if i.domain in ("jobs", "loans", "screening", "ecommerce")]


def figures(rng: random.Random) -> dict[str, float]:
    """One 市州-year of valid figures raising no warning: every range spans under 10×, so no year-on-year jump."""
    values: dict[str, float] = {i.code: rng.randint(100, 900) for i in catalog.indicators()}
    values["jobs_offered"] = rng.randint(2000, 9000)  # ≥ women_employed
    values["screened_total"] = rng.randint(20000, 90000)  # ≥ cervical, breast, cases
    values["loan_count"] = rng.randint(400, 900)
    values["women_borrowers"] = values["loan_count"] - rng.randint(0, 100)
    values["loan_amount"] = round(values["loan_count"] * rng.uniform(4, 8), 2)  # 4–8 万元 a loan
    values["patients_aided"] = values["cases_found"] - rng.randint(0, 50)
    for code in ("interest_subsidy", "aid_funds"):
        values[code] = round(rng.uniform(100, 900), 2)
    return values


def city_return(region_code: str, seed: int, year: int = 2016) -> tuple[bytes, dict[tuple[str, int, str], float]]:
    """A one-市州 official template filled on all four sheets, and the current values it should leave."""
    region = catalog.region_by_code()[region_code].name
    values = figures(random.Random(seed))
    cells = {}
    expected = {}
    for indicator in (i for i in catalog.indicators() if "city" in i.levels):
        cells[(catalog.domain_by_code()[indicator.domain].name, region, indicator.name)] = values[indicator.code]
        expected[(region, year, indicator.name)] = values[indicator.code]
    return filled_template(year, cells, region_code), expected


def long_csv(seed: int) -> bytes:
    """年度,市州,指标,数值 for every valid key: the largest long file that can be valid."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["年度", "市州", "指标", "数值"])
    for year in YEARS:
        for city in catalog.cities():
            values = figures(rng)
            writer.writerows([year, city.name, i.name, values[i.code]] for i in FOUR_DOMAINS)
    return buffer.getvalue().encode("utf-8")


def start_load(*args: object, wait_seconds: float | None = None) -> subprocess.Popen:
    env = {**os.environ, "HNFL_WAREHOUSE": os.devnull}
    if wait_seconds is not None:
        env["HNFL_LOCK_WAIT_SECONDS"] = str(wait_seconds)
    return subprocess.Popen(
        [sys.executable, "-m", "etl", "load", *map(str, args)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 60) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, out, err


@contextmanager
def held(db_path: Path, mode: str = "read-write") -> Iterator[None]:
    """Another process keeps the warehouse open until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "holding\n", holder.stderr.read()
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def submissions(db_path: Path) -> int:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute("select count(*) from submissions").fetchall()[0][0]


@pytest.mark.parametrize("round_", range(4))
def test_two_loaders_started_together_both_land(tmp_path, round_):
    db_path = tmp_path / "warehouse.duckdb"
    if round_ % 2:  # odd rounds: the warehouse exists; even rounds: both race to create it
        with warehouse.connect(db_path):
            pass
    (zhuzhou, zhuzhou_values), (yiyang, yiyang_values) = city_return(ZHUZHOU, round_), city_return(YIYANG, 100 + round_)
    files = [tmp_path / "zhuzhou.xlsx", tmp_path / "yiyang.xlsx"]
    files[0].write_bytes(zhuzhou)
    files[1].write_bytes(yiyang)
    if round_ >= 2:
        files.reverse()
    first = start_load(files[0], "--db", db_path, wait_seconds=30)
    second = start_load(files[1], "--db", db_path, wait_seconds=30)
    results = [finish(first), finish(second)]
    assert [code for code, _, _ in results] == [0, 0], results
    assert submissions(db_path) == 2
    assert stored(db_path, 2016) == zhuzhou_values | yiyang_values


def test_loaders_queue_behind_a_busy_warehouse(tmp_path):
    """Both loaders meet the lock held by a third process, wait, and load once it is released."""
    db_path = tmp_path / "warehouse.duckdb"
    with warehouse.connect(db_path):
        pass
    (zhuzhou, zhuzhou_values), (yiyang, yiyang_values) = city_return(ZHUZHOU, 1), city_return(YIYANG, 2)
    (tmp_path / "zhuzhou.xlsx").write_bytes(zhuzhou)
    (tmp_path / "yiyang.xlsx").write_bytes(yiyang)
    with held(db_path):
        loaders = [
            start_load(tmp_path / name, "--db", db_path, wait_seconds=30) for name in ("zhuzhou.xlsx", "yiyang.xlsx")
        ]
        time.sleep(1.0)  # both are past start-up and retrying
        assert [p.poll() for p in loaders] == [None, None]
    results = [finish(p) for p in loaders]
    assert [code for code, _, _ in results] == [0, 0], results
    assert submissions(db_path) == 2
    assert stored(db_path, 2016) == zhuzhou_values | yiyang_values


@pytest.mark.parametrize("mode", ["read-write", "read-only"])
def test_lock_held_longer_than_the_wait_refuses_quickly(tmp_path, mode):
    db_path = tmp_path / "warehouse.duckdb"
    assert load_bytes(city_return(ZHUZHOU, 1)[0], "zhuzhou.xlsx", db_path, actor=SYSTEM).status == LOADED
    before = fingerprint(db_path)
    yiyang, yiyang_values = city_return(YIYANG, 2)
    path = tmp_path / "yiyang.xlsx"
    path.write_bytes(yiyang)
    with held(db_path, mode):
        started = time.monotonic()
        code, out, err = finish(start_load(path, "--db", db_path, wait_seconds=1), timeout=30)
        elapsed = time.monotonic() - started
    assert code == 1
    assert "✗ yiyang.xlsx：已拒绝，未写入任何数据（1 个错误）。" in out
    assert BUSY in out and "Traceback" not in out + err
    assert 1 <= elapsed < 5
    assert fingerprint(db_path) == before
    code, out, err = finish(start_load(path, "--db", db_path, wait_seconds=1))
    assert code == 0, out + err
    assert submissions(db_path) == 2
    assert stored(db_path, 2016).items() >= yiyang_values.items()


def state(db_path: Path) -> tuple:
    """Counts and content hashes of what a load writes, keyed by file hash rather than submission id."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(
            """
            select
                (select (count(*), sum(hash(file_name, file_sha256, file_kind, file_bytes, archive_path,
                                            is_sample, source)))
                 from submissions),
                (select (count(*), sum(hash(s.file_sha256, f.region_code, f.year, f.domain, f.indicator,
                                            f.value, f.sheet, f.cell)))
                 from facts as f inner join submissions as s using (submission_id)),
                (select (count(*), sum(hash(s.file_sha256, v.region_code, v.year, v.domain, v.version,
                                            v.is_current)))
                 from slice_versions as v inner join submissions as s using (submission_id)),
                (select count(*) from submission_issues),
                (select (count(*), sum(hash(region_code, year, indicator, value))) from current_facts)
            """
        ).fetchall()[0]


def inconsistencies(db_path: Path) -> list[tuple]:
    """Rows that break the warehouse's invariants: a slice without exactly one current version, orphans."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(
            """
            select 'current versions', region_code, year, domain, count(*) filter (where is_current)
            from slice_versions
            group by all
            having count(*) filter (where is_current) <> 1
            union all
            select 'fact without submission', region_code, year, domain, submission_id
            from facts anti join submissions using (submission_id)
            union all
            select 'version without submission', region_code, year, domain, submission_id
            from slice_versions anti join submissions using (submission_id)
            union all
            select 'submission without slice', null, null, null, submission_id
            from submissions anti join slice_versions using (submission_id)
            """
        ).fetchall()


def copy_warehouse(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    if source.with_name(source.name + ".wal").exists():
        shutil.copy(source.with_name(source.name + ".wal"), target.with_name(target.name + ".wal"))


def archived(data: bytes, db_path: Path) -> Path:
    """Where the loader keeps the original: written just before its transaction starts."""
    sha256 = hashlib.sha256(data).hexdigest()
    return archive_dir(db_path) / sha256[:2] / f"{sha256}.csv"


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 30) -> bool:
    """Poll until `path` exists; False if the process ended first."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            return path.exists()
        time.sleep(0.0005)
    return True


def timings(base: Path, big: Path, work: Path) -> tuple[float, float]:
    """A whole load's duration, and how long the loader runs after archiving (its transaction and exit)."""
    data = big.read_bytes()
    runs = []
    for attempt in range(3):
        db_path = work / f"timing{attempt}" / "warehouse.duckdb"
        copy_warehouse(base, db_path)
        process = start_load(big, "--db", db_path)
        started = time.monotonic()
        assert wait_for(archived(data, db_path), process)
        seen = time.monotonic()
        assert finish(process)[0] == 0
        ended = time.monotonic()
        runs.append((ended - started, ended - seen))
    runs.sort()
    return runs[1]  # the median run


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_before_or_after_never_between(tmp_path):
    base = tmp_path / "a" / "warehouse.duckdb"
    assert load_bytes(long_csv(seed=1), "2000-2026-v1.csv", base, actor=SYSTEM).status == LOADED
    state_a = state(base)
    big = tmp_path / "2000-2026-v2.csv"
    data = long_csv(seed=2)
    big.write_bytes(data)  # new figures for every slice: a new version of all 1,512 slices
    reference = tmp_path / "b" / "warehouse.duckdb"
    copy_warehouse(base, reference)
    assert finish(start_load(big, "--db", reference))[0] == 0
    state_b = state(reference)
    assert (state_a[0][0], state_a[1][0], state_b[0][0], state_b[1][0]) == (
        1,
        len(YEARS) * 14 * len(FOUR_DOMAINS),
        2,
        2 * len(YEARS) * 14 * len(FOUR_DOMAINS),
    )

    duration, tail = timings(base, big, tmp_path)
    rng = random.Random(20161123)
    # Ten kills land after the loader archived the file (inside or just around its transaction); six spread
    # over the whole run, from interpreter start-up to after exit.
    plan = [("aimed", rng.uniform(0, tail)) for _ in range(10)]
    plan += [("spread", d) for d in (0.0, duration + 0.1, *(rng.uniform(0, duration) for _ in range(4)))]
    follow_up, _ = city_return(ZHUZHOU, 7)
    outcomes = []
    for number, (kind, delay) in enumerate(plan):
        db_path = tmp_path / f"round{number}" / "warehouse.duckdb"
        copy_warehouse(base, db_path)
        process = start_load(big, "--db", db_path)
        if kind == "aimed":
            assert wait_for(archived(data, db_path), process)
        time.sleep(delay)
        finished = process.poll() is not None  # poll() reaps an exited loader: its pid is then gone
        if not finished:
            os.kill(process.pid, signal.SIGKILL)
        finish(process)
        after = state(db_path)
        assert after in (state_a, state_b), f"a kill {delay:.3f} s in ({kind}) left neither A nor A + file: {after}"
        assert inconsistencies(db_path) == []
        outcomes.append((kind, delay, "after" if after == state_b else "before", finished))
        report = load_bytes(follow_up, f"follow-up-{number}.xlsx", db_path, actor=SYSTEM)
        assert report.status == LOADED
        assert state(db_path)[0][0] == after[0][0] + 1
        assert inconsistencies(db_path) == []

    print(f"\nload of {big.name}: {duration * 1000:.0f} ms, of which {tail * 1000:.0f} ms after archiving")
    for kind in ("aimed", "spread"):
        rounds = [o for o in outcomes if o[0] == kind]
        before = sum(o[2] == "before" for o in rounds)
        exited = sum(o[3] for o in rounds)
        print(f"{kind}: {before} killed before commit, {len(rounds) - before} after ({exited} had already exited)")
    print("rounds:", [(k, round(d * 1000), o) for k, d, o, _ in outcomes])
    assert {o[2] for o in outcomes} == {"before", "after"}
