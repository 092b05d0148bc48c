-- 0004: the catalogue as data (issue 13) and the county level. Every version of every domain, indicator, derived
-- rate and rule, the revisions that wrote them, and the targets (任务数); 县市区 re-coded over time; who filled in
-- a return. Idempotent, in both dialects.
--
-- A version is (code, valid_from): the 口径 in force from that year's returns until the next version's year;
-- `retired` ends the entity from its year. `revision` is the catalog_revisions row that wrote it.
-- `domains`, `indicators` and `rates` (0001) hold the catalogue *now* (each entity's latest version, retired ones
-- included) for the views and marts; etl/warehouse/catalog_store.py rewrites them from these tables in the
-- transaction of every change.

-- 县市区 re-coded or renamed (宁乡县 430124 → 宁乡市 430182 in 2017): each code is valid from valid_from (NULL:
-- always) to before replaced_in; lineage_code is today's code of the line, which a series across the change follows.
-- regions.level now also reads unit (省级单位).
alter table regions add column if not exists valid_from integer;
alter table regions add column if not exists replaced_in integer;
alter table regions add column if not exists successor varchar;
alter table regions add column if not exists lineage_code varchar;

-- Who reports it: city (the 14 市州), county (县市区 rows of a 市州's return), unit (省级单位).
alter table indicators add column if not exists levels varchar[];

create table if not exists catalog_revisions (
    revision   integer primary key,
    token      varchar not null,       -- unique per content: the key processes cache the catalogue by
    changed_at timestamp not null,
    changed_by varchar not null,
    note       varchar not null,       -- why (typed on the page, or the import's note)
    summary    varchar not null        -- what: 新增/修改/停用 … per entity
);

create table if not exists catalog_domains (
    code               varchar not null,
    valid_from         integer not null,
    name               varchar not null,
    sort_order         integer not null,
    headline_indicator varchar not null,
    icon               varchar not null,
    retired            boolean not null,
    note               varchar not null,
    revision           integer not null,
    changed_by         varchar not null,
    primary key (code, valid_from)
);

create table if not exists catalog_indicators (
    code        varchar not null,
    valid_from  integer not null,
    domain      varchar not null,
    name        varchar not null,
    unit        varchar not null,
    kind        varchar not null,      -- count | amount | ratio
    decimals    integer,               -- NULL: the kind's default
    levels      varchar not null,      -- city;county;province
    definition  varchar not null,
    aliases     varchar not null,      -- other header texts, ;-separated
    phrase      varchar not null,      -- the briefing's clause; '' = the default of its kind
    sort_order  integer not null,
    retired     boolean not null,
    note        varchar not null,
    revision    integer not null,
    changed_by  varchar not null,
    primary key (code, valid_from)
);

create table if not exists catalog_rates (
    code        varchar not null,
    valid_from  integer not null,
    domain      varchar not null,
    name        varchar not null,
    unit        varchar not null,
    numerator   varchar not null,
    denominator varchar not null,
    factor      double precision not null,
    sort_order  integer not null,
    retired     boolean not null,
    note        varchar not null,
    revision    integer not null,
    changed_by  varchar not null,
    primary key (code, valid_from)
);

create table if not exists catalog_rules (
    code        varchar not null,
    valid_from  integer not null,
    domain      varchar not null,      -- '' = every domain
    kind        varchar not null,      -- le | band | yoy | county_sum
    "left"      varchar not null,      -- an indicator, or * (yoy: every indicator in scope)
    "right"     varchar not null,      -- indicators, ;-separated (le: summed; band: the denominator)
    low         double precision,
    high        double precision,
    tolerance   double precision,
    severity    varchar not null,      -- error | warning
    issue       varchar not null,      -- stable issue code; '' = derived from kind and severity
    message     varchar not null,      -- template; '' = the default of its kind
    sort_order  integer not null,
    retired     boolean not null,
    note        varchar not null,
    revision    integer not null,
    changed_by  varchar not null,
    primary key (code, valid_from)
);

-- When a 类别 is in force, so that a year's completeness counts only the 类别 collected that year.
alter table domains add column if not exists first_year integer;
alter table domains add column if not exists retired_from integer;

-- 任务数: the target of an indicator for a 市州 (or 县市区) in a year, set by a 管理员.
create table if not exists targets (
    year        integer not null,
    region_code varchar not null,
    indicator   varchar not null,
    value       double precision not null,       -- in the indicator's unit
    set_by      varchar not null,
    set_at      timestamp not null,
    note        varchar,
    primary key (year, region_code, indicator)
);

-- Who filled in and who checked a return (the template's 填表人, 联系电话, 审核人 cells), kept with its submission.
alter table submissions add column if not exists filled_by varchar;
alter table submissions add column if not exists phone varchar;
alter table submissions add column if not exists checked_by varchar;

-- The indicator a stored issue is about (messages name it beside the cell: "两癌检查!C7 宫颈癌检查人数").
alter table submission_issues add column if not exists subject varchar;
