"""A throwaway PostgreSQL cluster for the tests: initdb in a temp folder, pg_ctl on a free loopback port.

Uses Debian's `postgresql` package (scripts/install_postgres.sh). When the tests run as root the server runs
as the `postgres` user, as PostgreSQL refuses to run as root. Nothing outside the temp folder is touched.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
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


class PostgresServer:
    """A running throwaway cluster: template databases built once, a fresh database per test copied from one."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self._admin = psycopg.connect(url, autocommit=True)  # to the cluster's first database, never a template
        self._numbers = itertools.count(1)
        self._templates: set[str] = set()

    def url_of(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    def prepare_template(
        self, name: str, build: Callable[[], object], *, base: str | None = None, accounts: bool = False
    ) -> None:
        """Create database `name` (a copy of `base`) and run `build` with HNFL_DATABASE_URL pointing at it. Without
        `accounts` its accounts schema is dropped: the audit log of building it is not the tests' to read, as a
        DuckDB file copied without the accounts file beside it."""
        self._admin.execute(f"create database {name}" + (f" template {base}" if base else ""))  # names from tests
        before = os.environ.get("HNFL_DATABASE_URL")
        os.environ["HNFL_DATABASE_URL"] = self.url_of(name)
        try:
            build()
            if not accounts:
                import psycopg

                with psycopg.connect(self.url_of(name), autocommit=True) as con:
                    con.execute("drop schema if exists accounts cascade")
        finally:
            if before is None:
                os.environ.pop("HNFL_DATABASE_URL", None)
            else:
                os.environ["HNFL_DATABASE_URL"] = before

    def create(self, template: str) -> str:
        """A new database copied from `template` (nobody may be connected to the template meanwhile)."""
        name = f"t{next(self._numbers)}"
        self._admin.execute(f"create database {name} template {template}")
        return self.url_of(name)

    def reset(self, url: str, template: str, build: Callable[[], object], **options: object) -> None:
        """Replace the database at `url` with a copy of `template`, built by `build` the first time."""
        from etl.access import store

        if template not in self._templates:
            self.prepare_template(template, build, **options)
            self._templates.add(template)
        name = url.rsplit("/", 1)[-1]
        self._admin.execute(f"drop database if exists {name} with (force)")
        self._admin.execute(f"create database {name} template {template}")
        store._MIGRATED.discard(url)  # noqa: SLF001 - the same address now holds another database

    def drop(self, url: str) -> None:
        self._admin.execute(f"drop database if exists {url.rsplit('/', 1)[-1]} with (force)")
