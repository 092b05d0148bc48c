"""What a 回执 (receipt) states about one submission: who sent what and when, its values, warnings and 上报说明,
and the review state of each slice it holds."""

from __future__ import annotations

from etl.warehouse.connection import WarehouseError
from etl.warehouse.db import Db
from etl.warehouse.history import submission_issues_of, submission_values


def receipt(con: Db, submission_id: int) -> dict:
    """{submission, values, issues, slices}; raises WarehouseError when there is no such submission."""
    found = con.rows("select * from submissions where submission_id = ?", [submission_id])
    if not found:
        raise WarehouseError(f"上报编号 {submission_id} 不存在。")
    slices = con.rows(
        """
        select r.name as region_name, h.region_code, h.year, d.name as domain_name, h.version, h.status,
            h.reviewed_by, h.reviewed_at, h.review_note
        from slice_history as h
        inner join regions as r on r.code = h.region_code
        inner join domains as d on d.code = h.domain
        where h.submission_id = ?
        order by h.year, r.sort_order, d.sort_order
        """,
        [submission_id],
    )
    return {
        "submission": found[0],
        "values": submission_values(con, submission_id),
        "issues": submission_issues_of(con, submission_id),
        "slices": slices,
    }
