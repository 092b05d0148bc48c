"""Owner-only files: the warehouse, the accounts file, backups and archived originals hold every 市州's figures,
password hashes and the audit log, so only the system account that runs the platform may read them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE, DIR_MODE = 0o600, 0o700


def owner_only_umask() -> None:
    """For the app and the command line: whatever they or DuckDB, SQLite and `cp` create is owner-only."""
    os.umask(0o077)


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents as 0700; folders that already exist are left as they are
    (the warehouse may sit in a shared folder such as /srv)."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        folder.chmod(DIR_MODE)  # mkdir's mode passes through the umask
    return path


def private_file(path: Path) -> None:
    """Create an empty owner-only file if there is none (SQLite takes an empty file as a new database);
    tighten an existing one."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    except FileExistsError:
        restrict(path)


def restrict(path: Path) -> None:
    """Take group and other permissions away from a file or folder we own; a missing path is fine.

    chmod works on the name, never on an open descriptor, so it cannot drop the lock DuckDB holds on the file.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if mode & 0o077:
        try:
            os.chmod(path, DIR_MODE if stat.S_ISDIR(mode) else FILE_MODE)
        except PermissionError:  # someone else's file: reported nowhere better than by its mode
            return


def restrict_tree(folder: Path) -> None:
    """A folder this process wrote (a backup): the folder and everything in it, owner-only."""
    restrict(folder)
    for root, dirs, names in os.walk(folder):
        for name in (*dirs, *names):
            restrict(Path(root) / name)
