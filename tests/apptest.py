"""Helpers for driving pages with AppTest and reading the plotly figures they draw."""

from __future__ import annotations

import base64
import json
import os
import re
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from etl import accounts, catalog, config
from etl.access import store as accounts_store
from etl.config import PROJECT_ROOT
from etl.roles import SYSTEM
from ui import auth


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def array(values: list | dict) -> list:
    """Plotly stores numeric arrays as base64 typed arrays in its JSON."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def bar_values(figure: dict) -> dict[str, float]:
    """市州 → figure of the bars drawn (horizontal bars: names on y); a 未填报 slot is no bar."""
    bar = figure["data"][0]
    names, values = (bar["y"], bar["x"]) if bar.get("orientation") == "h" else (bar["x"], bar["y"])
    return dict(zip(array(names), array(values), strict=True))


def missing_slots(figure: dict) -> list[str]:
    """The 市州 a bar chart shows as 未填报 (a text trace at the axis), top to bottom."""
    return [name for t in figure["data"][1:] if t.get("mode") == "text" for name in array(t["y"])]


def bar_colors(figure: dict) -> dict[str, str]:
    """市州 → the colour of its bar."""
    bar = figure["data"][0]
    names = array(bar["y"] if bar.get("orientation") == "h" else bar["x"])
    color = bar["marker"]["color"]
    return dict(zip(names, color if isinstance(color, list) else [color] * len(names), strict=True))


def column_formats(table) -> dict[str, str]:  # noqa: ANN001 - an AppTest dataframe element
    """How st.dataframe writes each configured column: the printf format or, for text, the alignment."""
    config = json.loads(table.proto.columns or "{}")
    return {
        name: c.get("type_config", {}).get("format") or c.get("alignment")
        for name, c in config.items()
        if set(c) - {"pinned"}  # the pinned first column (ui.tables) is no format
    }


def pinned(table) -> list[str]:  # noqa: ANN001 - an AppTest dataframe element
    """The columns a table keeps in view while it scrolls sideways ("_index": its index)."""
    return [name for name, c in json.loads(table.proto.columns or "{}").items() if c.get("pinned")]


def texts(elements) -> list[str]:  # noqa: ANN001 - an AppTest element list
    return [e.value for e in elements]


DOMAIN_PAGES = ("jobs", "loans", "screening", "ecommerce")  # the shipped 类别; any catalogue code works too


def switch(at: AppTest, page: str) -> AppTest:
    """Switch to a page by its file; `app_pages/loans.py` means the page the four 类别 share, at /loans.

    AppTest switches by file only, and app_pages/domain.py is registered under four addresses: the address
    decides the 类别, so the page hash (Streamlit's hash of the address) is set directly.
    """
    name = Path(page).stem
    if name in DOMAIN_PAGES or name in catalog.domain_by_code():
        at.switch_page("app_pages/domain.py")
        at._page_hash = calc_hash(name)
        return at
    return at.switch_page(page)


def open_page(at: AppTest, page: str, year: int | None = None, *, pending: bool | None = None) -> AppTest:
    at.run()
    if year is not None:
        at.selectbox(key="filter_year").set_value(year).run()
    if pending is not None:
        at.toggle(key="filter_pending").set_value(pending).run()
    switch(at, page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---------------------------------------------------------------- accounts and log-in

APP = str(PROJECT_ROOT / "app.py")
# Test accounts, one per role (and a second 市州's 统计员). Passwords exist only in tests.
TEST_USERS = {
    "admin": ("管理员", None, "admin-test-password"),
    "leader": ("领导", None, "leader-test-password"),
    "rev": ("审核员", None, "reviewer-test-password"),
    "cs": ("统计员", "长沙市", "changsha-test-password"),
    "zz": ("统计员", "株洲市", "zhuzhou-test-password"),
}
_TEMPLATE: list[list[dict]] = []


def _template_users() -> list[dict]:
    """Hashing is deliberately slow: the accounts are made once per test run (in a scratch SQLite file, whatever the
    backend) and their rows copied."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="hnfl-accounts-"))
        saved = os.environ.pop("HNFL_DATABASE_URL", None)
        try:
            for name, (role, region, password) in TEST_USERS.items():
                accounts.add_user(SYSTEM, name, role, password, region, db_path=folder / "warehouse.duckdb")
            with accounts_store.connect(folder / "accounts.sqlite3") as con:
                _TEMPLATE.append(con.rows("select * from users"))
        finally:
            if saved is not None:
                os.environ["HNFL_DATABASE_URL"] = saved
    return _TEMPLATE[0]


def seed_accounts(db_path: Path) -> Path:
    """The test accounts beside a warehouse (added to its accounts store if it has one); returns the file."""
    target = config.accounts_path(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    users = _template_users()
    columns = list(users[0])
    with accounts_store.connect(target) as con:
        for user in users:
            con.execute(
                f"insert into users ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
                " on conflict (name) do nothing",
                [user[c] for c in columns],
            )
    return target


def login(at: AppTest, name: str = "admin", *, now: float | None = None) -> AppTest:
    """A session in which `name` has logged in (the form itself is tested in test_auth_pages): a real session
    in the accounts file, which every run and every action checks. Returns the app; the token is in its state."""
    seed_accounts(config.warehouse_path())
    account = accounts.find_account(name)
    token = accounts.open_session(account.user, now=time.time() if now is None else now)
    at.session_state[auth.SESSION_KEY] = {"name": name, "token": token}
    return at


def new_app(name: str = "admin") -> AppTest:
    """The app over $HNFL_WAREHOUSE, logged in as `name`."""
    return login(AppTest.from_file(APP, default_timeout=60), name)


def issue_rows(at: AppTest) -> pd.DataFrame:
    """The upload page's table of problems (a text table: nothing in it is interpreted)."""
    return next(d.value for d in at.dataframe if "问题与处理办法" in d.value.columns)


def seen(markdown: str) -> str:
    """A Markdown message as the reader sees it: text from files and users arrives backslash-escaped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")
