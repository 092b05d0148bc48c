"""Cached, read-only access to the warehouse for the pages, keyed by the warehouse's version."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from etl import config, warehouse
from ui import plain

COLUMNS = [
    "year", "region_code", "region_name", "region_order", "domain", "domain_name", "indicator", "indicator_name",
    "unit", "indicator_order", "value", "is_sample", "submission_id", "file_name", "sheet", "cell",
    "submitted_at", "submitted_by",
]  # fmt: skip


def warehouse_version(path: Path) -> tuple:
    """Changes whenever a load commits (file or WAL touched), so a new upload shows at once."""
    parts = []
    for candidate in (path, path.with_name(path.name + ".wal")):
        try:
            stat = candidate.stat()
            parts.append((stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            parts.append(None)
    return tuple(parts)


@st.cache_data(show_spinner=False, max_entries=8)
def _load_values(path: str, version: tuple) -> pd.DataFrame:
    if version[0] is None:
        return pd.DataFrame(columns=COLUMNS)
    with warehouse.connect(Path(path), read_only=True) as con:
        return warehouse.values_frame(con)


def values() -> pd.DataFrame:
    """Current values of the 14 市州; empty when nothing has been reported yet."""
    path = config.warehouse_path()
    try:
        return _load_values(str(path), warehouse_version(path))
    except warehouse.WarehouseMissing:
        return pd.DataFrame(columns=COLUMNS)
    except warehouse.WarehouseError as exc:  # damaged, or held by a writer longer than the bounded wait
        st.error(plain.markdown(exc), icon=":material/error:")
        st.stop()  # every page needs the warehouse: say once what to do, draw nothing misleading


def version() -> tuple:
    """Cache key for anything derived from the warehouse: its path and version."""
    path = config.warehouse_path()
    return (str(path), warehouse_version(path))
