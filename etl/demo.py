"""Build the demo warehouse from the sample returns (示例) shipped in data/raw/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from etl.config import RAW_DIR
from etl.issues import RefusedFile
from etl.pipeline import REFUSED, FileReport, load_bytes, read_path
from etl.report import STATUS_WORDS
from etl.roles import SYSTEM, User

SAMPLE_MARK = "示例"


def sample_files(folder: Path = RAW_DIR) -> list[Path]:
    """The shipped sample returns, oldest year first (file names sort by year)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and SAMPLE_MARK in p.name)


def build_demo(
    db_path: Path, progress: Callable[[str], None] = lambda _: None, *, actor: User = SYSTEM
) -> list[FileReport]:
    """Load every sample return, marked as sample data and published; loading again adds nothing. The demo is
    built on the server (the command line, `make run`, the tests): `actor` is the command line unless said
    otherwise."""
    files = sample_files()
    reports = []
    for index, path in enumerate(files, start=1):
        try:
            data, name = read_path(path)
        except RefusedFile as refusal:
            reports.append(FileReport(path.name, REFUSED, [refusal.issue]))
            continue
        # The demo stands for figures reviewed before the platform had reviews: published, not locked.
        report = load_bytes(
            data, name, db_path, source="demo", submitted_by="示例数据", is_sample=True, published=True, actor=actor
        )
        progress(f"[{index}/{len(files)}] {name}：{STATUS_WORDS[report.status]}")
        reports.append(report)
    return reports
