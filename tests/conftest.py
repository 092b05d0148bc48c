"""Shared fixtures: real .xlsx files written with openpyxl, real warehouses: DuckDB files in tmp_path, or — in the
second run of `make test` (`pytest --backend=postgres`) — a fresh database per test in a throwaway PostgreSQL
cluster started once per session (tests/pg.py)."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from etl import catalog, config, warehouse
from etl.config import database_url
from etl.demo import build_demo
from etl.template import FIRST_DATA_ROW, HEADER_ROW, template_bytes
from tests.apptest import new_app, seed_accounts
from tests.pg import PostgresServer, throwaway_cluster

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


@contextmanager
def read_db(db_path: Path) -> Iterator[warehouse.Db]:
    """The warehouse the test wrote, whichever backend this run uses."""
    with warehouse.connect(db_path, read_only=True) as con:
        yield con


def fingerprint(db_path: Path) -> str:
    """Content of every table, in a stable order: equal fingerprints mean an unchanged warehouse."""
    if not warehouse.exists(db_path):
        return "absent"
    digest = hashlib.sha256()
    with read_db(db_path) as con:
        if con.backend == "postgres":
            query = "select tablename from pg_tables where schemaname = current_schema() order by 1"
        else:
            query = "select table_name from duckdb_tables() order by 1"
        for (table,) in con.execute(query).fetchall():
            rows = con.execute(f'select * from "{table}"').fetchall()  # names from the catalog, not input
            digest.update(table.encode())
            for row in sorted(rows, key=repr):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def accounts_content(db_path: Path) -> bytes:
    """Everything the accounts store holds: the SQLite file's bytes, or every row of the PostgreSQL schema."""
    if database_url() is None:
        return config.accounts_path(db_path).read_bytes()
    from etl.access import store

    with store.connect(config.accounts_path(db_path)) as con:
        tables = con.execute("select tablename from pg_tables where schemaname = current_schema()").fetchall()
        return repr([con.execute(f'select * from "{t}"').fetchall() for (t,) in tables]).encode()  # catalog names


def stored(db_path: Path, year: int | None = None) -> dict[tuple[str, int, str], float | None]:
    """Current values keyed by (市州, year, indicator name), NULLs included."""
    with read_db(db_path) as con:
        rows = con.execute(
            "select region_name, year, indicator_name, value from current_values where ?::integer is null or year = ?",
            [year, year],
        ).fetchall()
    return {(r, y, i): v for r, y, i, v in rows}


# ---------------------------------------------------------------- the two backends

POSTGRES = "postgres"


def pytest_addoption(parser) -> None:  # noqa: ANN001 - pytest's parser
    parser.addoption(
        "--backend",
        choices=("duckdb", POSTGRES),
        default="duckdb",
        help="duckdb (the files, as make run) or postgres (a throwaway cluster; the second run of make test)",
    )


def pytest_collection_modifyitems(config, items) -> None:  # noqa: ANN001
    on_postgres = config.getoption("--backend") == POSTGRES
    for item in items:
        only = item.get_closest_marker("duckdb_only")
        if on_postgres and only:
            item.add_marker(pytest.mark.skip(reason="DuckDB only: " + (only.args[0] if only.args else "")))
        if not on_postgres and item.get_closest_marker("postgres_only"):
            item.add_marker(pytest.mark.skip(reason="runs in make test's PostgreSQL run (pytest --backend=postgres)"))


@pytest.fixture(scope="session", autouse=True)
def _no_default_warehouse(tmp_path_factory) -> Iterator[None]:
    """A test that names no warehouse must not write beside the repository's data/warehouse.duckdb (an accounts
    file appeared there): the default points into the session's temp folder; tests that set their own still win."""
    if "HNFL_WAREHOUSE" in os.environ:
        yield
        return
    os.environ["HNFL_WAREHOUSE"] = str(tmp_path_factory.mktemp("default") / "warehouse.duckdb")
    yield
    os.environ.pop("HNFL_WAREHOUSE", None)


@pytest.fixture(scope="session")
def pg_server(request) -> Iterator[PostgresServer | None]:
    """The session's PostgreSQL cluster with an empty, migrated template database; None in the DuckDB run."""
    if request.config.getoption("--backend") != POSTGRES:
        yield None
        return
    with throwaway_cluster() as url:
        server = PostgresServer(url)
        server.prepare_template("hnfl_empty", lambda: _migrate(server), accounts=True)
        yield server


def _migrate(server: PostgresServer) -> None:
    from etl.access import store

    with warehouse.connect(Path(os.devnull)), store.connect(Path(os.devnull)):
        pass


@pytest.fixture(autouse=True)
def _database(request, monkeypatch) -> Iterator[None]:
    """PostgreSQL run: a fresh database for each test (the shared demo one for tests that only read it)."""
    if request.config.getoption("--backend") != POSTGRES:
        yield
        return
    server = request.getfixturevalue("pg_server")
    if "demo_db" in request.fixturenames or "demo_copy" in request.fixturenames:
        request.getfixturevalue("demo_db")
        url = server.create(template="hnfl_demo")  # a copy even to read: the log-in writes the accounts schema
    else:
        url = server.create(template="hnfl_empty")
    monkeypatch.setenv("HNFL_DATABASE_URL", url)
    yield
    server.drop(url)


def backend_scope(wanted: str) -> Callable[..., str]:
    """`wanted` (module, session) in the DuckDB run; in the PostgreSQL run a fixture that builds a warehouse runs for
    each test, into that test's own database."""

    def scope(fixture_name: str, config) -> str:  # noqa: ANN001 - pytest's config
        return "function" if config.getoption("--backend") == POSTGRES else wanted

    return scope


def copy_warehouse(source: Path, target: Path) -> None:
    """A private copy of a warehouse built once (DuckDB: the file). On PostgreSQL the builder ran into this test's
    own database (backend_scope), so there is nothing to copy."""
    if database_url() is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


@pytest.fixture(scope="session")
def on_postgres(request) -> bool:
    return request.config.getoption("--backend") == POSTGRES


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, pg_server) -> Path:
    """The demo warehouse built from data/raw, shared read-only by the page tests (on PostgreSQL: database
    hnfl_demo, which tests that write copy)."""
    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    if pg_server is None:
        build_demo(path)
    else:
        pg_server.prepare_template("hnfl_demo", lambda: (build_demo(path), _migrate(pg_server)))
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
    copy_warehouse(demo_db, path)  # on PostgreSQL the copy is the test's database (see _database)
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
