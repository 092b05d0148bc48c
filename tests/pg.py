"""A throwaway PostgreSQL cluster for the tests: initdb in a temp folder, pg_ctl on a free loopback port.

Uses Debian's `postgresql` package (scripts/install_postgres.sh). When the tests run as root the server runs
as the `postgres` user, as PostgreSQL refuses to run as root. Nothing outside the temp folder is touched.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser import free_port

MISSING = "PostgreSQL 测试需要 Debian 的 postgresql 软件包：运行 scripts/install_postgres.sh 安装"


def pg_bin() -> Path | None:
    """The newest installed server's bin folder (/usr/lib/postgresql/<major>/bin), or None."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    found = [b for b in found if (b / "pg_ctl").exists() and (b / "postgres").exists()]
    return max(found, key=lambda b: int(b.parent.name)) if found else None


def require_postgres() -> Path:
    """The bin folder; skip with a message locally, fail in CI (CI=true), when PostgreSQL is missing."""
    found = pg_bin()
    if found is not None:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(MISSING)
    pytest.skip(MISSING)


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> None:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True, check=False)
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


@contextmanager
def throwaway_cluster(database: str = "hnfl") -> Iterator[str]:
    """Start a private cluster, create `database`, yield its URL; stop the server and remove everything on exit."""
    bin_dir = require_postgres()
    root = Path(tempfile.mkdtemp(prefix="hnfl-pg-"))
    data, socket_dir = root / "data", root / "run"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(socket_dir, "postgres")
    port = free_port()
    try:
        _run([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
        # Durability settings off: a test cluster is thrown away, and fsync costs seconds per test run.
        options = (
            f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "server.log"), "-w",
              "start"])  # fmt: skip
        try:
            _run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database])
            yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
        finally:
            _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
