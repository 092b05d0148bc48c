-- 0003 (PostgreSQL only): the indexes a row store needs for the per-slice reads and writes. DuckDB's zone maps
-- serve the same filters without them, and an index there would cost 2-10x on loads (PERFORMANCE.md).
create index if not exists facts_slice on facts (region_code, year, domain);
create index if not exists facts_submission on facts (submission_id);
create index if not exists visible_facts_slice on visible_facts (region_code, year, domain, include_pending);
create index if not exists visible_facts_measure on visible_facts (include_pending, indicator, year);
create index if not exists slice_versions_slice on slice_versions (region_code, year, domain);
create index if not exists slice_versions_submission on slice_versions (submission_id);
create index if not exists submissions_sha256 on submissions (file_sha256);
create index if not exists submission_issues_submission on submission_issues (submission_id, issue_no);
