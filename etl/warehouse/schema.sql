-- Warehouse schema: raw facts with provenance → current values → views the pages read.
-- Every statement is idempotent; warehouse.ensure_schema runs this file on each write connection.

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
    level       varchar not null,     -- province | city | county | unit (省级单位)
    sort_order  integer not null
);
-- 县市区 re-coded or renamed (宁乡县 430124 → 宁乡市 430182 in 2017): each code is valid from valid_from (NULL:
-- always) to before replaced_in; lineage_code is today's code of the line, which a series across the change follows.
alter table regions add column if not exists valid_from integer;
alter table regions add column if not exists replaced_in integer;
alter table regions add column if not exists successor varchar;
alter table regions add column if not exists lineage_code varchar;

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
-- Who reports it: city (the 14 市州), county (县市区 rows of a 市州's return), unit (省级单位).
alter table indicators add column if not exists levels varchar[];

-- Derived rates (etl/reference/rates.csv): numerator ÷ denominator × factor, where both are reported.
create table if not exists rates (
    code        varchar primary key,
    domain      varchar not null,
    name        varchar not null,
    unit        varchar not null,
    numerator   varchar not null,
    denominator varchar not null,
    factor      double not null,
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
    value         double,             -- in the indicator's unit; NULL = 未填报, never 0
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
    value           double,
    submission_id   bigint not null,
    version         integer not null,
    pending         boolean not null, -- this value is 待审核 (only when include_pending)
    sheet           varchar,
    cell            varchar,
    is_city         boolean not null, -- one of the 14 市州 (the marts count only those), not a 县市区
    is_sample       boolean not null  -- from a 示例 submission
);

-- What staff see with 含待审核数据 (the newest version that is not returned), as before the review release.
create or replace view current_facts as
select region_code, year, domain, indicator, value, submission_id, sheet, cell, pending
from visible_facts
where include_pending;

-- The tidy, labelled values on show, in both scopes; `current_values` is the staff view, `published_values`
-- what leaders, the briefing and exports read by default.
create or replace view scoped_values as
with final as (
    select
        f.include_pending,
        f.year,
        f.region_code,
        r.name as region_name,
        r.sort_order as region_order,
        r.level as region_level,
        -- a 县市区 row belongs to its 市州 (its name in 市州, its own in 县市区); a 市州 or 省级单位 is its own
        coalesce(c.code, r.code) as city_code,
        coalesce(c.name, r.name) as city_name,
        coalesce(c.sort_order, r.sort_order) as city_order,
        case when r.level = 'county' then r.name end as county_name,
        f.domain,
        d.name as domain_name,
        d.sort_order as domain_order,
        f.indicator,
        i.name as indicator_name,
        i.unit,
        i.sort_order as indicator_order,
        f.value,
        f.pending,
        f.version,
        f.sheet,
        f.cell,
        f.submission_id,
        s.file_name,
        s.submitted_at,
        s.submitted_by,
        s.is_sample
    from visible_facts as f
    inner join regions as r on r.code = f.region_code
    left join regions as c on c.code = r.parent_code and r.level = 'county'
    inner join domains as d on d.code = f.domain
    inner join indicators as i on i.code = f.indicator
    inner join submissions as s on s.submission_id = f.submission_id
)

select * from final;

create or replace view current_values as
select * exclude (include_pending) from scoped_values where include_pending;

create or replace view published_values as
select * exclude (include_pending) from scoped_values where not include_pending;

-- 截止日期 per year, set by staff; late submissions are marked against it.
create table if not exists deadlines (
    year      integer primary key,
    deadline  date not null,
    set_by    varchar not null,
    set_at    timestamp not null
);

-- Every version of every slice with who sent it and when: history, restore and provenance read this.
create or replace view slice_history as
with final as (
    select
        v.region_code,
        v.year,
        v.domain,
        v.version,
        v.is_current,
        v.is_published,
        v.status,
        v.reviewed_by,
        v.reviewed_at,
        v.review_note,
        v.submission_id,
        s.submitted_at,
        s.submitted_by,
        s.source,
        s.file_name,
        s.note,
        s.is_sample
    from slice_versions as v
    inner join submissions as s using (submission_id)
)

select * from final;

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
