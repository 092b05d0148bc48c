"""在线填报: one 类别 of one 市州 and year typed into the browser. The figures become the same observations a file's
extraction gives, parsed cell by cell as a file's are, and go through the same checks and the same load
(etl.pipeline.check_extraction / load_extraction): 待审核, review, locks and the audit log apply unchanged. Each
value's provenance says 在线填报 where a file's says sheet!cell. Drafts are kept per account in the accounts file.

This module is the only one of the online entry that reads the catalogue (etl.catalog's public functions).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from etl import catalog, config, pipeline
from etl.access import store
from etl.extract import Extraction, Observation
from etl.issues import make_issue
from etl.numbers import parse_value
from etl.pipeline import ALREADY_LOADED, LOADED, UNCHANGED, FileReport
from etl.roles import UPLOAD, User, check
from etl.warehouse import drafts
from etl.warehouse.connection import now_beijing

ONLINE = "在线填报"  # the source of an online submission, and the place its values name
KIND = SOURCE = "online"

Key = tuple[str, int, str]  # (市州 code, year, 类别 code)


@dataclass(frozen=True)
class Field:
    """One input of the grid: an indicator in the catalogue's order, with its unit."""

    code: str
    name: str
    unit: str
    whole: bool  # counted in whole units (人, 场…); 万元 takes decimals

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit}）"


def domains() -> list[tuple[str, str]]:
    """(code, name) of every 类别, in the catalogue's order."""
    return [(d.code, d.name) for d in catalog.domains()]


def fields(domain: str) -> tuple[Field, ...]:
    return tuple(Field(i.code, i.name, i.unit, i.is_count) for i in catalog.domain_indicators(domain))


def title(key: Key) -> str:
    """长沙市2025年就业创业"""
    region, year, domain = key
    return f"{catalog.region_by_code()[region].name}{year}年{catalog.domain_by_code()[domain].name}"


def submission_name(key: Key) -> str:
    """What 上报记录 and the receipt show where a file's name would be."""
    return f"{ONLINE}（{title(key)}）"


def place(sheet: str | None, cell: str | None) -> str:
    """Where a stored value came from, for people: 就业创业!B4, B4 (a CSV), 在线填报, or no column at all."""
    if sheet == ONLINE:
        return ONLINE
    if not cell:
        return "（文件中没有这一列）"
    return f"{sheet}!{cell}" if sheet else cell


def extraction(key: Key, entries: Mapping[str, object]) -> Extraction:
    """The entries as a file's extraction: each parsed as its cell would be (a blank is 未填报, never 0), each
    problem an issue at 在线填报!<indicator>."""
    region, year, domain = key
    out = Extraction()
    name = submission_name(key)
    for item in catalog.domain_indicators(domain):
        parsed = parse_value(entries.get(item.code), item)
        if parsed.problem:
            out.issues.append(
                make_issue(
                    parsed.problem, file=name, sheet=ONLINE, cell=item.name, value=parsed.text, indicator=item.name,
                    unit=item.unit,
                )
            )  # fmt: skip
            continue
        out.observations.append(Observation(region, year, item.code, parsed.value, ONLINE, item.name))
    out.slices[key] = ONLINE
    return out


def check_entries(actor: User, db_path: Path, key: Key, entries: Mapping[str, object]) -> FileReport:
    """What submitting would report, writing nothing."""
    return pipeline.check_extraction(extraction(key, entries), submission_name(key), KIND, db_path=db_path, actor=actor)


def submit(actor: User, db_path: Path, key: Key, entries: Mapping[str, object], note: str | None) -> FileReport:
    """Store the entries as a submission (source 在线填报), all or nothing; the draft goes once they are stored."""
    payload = json.dumps([key, dict(entries), actor.name, now_beijing().isoformat()], ensure_ascii=False)
    token = hashlib.sha256((payload + secrets.token_hex(8)).encode()).hexdigest()  # each submission is its own
    report = pipeline.load_extraction(
        extraction(key, entries), submission_name(key), KIND, db_path, actor=actor, sha256=f"{SOURCE}:{token}",
        source=SOURCE, note=note or None,
    )  # fmt: skip
    if report.status in (LOADED, UNCHANGED, ALREADY_LOADED):
        with store.connect(config.accounts_path(db_path)) as con:
            drafts.drop(con, actor.name, key)
    return report


def save_draft(actor: User, db_path: Path, key: Key, entries: Mapping[str, object]) -> str:
    """Keep what was typed (the role and 市州 checked again); returns when, Beijing time (YYYY-MM-DD HH:MM)."""
    check(actor, UPLOAD, [key[0]])
    at = now_beijing().isoformat(sep=" ", timespec="minutes")
    with store.connect(config.accounts_path(db_path)) as con:
        drafts.save(con, actor.name, key, {f.code: entries.get(f.code) for f in fields(key[2])}, at)
    return at


def draft(actor: User, db_path: Path, key: Key) -> tuple[dict, str] | None:
    """(entries, saved at) of the account's draft of this 类别, if it kept one."""
    path = config.accounts_path(db_path)
    if not store.exists(path):
        return None
    with store.connect(path) as con:
        return drafts.load(con, actor.name, key)


def drafts_of(actor: User, db_path: Path) -> list[dict]:
    path = config.accounts_path(db_path)
    if not store.exists(path):
        return []
    with store.connect(path) as con:
        return drafts.of_account(con, actor.name)
