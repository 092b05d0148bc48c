-- Marts: every aggregate a page, the briefing, an export or the CLI shows, defined once, over the values on
-- show (visible_facts). Each view has `include_pending`: false = published figures (what leaders see by
-- default), true = published and pending (含待审核数据). Only the 14 市州 count; 县市区 rows stay in facts.
-- Recreated after the migrations by connection.ensure_schema, as views.sql is. Plain SQL both DuckDB and
-- PostgreSQL run.

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
        null::double precision as numerator,
        null::double precision as denominator
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
    group by include_pending, year, measure
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
    group by f.include_pending, f.year, f.region_code, f.domain
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
    group by include_pending, year, domain
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
    group by y.year
),

per_city as (
    select
        include_pending,
        year,
        region_code,
        count(*) filter (where reported) as domains
    from city_slices
    group by include_pending, year, region_code
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
    group by g.include_pending, g.year
)

select * from final;

-- ---------------------------------------------------------------- 县市区 and 省级单位 (not counted above)

-- One row per 县市区 × year × measure of every reported 县市区 slice, with its 市州 and its line (lineage_code:
-- today's code, so 宁乡县 2016 and 宁乡市 2017 are one series); previous_value follows the line across a change.
create or replace view county_measures as
with counties as (
    select code, parent_code as city_code, lineage_code
    from regions
    where level = 'county'
),

indicator_values as (
    select
        f.include_pending,
        f.year,
        f.region_code,
        c.city_code,
        c.lineage_code,
        f.domain,
        f.indicator as measure,
        f.value,
        f.pending,
        f.is_sample
    from visible_facts as f
    inner join counties as c on c.code = f.region_code
),

rate_values as (
    select
        n.include_pending,
        n.year,
        n.region_code,
        n.city_code,
        n.lineage_code,
        q.domain,
        q.code as measure,
        case when d.value <> 0 then n.value / d.value * q.factor end as value,
        n.pending or d.pending as pending,
        n.is_sample or d.is_sample as is_sample
    from rates as q
    inner join indicator_values as n on n.measure = q.numerator
    inner join indicator_values as d
        on d.measure = q.denominator
        and d.include_pending = n.include_pending
        and d.year = n.year
        and d.region_code = n.region_code
),

measured as (
    select * from indicator_values
    union all
    select * from rate_values
),

final as (
    select
        *,
        case when lag(year) over by_line = year - 1 then lag(value) over by_line end as previous_value
    from measured
    window by_line as (partition by include_pending, lineage_code, measure order by year)
)

select * from final;

-- Each 县市区's figure with its rank among the 县市区 of its 市州 that reported it, how many did, its share of
-- their sum (%, not for rates) and its change on its line's figure the year before (%).
create or replace view mart_county as
with final as (
    select
        m.include_pending,
        m.year,
        m.region_code,
        m.lineage_code,
        r.name as region_name,
        r.sort_order as region_order,
        m.city_code,
        m.domain,
        m.measure,
        k.kind,
        m.value,
        m.pending,
        m.is_sample,
        case when m.value is not null then rank() over same_figure end as rank,
        count(m.value) over same_city as reported,
        case when k.kind <> 'rate' then m.value / nullif(sum(m.value) over same_city, 0) * 100 end as share,
        m.previous_value,
        case when m.previous_value <> 0 then (m.value - m.previous_value) / m.previous_value * 100 end as change_pct
    from county_measures as m
    inner join measures as k on k.code = m.measure
    inner join regions as r on r.code = m.region_code
    window
        same_city as (partition by m.include_pending, m.year, m.city_code, m.measure),
        same_figure as (partition by m.include_pending, m.year, m.city_code, m.measure order by m.value desc nulls last)
)

select * from final;

-- The 省级单位' own figures (省妇联机关各部门, 省直妇工委): reported as they are, beside the 市州, never added to them.
create or replace view mart_unit as
with final as (
    select
        f.include_pending,
        f.year,
        f.region_code,
        r.name as region_name,
        r.sort_order as region_order,
        f.domain,
        f.indicator as measure,
        f.value,
        f.pending,
        f.is_sample
    from visible_facts as f
    inner join regions as r on r.code = f.region_code
    where r.level = 'unit'
)

select * from final;

-- 任务数 and 完成率: each target beside the figure on show for it (a 市州, 县市区 or 省级单位), in both scopes.
-- completion_pct = actual ÷ target × 100 (NULL while the figure is 未填报, or for a target of 0); met when the
-- actual reaches the target. Ranked by completion among the targets of the same year, indicator and level (a
-- 县市区 among those of its 市州).
create or replace view mart_targets as
with scopes as (
    select * from (values (false), (true)) as s (include_pending)
),

joined as (
    select
        s.include_pending,
        t.year,
        t.region_code,
        r.name as region_name,
        r.level,
        case when r.level = 'county' then r.parent_code else r.code end as city_code,
        r.sort_order as region_order,
        i.domain,
        t.indicator,
        t.value as target,
        f.value as actual,
        coalesce(f.pending, false) as pending,
        coalesce(f.is_sample, false) as is_sample
    from targets as t
    cross join scopes as s
    inner join regions as r on r.code = t.region_code
    inner join indicators as i on i.code = t.indicator
    left join visible_facts as f
        on f.include_pending = s.include_pending
        and f.year = t.year
        and f.region_code = t.region_code
        and f.indicator = t.indicator
),

final as (
    select
        *,
        case when target > 0 then actual / target * 100 end as completion_pct,
        actual >= target as met,
        case
            when actual is not null and target > 0
                then rank() over (
                    partition by include_pending, year, indicator, level,
                        case when level = 'county' then city_code end
                    order by actual / nullif(target, 0) desc nulls last
                )
        end as completion_rank
    from joined
)

select * from final;
