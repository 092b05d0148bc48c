"""Versioned migrations (etl/warehouse/migrations): which file runs on which backend, each once and in order, and a
DuckDB warehouse made by the review release (before migrations existed) brought up to date with nothing lost: issue
order (0002), the catalogue's tables seeded (0004)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl import warehouse
from etl.pipeline import LOADED, load_bytes
from etl.roles import SYSTEM
from etl.warehouse import catalog_store, migrations
from etl.warehouse.db import DUCKDB, Db
from tests.conftest import header_of, stored, xlsx_bytes

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_backend_file_takes_the_place_of_the_shared_one(tmp_path):
    for name in ("0001_tables.sql", "0002_order.sql", "0002_order.postgres.sql", "0003_indexes.postgres.sql",
                 "0004_more.duckdb.sql", "0005_Bad-Name.sql", "README.txt"):  # fmt: skip
        (tmp_path / name).write_text("select 1;", encoding="utf-8")
    found = {
        backend: [m.path.name for m in migrations.available(tmp_path, backend)] for backend in ("duckdb", "postgres")
    }
    assert found == {
        "duckdb": ["0001_tables.sql", "0002_order.sql", "0004_more.duckdb.sql"],
        "postgres": ["0001_tables.sql", "0002_order.postgres.sql", "0003_indexes.postgres.sql"],
    }


def test_each_migration_runs_once_in_order(tmp_path):
    (tmp_path / "0001_first.sql").write_text("create table t (n integer);", encoding="utf-8")
    (tmp_path / "0002_second.duckdb.sql").write_text("insert into t values (2);", encoding="utf-8")
    con = Db(duckdb.connect(), DUCKDB)
    assert migrations.apply(con, tmp_path) == [1, 2]
    assert migrations.apply(con, tmp_path) == []
    (tmp_path / "0003_third.sql").write_text("insert into t values (3);", encoding="utf-8")
    assert migrations.apply(con, tmp_path) == [3]
    assert con.execute("select n from t order by n").fetchall() == [(2,), (3,)]
    assert con.execute("select version, name from schema_migrations order by 1").fetchall() == [
        (1, "first"), (2, "second"), (3, "third"),
    ]  # fmt: skip


@pytest.mark.duckdb_only("a DuckDB file made by the review release")
def test_a_warehouse_of_the_review_release_is_brought_up_to_date(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:  # as the review release built it: no schema_migrations, no issue_no
        con.execute((FIXTURES / "schema_review_release.sql").read_text(encoding="utf-8"))
        con.execute("insert into schema_info values ('digest', 'review release')")
        con.execute("insert into regions values ('430100', '长沙市', '长沙', '430000', 'city', 1)")
        con.execute("insert into submissions values (nextval('submission_id_seq'), now(), 'cs', 'app', 'f.xlsx',"
                    " 'sha1', 'xlsx', 1, null, false, null)")  # fmt: skip
        con.execute("insert into slice_versions values ('430100', 2016, 'jobs', 1, 1, true, 'pending', false, null,"
                    " null, null)")  # fmt: skip
        con.execute("insert into facts values (1, '430100', 2016, 'jobs', 'job_fairs', 44, '就业创业', 'B4')")
        for message in ("第三条", "第一条", "第二条"):  # the order they were reported in, not alphabetical
            con.execute(
                "insert into submission_issues values (1, 'warning', 'w', '就业创业', 'B4', ?, '430100', 2016, 'jobs')",
                [message],
            )
    with warehouse.connect(db, read_only=True) as con:  # a reader brings it up to date
        assert [v for (v,) in con.execute("select version from schema_migrations order by 1").fetchall()] == [1, 2, 4]
        assert catalog_store.catalogue(con).revision == 1  # 0004: the shipped catalogue, as revision 1
        assert [i["message"] for i in warehouse.submission_issues_of(con, 1)] == ["第三条", "第一条", "第二条"]
        assert [w["message"] for w in warehouse.warnings_of(con, [("430100", 2016, "jobs")])] == [
            "第三条", "第一条", "第二条",
        ]  # fmt: skip
        assert warehouse.summary_counts(con)["pending_slices"] == 1
    assert stored(db, 2016)[("长沙市", 2016, "举办招聘会场次")] == 44
    data = xlsx_bytes({"jobs": [["年度：2016"], header_of("jobs"), ["长沙市", 45]]})
    report = load_bytes(data, "correction.xlsx", db, actor=SYSTEM)
    assert (report.status, report.store.submission_id) == (LOADED, 2)
