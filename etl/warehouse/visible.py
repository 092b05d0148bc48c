"""Keep visible_facts — the facts of the versions on show, published and with pending — in step with every write.

Each function works on the slices staged in the temp table `staged_slices` and runs inside the caller's
transaction. None of them joins the whole history: a load copies its own (contiguous) facts, a review
copies rows already on show. Only `rebuild`, run when the schema changes, reads every version.
"""

from __future__ import annotations

from collections.abc import Iterable

from etl.warehouse.db import Db

Slice = tuple[str, int, str]  # (region_code, year, domain)

# Denormalised at insert time, so that the marts join nothing: the region's level and the submission's sample flag.
_LABELS = """
        inner join regions as r on r.code = f.region_code
        inner join submissions as u on u.submission_id = f.submission_id
"""
_LABEL_COLUMNS = "r.level = 'city', u.is_sample"
# A value is 待审核 when it comes from a pending version and differs from the published one (an unchanged
# figure in a corrected return is not news).
_PENDING = "v.status = 'pending' and p.value is distinct from f.value"
# The rows staff see of the versions `where` picks, each with its pending flag against the published scope.
_WITH_PENDING = f"""
        insert into visible_facts
        select true, f.region_code, f.year, f.domain, f.indicator, f.value, f.submission_id, v.version,
            {_PENDING}, f.sheet, f.cell, {_LABEL_COLUMNS}
        from facts as f
        inner join slice_versions as v using (submission_id, region_code, year, domain)
        {_LABELS}
        left join visible_facts as p
            on not p.include_pending
            and p.region_code = f.region_code and p.year = f.year and p.domain = f.domain
            and p.indicator = f.indicator
        where {{where}}
"""


def stage(con: Db, slices: Iterable[Slice]) -> None:
    """Put the slices an operation touches in `staged_slices`, which the statements below join."""
    con.execute("create temp table if not exists staged_slices (region_code varchar, year integer, domain varchar)")
    con.execute("delete from staged_slices")
    rows = sorted(set(slices))
    if rows:
        con.append("staged_slices", rows)


def _delete(con: Db, include_pending: bool) -> None:
    con.execute(
        """
        delete from visible_facts as v
        using staged_slices as s
        where v.include_pending = ? and v.region_code = s.region_code and v.year = s.year and v.domain = s.domain
        """,
        [include_pending],
    )


def show_pending(con: Db, submission_id: int) -> None:
    """The staged slices' new versions (all from `submission_id`) become what staff see with 含待审核数据."""
    _delete(con, True)
    staged = (
        "f.submission_id = ? and exists (select 1 from staged_slices as s"
        " where s.region_code = f.region_code and s.year = f.year and s.domain = f.domain)"
    )
    con.execute(_WITH_PENDING.format(where=staged), [submission_id])


def _copy(con: Db, *, into_pending: bool) -> None:
    """The staged slices' rows of one scope become the other scope's too, none of them pending."""
    _delete(con, into_pending)
    con.execute(
        """
        insert into visible_facts
        select ?, v.region_code, v.year, v.domain, v.indicator, v.value, v.submission_id, v.version, false,
            v.sheet, v.cell, v.is_city, v.is_sample
        from visible_facts as v
        inner join staged_slices as s using (region_code, year, domain)
        where v.include_pending = ?
        """,
        [into_pending, not into_pending],
    )


def publish(con: Db) -> None:
    """The staged slices' current versions were approved: leaders now see what staff saw, nothing pending."""
    _copy(con, into_pending=False)
    con.execute(
        """
        update visible_facts as v set pending = false
        from staged_slices as s
        where v.include_pending and v.region_code = s.region_code and v.year = s.year and v.domain = s.domain
        """
    )


def withdraw(con: Db) -> None:
    """The staged slices' pending versions were returned: staff see the published version again (or nothing)."""
    _copy(con, into_pending=True)


def rebuild(con: Db) -> None:
    """Everything from the version flags: after a schema change or an upgrade from an older release."""
    con.execute("delete from visible_facts")
    con.execute(
        f"""
        insert into visible_facts
        select false, f.region_code, f.year, f.domain, f.indicator, f.value, f.submission_id, v.version, false,
            f.sheet, f.cell, {_LABEL_COLUMNS}
        from slice_versions as v
        inner join facts as f using (submission_id, region_code, year, domain)
        {_LABELS}
        where v.is_published
        """
    )
    con.execute(_WITH_PENDING.format(where="v.is_current"))
