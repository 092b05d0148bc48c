-- Marts: every aggregate a page, the briefing, an export or the CLI shows, defined once, over the values on
-- show (visible_facts). Each view has `include_pending`: false = published figures (what leaders see by
-- default), true = published and pending (含待审核数据). Only the 14 市州 count; 县市区 rows stay in facts.
-- Run after schema.sql by connection.ensure_schema; every statement is idempotent.

-- Indicators and derived rates together: what a page can choose to show.
create or replace view measures as
with indicator_measures as (
    select code, domain, name, unit, kind, sort_order
    from indicators
),

rate_measures as (
    select code, domain, name, unit, 'rate' as kind, sort_order
    from rates
),

final as (
    select
        m.*,
        d.sort_order as domain_order
    from (select * from indicator_measures union all select * from rate_measures) as m
    inner join domains as d on d.code = m.domain
)

select * from final;

-- One row per 市州 × year × measure of every reported slice; value NULL = 未填报. A rate exists where its
-- slice does and is NULL unless both parts are reported and the denominator is not 0. previous_value is the
-- same 市州's figure the year before (NULL when that year was not reported).
-- Written without shared CTEs and with windows instead of self-joins: a filter on include_pending and
-- measure then reaches the scan (bench/bench_marts.py).
create or replace view city_measures as
with indicator_values as (
    select
        include_pending,
        year,
        region_code,
        domain,
        indicator as measure,
        value,
        pending,
        is_sample,
        null::double as numerator,
        null::double as denominator
    from visible_facts
    where is_city
),

rate_values as (
    select
        n.include_pending,
        n.year,
        n.region_code,
        q.domain,
        q.code as measure,
        case when d.value <> 0 then n.value / d.value * q.factor end as value,
        n.pending or d.pending as pending,
        n.is_sample or d.is_sample as is_sample,
        n.value as numerator,
        d.value as denominator
    from rates as q
    inner join visible_facts as n on n.indicator = q.numerator
    inner join visible_facts as d
        on d.indicator = q.denominator
        and d.include_pending = n.include_pending
        and d.year = n.year
        and d.region_code = n.region_code
    where n.is_city and d.is_city
),

measured as (
    select * from indicator_values
    union all
    select * from rate_values
),

final as (
    select
        *,
        case when lag(year) over by_city = year - 1 then lag(value) over by_city end as previous_value
    from measured
    window by_city as (partition by include_pending, region_code, measure order by year)
)

select * from final;

-- Each 市州's figure with its rank among the 市州 that reported it (1 = largest), how many reported, its share of
-- the province total (%, not for rates), and its change on its own figure the year before (%).
create or replace view mart_city as
with final as (
    select
        m.include_pending,
        m.year,
        m.region_code,
        r.name as region_name,
        r.sort_order as region_order,
        m.domain,
        m.measure,
        k.kind,
        m.value,
        m.pending,
        m.is_sample,
        case when m.value is not null then rank() over same_figure end as rank,
        count(m.value) over same_year as reported,
        case when k.kind not in ('rate', 'ratio') then m.value / nullif(sum(m.value) over same_year, 0) * 100 end as share,
        m.previous_value,
        case when m.previous_value <> 0 then (m.value - m.previous_value) / m.previous_value * 100 end as change_pct
    from city_measures as m
    inner join measures as k on k.code = m.measure
    inner join regions as r on r.code = m.region_code
    window
        same_year as (partition by m.include_pending, m.year, m.measure),
        same_figure as (partition by m.include_pending, m.year, m.measure order by m.value desc nulls last)
)

select * from final;

