-- 在线填报 drafts: what one account typed into one 类别 of one 市州 and year, saved until it is submitted. Kept
-- here, not in the warehouse: saving a draft neither waits for a load's lock nor invalidates the pages' caches.
create table if not exists drafts (
    name        varchar not null,              -- the account that saved it
    region_code varchar not null,
    year        integer not null,
    domain      varchar not null,
    entries     varchar not null,              -- JSON: indicator code → the number typed, or null (未填报)
    saved_at    varchar not null,              -- Beijing time, ISO 8601
    primary key (name, region_code, year, domain)
);
