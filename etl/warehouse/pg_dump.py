"""Backups of a PostgreSQL warehouse with PostgreSQL's own tools: pg_dump (a consistent snapshot while the app
runs), and pg_restore piped into psql so that dropping the old schema and loading the backup is one transaction.

The tools come from Debian's versioned folder (/usr/lib/postgresql/<major>/bin, newest first) or $HNFL_PG_BIN; the
connection travels in PG* environment variables, never on the command line, where `ps` would show a password.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

from etl.warehouse.errors import WarehouseError


class DumpError(WarehouseError):
    """pg_dump, pg_restore or psql failed or is missing; the message says which and why."""


def tool(name: str) -> str:
    wanted = os.environ.get("HNFL_PG_BIN")
    folders = [wanted] if wanted else sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_major, reverse=True)
    for folder in folders:
        if (Path(folder) / name).exists():
            return str(Path(folder) / name)
    found = shutil.which(name)
    if found is None:
        raise DumpError(f"找不到 PostgreSQL 的 {name}：请安装 postgresql-client（或设置 HNFL_PG_BIN 为其 bin 目录）。")
    return found


def _major(folder: str) -> int:
    name = Path(folder).parent.name
    return int(name) if name.isdigit() else 0


def environment(url: str) -> dict[str, str]:
    """The URL as libpq's PG* variables."""
    from psycopg.conninfo import conninfo_to_dict

    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE",
             "sslmode": "PGSSLMODE"}  # fmt: skip
    parts = conninfo_to_dict(url)
    return {**os.environ, **{names[k]: str(v) for k, v in parts.items() if k in names and v is not None}}


def _run(command: list[str], url: str, **options: object) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=environment(url), capture_output=True, check=False, **options)
    if result.returncode:
        error = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DumpError(f"{Path(command[0]).name} 失败：{error[-1] if error else result.returncode}")
    return result


def dump(url: str, schema: str, target: Path) -> None:
    """One schema (the warehouse's or the accounts') into a custom-format archive."""
    _run([tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--schema={schema}",
          f"--file={target}"], url)  # fmt: skip


def restore(url: str, schema: str, source: Path) -> None:
    """Replace `schema` with the archive's, in one transaction: readers and writers wait for it, then see either
    the old schema or the restored one, never half of each."""
    script = _run([tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(source)], url).stdout
    _run(
        [tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
         f"--command=drop schema if exists {schema} cascade", "--file=-"],
        url,
        input=script,
    )  # fmt: skip
