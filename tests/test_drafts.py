"""在线填报 drafts in the accounts store and an online submission's 回执, on either backend (make test runs this file
on PostgreSQL too): a draft replaced on each save, kept per account, gone once its figures are stored; the receipt
states the submission, its values and its review state; 任务数 kept, replaced and read beside the figures."""

from __future__ import annotations

import pytest

from etl import online, roles, warehouse
from etl.pipeline import LOADED
from etl.roles import PermissionDenied, User
from etl.warehouse import marts
from etl.warehouse.targets import Target
from tests.conftest import read_db

CS = User("cs", roles.STATISTICIAN, "430100")
JOBS = ("430100", 2025, "jobs")


def test_a_draft_is_replaced_on_save_kept_per_account_and_dropped_once_submitted(db_path):
    assert online.draft(CS, db_path, JOBS) is None and online.drafts_of(CS, db_path) == []
    online.save_draft(CS, db_path, JOBS, {"job_fairs": 12})
    at = online.save_draft(CS, db_path, JOBS, {"job_fairs": 120, "jobs_offered": None})
    entries, saved_at = online.draft(CS, db_path, JOBS)
    assert entries["job_fairs"] == 120 and entries["jobs_offered"] is None and saved_at == at
    assert [(d["region_code"], d["year"], d["domain"]) for d in online.drafts_of(CS, db_path)] == [JOBS]
    assert online.draft(User("cs2", roles.STATISTICIAN, "430100"), db_path, JOBS) is None  # another account's
    with pytest.raises(PermissionDenied):
        online.save_draft(CS, db_path, ("430200", 2025, "jobs"), {"job_fairs": 1})  # not one's own 市州

    report = online.submit(CS, db_path, JOBS, entries, "网上填报")
    assert report.status == LOADED, [i.describe() for i in report.issues]
    assert online.draft(CS, db_path, JOBS) is None and online.drafts_of(CS, db_path) == []
    with read_db(db_path) as con:
        found = warehouse.receipt(con, report.store.submission_id)
    assert (found["submission"]["source"], found["submission"]["note"]) == ("online", "网上填报")
    assert [(v["indicator_name"], v["value"], v["sheet"]) for v in found["values"] if v["value"] is not None] == [
        ("举办招聘会场次", 120, "在线填报")
    ]
    assert [(s["region_name"], s["version"], s["status"]) for s in found["slices"]] == [("长沙市", 1, "pending")]
    with read_db(db_path) as con, pytest.raises(warehouse.WarehouseError, match="上报编号 99 不存在"):
        warehouse.receipt(con, 99)


def test_targets_are_kept_replaced_and_read_beside_the_figures(db_path):
    online.submit(CS, db_path, JOBS, {"job_fairs": 120}, None)
    with warehouse.connect(db_path) as con:
        warehouse.set_targets(con, [Target(2025, "430100", "job_fairs", 100.0)], "admin", "任务数.xlsx")
        replaced = warehouse.set_targets(
            con, [Target(2025, "430100", "job_fairs", 150.0), Target(2025, "430200", "job_fairs", 80.0)], "admin",
            "页面录入",
        )  # fmt: skip
        assert [before for _, before in replaced] == [100.0, None]
        assert [(t["region_code"], t["target"], t["source"]) for t in warehouse.targets_of(con, 2025)] == [
            ("430100", 150.0, "页面录入"), ("430200", 80.0, "页面录入"),
        ]  # fmt: skip
        frame = marts.targets(con, True, year=2025)
        assert warehouse.delete_target(con, 2025, "430200", "job_fairs") == 80.0
        assert warehouse.delete_target(con, 2025, "430200", "job_fairs") is None
    rows = frame[["region_code", "actual", "completion_pct", "met"]].astype(object).where(frame.notna(), None)
    assert rows.values.tolist() == [["430100", 120, 80.0, False], ["430200", None, None, None]]
    with read_db(db_path) as con:
        assert marts.last_submitted(con, True) is not None
