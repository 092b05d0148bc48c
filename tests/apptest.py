"""Helpers for driving pages with AppTest and reading the plotly figures they draw."""

from __future__ import annotations

import base64
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from etl import accounts, config
from etl.config import PROJECT_ROOT
from etl.roles import SYSTEM
from etl.warehouse import accounts as accounts_store
from ui import auth


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def array(values: list | dict) -> list:
    """Plotly stores numeric arrays as base64 typed arrays in its JSON."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def bar_values(figure: dict) -> dict[str, float]:
    bar = figure["data"][0]
    return dict(zip(array(bar["x"]), array(bar["y"]), strict=True))


def column_formats(table) -> dict[str, str]:  # noqa: ANN001 - an AppTest dataframe element
    """How st.dataframe writes each configured column: the printf format or, for text, the alignment."""
    config = json.loads(table.proto.columns or "{}")
    return {name: c.get("type_config", {}).get("format") or c.get("alignment") for name, c in config.items()}


def texts(elements) -> list[str]:  # noqa: ANN001 - an AppTest element list
    return [e.value for e in elements]


def open_page(at: AppTest, page: str, year: int | None = None) -> AppTest:
    at.run()
    if year is not None:
        at.selectbox(key="filter_year").set_value(year).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---------------------------------------------------------------- accounts and log-in

APP = str(PROJECT_ROOT / "app.py")
# Test accounts, one per role (and a second 市州's 统计员). Passwords exist only in tests.
TEST_USERS = {
    "admin": ("管理员", None, "admin-test-password"),
    "leader": ("领导", None, "leader-test-password"),
    "cs": ("统计员", "长沙市", "changsha-test-password"),
    "zz": ("统计员", "株洲市", "zhuzhou-test-password"),
}
_TEMPLATE: list[Path] = []


def _accounts_template() -> Path:
    """Hashing is deliberately slow: the four accounts are made once per test run and copied."""
    if not _TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="hnfl-accounts-")) / "accounts.sqlite3"
        for name, (role, region, password) in TEST_USERS.items():
            accounts.add_user(SYSTEM, name, role, password, region, db_path=path.with_name("warehouse.duckdb"))
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


def seed_accounts(db_path: Path) -> Path:
    """The test accounts beside a warehouse (added to its accounts file if it has one); returns the file."""
    target = config.accounts_path(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with accounts_store.connect(target) as con:
        con.execute("attach database ? as template", [str(_accounts_template())])
        con.execute("insert or ignore into users select * from template.users")
    return target


def login(at: AppTest, name: str = "admin") -> AppTest:
    """A session in which `name` has logged in (the form itself is tested in test_auth)."""
    seed_accounts(config.warehouse_path())
    at.session_state[auth.SESSION_KEY] = {"name": name, "last_seen": time.time()}
    return at


def new_app(name: str = "admin") -> AppTest:
    """The app over $HNFL_WAREHOUSE, logged in as `name`."""
    return login(AppTest.from_file(APP, default_timeout=60), name)
