"""The warehouse: the one place that speaks SQL (schema.sql, marts.sql and these modules), re-exported here.

connection: open safely and keep the schema; load: write a submission; visible: the facts on show; review:
approve and return; marts: every aggregate; reads: the tidy values; history: submissions, versions, restore,
provenance, progress and deadlines; locks: 审核锁定; receipts: what a 回执 states; catalog_store: the catalogue
(catalog.sql), its revisions and the targets (任务数).
"""

from etl.warehouse import marts
from etl.warehouse.connection import (
    SCHEMA_FILE,
    WarehouseBusy,
    WarehouseDamaged,
    WarehouseError,
    WarehouseMissing,
    connect,
    ensure_schema,
    now_beijing,
)
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
    "SCHEMA_FILE", "NewSubmission", "SliceLocked", "blocking", "covers", "describe_lock", "lock", "locks_of",
    "refuse_if_locked", "unlock", "StoreResult", "WarehouseBusy", "WarehouseDamaged", "WarehouseError",
    "WarehouseMissing", "approve", "connect", "current_values", "deadline_of", "deadlines", "ensure_schema",
    "find_submission_by_hash", "marts", "now_beijing", "previous_values", "progress", "provenance",
    "published_figures", "queue", "receipt", "restore_submission", "restore_version", "returned", "review_detail",
    "send_back", "set_deadline",
    "slice_versions_of", "store_submission", "submission_file", "submission_issues_of", "submission_values",
    "submissions_list", "summary_counts", "unreported", "waiting", "warnings_of", "set_targets", "delete_target",
    "targets_of",
]  # fmt: skip
