"""The warehouse: the one place that speaks SQL (migrations/, views.sql, marts.sql and these modules), re-exported
here.

connection: open safely (a DuckDB file or a PostgreSQL database, db.py and postgres.py) and keep the schema
(migrations/, views.sql); load: write a submission; visible: the facts on show; review:
approve and return; marts: every aggregate; reads: the tidy values; history: submissions, versions, restore,
provenance, progress and deadlines; locks: 审核锁定; receipts: what a 回执 states; catalog_store: the catalogue
and its revisions; targets: 任务数 (their tables: migrations/0004_catalogue.sql).
"""

from etl.warehouse import marts
from etl.warehouse.connection import (
    WarehouseBusy,
    WarehouseDamaged,
    WarehouseError,
    WarehouseMissing,
    connect,
    ensure_schema,
    exists,
    now_beijing,
    open_database,
    version,
)
from etl.warehouse.db import Db
from etl.warehouse.history import (
    deadline_of,
    deadlines,
    progress,
    provenance,
    restore_submission,
    restore_version,
    set_deadline,
    slice_versions_of,
    submission_file,
    submission_issues_of,
    submission_values,
    submissions_list,
    unreported,
)
from etl.warehouse.load import (
    NewSubmission,
    StoreResult,
    find_submission_by_hash,
    previous_values,
    store_submission,
)
from etl.warehouse.locks import SliceLocked, blocking, covers, lock, locks_of, refuse_if_locked, unlock
from etl.warehouse.locks import describe as describe_lock
from etl.warehouse.reads import current_values, published_figures, summary_counts
from etl.warehouse.receipts import receipt
from etl.warehouse.review import approve, queue, returned, send_back, waiting, warnings_of
from etl.warehouse.review import detail as review_detail
from etl.warehouse.targets import delete_target, set_targets, targets_of

__all__ = [
    "Db", "exists", "open_database", "version",
    "NewSubmission", "SliceLocked", "blocking", "covers", "describe_lock", "lock", "locks_of",
    "refuse_if_locked", "unlock", "StoreResult", "WarehouseBusy", "WarehouseDamaged", "WarehouseError",
    "WarehouseMissing", "approve", "connect", "current_values", "deadline_of", "deadlines", "ensure_schema",
    "find_submission_by_hash", "marts", "now_beijing", "previous_values", "progress", "provenance",
    "published_figures", "queue", "receipt", "restore_submission", "restore_version", "returned", "review_detail",
    "send_back", "set_deadline",
    "slice_versions_of", "store_submission", "submission_file", "submission_issues_of", "submission_values",
    "submissions_list", "summary_counts", "unreported", "waiting", "warnings_of", "set_targets", "delete_target",
    "targets_of",
]  # fmt: skip
