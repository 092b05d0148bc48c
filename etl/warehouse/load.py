"""Write one accepted file as new versions of its slices, in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from etl.issues import Issue
from etl.records import Observation
from etl.warehouse import review, visible
from etl.warehouse.connection import now_beijing
from etl.warehouse.db import Db
from etl.warehouse.locks import refuse_if_locked
from etl.warehouse.visible import Slice

# Named: a warehouse's columns are in the order its migrations added them, which differs between upgrade paths.
ISSUE_COLUMNS = (
    "submission_id", "level", "code", "sheet", "cell", "message", "region_code", "year", "domain", "issue_no",
    "subject",
)  # fmt: skip


@dataclass(frozen=True)
class NewSubmission:
    file_name: str
    file_sha256: str
    file_kind: str
    file_bytes: int
    archive_path: str | None
    is_sample: bool
    source: str
    submitted_by: str
    note: str | None = None
    published: bool = False  # the demo's figures are published as they are loaded; everything else waits
    contacts: dict[str, str] = field(default_factory=dict)  # filled_by, phone, checked_by from the template


@dataclass
class StoreResult:
    submission_id: int | None  # None when nothing was written: every slice equalled its current version
    already_loaded: bool = False
    slices: int = 0  # new versions written
    same_slices: int = 0  # slices whose values equalled the current version: no new version
    values: int = 0
    added: int = 0  # values reported where the slice had none (or no value) before
    changed: int = 0
    unchanged: int = 0
    changes: list[tuple[str, int, str, float | None, float | None]] = field(default_factory=list)

    @property
    def nothing_new(self) -> bool:
        return not self.already_loaded and self.slices == 0


def find_submission_by_hash(con: Db, sha256: str) -> int | None:
    rows = con.execute(
        "select submission_id from submissions where file_sha256 = ? order by submission_id limit 1", [sha256]
    ).fetchall()
    return rows[0][0] if rows else None


def previous_values(con: Db, regions: Iterable[str], years: Iterable[int]) -> dict[tuple[str, int, str], float | None]:
    """Current values (pending included) of the given regions and years, for the year-on-year check."""
    rows = con.execute(
        """
        select region_code, year, indicator, value
        from current_facts
        where region_code = any(?) and year = any(?)
        """,
        [sorted(set(regions)), sorted(set(years))],
    ).fetchall()
    return {(r, y, i): v for r, y, i, v in rows}


def domains_of(con: Db) -> dict[str, str]:
    """indicator → its 类别, as this warehouse's catalogue says."""
    return dict(con.execute("select code, domain from indicators").fetchall())


def slices_of(observations: list[Observation], domain_of: dict[str, str]) -> list[Slice]:
    return sorted({(o.region_code, o.year, domain_of[o.indicator]) for o in observations})


def store_submission(con: Db, sub: NewSubmission, observations: list[Observation], issues: list[Issue]) -> StoreResult:
    """Write one accepted file in one transaction: each slice whose values differ from its current version gets a
    new, pending version; a slice sent again unchanged gets none."""
    con.begin()
    try:
        domain_of = domains_of(con)
        con.lock_slices(slices_of(observations, domain_of))  # PostgreSQL: another writer of these slices goes first
        existing = find_submission_by_hash(con, sub.file_sha256)
        if existing is not None:
            con.rollback()
            return StoreResult(existing, already_loaded=True)
        refuse_if_locked(con, slices_of(observations, domain_of))
        result = _store(con, sub, observations, issues, domain_of)
        con.commit()
        return result
    except BaseException:
        con.rollback()
        raise


def _store(  # noqa: PLR0913
    con: Db, sub: NewSubmission, observations: list[Observation], issues: list[Issue], domain_of: dict[str, str]
) -> StoreResult:
    slices = slices_of(observations, domain_of)
    before = _slice_values(con, slices)
    sent: dict[Slice, dict[str, float | None]] = {}

    def _slice(o: Observation) -> Slice:
        return o.region_code, o.year, domain_of[o.indicator]

    for o in observations:
        sent.setdefault(_slice(o), {})[o.indicator] = o.value
    new = [s for s in slices if not _same(sent[s], before.get(s))]
    result = _summarise(None, observations, before, _slice)
    result.slices, result.same_slices = len(new), len(slices) - len(new)
    if not new:
        return result
    (submission_id,) = con.execute("select nextval('submission_id_seq')").fetchall()[0]
    result.submission_id = submission_id
    con.execute(
        "insert into submissions (submission_id, submitted_at, submitted_by, source, file_name, file_sha256,"
        " file_kind, file_bytes, archive_path, is_sample, note, filled_by, phone, checked_by)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            submission_id,
            now_beijing(),
            sub.submitted_by,
            sub.source,
            sub.file_name,
            sub.file_sha256,
            sub.file_kind,
            sub.file_bytes,
            sub.archive_path,
            sub.is_sample,
            sub.note,
            sub.contacts.get("filled_by"),
            sub.contacts.get("phone"),
            sub.contacts.get("checked_by"),
        ],
    )
    kept = set(new)
    mine = [o for o in observations if _slice(o) in kept]
    if len(new) < len(slices):  # _slice_values staged them all; most often every slice is new
        visible.stage(con, new)
    _new_versions(con, submission_id)
    _append_facts(con, submission_id, mine, domain_of)
    _append_issues(con, submission_id, issues, {(o.sheet, o.cell): _slice(o) for o in mine if o.cell}, kept)
    visible.show_pending(con, submission_id)
    if sub.published:
        review.approve_staged(con, sub.submitted_by, lock=False)
    return result


