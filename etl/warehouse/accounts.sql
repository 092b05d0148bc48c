-- Accounts, login attempts and the audit log: a SQLite file beside the warehouse (accounts.sqlite3).
-- Kept out of the DuckDB file so that logins and exports, which write here, neither wait for a load's
-- lock nor invalidate the pages' caches (keyed by the warehouse file's version).

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

-- One row per failed login, by the name typed (known or not): the rate limit counts recent rows.
create table if not exists login_failures (
    name varchar not null,
    at   real not null                         -- unix time
);
create index if not exists login_failures_name on login_failures (name, at);

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

-- Log-in sessions, so that reloading the page does not log out. The browser keeps the token in a
-- cookie; only its SHA-256 is stored. A session ends at log-out, at time-out, or when the user is disabled.
create table if not exists sessions (
    token_sha256 varchar primary key,
    name         varchar not null,
    created_at   real not null,               -- unix time
    last_seen    real not null,
    ended        integer not null default 0
);
