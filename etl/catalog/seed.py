"""The shipped catalogue: etl/reference/{domains,indicators,rates,rules}.csv, which seed a new warehouse and bring
an older one the entities a release adds (etl/warehouse/catalog_store.py)."""

from __future__ import annotations

import hashlib
from functools import cache

from etl.catalog.model import ENTITIES, Catalogue
from etl.catalog.regions import REFERENCE_DIR, reference_rows
from etl.catalog.rows import parse

FILES = {entity: f"{entity}.csv" for entity in ENTITIES}
SEED_AUTHOR = "随系统发布"  # changed_by of the versions the shipped files wrote


def shipped_digest() -> str:
    """Changes when any shipped catalogue file does."""
    digest = hashlib.sha256()
    for name in sorted(FILES.values()):
        digest.update(name.encode() + (REFERENCE_DIR / name).read_bytes())
    return digest.hexdigest()


@cache
def shipped() -> Catalogue:
    """The catalogue as the files in etl/reference define it; a broken file stops here, with its line."""
    parts = {}
    for entity, name in FILES.items():
        items = []
        for line, raw in enumerate(reference_rows(name), start=2):
            item, problems = parse(entity, raw)
            if problems:
                raise ValueError(f"{name} line {line}: " + "; ".join(message for _, message in problems))
            items.append(item)
        parts[f"{entity}_all"] = tuple(items)
    return Catalogue(**parts, revision=0, token="shipped-" + shipped_digest()[:16])
