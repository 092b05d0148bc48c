"""Roles, review locks, accounts and the audit log, on real files: a DuckDB warehouse, .xlsx returns and the
SQLite accounts file beside it. Every refusal is checked on the server entry points, with the warehouse unchanged."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from etl import accounts, actions, audit, catalog, config, roles, warehouse
from etl.access import store
from etl.accounts import AccountError, LoginRefused
from etl.config import PROJECT_ROOT
from etl.pipeline import LOADED, REFUSED, FileReport, check_bytes, load_bytes
from etl.roles import (
    ADMIN,
    AUDIT,
    CATALOG,
    DEADLINE,
    EXPORT,
    LEADER,
    LOCK,
    PENDING,
    RESTORE,
    REVIEW,
    REVIEWER,
    STATISTICIAN,
    SYSTEM,
    UPLOAD,
    USERS,
    VIEW,
    PermissionDenied,
    User,
    allowed,
    check,
)
from etl.template import FIRST_DATA_ROW
from tests.conftest import backend_scope, copy_warehouse, filled_template, fingerprint, stored

CHANGSHA, ZHUZHOU, FURONG = "430100", "430200", "430102"  # 芙蓉区 is a 县市区 of 长沙市
ALL_CITIES = [c.code for c in catalog.cities()]
FAIRS = ("就业创业", "举办招聘会场次")  # the sheet and the indicator every return here fills

ADMIN_USER = User("省妇联管理员", ADMIN)
LEADER_USER = User("分管领导", LEADER)
REVIEWER_USER = User("省妇联审核员", REVIEWER)
CS_USER = User("长沙统计员", STATISTICIAN, CHANGSHA)
ZZ_USER = User("株洲统计员", STATISTICIAN, ZHUZHOU)
# Passwords of the accounts made here; none may ever appear in a file, a log entry or the output.
PASSWORDS = {
    "first": "Xiang-Jiang-2016!",
    "wrong": "Yue-Lu-Shan-77?",
    "reset": "Ju-Zi-Zhou-Tou-88",
    "own": "Dong-Ting-Hu-99#",
    "cli": "Shao-Shan-Chong-10",
}


@pytest.fixture(scope="module", autouse=True)
def _accounts_beside_the_warehouse() -> Iterator[None]:
    """Every accounts file in these tests is the one beside the test's warehouse."""
    with pytest.MonkeyPatch.context() as env:
        env.delenv("HNFL_ACCOUNTS", raising=False)
        env.delenv("HNFL_ADMIN_PASSWORD", raising=False)
        yield


# ---------------------------------------------------------------- helpers


@functools.cache
def fairs_return(year: int, *cities: str, value: int = 44, single: bool = False) -> bytes:
    """The official template with 举办招聘会场次 filled for `cities` (names); `single` = that one 市州's template."""
    code = catalog.find_region(cities[0]).code if single else None
    return filled_template(year, {(FAIRS[0], city, FAIRS[1]): value for city in cities}, region_code=code)


def fairs(db: Path, city: str, year: int = 2016) -> float | None:
    return stored(db, year).get((city, year, FAIRS[1]))


