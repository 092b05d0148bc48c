"""在线填报 drafts in the accounts file: one per account, 市州, year and 类别, replaced on each save."""

from __future__ import annotations

import json
import sqlite3


def save(con: sqlite3.Connection, name: str, key: tuple[str, int, str], entries: dict, at: str) -> None:
    region_code, year, domain = key
    con.execute(
        "insert or replace into drafts values (?, ?, ?, ?, ?, ?)",
        [name, region_code, year, domain, json.dumps(entries, ensure_ascii=False, sort_keys=True), at],
    )


def load(con: sqlite3.Connection, name: str, key: tuple[str, int, str]) -> tuple[dict, str] | None:
    """(entries, saved at) of the account's draft, or None."""
    row = con.execute(
        "select entries, saved_at from drafts where name = ? and region_code = ? and year = ? and domain = ?",
        [name, *key],
    ).fetchone()
    return (json.loads(row["entries"]), row["saved_at"]) if row else None


def drop(con: sqlite3.Connection, name: str, key: tuple[str, int, str]) -> None:
    con.execute("delete from drafts where name = ? and region_code = ? and year = ? and domain = ?", [name, *key])


def of_account(con: sqlite3.Connection, name: str) -> list[dict]:
    """Every draft the account has kept, newest first: what the entry page lists to come back to."""
    rows = con.execute(
        "select region_code, year, domain, saved_at from drafts where name = ? order by saved_at desc", [name]
    )
    return [dict(row) for row in rows.fetchall()]
