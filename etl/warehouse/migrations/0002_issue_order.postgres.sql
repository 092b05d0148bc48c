-- 0002: warnings keep the order they were reported in (see the DuckDB variant; a PostgreSQL warehouse starts here
-- with no rows to number).
alter table submission_issues add column if not exists issue_no bigint;