def etl(*args: object, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """python -m etl in its own process, as an administrator runs it on the server."""
    env = {k: v for k, v in os.environ.items() if k not in ("HNFL_ACCOUNTS", "HNFL_WAREHOUSE", "HNFL_ADMIN_PASSWORD")}
    return subprocess.run(
        [sys.executable, "-m", "etl", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
    )


def latest(db: Path, *keys: str) -> tuple:
    """Fields of the newest audit entry."""
    entry = audit.entries(db, limit=1)[0]
    return tuple(entry[key] for key in keys)


def assert_refusal_audited(db: Path, actor: User, action: str, *, contains: str = "") -> dict:
    """The newest audit entry records this refusal."""
    entry = audit.entries(db, limit=1)[0]
    assert (entry["actor"], entry["role"]) == (actor.name, actor.role)
    assert (entry["action"], entry["outcome"]) == (action, audit.REFUSED)
    assert contains in entry["detail"]
    return entry


def only_issue(report: FileReport) -> tuple[str, str, str]:
    assert report.status == REFUSED
    assert len(report.issues) == 1, [i.describe() for i in report.issues]
    issue = report.issues[0]
    return issue.code, issue.location, issue.message


def assert_just_locked_by(message: str, scope: str, user: User) -> None:
    """The refusal says who locked `scope` (长沙市2016年, 全省2016年) and when: minutes ago, in Beijing time."""
    found = re.search(rf"{scope}的数据已由 (\S+) 于 (\d{{4}}-\d\d-\d\d \d\d:\d\d) 审核锁定", message)
    assert found, message
    assert found[1] == user.name
    at = datetime.strptime(found[2], "%Y-%m-%d %H:%M")
    assert timedelta(0) <= warehouse.now_beijing() - at < timedelta(minutes=5)


@pytest.fixture(scope=backend_scope("module"))
def base_warehouse(tmp_path_factory, pg_server) -> Path:
    """长沙市 2016 in two versions (44 then 45), 株洲市 2016 once: made once, copied into each test."""
    db = tmp_path_factory.mktemp("base") / "warehouse.duckdb"

    def build() -> None:
        for name, data in (
            ("cs-v1.xlsx", fairs_return(2016, "长沙市", value=44)),
            ("zz-v1.xlsx", fairs_return(2016, "株洲市", value=30)),
            ("cs-v2.xlsx", fairs_return(2016, "长沙市", value=45)),
        ):
            assert load_bytes(data, name, db, actor=SYSTEM).status == LOADED

    if pg_server is None:
        build()
    else:  # this test's database becomes a copy of one built once
        pg_server.reset(config.database_url(), "access_base", build)
    return db


@pytest.fixture
def db(base_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the base warehouse, without accounts or audit log yet."""
    target = tmp_path / "warehouse.duckdb"
    copy_warehouse(base_warehouse, target)
    return target


def _add_two_statisticians(db: Path) -> None:
    accounts.add_user(SYSTEM, "cs", STATISTICIAN, PASSWORDS["first"], "长沙市", db_path=db)
    accounts.add_user(SYSTEM, "zz", STATISTICIAN, PASSWORDS["own"], "株洲市", db_path=db)


@pytest.fixture(scope="module")
def accounts_template(tmp_path_factory, pg_server) -> Path:
    """Accounts "cs" (长沙市) and "zz" (株洲市), 统计员: hashing is slow, so they are made once and copied (on
    PostgreSQL, see `seeded`)."""
    db = tmp_path_factory.mktemp("accounts") / "warehouse.duckdb"
    if pg_server is None:
        _add_two_statisticians(db)
    return config.accounts_path(db)


@pytest.fixture
def seeded(db: Path, accounts_template: Path, pg_server) -> None:
    """The two accounts beside the warehouse copy; its audit log starts with their creation."""
    if pg_server is None:
        shutil.copyfile(accounts_template, config.accounts_path(db))
    else:  # the base warehouse with the two accounts, built once
        build = functools.partial(_add_two_statisticians, db)
        pg_server.reset(config.database_url(), "access_seeded", build, base="access_base", accounts=True)


# ---------------------------------------------------------------- 1. the role × action matrix

Y, N = True, False
# action: (管理员, 审核员, 领导, 长沙统计员 on 长沙市, on 芙蓉区 (a 长沙 县市区), on 株洲市, on no particular 市州)
MATRIX = {
    VIEW: (Y, Y, Y, Y, Y, Y, Y),
    UPLOAD: (Y, N, N, Y, Y, N, Y),
    RESTORE: (Y, N, N, Y, Y, N, Y),
    EXPORT: (Y, Y, Y, Y, Y, N, Y),
    REVIEW: (Y, Y, N, N, N, N, N),
    PENDING: (Y, Y, N, Y, Y, Y, Y),  # staff see figures not yet reviewed; leaders only published ones
    LOCK: (Y, N, N, N, N, N, N),
    USERS: (Y, N, N, N, N, N, N),
    AUDIT: (Y, N, N, N, N, N, N),
    CATALOG: (Y, N, N, N, N, N, N),
    DEADLINE: (Y, N, N, N, N, N, N),
}
SUBJECTS = (
    ("管理员", ADMIN_USER, (ZHUZHOU,)),
    ("审核员", REVIEWER_USER, (ZHUZHOU,)),
    ("领导", LEADER_USER, (ZHUZHOU,)),
    ("统计员·本市", CS_USER, (CHANGSHA,)),
    ("统计员·本市县区", CS_USER, (FURONG,)),
    ("统计员·他市", CS_USER, (ZHUZHOU,)),
    ("统计员·不限市州", CS_USER, ()),
)
CASES = [
    pytest.param(user, action, regions, row[i], id=f"{label}-{action}")
    for action, row in MATRIX.items()
    for i, (label, user, regions) in enumerate(SUBJECTS)
]


def test_matrix_covers_every_action_and_role():
    assert set(MATRIX) == set(roles.ACTION_NAMES)
    assert {user.role for _, user, _ in SUBJECTS} == set(roles.ROLES)


@pytest.mark.parametrize(("user", "action", "regions", "expected"), CASES)
def test_role_action_matrix(user, action, regions, expected):
    assert allowed(user, action, regions) is expected
    if expected:
        check(user, action, regions)
    else:
        with pytest.raises(PermissionDenied):
            check(user, action, regions)


@pytest.mark.parametrize(
    ("user", "action", "regions"),
    [
        pytest.param(CS_USER, UPLOAD, (CHANGSHA, ZHUZHOU), id="统计员-本市与他市一起"),
        pytest.param(User("未绑定", STATISTICIAN), UPLOAD, (CHANGSHA,), id="统计员-未绑定市州"),
        pytest.param(User("来客", "访客"), VIEW, (), id="未知角色"),
    ],
)
def test_matrix_edges_are_refused(user, action, regions):
    assert not allowed(user, action, regions)


def test_refusal_messages_are_chinese_and_name_the_cities():
    with pytest.raises(PermissionDenied, match="您的角色（领导）不能审核锁定。如确需操作，请联系管理员。"):
        check(LEADER_USER, LOCK)
    with pytest.raises(PermissionDenied, match="本市州（长沙市）") as refused:
        check(CS_USER, EXPORT, [CHANGSHA, ZHUZHOU, "430300"])
    assert "株洲市、湘潭市" in str(refused.value)


# ---------------------------------------------------------------- 2. refusals at the server entry points


def test_leader_upload_refused_before_the_warehouse_is_touched(db):
    before = fingerprint(db)
    report = load_bytes(fairs_return(2016, "长沙市", value=99), "leader.xlsx", db, actor=LEADER_USER)
    code, where, message = only_issue(report)
    assert (code, where) == ("not-permitted", "")
    assert message == "您的角色（领导）不能上报数据。如确需操作，请联系管理员。"
    assert fingerprint(db) == before
    assert fairs(db, "长沙市") == 45
    assert_refusal_audited(db, LEADER_USER, "refusal", contains="不能上报数据")
    assert check_bytes(fairs_return(2016, "长沙市"), "leader.xlsx", db_path=db, actor=LEADER_USER).status == REFUSED


def test_statistician_refused_another_citys_return_at_its_cell(db):
    before = fingerprint(db)
    data = fairs_return(2016, "株洲市", value=31)
    report = load_bytes(data, "zz.xlsx", db, actor=CS_USER)
    assert only_issue(report) == (
        "region-not-permitted",
        "就业创业!B6",
        "您是长沙市的统计员，不能上报株洲市的数据。请删除株洲市的数据，或由株洲市的统计员上报。",
    )
    assert fingerprint(db) == before
    entry = assert_refusal_audited(db, CS_USER, "refusal", contains="就业创业!B6")
    assert (entry["file_name"], entry["file_sha256"]) == ("zz.xlsx", hashlib.sha256(data).hexdigest())


def test_statistician_return_with_own_and_other_city_is_refused_whole(db):
    before = fingerprint(db)
    report = load_bytes(fairs_return(2016, "长沙市", "株洲市", value=50), "both.xlsx", db, actor=CS_USER)
    assert only_issue(report)[:2] == ("region-not-permitted", "就业创业!B6")
    assert fingerprint(db) == before
    assert (fairs(db, "长沙市"), fairs(db, "株洲市")) == (45, 30)


def test_statistician_loads_own_city(db):
    data = fairs_return(2016, "长沙市", value=46, single=True)
    report = load_bytes(data, "cs-v3.xlsx", db, actor=CS_USER)
    assert report.status == LOADED, [i.describe() for i in report.issues]
    assert (report.store.added, report.store.changed) == (0, 1)
    assert fairs(db, "长沙市") == 46
    sha256 = hashlib.sha256(data).hexdigest()
    assert latest(db, "actor", "action", "outcome") == (CS_USER.name, "upload", audit.OK)
    assert latest(db, "region_code", "year", "file_name", "file_sha256") == (CHANGSHA, 2016, "cs-v3.xlsx", sha256)
    with warehouse.connect(db, read_only=True) as con:
        assert warehouse.submissions_list(con)[0]["submitted_by"] == CS_USER.name


ADMIN_ONLY = {
    "lock": lambda user, db: actions.lock(user, db, 2016, CHANGSHA),
    "unlock": lambda user, db: actions.unlock(user, db, 2016, CHANGSHA),
    "deadline": lambda user, db: actions.set_deadline(user, db, 2017, date(2017, 3, 31)),
}


@pytest.mark.parametrize("user", [LEADER_USER, CS_USER, REVIEWER_USER], ids=["领导", "统计员", "审核员"])
@pytest.mark.parametrize("action", ADMIN_ONLY)
def test_admin_only_actions_refused(db, user, action):
    before = fingerprint(db)
    with pytest.raises(PermissionDenied, match=f"您的角色（{user.role}）不能"):
        ADMIN_ONLY[action](user, db)
    assert fingerprint(db) == before
    assert_refusal_audited(db, user, "denied", contains=f"{action}：您的角色")
    assert len(audit.entries(db)) == 1


def test_restore_of_another_citys_version_refused(db):
    before = fingerprint(db)
    with pytest.raises(PermissionDenied, match="本市州（株洲市）.*长沙市"):
        actions.restore_version(ZZ_USER, db, CHANGSHA, 2016, "jobs", 1)
    assert fingerprint(db) == before
    entry = assert_refusal_audited(db, ZZ_USER, "denied", contains="restore：")
    assert (entry["region_code"], entry["year"]) == (CHANGSHA, 2016)
    # The city's own 统计员 may: version 1 becomes current again, as version 3.
    result = actions.restore_version(CS_USER, db, CHANGSHA, 2016, "jobs", 1)
    assert fairs(db, "长沙市") == 44
    assert latest(db, "actor", "action", "outcome") == (CS_USER.name, "restore", audit.OK)
    with warehouse.connect(db, read_only=True) as con:
        versions = warehouse.slice_versions_of(con, CHANGSHA, 2016, "jobs")
    assert sorted(v["version"] for v in versions) == [1, 2, 3]
    assert result.changed == 1


@pytest.mark.parametrize(
    ("user", "regions", "permitted"),
    [
        pytest.param(ZZ_USER, [CHANGSHA], False, id="统计员-他市"),
        pytest.param(CS_USER, [CHANGSHA, ZHUZHOU], False, id="统计员-本市与他市"),
        pytest.param(CS_USER, [CHANGSHA], True, id="统计员-本市"),
        pytest.param(LEADER_USER, ALL_CITIES, True, id="领导-全部"),
        pytest.param(ADMIN_USER, ALL_CITIES, True, id="管理员-全部"),
    ],
)
def test_export_checked_and_audited(db, user, regions, permitted):
    before = fingerprint(db)
    run = lambda: actions.export(user, regions, what="明细", file_name="明细.csv", db_path=db, year=2016)  # noqa: E731
    if permitted:
        run()
        expected = ("export", audit.OK)
    else:
        with pytest.raises(PermissionDenied, match="统计员只能导出本市州"):
            run()
        expected = ("denied", audit.REFUSED)
    assert latest(db, "actor", "action", "outcome") == (user.name, *expected)
    single = regions[0] if len(regions) == 1 else None
    assert latest(db, "file_name", "year", "region_code") == ("明细.csv", 2016, single)
    assert fingerprint(db) == before


# ---------------------------------------------------------------- 3. review locks


def test_city_lock_refuses_loads_and_restores_until_unlocked(db):
    assert actions.lock(ADMIN_USER, db, 2016, CHANGSHA) is True
    assert actions.lock(ADMIN_USER, db, 2016, CHANGSHA) is False  # already locked: nothing changes, nothing logged
    assert [(e["action"], e["actor"], e["region_code"], e["year"]) for e in audit.entries(db)] == [
        ("lock", ADMIN_USER.name, CHANGSHA, 2016)
    ]
    before = fingerprint(db)

    report = load_bytes(fairs_return(2016, "长沙市", value=46), "cs-v3.xlsx", db, actor=CS_USER)
    code, where, message = only_issue(report)
    assert (code, where) == ("slice-locked", "就业创业!B5")
    assert message.endswith("审核锁定，不能再上报。如需更正，请联系管理员解除锁定。")
    assert_just_locked_by(message, "长沙市2016年", ADMIN_USER)
    assert fingerprint(db) == before
    assert_refusal_audited(db, CS_USER, "refusal", contains=ADMIN_USER.name)
    preview = check_bytes(fairs_return(2016, "长沙市", value=46), "cs-v3.xlsx", db_path=db, actor=CS_USER)
    assert [i.code for i in preview.issues] == ["slice-locked"]

    with pytest.raises(warehouse.SliceLocked) as locked:
        actions.restore_version(CS_USER, db, CHANGSHA, 2016, "jobs", 1)
    assert_just_locked_by(str(locked.value), "长沙市2016年", ADMIN_USER)
    assert fingerprint(db) == before
    assert_refusal_audited(db, CS_USER, "restore", contains="审核锁定")

    # Another 市州 and another year of the same 市州 are not locked.
    assert load_bytes(fairs_return(2016, "株洲市", value=32), "zz.xlsx", db, actor=ZZ_USER).status == LOADED
    assert load_bytes(fairs_return(2017, "长沙市", value=50), "cs-2017.xlsx", db, actor=CS_USER).status == LOADED

    assert actions.unlock(ADMIN_USER, db, 2016, CHANGSHA) is True
    assert actions.unlock(ADMIN_USER, db, 2016, CHANGSHA) is False
    assert latest(db, "action", "actor", "detail") == ("unlock", ADMIN_USER.name, "长沙市2016年")
    assert load_bytes(fairs_return(2016, "长沙市", value=46), "cs-v3.xlsx", db, actor=CS_USER).status == LOADED
    assert fairs(db, "长沙市") == 46
    assert [e["action"] for e in audit.entries(db) if e["action"] in ("lock", "unlock")] == ["unlock", "lock"]


def test_whole_year_lock_blocks_every_city_of_that_year_only(db):
    assert actions.lock(ADMIN_USER, db, 2016) is True
    assert latest(db, "action", "region_code", "year", "detail") == ("lock", None, 2016, "全省2016年")
    before = fingerprint(db)
    names = [c.name for c in catalog.cities()]

    report = load_bytes(fairs_return(2016, *names, value=60), "province-2016.xlsx", db, actor=SYSTEM)
    assert report.status == REFUSED
    assert {i.code for i in report.issues} == {"slice-locked"}
    assert sorted(i.location for i in report.issues) == sorted(
        f"就业创业!B{row}" for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(names))
    )
    for issue in report.issues:
        assert_just_locked_by(issue.message, "全省2016年", ADMIN_USER)
    assert fingerprint(db) == before
    for user, city in ((CS_USER, "长沙市"), (ZZ_USER, "株洲市")):
        refused = load_bytes(fairs_return(2016, city, value=61, single=True), f"{city}.xlsx", db, actor=user)
        assert only_issue(refused)[0] == "slice-locked"
    assert fingerprint(db) == before

    assert load_bytes(fairs_return(2017, *names, value=70), "province-2017.xlsx", db, actor=SYSTEM).status == LOADED
    assert {fairs(db, name, 2017) for name in names} == {70}

    actions.unlock(ADMIN_USER, db, 2016)
    assert load_bytes(fairs_return(2016, *names, value=60), "province-2016.xlsx", db, actor=SYSTEM).status == LOADED
    assert {fairs(db, name) for name in names} == {60}


# ---------------------------------------------------------------- 4. accounts


def user_hashes(db: Path) -> dict[str, str]:
    with store.connect(config.accounts_path(db)) as con:
        return dict(con.execute("select name, password_hash from users").fetchall())


@pytest.mark.slow
def test_passwords_are_stored_only_as_argon2_hashes(db, tmp_path):
    accounts.add_user(SYSTEM, "cs", STATISTICIAN, PASSWORDS["first"], "长沙市", db_path=db)
    assert accounts.authenticate("cs", PASSWORDS["first"], db_path=db) == User("cs", STATISTICIAN, CHANGSHA)
    with pytest.raises(LoginRefused, match="用户名或密码错误"):
        accounts.authenticate("cs", PASSWORDS["wrong"], db_path=db)
    accounts.set_password(SYSTEM, "cs", PASSWORDS["reset"], db_path=db)
    accounts.change_own_password(User("cs", STATISTICIAN, CHANGSHA), PASSWORDS["reset"], PASSWORDS["own"], db_path=db)
    assert accounts.authenticate("cs", PASSWORDS["own"], db_path=db).name == "cs"
    with pytest.raises(LoginRefused):
        accounts.authenticate("cs", PASSWORDS["first"], db_path=db)
    added = etl(
        "users", "add", "cs2", "--role", "统计员", "--region", "长沙市", "--db", db, stdin=PASSWORDS["cli"] + "\n"
    )
    assert added.returncode == 0, added.stderr
    assert accounts.authenticate("cs2", PASSWORDS["cli"], db_path=db).region_code == CHANGSHA

    hashes = user_hashes(db)
    assert set(hashes) == {"cs", "cs2"}
    assert all(h.startswith("$argon2id$") for h in hashes.values())
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    if not config.database_url():  # on PostgreSQL both live in the database server
        assert {db.name, "accounts.sqlite3"} <= {path.name for path in files}
    log = json.dumps(audit.entries(db), ensure_ascii=False)
    assert {e["action"] for e in audit.entries(db)} >= {"user_add", "login", "login_failed", "passwd"}
    for password in PASSWORDS.values():
        assert password not in log
        assert password not in added.stdout + added.stderr
        for path in files:
            assert password.encode() not in path.read_bytes(), path


ATTACKER, OFFICE = "203.0.113.66", "10.20.0.7"


def try_login(db: Path, name: str, password: str, client: str, at: float) -> str:
    """'ok', or the Chinese refusal."""
    try:
        accounts.authenticate(name, password, client=client, db_path=db, now=at)
    except LoginRefused as refused:
        return str(refused)
    return "ok"


@pytest.mark.slow
@pytest.mark.usefixtures("seeded")
def test_wrong_passwords_from_one_address_cannot_lock_the_account_out(db):
    """Defect 3: five wrong passwords used to lock the name out for everyone for 15 minutes."""
    t0 = 1_900_000_000.0
    messages = [try_login(db, "cs", PASSWORDS["wrong"], ATTACKER, t0 + i) for i in range(config.LOGIN_MAX_FAILURES)]
    assert messages[:2] == ["用户名或密码错误。"] * 2
    assert messages[3] == "用户名或密码错误。再错 1 次需等待 30 秒才能再试。"
    assert messages[4] == "用户名或密码错误。失败次数过多，请 30 秒后再试。"
    too_soon = "登录失败次数过多，请 30 秒后再试；如急需登录，请联系管理员。"
    assert try_login(db, "cs", PASSWORDS["first"], ATTACKER, t0 + 4.5) == too_soon  # even the right password waits
    assert try_login(db, "cs", PASSWORDS["first"], OFFICE, t0 + 5) == "ok"  # the owner, elsewhere: at once
    assert try_login(db, "cs", PASSWORDS["first"], "", t0 + 5) == "ok"  # and on the server itself

    # Each further failure from that address doubles its wait: 30 s, 60 s, 2 min, … at most 15 min.
    waits, at = [], t0 + 4
    for _ in range(8):
        at += accounts.backoff(*failures(db, "cs", ATTACKER), at) + 1
        assert try_login(db, "cs", PASSWORDS["wrong"], ATTACKER, at).startswith("用户名或密码错误。")
        waits.append(round(accounts.backoff(*failures(db, "cs", ATTACKER), at)))
    assert waits == [60, 120, 240, 480, 900, 900, 900, 900]
    assert try_login(db, "cs", PASSWORDS["first"], ATTACKER, at + 60) == (
        "登录失败次数过多，请 14 分钟后再试；如急需登录，请联系管理员。"
    )

    attempts = [(e["outcome"], e["detail"]) for e in audit.entries(db, actor="cs", actions=["login_failed"])]
    assert sorted(set(attempts)) == [
        (audit.FAILED, f"用户名或密码错误（来自 {ATTACKER}）"),
        (audit.REFUSED, f"失败次数过多，稍后再试（来自 {ATTACKER}）"),
    ]
    assert [attempts.count(kind) for kind in sorted(set(attempts))] == [13, 2]
    logins = [e["detail"] for e in audit.entries(db, actor="cs", actions=["login"])]
    assert logins == ["来自本机", f"来自 {OFFICE}"]


def failures(db: Path, name: str, client: str) -> tuple[int, float | None]:
    from etl.access import store

    with store.connect(config.accounts_path(db)) as con:
        return store.failures_of(con, name, client, 0)


@pytest.mark.slow
@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("recovery", ["etl users enable", "etl users passwd"])
def test_the_back_off_is_cleared_by_enable_or_a_reset(db, recovery):
    t0 = 1_900_000_000.0
    for i in range(config.LOGIN_MAX_FAILURES + 3):
        try_login(db, "cs", PASSWORDS["wrong"], OFFICE, t0 + i)
    assert try_login(db, "cs", PASSWORDS["first"], OFFICE, t0 + 10).startswith("登录失败次数过多")
    if recovery == "etl users enable":
        done, password = etl("users", "enable", "cs", "--db", db), PASSWORDS["first"]
    else:
        done, password = etl("users", "passwd", "cs", "--db", db, stdin=PASSWORDS["reset"] + "\n"), PASSWORDS["reset"]
    assert done.returncode == 0, done.stderr
    assert try_login(db, "cs", password, OFFICE, t0 + 11) == "ok"


@pytest.mark.usefixtures("seeded")
def test_many_failures_slow_every_log_in_down_but_refuse_none(db, monkeypatch):
    slept = []
    monkeypatch.setattr(accounts, "_sleep", slept.append)
    t0 = 1_900_000_000.0
    assert try_login(db, "guess", PASSWORDS["wrong"], "198.51.100.1", t0) != "ok"
    assert slept == []  # below the threshold nobody waits
    from etl.access import store

    with store.connect(config.accounts_path(db)) as con:  # the rest of a spray across names and addresses
        for i in range(1, config.LOGIN_GLOBAL_FAILURES):
            store.add_failure(con, f"guess{i % 7}", f"198.51.100.{i}", t0 + i / 10)
    assert try_login(db, "cs", PASSWORDS["first"], OFFICE, t0 + 4) == "ok"
    assert slept == [config.LOGIN_GLOBAL_DELAY_SECONDS]  # slowed, not refused
    assert try_login(db, "zz", PASSWORDS["own"], OFFICE, t0 + 70) == "ok"  # a minute later: no delay
    assert slept == [config.LOGIN_GLOBAL_DELAY_SECONDS]


@pytest.mark.slow
@pytest.mark.usefixtures("seeded")
def test_unknown_and_disabled_users_refused(db):
    with pytest.raises(LoginRefused, match="^用户名或密码错误。$"):
        accounts.authenticate("nobody", PASSWORDS["first"], db_path=db)
    with pytest.raises(LoginRefused, match="请输入用户名和密码"):
        accounts.authenticate("cs", "", db_path=db)

    accounts.set_disabled(SYSTEM, "cs", True, db_path=db)
    assert accounts.find_account("cs", db_path=db).disabled is True
    with pytest.raises(LoginRefused, match="^该账号已停用，请联系管理员。$"):
        accounts.authenticate("cs", PASSWORDS["first"], db_path=db)
    assert latest(db, "action", "outcome", "detail") == ("login_failed", audit.REFUSED, "账号已停用（来自本机）")
    accounts.set_disabled(SYSTEM, "cs", False, db_path=db)
    assert accounts.authenticate("cs", PASSWORDS["first"], db_path=db).name == "cs"


def test_last_active_admin_cannot_be_disabled(db):
    accounts.add_user(SYSTEM, "root", ADMIN, PASSWORDS["first"], db_path=db)
    with pytest.raises(AccountError, match="不能停用最后一个管理员"):
        accounts.set_disabled(SYSTEM, "root", True, db_path=db)
    accounts.add_user(SYSTEM, "root2", ADMIN, PASSWORDS["own"], db_path=db)
    accounts.set_disabled(SYSTEM, "root", True, db_path=db)
    with pytest.raises(AccountError, match="不能停用最后一个管理员"):
        accounts.set_disabled(SYSTEM, "root2", True, db_path=db)
    assert {u["name"]: u["disabled"] for u in accounts.list_users(db)} == {"root": 1, "root2": 0}


@pytest.mark.parametrize(
    ("actor", "name", "role", "password", "region", "error", "message"),
    [
        pytest.param(
            SYSTEM, "cs", STATISTICIAN, "nine-char", "长沙市", AccountError, "密码至少 10 个字符", id="短密码"
        ),
        pytest.param(
            SYSTEM, "changsha-tjy", STATISTICIAN, "Changsha-TJY", "长沙市", AccountError, "不能与用户名相同", id="同名"
        ),
        pytest.param(
            SYSTEM, "cs", STATISTICIAN, PASSWORDS["first"], None, AccountError, "必须绑定一个市州", id="无市州"
        ),
        pytest.param(SYSTEM, "cs", STATISTICIAN, PASSWORDS["first"], "芙蓉区", AccountError, "市州", id="县区"),
        pytest.param(SYSTEM, "c s", LEADER, PASSWORDS["first"], None, AccountError, "用户名须为", id="空格"),
        pytest.param(
            SYSTEM,
            "[x](javascript:alert(1))",
            LEADER,
            PASSWORDS["first"],
            None,
            AccountError,
            "用户名须为",
            id="markdown",
        ),
        pytest.param(SYSTEM, "=cmd", LEADER, PASSWORDS["first"], None, AccountError, "用户名须为", id="公式"),
        pytest.param(LEADER_USER, "cs", LEADER, PASSWORDS["first"], None, PermissionDenied, "管理用户", id="领导"),
    ],
)
def test_add_user_refusals(db, actor, name, role, password, region, error, message):
    with pytest.raises(error, match=message):
        accounts.add_user(actor, name, role, password, region, db_path=db)
    assert accounts.list_users(db) == []


@pytest.mark.usefixtures("seeded")
def test_short_password_reset_refused(db):
    before = user_hashes(db)
    with pytest.raises(AccountError, match="密码至少 10 个字符"):
        accounts.set_password(SYSTEM, "cs", "123456789", db_path=db)
    with pytest.raises(PermissionDenied):
        accounts.set_password(User("zz", STATISTICIAN, ZHUZHOU), "cs", PASSWORDS["own"], db_path=db)
    assert user_hashes(db) == before


def test_bootstrap_admin_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("HNFL_ADMIN_PASSWORD", PASSWORDS["reset"])
    assert accounts.bootstrap_admin(db_path=db) is None
    assert accounts.authenticate("admin", PASSWORDS["reset"], db_path=db).role == ADMIN
    assert accounts.bootstrap_admin(db_path=db) is None
    assert [u["name"] for u in accounts.list_users(db)] == ["admin"]


def test_bootstrap_admin_generated_once(db):
    generated = accounts.bootstrap_admin(db_path=db)
    assert generated is not None
    assert len(generated) >= config.MIN_PASSWORD_LENGTH
    assert accounts.authenticate("admin", generated, db_path=db) == User("admin", ADMIN)
    hashes = user_hashes(db)
    assert accounts.bootstrap_admin(db_path=db) is None
    assert user_hashes(db) == hashes
    assert generated not in json.dumps(audit.entries(db), ensure_ascii=False)


# ---------------------------------------------------------------- 5. the audit log


def test_cli_load_is_audited_and_the_log_cannot_be_edited(db, tmp_path):
    data = fairs_return(2016, "长沙市", value=47, single=True)
    path = tmp_path / "长沙市2016.xlsx"
    path.write_bytes(data)
    loaded = etl("load", path, "--db", db)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    sha256 = hashlib.sha256(data).hexdigest()
    actor, role, action, outcome = latest(db, "actor", "role", "action", "outcome")
    assert (actor.split(":")[0], role, action, outcome) == ("命令行", ADMIN, "upload", audit.OK)
    assert latest(db, "file_name", "file_sha256", "region_code", "year") == (path.name, sha256, CHANGSHA, 2016)

    printed = etl("audit", "--db", db)
    assert printed.returncode == 0, printed.stderr
    line = printed.stdout.splitlines()[0]
    assert "\t上报\t成功\t" in line
    assert line.endswith(f"{path.name} {sha256[:12]}")

    entries = audit.entries(db)
    statements = ["update audit_log set actor = 'someone else'", "delete from audit_log"]
    if config.database_url():
        statements.append("truncate audit_log")
    for statement in statements:
        with pytest.raises(Exception, match="append-only") as refused, store.connect(config.accounts_path(db)) as con:
            con.execute(statement)
        assert type(refused.value).__name__ in ("IntegrityError", "RaiseException"), refused.value
    assert audit.entries(db) == entries
    audit.record(ADMIN_USER, "backup", db_path=db)  # appending still works
    assert [e["action"] for e in audit.entries(db)] == ["backup", "upload"]


# ---------------------------------------------------------------- 6. the command line


@pytest.mark.slow
def test_cli_users_and_locks(db, tmp_path):
    added = etl(
        "users", "add", "cs1", "--role", "统计员", "--region", "长沙市", "--db", db, stdin=PASSWORDS["cli"] + "\n"
    )
    assert (added.returncode, added.stdout.strip()) == (0, "已新增账号 cs1（统计员·长沙市）。"), added.stderr
    listed = etl("users", "list", "--db", db)
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[0].startswith("cs1\t统计员\t长沙市\t正常\t建立于 ")
    assert "$argon2" not in listed.stdout
    assert PASSWORDS["cli"] not in listed.stdout

    path = tmp_path / "cs-2016.xlsx"
    path.write_bytes(fairs_return(2016, "长沙市", value=48, single=True))
    locked = etl("lock", "--year", 2016, "--region", "长沙市", "--db", db)
    assert (locked.returncode, locked.stdout.strip()) == (0, "已锁定：长沙市2016年。")
    before = fingerprint(db)
    refused = etl("load", path, "--db", db)
    assert refused.returncode == 1
    assert "审核锁定" in refused.stdout
    assert "就业创业!B5" in refused.stdout
    assert fingerprint(db) == before

    unlocked = etl("unlock", "--year", 2016, "--region", "长沙市", "--db", db)
    assert (unlocked.returncode, unlocked.stdout.strip()) == (0, "已解除锁定：长沙市2016年。")
    assert etl("load", path, "--db", db).returncode == 0
    assert fairs(db, "长沙市") == 48
    actions_logged = [e["action"] for e in audit.entries(db)]
    assert actions_logged == ["upload", "unlock", "refusal", "lock", "user_add"]


def test_terminal_escapes_in_log_in_names_are_stored_and_printed_escaped(db):
    """Defect 6: ESC[2J typed as a user name reached `python -m etl audit` raw and cleared the screen."""
    from etl.access import store

    hostile = "\x1b[2J\x1b]0;pwned\x07root\u202egnp.exe"
    with pytest.raises(LoginRefused):
        accounts.authenticate(hostile, PASSWORDS["wrong"], db_path=db)
    shown = "\\x1b[2J\\x1b]0;pwned\\x07root\\u202egnp.exe"
    assert latest(db, "actor", "action") == (shown, "login_failed")
    with store.connect(config.accounts_path(db)) as con:  # an entry written before names were escaped
        store.append_audit(con, {"at": "2024-01-01 00:00:00", "actor": "\x1b[31mold", "role": "", "action": "login",
                                 "outcome": "ok", "detail": "\x1b[2J"})  # fmt: skip
    printed = etl("audit", "--db", db)
    assert printed.returncode == 0, printed.stderr
    assert "\x1b" not in printed.stdout and "\x07" not in printed.stdout and "\u202e" not in printed.stdout
    lines = printed.stdout.splitlines()
    assert lines[0].split("\t")[1:4] == ["\\x1b[31mold", "登录", "成功"] and lines[0].endswith("\t\\x1b[2J")
    assert lines[1].split("\t")[1:4] == [shown, "登录失败", "失败"]
