"""省级审核 on real warehouses and real .xlsx returns: pending until reviewed, approve (publish and lock), return with
a reason, superseded and unchanged resubmissions, whole-submission restore, the upgrade of an older warehouse, and the
command line (load --as, review list | approve | return, export --include-pending)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from etl import actions, audit, config, warehouse
from etl.actions import ReviewRefused
from etl.cli import main
from etl.pipeline import LOADED, REFUSED, UNCHANGED, load_bytes
from etl.roles import ADMIN, LEADER, REVIEWER, STATISTICIAN, SYSTEM, PermissionDenied, User
from etl.warehouse import marts
from tests.apptest import seed_accounts
from tests.conftest import fingerprint, header_of, read_db, stored, xlsx_bytes

CHANGSHA, ZHUZHOU = "430100", "430200"
REVIEWER_USER = User("省审核员", REVIEWER)
ADMIN_USER = User("省管理员", ADMIN)
CS_USER = User("cs", STATISTICIAN, CHANGSHA)
FIXTURES = Path(__file__).parent / "fixtures"


def sheet(domain: str, *rows: list[object], year: int = 2025) -> bytes:
    return xlsx_bytes({"表": [[f"年度：{year}"], header_of(domain), *rows]})


def shown(db: Path, include_pending: bool, year: int = 2025) -> dict[tuple[str, str], float | None]:
    """(市州, indicator name) → value on show in one scope."""
    view = "current_values" if include_pending else "published_values"
    with read_db(db) as con:
        rows = con.execute(f"select region_name, indicator_name, value from {view} where year = ?", [year]).fetchall()
    return {(r, i): v for r, i, v in rows}


def states(db: Path, region_code: str, domain: str, year: int = 2025) -> list[tuple]:
    with read_db(db) as con:
        return con.execute(
            "select version, status, is_current, is_published from slice_versions"
            " where region_code = ? and domain = ? and year = ? order by version",
            [region_code, domain, year],
        ).fetchall()


def load(db: Path, data: bytes, name: str = "上报.xlsx", **options: object):  # noqa: ANN201 - a FileReport
    report = load_bytes(data, name, db, **{"actor": SYSTEM, **options})
    assert report.status in (LOADED, UNCHANGED), [i.describe() for i in report.issues]
    return report


# ---------------------------------------------------------------- pending, approve, lock


def test_an_upload_waits_for_review_then_is_published_and_locked(db_path):
    load(db_path, sheet("jobs", ["长沙市", 44, 75700, 5890]))
    load(db_path, sheet("loans", ["长沙市", 878, 10211]))
    assert shown(db_path, include_pending=False) == {}  # leaders see nothing yet
    assert shown(db_path, include_pending=True)[("长沙市", "举办招聘会场次")] == 44
    with warehouse.connect(db_path, read_only=True) as con:
        assert [(q["submission_id"], q["slices"]) for q in warehouse.queue(con)] == [(1, 1), (2, 1)]
        pending = marts.province(con, True, measure="job_fairs", year=2025).iloc[0]
        assert (pending["total"], pending["pending_cities"]) == (44, 1)
        assert marts.province(con, False, measure="job_fairs").empty

    approved = actions.approve(REVIEWER_USER, db_path, year=2025, region_code=CHANGSHA, domain="jobs")
    assert approved == [(CHANGSHA, 2025, "jobs")]
    assert shown(db_path, include_pending=False) == {
        ("长沙市", "举办招聘会场次"): 44, ("长沙市", "提供就业岗位数"): 75700, ("长沙市", "实现就业妇女人数"): 5890,
        ("长沙市", "创业就业培训期数"): None, ("长沙市", "创业就业培训人次"): None, ("长沙市", "巾帼示范基地数"): None,
        ("长沙市", "培训受益人数"): None,
    }  # fmt: skip
    assert states(db_path, CHANGSHA, "jobs") == [(1, "published", True, True)]
    assert states(db_path, CHANGSHA, "loans") == [(1, "pending", True, False)]  # the other 类别 still waits
    entry = audit.entries(db_path, limit=1)[0]
    assert (entry["actor"], entry["action"], entry["detail"]) == (
        "省审核员",
        "approve",
        "审核通过 长沙市2025年就业创业",
    )

    # Approved means locked: a correction needs the lock lifted first; the loans slice is not locked.
    before = fingerprint(db_path)
    refused = load_bytes(sheet("jobs", ["长沙市", 45, 75700, 5890]), "更正.xlsx", db_path, actor=SYSTEM)
    assert refused.status == REFUSED
    assert [i.code for i in refused.errors] == ["slice-locked"]
    assert "长沙市2025年就业创业的数据已由 省审核员 于" in refused.errors[0].message
    assert fingerprint(db_path) == before
    assert load(db_path, sheet("loans", ["长沙市", 878, 10300])).status == LOADED

    assert actions.unlock(ADMIN_USER, db_path, 2025, CHANGSHA, "jobs") is True
    load(db_path, sheet("jobs", ["长沙市", 45, 75700, 5890]), "更正.xlsx")
    assert states(db_path, CHANGSHA, "jobs") == [(1, "published", False, True), (2, "pending", True, False)]
    assert shown(db_path, include_pending=False)[("长沙市", "举办招聘会场次")] == 44  # until the correction passes
    with warehouse.connect(db_path, read_only=True) as con:
        row = con.execute(
            "select value, pending from current_values where year = 2025 and indicator in ('job_fairs', 'jobs_offered')"
            " order by indicator"
        ).fetchall()
    assert row == [(45.0, True), (75700.0, False)]  # only the changed figure is 待审核


def test_return_with_a_reason_keeps_the_published_version(db_path):
    load(db_path, sheet("jobs", ["长沙市", 44]), published=True)  # as the demo: published, not locked
    load(db_path, sheet("jobs", ["长沙市", 4400]), "错.xlsx")
    with pytest.raises(ReviewRefused, match="^退回必须写明原因"):
        actions.send_back(REVIEWER_USER, db_path, reason="  ", year=2025, region_code=CHANGSHA)
    assert audit.entries(db_path, limit=1)[0]["outcome"] == audit.REFUSED
    actions.send_back(REVIEWER_USER, db_path, reason="招聘会场次多了两个0，请核对", year=2025, region_code=CHANGSHA)
    assert states(db_path, CHANGSHA, "jobs") == [(1, "published", True, True), (2, "returned", False, False)]
    assert shown(db_path, include_pending=True)[("长沙市", "举办招聘会场次")] == 44  # staff see the published one
    with warehouse.connect(db_path, read_only=True) as con:
        (back,) = warehouse.returned(con, city=CHANGSHA)
        assert warehouse.queue(con) == []
    assert (back["domain_name"], back["review_note"], back["reviewed_by"]) == (
        "就业创业", "招聘会场次多了两个0，请核对", "省审核员",
    )  # fmt: skip
    load(db_path, sheet("jobs", ["长沙市", 46]), "改.xlsx")  # sent again: no longer listed as returned
    with warehouse.connect(db_path, read_only=True) as con:
        assert warehouse.returned(con, city=CHANGSHA) == []
    with pytest.raises(ReviewRefused, match="^株洲市2025年没有待审核的数据。$"):
        actions.approve(REVIEWER_USER, db_path, year=2025, region_code=ZHUZHOU)


@pytest.mark.parametrize("user", [CS_USER, User("分管领导", LEADER)], ids=["统计员", "领导"])
def test_only_reviewers_review(db_path, user):
    load(db_path, sheet("jobs", ["长沙市", 44]))
    before = fingerprint(db_path)
    for act in (
        lambda: actions.approve(user, db_path, year=2025, region_code=CHANGSHA),
        lambda: actions.send_back(user, db_path, reason="x", year=2025, region_code=CHANGSHA),
    ):
        with pytest.raises(PermissionDenied, match=f"您的角色（{user.role}）不能审核数据。"):
            act()
    assert fingerprint(db_path) == before
    assert [e["action"] for e in audit.entries(db_path)] == ["denied", "denied", "upload"]


def test_approving_needs_every_warning_confirmed(db_path):
    # 实现就业妇女人数 above 提供就业岗位数: a warning, stored with the slice it is about
    load(db_path, sheet("jobs", ["长沙市", 44, 5000, 5890]), note="含灵活就业")
    with warehouse.connect(db_path, read_only=True) as con:
        warnings = warehouse.warnings_of(con, warehouse.waiting(con, year=2025))
        values, detail_warnings = warehouse.review_detail(con, 1)
    assert [(w["sheet"], w["cell"]) for w in warnings] == [("表", "D3")]
    assert detail_warnings[0]["message"] == "实现就业妇女人数（5890）大于提供就业岗位数（5000），请核实。"
    assert values[0]["indicator_name"] == "举办招聘会场次" and values[0]["was_published"] is False
    with pytest.raises(ReviewRefused, match="有 1 条警告尚未逐条确认，未审核通过：表!D3 实现就业妇女人数"):
        actions.approve(REVIEWER_USER, db_path, year=2025, region_code=CHANGSHA)
    assert states(db_path, CHANGSHA, "jobs") == [(1, "pending", True, False)]
    key = (1, "表", "D3", warnings[0]["message"])
    actions.approve(REVIEWER_USER, db_path, confirmed=[key], submission_id=1)
    assert states(db_path, CHANGSHA, "jobs") == [(1, "published", True, True)]
    assert audit.entries(db_path, limit=1)[0]["detail"].endswith("；已逐条核实 1 条警告")


# ---------------------------------------------------------------- versions that mean something


def test_a_resubmission_equal_to_the_current_values_makes_no_version(db_path):
    province = sheet("jobs", ["长沙市", 44], ["株洲市", 30])
    load(db_path, province, "全省.xlsx")
    before = fingerprint(db_path)
    same = load_bytes(sheet("jobs", ["长沙市", 44], ["株洲市", 30], [None]), "再报一次.xlsx", db_path, actor=SYSTEM)
    assert (same.status, same.store.submission_id, same.store.same_slices) == (UNCHANGED, None, 2)
    assert fingerprint(db_path) == before
    assert audit.entries(db_path, limit=1)[0]["detail"] == "与现有数据完全相同，未生成新版本"

    # One 市州 changed, one not: only the changed slice gets a version (and the old pending one is superseded).
    part = load(db_path, sheet("jobs", ["长沙市", 45], ["株洲市", 30]), "长沙改.xlsx")
    assert (part.store.slices, part.store.same_slices) == (1, 1)
    assert states(db_path, CHANGSHA, "jobs") == [(1, "superseded", False, False), (2, "pending", True, False)]
    assert states(db_path, ZHUZHOU, "jobs") == [(1, "pending", True, False)]
    with warehouse.connect(db_path, read_only=True) as con:
        assert [(q["submission_id"], q["regions"]) for q in warehouse.queue(con)] == [(1, "株洲市"), (2, "长沙市")]


def test_restoring_a_whole_submission_is_one_action(db_path):
    both = xlsx_bytes(
        {
            "就业创业": [["年度：2025"], header_of("jobs"), ["长沙市", 44]],
            "小额担保贷款": [["年度：2025"], header_of("loans"), ["长沙市", 878, 10211]],
        }
    )
    load(db_path, both, "两类.xlsx", published=True)
    load(db_path, sheet("jobs", ["长沙市", 50]), "改就业.xlsx", published=True)
    load(db_path, sheet("loans", ["长沙市", 900, 10300]), "改贷款.xlsx", published=True)
    result = actions.restore_submission(CS_USER, db_path, 1)
    assert (result.submission_id, result.slices) == (4, 2)
    assert shown(db_path, include_pending=True)[("长沙市", "发放贷款笔数")] == 878
    assert shown(db_path, include_pending=True)[("长沙市", "举办招聘会场次")] == 44
    assert shown(db_path, include_pending=False)[("长沙市", "举办招聘会场次")] == 50  # until reviewed
    entry = audit.entries(db_path, limit=1)[0]
    assert (entry["action"], entry["detail"]) == ("restore", "恢复上报编号 1 的全部数据（新上报编号 4，2 组，待审核）")
    again = actions.restore_submission(CS_USER, db_path, 1)
    assert again.nothing_new
    with pytest.raises(PermissionDenied, match="统计员只能恢复本市州（株洲市）"):
        actions.restore_submission(User("zz", STATISTICIAN, ZHUZHOU), db_path, 1)


# ---------------------------------------------------------------- an older warehouse, opened by this release


@pytest.mark.duckdb_only("a DuckDB file made by an earlier release")
def test_a_warehouse_of_the_previous_release_is_published_as_it_stood(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:  # exactly as the previous release built it
        con.execute((FIXTURES / "schema_before_review.sql").read_text(encoding="utf-8"))
        con.execute("insert into regions values ('430100', '长沙市', '长沙', '430000', 'city', 1)")
        con.execute("insert into domains values ('jobs', '就业创业', 1, 'women_employed')")
        con.execute("insert into indicators values ('job_fairs', 'jobs', '举办招聘会场次', '场', 'count', 1, '')")
        con.execute("insert into schema_info values ('digest', 'previous release')")
        for sid, value, current in ((1, 40.0, False), (2, 44.0, True)):
            con.execute(
                "insert into submissions values (?, now(), 'x', 'cli', 'f.xlsx', ?, 'xlsx', 1, null, false, null)",
                [sid, f"sha{sid}"],
            )
            con.execute("insert into slice_versions values ('430100', 2016, 'jobs', ?, ?, ?)", [sid, sid, current])
            con.execute(
                "insert into facts values (?, '430100', 2016, 'jobs', 'job_fairs', ?, '表', 'B3')", [sid, value]
            )
        con.execute("insert into review_locks values (2016, '430100', '管理员', now())")
    with warehouse.connect(db, read_only=True) as con:  # a reader brings the schema up to date
        versions = con.execute("select version, status, is_current, is_published from slice_versions order by 1")
        assert versions.fetchall() == [(1, "published", False, False), (2, "published", True, True)]
        assert con.execute("select region_code, domain, locked_by from review_locks").fetchall() == [
            ("430100", "*", "管理员")
        ]
        assert marts.province(con, False, measure="job_fairs").iloc[0]["total"] == 44
        assert warehouse.current_values(con, year=2016)[0][7] == 44
    refused = load_bytes(sheet("jobs", ["长沙市", 45], year=2016), "x.xlsx", db, actor=SYSTEM)
    assert "长沙市2016年的数据已由 管理员 于" in refused.errors[0].message  # the old lock still holds


# What each earlier accounts file lacks: the release before issues 10 and 11 (user_version 2) lacks both; each
# branch's own version 3 has one half (per-address failures and session end reasons; or the 审核员 role).
ISSUE_10_COLUMNS = (
    "alter table login_failures add column client varchar not null default '';"
    " alter table sessions add column end_reason varchar;"
)
EARLIER_ACCOUNTS = {
    "release before both": (2, lambda sql: sql),
    "issue 10 alone": (3, lambda sql: sql + ISSUE_10_COLUMNS),
    "issue 11 alone": (
        3,
        lambda sql: sql.replace("('统计员', '领导', '管理员')", "('统计员', '审核员', '领导', '管理员')"),
    ),
    "issues 10 and 11, before drafts": (
        4,
        lambda sql: (
            sql.replace("('统计员', '领导', '管理员')", "('统计员', '审核员', '领导', '管理员')") + ISSUE_10_COLUMNS
        ),
    ),
}


@pytest.mark.parametrize("made_by", list(EARLIER_ACCOUNTS))
@pytest.mark.duckdb_only("a SQLite accounts file made by an earlier release")
def test_an_earlier_accounts_file_is_brought_up_to_date(tmp_path, made_by):
    """Users, sessions, failures and the log kept; 审核员 accepted, failures per address, sessions say why they
    ended; the file owner-only."""
    from etl import accounts

    version, schema = EARLIER_ACCOUNTS[made_by]
    path, db = tmp_path / "accounts.sqlite3", tmp_path / "w.duckdb"
    with sqlite3.connect(path) as con:
        con.executescript(schema((FIXTURES / "accounts_before_review.sql").read_text(encoding="utf-8")))
        con.execute(f"pragma user_version = {version}")
        con.execute("insert into users values ('admin', '管理员', null, 'h', 0, 't', 'x', 't')")
        con.execute(
            "insert into audit_log (at, actor, role, action, outcome) values ('t', 'admin', '管理员', 'login', 'ok')"
        )
        token = "a-session-of-the-earlier-release"
        con.execute(
            "insert into sessions (token_sha256, name, created_at, last_seen, ended) values (?, 'admin', ?, ?, 0)",
            [accounts._token_hash(token), 1000.0, 1000.0],  # noqa: SLF001 - how the store keys a session
        )
    con.close()
    path.chmod(0o644)

    accounts.add_user(User("admin", ADMIN), "rev", REVIEWER, "reviewer-password-1", db_path=db)
    assert [(u["name"], u["role"]) for u in accounts.list_users(db)] == [
        ("admin", "管理员"), ("rev", "审核员"),
    ]  # fmt: skip
    assert [e["action"] for e in audit.entries(db)] == ["user_add", "login"]  # log kept
    assert path.stat().st_mode & 0o777 == 0o600
    assert accounts.check_session(token, db_path=db, now=1001.0).user == User("admin", ADMIN)
    accounts.end_session(token, reason=accounts.PASSWORD_CHANGED, db_path=db)
    assert accounts.check_session(token, db_path=db).message == "您的密码已在其他页面修改，请用新密码重新登录。"
    with pytest.raises(accounts.LoginRefused, match="用户名或密码错误"):
        accounts.authenticate("rev", "wrong-password-1", client="10.0.0.7", db_path=db)
    with sqlite3.connect(path) as con:
        assert con.execute("select name, client from login_failures").fetchall() == [("rev", "10.0.0.7")]
        assert con.execute("select version from schema_migrations order by 1").fetchall() == [(1,), (2,), (3,)]
        assert con.execute("select count(*) from drafts").fetchone() == (0,)  # 在线填报 drafts can be kept
    con.close()


# ---------------------------------------------------------------- the command line


@pytest.fixture
def cli_db(tmp_path, monkeypatch) -> Path:
    """A new warehouse with the test accounts (admin, rev, leader, cs, zz) beside it."""
    monkeypatch.delenv("HNFL_ACCOUNTS", raising=False)
    db = tmp_path / "warehouse.duckdb"
    seed_accounts(db)
    return db


def etl(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def test_cli_load_as_a_user(cli_db, tmp_path):
    own, other = tmp_path / "长沙.xlsx", tmp_path / "株洲.xlsx"
    own.write_bytes(sheet("jobs", ["长沙市", 44, 5000, 5890]))
    other.write_bytes(sheet("jobs", ["株洲市", 30]))
    code, output = etl("load", other, "--db", cli_db, "--as", "cs")
    assert code == 1
    assert "您是长沙市的统计员，不能上报株洲市的数据" in output
    code, output = etl("load", own, "--db", cli_db, "--as", "cs")
    assert code == 0, output
    assert "已导入，上报编号 1" in output
    entry = audit.entries(cli_db, limit=1)[0]
    assert (entry["actor"], entry["role"], entry["action"]) == ("cs", STATISTICIAN, "upload")
    code, output = etl("load", own, "--db", cli_db, "--as", "leader")
    assert code == 1 and "您的角色（领导）不能上报数据。" in output
    code, output = etl("load", other, "--db", cli_db, "--as", "nobody")
    assert (code, output) == (2, "✗ 账号“nobody”不存在。\n")


def test_cli_review_list_approve_return_and_export(cli_db, tmp_path):
    for name, data in (
        ("长沙.xlsx", sheet("jobs", ["长沙市", 44, 5000, 5890])),
        ("株洲.xlsx", sheet("jobs", ["株洲市", 30])),
    ):
        (tmp_path / name).write_bytes(data)
        assert etl("load", tmp_path / name, "--db", cli_db)[0] == 0
    code, output = etl("review", "list", "--year", 2025, "--db", cli_db)
    lines = output.splitlines()
    assert code == 0 and lines[0] == "待审核：2 次上报，2 组（市州×年度×类别）。"
    assert lines[1].startswith("上报编号 1\t") and lines[1].endswith("\t长沙市\t2025年\t就业创业\t长沙.xlsx\t警告 1 条")

    code, output = etl("review", "approve", "--year", 2025, "--region", "长沙市", "--db", cli_db, "--as", "rev")
    assert code == 1
    assert "警告 表!D3：实现就业妇女人数（5890）大于提供就业岗位数（5000），请核实。" in output
    assert "✗ 有 1 条警告：请逐条核实后加 --confirm-warnings 再审核通过。" in output
    assert shown(cli_db, include_pending=False) == {}
    code, output = etl("review", "approve", "--year", 2025, "--region", "长沙市", "--confirm-warnings", "--db", cli_db,
                       "--as", "rev")  # fmt: skip
    assert (code, output) == (0, "已审核通过并锁定 1 组：长沙市2025年就业创业。\n")
    assert audit.entries(cli_db, limit=1)[0]["actor"] == "rev"

    code, output = etl("review", "return", "--year", 2025, "--region", "株洲市", "--domain", "就业创业", "--db", cli_db,
                       "--as", "cs", "--reason", "x")  # fmt: skip
    assert (code, output) == (1, "✗ 您的角色（统计员）不能审核数据。如确需操作，请联系管理员。\n")
    code, output = etl("review", "return", "--year", 2025, "--region", "株洲市", "--reason", "请补填岗位数",
                       "--db", cli_db, "--as", "rev")  # fmt: skip
    assert (code, output) == (0, "已退回 1 组：株洲市2025年就业创业。原因：请补填岗位数\n")
    assert etl("review", "list", "--db", cli_db)[1] == "没有待审核的数据。\n"

    out = tmp_path / "out.csv"
    assert etl("export", "--db", cli_db, "-o", out, "--as", "leader")[0] == 0
    assert [line.split(",")[2] for line in out.read_text(encoding="utf-8-sig").splitlines()[1:]] == ["长沙市"] * 3
    code, output = etl("export", "--db", cli_db, "-o", out, "--include-pending", "--as", "leader")
    assert (code, output) == (1, "✗ 您的角色（领导）不能查看待审核数据。如确需操作，请联系管理员。\n")


def test_cli_review_prints_text_from_uploads_with_control_characters_escaped(cli_db):
    """Issue 10's rule for `etl audit` holds for `etl review`: a file name, sender or 上报说明 holding ESC[2J
    (clear the screen) reaches the terminal escaped."""
    clear = "\x1b[2J"
    report = load_bytes(
        sheet("jobs", ["长沙市", 44, 5000, 5890]), f"长沙{clear}.xlsx", cli_db, actor=CS_USER,
        submitted_by=f"cs{clear}", note=f"说明{clear}",
    )  # fmt: skip
    assert report.status == LOADED
    code, output = etl("review", "list", "--db", cli_db)
    assert code == 0 and "\x1b" not in output
    assert "\tcs\\x1b[2J\t长沙市\t2025年\t就业创业\t长沙\\x1b[2J.xlsx\t警告 1 条\n\t上报说明：说明\\x1b[2J\n" in output
    code, output = etl("review", "approve", "--year", 2025, "--region", "长沙市", "--db", cli_db, "--as", "rev")
    assert code == 1 and "警告 表!D3：实现就业妇女人数（5890）" in output and "\x1b" not in output


def test_cli_unlock_one_domain(cli_db, tmp_path):
    (tmp_path / "f.xlsx").write_bytes(sheet("jobs", ["长沙市", 44]))
    etl("load", tmp_path / "f.xlsx", "--db", cli_db)
    etl("review", "approve", "--year", 2025, "--region", "长沙市", "--db", cli_db, "--as", "admin")
    assert (
        etl("unlock", "--year", 2025, "--region", "长沙市", "--db", cli_db)[1] == "长沙市2025年原本未锁定，未作更改。\n"
    )
    code, output = etl("unlock", "--year", 2025, "--region", "长沙市", "--domain", "就业创业", "--db", cli_db,
                       "--as", "admin")  # fmt: skip
    assert (code, output) == (0, "已解除锁定：长沙市2025年就业创业。\n")
    assert stored(cli_db, 2025)[("长沙市", 2025, "举办招聘会场次")] == 44
    assert config.database_url() or config.accounts_path(cli_db).exists()
    shutil.rmtree(tmp_path / "raw", ignore_errors=True)
