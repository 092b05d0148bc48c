"""python -m etl review list | approve | return: the province review from the command line, as a named account."""

from __future__ import annotations

import sys

import click

from etl import actions, audit, catalog, warehouse
from etl.cli import DB_OPTION, YEAR_TYPE, DomainType, RegionType, _actor, _db, _fail, as_option
from etl.roles import PermissionDenied


@click.group(help="省级审核：list 列出待审核的上报；approve 审核通过（发布并锁定）；return 退回（须写原因）。")
def review() -> None:
    pass


@review.command("list", help="列出待审核的上报（最早的在前）。")
@click.option("--year", type=YEAR_TYPE, help="只看某个年度。")
@DB_OPTION
def review_list(year, db_path) -> None:  # noqa: ANN001
    try:
        with warehouse.connect(_db(db_path), read_only=True) as con:
            rows = warehouse.queue(con, year=year)
    except warehouse.WarehouseError as exc:
        _fail(str(exc))
    if not rows:
        click.echo(f"{f'{year}年' if year else ''}没有待审核的数据。")
        return
    click.echo(f"待审核：{len(rows)} 次上报，{sum(r['slices'] for r in rows)} 组（市州×年度×类别）。")
    for r in rows:
        # File names, senders and notes came from uploads: control characters (terminal escapes) printed escaped.
        sender, file_name = audit.printable(r["submitted_by"]), audit.printable(r["file_name"])
        warned = f"\t警告 {r['warnings']} 条" if r["warnings"] else ""
        click.echo(
            f"上报编号 {r['submission_id']}\t{r['submitted_at']:%Y-%m-%d %H:%M}\t{sender}\t{r['regions']}"
            f"\t{r['years']}年\t{r['domains']}\t{file_name}{warned}"
        )
        if r["note"]:
            click.echo(f"\t上报说明：{audit.printable(r['note'])}")


def _which(year, region, domain, submission) -> dict:  # noqa: ANN001
    return {"year": year, "region_code": region, "domain": domain, "submission_id": submission}


def _scope_options(command):  # noqa: ANN001, ANN202
    for option in reversed(
        [
            click.option("--year", type=YEAR_TYPE, required=True),
            click.option("--region", type=RegionType(), required=True, help="市州（含其县市区）。"),
            click.option("--domain", type=DomainType(), help="类别；不指定则为该市州该年度全部待审核的类别。"),
            click.option("--submission", type=int, help="只审核这一次上报（上报编号）。"),
            DB_OPTION,
            as_option(required=True),
        ]
    ):
        command = option(command)
    return command


def _confirm_each(warnings: list[dict], confirmed: bool) -> list[tuple]:
    """Every warning confirmed one by one: at a terminal, asked; in a script, only with --confirm-warnings."""
    keys = [(w["submission_id"], w["sheet"], w["cell"], w["message"]) for w in warnings]
    if confirmed or not warnings:
        return keys
    # A sheet name and a message quote the file: printed with control characters escaped.
    lines = [
        audit.printable(f"警告 {w['sheet']}!{w['cell']}：{w['message']}" if w["cell"] else f"警告：{w['message']}")
        for w in warnings
    ]
    if not sys.stdin.isatty():
        for line in lines:
            click.echo(f"  {line}")
        _fail(f"有 {len(warnings)} 条警告：请逐条核实后加 --confirm-warnings 再审核通过。")
    for line in lines:
        if not click.confirm(f"{line} —— 已核实？", default=False):
            _fail("未确认全部警告，未审核通过。")
    return keys


@review.command("approve", help="审核通过：发布所选的待审核数据（领导即可看到）并审核锁定。")
@_scope_options
@click.option("--confirm-warnings", is_flag=True, help="已逐条核实全部警告（不在终端运行时必须加）。")
def review_approve(year, region, domain, submission, db_path, acting_as, confirm_warnings) -> None:  # noqa: ANN001
    db = _db(db_path)
    actor, which = _actor(acting_as, db), _which(year, region, domain, submission)
    try:
        with warehouse.connect(db, read_only=True) as con:
            warnings = warehouse.warnings_of(con, warehouse.waiting(con, **which))
        confirmed = _confirm_each(warnings, confirm_warnings)
        slices = actions.approve(actor, db, confirmed=confirmed, **which)
    except (warehouse.WarehouseError, PermissionDenied) as exc:
        _fail(str(exc))
    click.echo(f"已审核通过并锁定 {len(slices)} 组：{_names(slices)}。")


@review.command("return", help="退回：所选的待审核数据不发布，统计员在“数据上报”和“填报进度”看到原因。")
@_scope_options
@click.option("--reason", required=True, help="退回原因（统计员将看到）。")
def review_return(year, region, domain, submission, db_path, acting_as, reason) -> None:  # noqa: ANN001
    db = _db(db_path)
    try:
        slices = actions.send_back(_actor(acting_as, db), db, reason=reason, **_which(year, region, domain, submission))
    except (warehouse.WarehouseError, PermissionDenied) as exc:
        _fail(str(exc))
    click.echo(f"已退回 {len(slices)} 组：{_names(slices)}。原因：{' '.join(reason.split())}")


def _names(slices: list[tuple[str, int, str]]) -> str:
    regions, domains = catalog.region_by_code(), catalog.domain_by_code()
    return "、".join(f"{regions[r].name}{y}年{domains[d].name}" for r, y, d in slices)
