"""Shared fixtures: real .xlsx files written with openpyxl, real DuckDB warehouses in tmp_path."""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import openpyxl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from etl import catalog
from etl.demo import build_demo
from etl.template import FIRST_DATA_ROW, HEADER_ROW, template_bytes
from tests.apptest import new_app, seed_accounts

Rows = list[list[object]]


def xlsx_bytes(sheets: dict[str, Rows]) -> bytes:
    """A workbook with the given sheets, each a list of rows from A1 (None = empty cell)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def filled_template(year: int, values: dict[tuple[str, str, str], object], region_code: str | None = None) -> bytes:
    """The official template with values at (sheet, 市州, indicator name), as a statistician fills it."""
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(year, region_code)))
    for (sheet, region, indicator), value in values.items():
        ws = wb[sheet]
        header = [c.value for c in ws[HEADER_ROW]]
        col = next(i for i, h in enumerate(header, start=1) if h and str(h).startswith(indicator))
        row = next(r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value == region)
        ws.cell(row, col).value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def with_sheet_named(data: bytes, old: str, new: str) -> bytes:
    """A workbook with one sheet renamed (hostile names: Excel forbids only : / \\ ? * [ ] in them)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb[old].title = new
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def header_of(domain: str) -> list[str]:
    return ["市州"] + [i.label for i in catalog.domain_indicators(domain)]


def fingerprint(db_path: Path) -> str:
    """Content of every table, in a stable order: equal fingerprints mean an unchanged warehouse."""
    if not Path(db_path).exists():
        return "absent"
    digest = hashlib.sha256()
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        for table in tables:
            rows = con.execute(f'select * from "{table}"').fetchall()  # names from the catalog, not input
            digest.update(table.encode())
            for row in sorted(rows, key=repr):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def stored(db_path: Path, year: int | None = None) -> dict[tuple[str, int, str], float | None]:
    """Current values keyed by (市州, year, indicator name), NULLs included."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            "select region_name, year, indicator_name, value from current_values where ?::integer is null or year = ?",
            [year, year],
        ).fetchall()
    return {(r, y, i): v for r, y, i, v in rows}


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo warehouse built from data/raw, shared read-only by the page tests."""
    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    build_demo(path)
    return path


@pytest.fixture
def app(demo_db, monkeypatch) -> AppTest:
    """The app over the demo warehouse, as AppTest drives it."""
    monkeypatch.setenv("HNFL_WAREHOUSE", str(demo_db))
    return new_app("admin")


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path, monkeypatch) -> Path:
    """A private copy of the demo warehouse (with the test accounts) for tests that write; the app reads it."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_db, path)
    monkeypatch.setenv("HNFL_WAREHOUSE", str(path))
    seed_accounts(path)
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, bytes], Path]:
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def downloads(monkeypatch) -> dict[str, Callable[[], bytes | str]]:
    """Each download button's content by file name: AppTest keeps no media after a run, so catch it when made."""
    made: dict[str, Callable[[], bytes | str]] = {}
    real_add, real_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):  # noqa: ANN001, ANN202
        made[file_name] = lambda: data
        return real_add(self, data, mimetype, coordinates, file_name, is_for_static_download)

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # noqa: ANN001, ANN202
        made[file_name] = data_callable
        return real_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return made


@pytest.fixture(autouse=True)
def _shipped_catalogue_between_tests():
    """A test that loads into a warehouse makes its catalogue the active one; the next test starts from the shipped
    catalogue again."""
    yield
    catalog.activate(None)