def _same(new: dict[str, float | None], old: dict[str, float | None] | None) -> bool:
    """Sent again with exactly the values of the current version (a blank and an absent column are both 未填报)."""
    if old is None:
        return False
    return all(new.get(code) == old.get(code) for code in set(new) | set(old))


def _slice_values(con: Db, slices: list[Slice]) -> dict[Slice, dict[str, float | None]]:
    """The current version (pending included) of each slice: indicator → value."""
    visible.stage(con, slices)
    rows = con.execute(
        """
        select f.region_code, f.year, f.domain, f.indicator, f.value
        from current_facts as f
        inner join staged_slices using (region_code, year, domain)
        """
    ).fetchall()
    found: dict[Slice, dict[str, float | None]] = {}
    for region, year, domain, indicator, value in rows:
        found.setdefault((region, year, domain), {})[indicator] = value
    return found


def _new_versions(con: Db, submission_id: int) -> None:
    """Earlier versions stay (history): the staged slices get a pending version that becomes current; a pending
    version it replaces before anyone reviewed it is superseded."""
    con.execute(
        """
        update slice_versions as v
        set is_current = false, status = case when v.status = 'pending' then 'superseded' else v.status end
        from staged_slices as s
        where v.region_code = s.region_code and v.year = s.year and v.domain = s.domain and v.is_current
        """
    )
    con.execute(
        """
        with latest as (
            select v.region_code, v.year, v.domain, max(v.version) as version
            from slice_versions as v
            inner join staged_slices using (region_code, year, domain)
            group by v.region_code, v.year, v.domain
        )

        insert into slice_versions (region_code, year, domain, version, submission_id, is_current, status, is_published)
        select s.region_code, s.year, s.domain, coalesce(l.version, 0) + 1, ?, true, 'pending', false
        from staged_slices as s
        left join latest as l using (region_code, year, domain)
        """,
        [submission_id],
    )


def _append_facts(con: Db, submission_id: int, observations: list[Observation], domain_of: dict[str, str]) -> None:
    con.append(
        "facts",
        [
            (
                submission_id,
                o.region_code,
                o.year,
                domain_of[o.indicator],
                o.indicator,
                o.value,
                o.sheet,
                o.cell or None,
            )
            for o in observations
        ],
    )


def _append_issues(
    con: Db,
    submission_id: int,
    issues: list[Issue],
    at_cell: dict[tuple[str, str], Slice],
    kept: set[Slice],
) -> None:
    """Each warning with the slice its cell belongs to (none for a 合计 row or the whole file); a warning about a
    slice sent again unchanged has nothing new to review."""
    rows = []
    for number, issue in enumerate(issues):
        slice_ = at_cell.get((issue.sheet, issue.cell))
        if slice_ is not None and slice_ not in kept:
            continue
        location = (issue.level, issue.code, issue.sheet, issue.cell, issue.message)
        rows.append((submission_id, *location, *(slice_ or (None, None, None)), number, issue.subject or None))
    if rows:
        con.append("submission_issues", rows, ISSUE_COLUMNS)


def _summarise(
    submission_id: int | None, observations: list[Observation], before: dict[Slice, dict[str, float | None]],
    _slice: Callable[[Observation], Slice],
) -> StoreResult:  # fmt: skip
    result = StoreResult(submission_id, values=sum(o.value is not None for o in observations))
    for o in observations:
        old = before.get(_slice(o), {}).get(o.indicator)
        if old == o.value:
            result.unchanged += o.value is not None
        elif old is None:
            result.added += 1
        else:
            result.changed += 1
            result.changes.append((o.region_code, o.year, o.indicator, old, o.value))
    return result
