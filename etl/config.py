"""Settings in one place: where the warehouse lives and the limits every upload is held to."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = PROJECT_ROOT / "data" / "raw"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data" / "warehouse.duckdb"

MIB = 1024 * 1024
# Caps on an upload. The app states them on the upload page; the CLI applies the same ones. "MB" in every Chinese
# message means 1024 × 1024 bytes, as Windows Explorer shows file sizes to the statisticians.
MAX_UPLOAD_MB = 10
MAX_FILE_BYTES = MAX_UPLOAD_MB * MIB
# What the browser may send at all (the upload widget and server.maxUploadSize in .streamlit/config.toml): twice
# the limit, so that a file a little too large reaches the server and is refused with the Chinese message above
# instead of the widget's own English one.
UPLOAD_CEILING_MB = 2 * MAX_UPLOAD_MB
MAX_INFLATED_BYTES = 200 * 1024 * 1024  # all parts of an .xlsx together, counted while inflating
# Any one part: the parser holds a sheet's (or the shared strings') whole XML in memory, so this bounds what one
# upload can cost it. A 100,000-row sheet is about 13 MB; only padding reaches this.
MAX_PART_INFLATED_BYTES = 64 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_SHEETS = 50
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELLS = 5_000_000  # rows × columns of a sheet's used range: what the parser allocates
# A refused file keeps at most this many issues (the rest are only counted): a 200,000-row file of errors must
# cost neither the server's memory nor the browser's patience. The page shows the first ISSUES_SHOWN.
MAX_ISSUES_KEPT = 10_000
ISSUES_SHOWN = 200
# Reading a spreadsheet can take hundreds of MB for a large file: one at a time per server process; the others
# wait this long at most, saying so, then give up with a message.
HEAVY_CHECK_WAIT_SECONDS = float(os.environ.get("HNFL_HEAVY_CHECK_WAIT_SECONDS", "120"))

# A writer that finds the warehouse locked by another process retries this long, then gives up.
LOCK_WAIT_SECONDS = float(os.environ.get("HNFL_LOCK_WAIT_SECONDS", "30"))

# Each load and each version restore first copies the warehouse into backups/ beside it; the newest
# BACKUP_KEEP copies are kept (0 turns the automatic copies off).
BACKUP_KEEP = int(os.environ.get("HNFL_BACKUP_KEEP", "10"))

# Log-in: a session ends after this many minutes without a click.
SESSION_TIMEOUT_MINUTES = float(os.environ.get("HNFL_SESSION_TIMEOUT_MINUTES", "30"))
MIN_PASSWORD_LENGTH = 10
# Brute force, without letting anyone lock an account out: failures count per (name, address). After
# LOGIN_MAX_FAILURES of them that address waits before its next try, 30 s, then twice as long after each further
# failure, at most 15 minutes. A success there, a password reset or `etl users enable` clears the count; failures
# older than a day are forgotten. When the whole server sees more than LOGIN_GLOBAL_FAILURES failures a minute,
# every attempt (right or wrong) is slowed by LOGIN_GLOBAL_DELAY_SECONDS: slower, never refused.
LOGIN_MAX_FAILURES = 5
LOGIN_BACKOFF_FIRST_SECONDS = 30
LOGIN_BACKOFF_MAX_SECONDS = 15 * 60
LOGIN_FAILURE_MEMORY_SECONDS = 24 * 3600
LOGIN_GLOBAL_FAILURES = 30
LOGIN_GLOBAL_DELAY_SECONDS = 1.0
# Set when a reverse proxy on this machine forwards the requests (see README): the browser's address is then
# the last one the proxy appended to X-Forwarded-For. Never trusted otherwise, since anyone can send the header.
BEHIND_PROXY = os.environ.get("HNFL_BEHIND_PROXY", "") not in ("", "0")

FIRST_YEAR = 2000

# A leader's default year is the newest in which at least this many 市州 have every 类别 published (of 14).
COMPLETE_CITIES = int(os.environ.get("HNFL_COMPLETE_CITIES", "14"))


def collecting_year() -> int:
    """The year whose returns are being collected: last year (Beijing time), unless $HNFL_COLLECTING_YEAR says."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    wanted = os.environ.get("HNFL_COLLECTING_YEAR", "")
    return int(wanted) if wanted.isdigit() else datetime.now(ZoneInfo("Asia/Shanghai")).year - 1


def database_url() -> str | None:
    """$HNFL_DATABASE_URL (postgresql://…): the warehouse and the accounts store live in that PostgreSQL database
    instead of the DuckDB and SQLite files; the files' folder still keeps archived originals and backups."""
    return os.environ.get("HNFL_DATABASE_URL") or None


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
