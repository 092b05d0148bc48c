-- 0001: the warehouse's tables as the review release left them (raw facts with provenance, versions of each
-- slice with their review state, the facts on show, locks and deadlines). Idempotent, in both dialects: a
-- DuckDB warehouse made before migrations existed runs it too, which brings even a pre-review one up to date
-- (see connection.py for its locks). Views live in views.sql and marts.sql, recreated after every migration.

create sequence if not exists submission_id_seq start 1;

create table if not exists schema_info (
    key   varchar primary key,
    value varchar not null
);

-- Reference data, copied from etl/reference/*.csv whenever those files change.
create table if not exists regions (
    code        varchar primary key,  -- GB/T 2260
    name        varchar not null,
    short_name  varchar not null,
    parent_code varchar,              -- 430000 for the 14 市州; a 市州's code for its 县市区
    level       varchar not null,     -- province | city | county
    sort_order  integer not null
);

create table if not exists domains (
    code               varchar primary key,
    name               varchar not null,
    sort_order         integer not null,
    headline_indicator varchar not null
);

create table if not exists indicators (
    code       varchar primary key,
    domain     varchar not null,
    name       varchar not null,
    unit       varchar not null,      -- 场, 个, 人, 人次, 期, 笔, 万元
    kind       varchar not null,      -- count (whole numbers) | amount (万元, decimals)
    sort_order integer not null,
    definition varchar not null
);

-- Derived rates (etl/reference/rates.csv): numerator ÷ denominator × factor, where both are reported.
create table if not exists rates (
    code        varchar primary key,
    domain      varchar not null,
    name        varchar not null,
    unit        varchar not null,
    numerator   varchar not null,
    denominator varchar not null,
    factor      double precision not null,
    sort_order  integer not null
);

-- One row per accepted file (or restore): who sent what, when.
create table if not exists submissions (
    submission_id bigint primary key,
    submitted_at  timestamp not null,
    submitted_by  varchar not null,
    source        varchar not null,   -- cli | app | demo | restore
    file_name     varchar not null,   -- as sent; shown to people, never used as a path
    file_sha256   varchar not null,
    file_kind     varchar not null,   -- xlsx | xls | csv
    file_bytes    bigint not null,
    archive_path  varchar,            -- relative to the warehouse's folder
    is_sample     boolean not null,   -- 示例数据: invented figures, shown with a notice
    note          varchar             -- 上报说明 typed when warnings were confirmed
);

-- Warnings (and any other issue) reported when the submission was accepted.
create table if not exists submission_issues (
    submission_id bigint not null,
    level         varchar not null,
    code          varchar not null,
    sheet         varchar,
    cell          varchar,
    message       varchar not null
);
-- The slice a warning is about (NULL for one about the whole file, e.g. a 合计 row): the reviewer confirms
-- the warnings of the slices being approved.
alter table submission_issues add column if not exists region_code varchar;
alter table submission_issues add column if not exists year integer;
alter table submission_issues add column if not exists domain varchar;

-- Each (region, year, domain) a submission holds is a new version of that slice, 待审核 until a reviewer acts.
--   status:       pending (待审核) | published (审核通过) | returned (退回, reason in review_note)
--                 | superseded (a pending version replaced by a newer one before anyone reviewed it)
--   is_current:   the version staff see with 含待审核数据: the newest pending one, else the published one
--   is_published: the version everyone sees by default: the newest published one
create table if not exists slice_versions (
    region_code   varchar not null,
    year          integer not null,
    domain        varchar not null,
    version       integer not null,
    submission_id bigint not null,
    is_current    boolean not null
);
-- Added by the review release; a warehouse from before it was published as it stood (see connection.py).
alter table slice_versions add column if not exists status varchar;
alter table slice_versions add column if not exists is_published boolean;
alter table slice_versions add column if not exists reviewed_by varchar;
alter table slice_versions add column if not exists reviewed_at timestamp;
alter table slice_versions add column if not exists review_note varchar;
update slice_versions set status = 'published', is_published = is_current where status is null;

-- Append-only values. No primary key: uniqueness is checked in validation and replacement is
-- per slice in one transaction (a key costs 2–10× on loads, see PERFORMANCE.md).
create table if not exists facts (
    submission_id bigint not null,
    region_code   varchar not null,
    year          integer not null,
    domain        varchar not null,
    indicator     varchar not null,
    value         double precision,             -- in the indicator's unit; NULL = 未填报, never 0
    sheet         varchar,
    cell          varchar             -- A1 reference in the original file; NULL when the column was absent
);

-- The facts of the versions on show, twice: as published (include_pending = false) and with pending
-- versions (include_pending = true). Kept up to date by every load, review and restore, in the same
-- transaction, so that reads never join the whole history (10M facts: ~1 s for the join, ~5 ms for this).
create table if not exists visible_facts (
    include_pending boolean not null,
    region_code     varchar not null,
    year            integer not null,
    domain          varchar not null,
    indicator       varchar not null,
    value           double precision,
    submission_id   bigint not null,
    version         integer not null,
    pending         boolean not null, -- this value is 待审核 (only when include_pending)
    sheet           varchar,
    cell            varchar,
    is_city         boolean not null, -- one of the 14 市州 (the marts count only those), not a 县市区
    is_sample       boolean not null  -- from a 示例 submission
);

-- 截止日期 per year, set by staff; late submissions are marked against it.
create table if not exists deadlines (
    year      integer primary key,
    deadline  date not null,
    set_by    varchar not null,
    set_at    timestamp not null
);

-- 审核锁定: a reviewed (市州, 年度, 类别) refuses uploads and restores until a 管理员 unlocks it. region_code
-- '430000' (湖南省) locks the whole year; domain '*' every 类别. Approving a slice locks it; a 管理员 can also
-- lock by hand. Who locked and unlocked what is also in the audit log.
create table if not exists review_locks (
    year        integer not null,
    region_code varchar not null,
    domain      varchar not null,
    locked_by   varchar not null,
    locked_at   timestamp not null,
    primary key (year, region_code, domain)
);

-- Every writing connection takes the next value when it closes: on PostgreSQL, the version page caches are keyed
-- on (a DuckDB file's version is its mtime, read without opening it).
create sequence if not exists data_version_seq start 1;
