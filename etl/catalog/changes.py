"""A change to the catalogue: versions written over those of the same (code, valid_from), and what it amounts to
in words for the revision log and the audit log."""

from __future__ import annotations

from collections.abc import Iterable

from etl.catalog import rows
from etl.catalog.model import ENTITIES, Catalogue, Entity


def merge(cat: Catalogue, items: Iterable[Entity]) -> Catalogue:
    """The catalogue with `items` written over the versions of the same (code, valid_from)."""
    parts = {f"{entity}_all": list(getattr(cat, f"{entity}_all")) for entity in ENTITIES}
    for item in items:
        key = f"{rows.entity_of(item)}_all"
        parts[key] = [e for e in parts[key] if (e.code, e.valid_from) != (item.code, item.valid_from)] + [item]
    return Catalogue(**{k: tuple(v) for k, v in parts.items()}, revision=cat.revision, token=cat.token)


def describe(before: Catalogue, items: Iterable[Entity]) -> str:
    """新增指标 a、修改规则 b（2020年起）…; empty when every item equals what is there."""
    words = []
    for item in items:
        entity = rows.entity_of(item)
        versions = before.versions(entity).get(item.code, [])
        same = next((v for v in versions if v.valid_from == item.valid_from), None)
        if same == item:
            continue
        verb = "新增" if not versions else ("停用" if item.retired else "修改")
        when = f"（{item.valid_from}年起）" if versions else ""
        words.append(f"{verb}{rows.ENTITY_NAMES[entity]} {item.code}{when}")
    return "、".join(words)