-- The province's figure per year and measure:
--   total    sum over the 市州 that reported (not for rates, nor for reported ratios), labelled `reported` (N of 14)
--   average  true province average over every reporting 市州 — never over a page's selection; for a rate
--            the province's own rate, Σ numerator ÷ Σ denominator × factor
--   change   on the year before, over the 市州 that reported both years (`comparable` of them) only, so a
--            late return never reads as growth
create or replace view mart_province as
with this_year as (
    select
        include_pending,
        year,
        measure,
        count(value) as reported,
        sum(value) as total,
        avg(value) as city_average,
        sum(numerator) filter (where value is not null) as numerator_total,
        sum(denominator) filter (where value is not null) as denominator_total,
        count(*) filter (where pending and value is not null) as pending_cities,
        coalesce(bool_or(is_sample) filter (where value is not null), false) as is_sample,
        count(*) filter (where value is not null and previous_value is not null) as comparable,
        sum(value) filter (where previous_value is not null) as comparable_total,
        sum(previous_value) filter (where value is not null) as previous_total
    from city_measures
    group by all
),

final as (
    select
        t.include_pending,
        t.year,
        t.measure,
        k.domain,
        k.kind,
        t.reported,
        case when k.kind not in ('rate', 'ratio') then t.total end as total,
        case
            when k.kind <> 'rate' then t.city_average
            when t.denominator_total <> 0 then t.numerator_total / t.denominator_total * q.factor
        end as average,
        t.pending_cities,
        t.is_sample,
        t.comparable,
        case when k.kind not in ('rate', 'ratio') then t.comparable_total - t.previous_total end as change,
        case
            when k.kind not in ('rate', 'ratio') and t.previous_total <> 0
                then (t.comparable_total - t.previous_total) / t.previous_total * 100
        end as change_pct
    from this_year as t
    inner join measures as k on k.code = t.measure
    left join rates as q on q.code = t.measure
)

select * from final;

-- Each 市州's slice of a year and 类别: reported means at least one figure filled in.
create or replace view city_slices as
with final as (
    select
        f.include_pending,
        f.year,
        f.region_code,
        f.domain,
        count(f.value) > 0 as reported,
        bool_or(f.pending) as pending
    from visible_facts as f
    where f.is_city
    group by all
)

select * from final;

-- How many 市州 reported each 类别 of a year (the N of "N/14").
create or replace view mart_coverage as
with final as (
    select
        include_pending,
        year,
        domain,
        count(*) filter (where reported) as reported,
        count(*) filter (where reported and pending) as pending
    from city_slices
    group by all
)

select * from final;

-- Completeness of a year: 市州 with any figure, 市州 with every 类别 collected that year (in the published scope:
-- 已审核通过), and the names of those with nothing and of those not complete, in official order.
create or replace view mart_year as
with years as (
    select distinct include_pending, year
    from city_slices
),

domains_of_year as (
    select
        y.year,
        count(d.code) as domains
    from (select distinct year from years) as y
    left join domains as d
        on coalesce(d.first_year, 0) <= y.year
        and (d.retired_from is null or d.retired_from > y.year)
    group by all
),

per_city as (
    select
        include_pending,
        year,
        region_code,
        count(*) filter (where reported) as domains
    from city_slices
    group by all
),

grid as (
    select
        y.include_pending,
        y.year,
        r.code as region_code,
        r.name as region_name,
        r.sort_order,
        coalesce(c.domains, 0) as domains
    from years as y
    cross join regions as r
    left join per_city as c
        on c.include_pending = y.include_pending
        and c.year = y.year
        and c.region_code = r.code
    where r.level = 'city'
),

final as (
    select
        g.include_pending,
        g.year,
        count(*) as cities,
        count(*) filter (where g.domains > 0) as cities_reported,
        count(*) filter (where g.domains >= y.domains) as cities_complete,
        coalesce(string_agg(g.region_name, '、' order by g.sort_order) filter (where g.domains = 0), '') as missing,
        coalesce(
            string_agg(g.region_name, '、' order by g.sort_order) filter (where g.domains < y.domains), ''
        ) as incomplete
    from grid as g
    inner join domains_of_year as y on y.year = g.year
    group by all
)

select * from final;
