-- Accounts, log-in failures, sessions and the audit log: a SQLite file beside the warehouse (accounts.sqlite3).
-- Kept out of the DuckDB file so that logins and exports, which write here, neither wait for a load's
-- lock nor invalidate the pages' caches (keyed by the warehouse file's version). Idempotent: a file made before
-- migrations existed runs it too (store.py first rebuilds a users table from before the 审核员 role).

create table if not exists users (
    name                varchar primary key,
    role                varchar not null check (role in ('统计员', '审核员', '领导', '管理员')),
    region_code         varchar,               -- the 市州 a 统计员 reports for
    password_hash       varchar not null,      -- argon2id, salted; never the password
    disabled            integer not null default 0,
    created_at          varchar not null,
    created_by          varchar not null,
    password_changed_at varchar not null,
    check (role <> '统计员' or region_code is not null)
);

-- One row per failed login, by the name typed (known or not) and the address it came from: the back-off
-- counts a (name, address)'s rows since they were last cleared; the global slow-down counts everyone's.
create table if not exists login_failures (
    name   varchar not null,                   -- control characters escaped
    at     real not null,                      -- unix time
    client varchar not null default ''         -- the browser's address as the app sees it ('' = this machine)
);
create index if not exists login_failures_name on login_failures (name, at);
create index if not exists login_failures_at on login_failures (at);

create table if not exists audit_log (
    entry_id    integer primary key autoincrement,
    at          varchar not null,              -- Beijing time, ISO 8601
    actor       varchar not null,
    role        varchar not null,
    action      varchar not null,
    outcome     varchar not null,              -- ok | refused | failed
    region_code varchar,
    year        integer,
    detail      varchar not null default '',
    file_name   varchar,
    file_sha256 varchar
);
create index if not exists audit_log_at on audit_log (at);

-- Append-only: no statement may change or remove an entry.
create trigger if not exists audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
create trigger if not exists audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;

-- Log-in sessions. The browser keeps the token in an HttpOnly cookie; only its SHA-256 is stored. Every
-- run of the app and every action checks its session here, so a session that ends (log-out, time-out,
-- disabled account, password reset or change) ends in every tab at its next click.
create table if not exists sessions (
    token_sha256 varchar primary key,
    name         varchar not null,
    created_at   real not null,               -- unix time
    last_seen    real not null,
    ended        integer not null default 0,
    end_reason   varchar                      -- logout | timeout | disabled | password_reset | password_changed
);
