-- 0002: warnings keep the order they were reported in, in a column of their own (DuckDB's rowid, which the reads
-- used to sort by, has no PostgreSQL counterpart). Rows already there take their rowid, which is that order.
alter table submission_issues add column if not exists issue_no bigint;
update submission_issues set issue_no = rowid where issue_no is null;
