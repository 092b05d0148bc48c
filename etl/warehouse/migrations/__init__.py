"""Versioned schema migrations: numbered SQL files applied once each, in order, recorded in `schema_migrations`.

A file is `NNNN_name.sql` (every backend) or `NNNN_name.<backend>.sql` (duckdb, postgres or sqlite only), where a
backend's own file takes the place of the shared one of the same number; a number with no file for a backend is
skipped there. The warehouse's are in this folder; the accounts store's in etl/access/migrations/. The caller holds
the transaction. How to add one: README, "For developers".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from etl.warehouse.db import Db

_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)(?:\.(duckdb|postgres|sqlite))?\.sql")
TABLE = """
create table if not exists schema_migrations (
    version    integer primary key,
    name       varchar not null,
    applied_at varchar not null
)
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def available(folder: Path, backend: str) -> list[Migration]:
    """The migrations of `folder` that apply to `backend`, in order."""
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.fullmatch(path.name)
        if match is None or match[3] not in (None, backend):
            continue
        version = int(match[1])
        if match[3] or version not in found:
            found[version] = Migration(version, match[2], path)
    return [found[v] for v in sorted(found)]


def applied(con: Db) -> set[int]:
    con.execute(TABLE)
    return {version for (version,) in con.execute("select version from schema_migrations").fetchall()}


def apply(con: Db, folder: Path) -> list[int]:
    """Run the migrations not yet recorded, oldest first; returns their numbers."""
    done, ran = applied(con), []
    for migration in available(folder, con.backend):
        if migration.version in done:
            continue
        con.script(migration.path.read_text(encoding="utf-8"))
        con.execute(
            "insert into schema_migrations (version, name, applied_at) values (?, ?, ?)",
            [migration.version, migration.name, datetime.now().isoformat(sep=" ", timespec="seconds")],
        )
        ran.append(migration.version)
    return ran
