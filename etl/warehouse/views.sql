-- Views over the warehouse's tables: the values on show, labelled, and every version with its submission.
-- Recreated (dropped, then created) by connection.ensure_schema after the migrations, as are the marts.

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
select
    year, region_code, region_name, region_order, region_level, city_code, city_name, city_order, county_name, domain,
    domain_name, domain_order, indicator, indicator_name, unit, indicator_order, value, pending, version, sheet, cell,
    submission_id, file_name, submitted_at, submitted_by, is_sample
from scoped_values where include_pending;

create or replace view published_values as
select
    year, region_code, region_name, region_order, region_level, city_code, city_name, city_order, county_name, domain,
    domain_name, domain_order, indicator, indicator_name, unit, indicator_order, value, pending, version, sheet, cell,
    submission_id, file_name, submitted_at, submitted_by, is_sample
from scoped_values where not include_pending;

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

