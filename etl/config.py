"""Settings in one place: where the warehouse lives and the limits every upload is held to."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = PROJECT_ROOT / "data" / "raw"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse.duckdb"

# Caps on an upload. The app states them on the upload page; the CLI applies the same ones.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_INFLATED_BYTES = 200 * 1024 * 1024  # all parts of an .xlsx together, counted while inflating
MAX_ZIP_ENTRIES = 2_000
MAX_SHEETS = 50
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELLS = 5_000_000  # rows × columns of a sheet's used range: what the parser allocates

# A writer that finds the warehouse locked by another process retries this long, then gives up.
LOCK_WAIT_SECONDS = float(os.environ.get("HNFL_LOCK_WAIT_SECONDS", "30"))

# Each load and each version restore first copies the warehouse into backups/ beside it; the newest
# BACKUP_KEEP copies are kept (0 turns the automatic copies off).
BACKUP_KEEP = int(os.environ.get("HNFL_BACKUP_KEEP", "10"))

# Log-in: a session ends after this many minutes without a click; a name that fails this many times
# within the window is refused (even with the right password) until the window has passed.
SESSION_TIMEOUT_MINUTES = float(os.environ.get("HNFL_SESSION_TIMEOUT_MINUTES", "30"))
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW_SECONDS = 15 * 60
MIN_PASSWORD_LENGTH = 10

FIRST_YEAR = 2000
TEMPLATE_VERSION = "2024.1"

# A leader's default year is the newest in which at least this many 市州 have every 类别 published (of 14).
COMPLETE_CITIES = int(os.environ.get("HNFL_COMPLETE_CITIES", "14"))


def collecting_year() -> int:
    """The year whose returns are being collected: last year (Beijing time), unless $HNFL_COLLECTING_YEAR says."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    wanted = os.environ.get("HNFL_COLLECTING_YEAR", "")
    return int(wanted) if wanted.isdigit() else datetime.now(ZoneInfo("Asia/Shanghai")).year - 1


def warehouse_path() -> Path:
    """The warehouse file: $HNFL_WAREHOUSE when set (tests, deployments), else data/warehouse.duckdb."""
    return Path(os.environ.get("HNFL_WAREHOUSE", DEFAULT_WAREHOUSE))


def accounts_path(db_path: Path | None = None) -> Path:
    """Users and the audit log: $HNFL_ACCOUNTS, else accounts.sqlite3 beside the warehouse."""
    if "HNFL_ACCOUNTS" in os.environ:
        return Path(os.environ["HNFL_ACCOUNTS"])
    return Path(db_path or warehouse_path()).resolve().parent / "accounts.sqlite3"


def archive_dir(db_path: Path) -> Path:
    """Originals of loaded files live beside the warehouse, named by content hash."""
    return Path(db_path).resolve().parent / "raw" / "archive"


def backup_dir(db_path: Path) -> Path:
    """Automatic backups live beside the warehouse, in backups/."""
    return Path(db_path).resolve().parent / "backups"
