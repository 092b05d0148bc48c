"""在线填报 drafts in the accounts store (etl/access): one per account, 市州, year and 类别, replaced on each save."""

from __future__ import annotations

import json

from etl.warehouse.db import Db

_KEY = "name = ? and region_code = ? and year = ? and domain = ?"


def save(con: Db, name: str, key: tuple[str, int, str], entries: dict, at: str) -> None:
    region_code, year, domain = key
    con.execute(
        "insert into drafts (name, region_code, year, domain, entries, saved_at) values (?, ?, ?, ?, ?, ?)"
        " on conflict (name, region_code, year, domain) do update"
        " set entries = excluded.entries, saved_at = excluded.saved_at",
        [name, region_code, year, domain, json.dumps(entries, ensure_ascii=False, sort_keys=True), at],
    )


def load(con: Db, name: str, key: tuple[str, int, str]) -> tuple[dict, str] | None:
    """(entries, saved at) of the account's draft, or None."""
    row = con.one(f"select entries, saved_at from drafts where {_KEY}", [name, *key])
    return (json.loads(row["entries"]), row["saved_at"]) if row else None


def drop(con: Db, name: str, key: tuple[str, int, str]) -> None:
    con.execute(f"delete from drafts where {_KEY}", [name, *key])


def of_account(con: Db, name: str) -> list[dict]:
    """Every draft the account has kept, newest first: what the entry page lists to come back to."""
    return con.rows(
        "select region_code, year, domain, saved_at from drafts where name = ? order by saved_at desc", [name]
    )
