"""The warehouse: the one place that speaks SQL (schema.sql and these modules), re-exported here.

connection: open safely and keep the schema; load: write a submission; reads: current values;
history: submissions, versions, restore, provenance, progress and deadlines.
"""

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
    progress,
    provenance,
    restore_version,
    set_deadline,
    slice_versions_of,
    submission_file,
    submission_issues_of,
    submission_values,
    submissions_list,
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
from etl.warehouse.reads import current_values, summary_counts, values_frame

__all__ = [
    "SCHEMA_FILE", "NewSubmission", "SliceLocked", "blocking", "covers", "describe_lock", "lock", "locks_of",
    "refuse_if_locked", "unlock", "StoreResult", "WarehouseBusy", "WarehouseDamaged", "WarehouseError",
    "WarehouseMissing", "connect", "current_values", "deadline_of", "ensure_schema", "find_submission_by_hash",
    "now_beijing", "previous_values", "progress", "provenance", "restore_version", "set_deadline",
    "slice_versions_of", "store_submission", "submission_file", "submission_issues_of", "submission_values",
    "submissions_list", "summary_counts", "values_frame",
]  # fmt: skip
