"""python -m etl targets template | import | list: 任务数 (targets) for bulk work (etl/targets.py, etl/actions.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from etl import actions, audit, targets, warehouse
from etl.cli import DB_OPTION, YEAR_TYPE, RegionType, _actor, _db, _fail, as_option
from etl.guard import too_large
from etl.records import format_number
from etl.roles import PermissionDenied


@click.group(help="任务数：template 生成任务数表；import 导入（全部检查通过才生效）；list 列出已设置的任务数。")
def targets_command() -> None:
    pass


@targets_command.command("template", help="生成某年度的任务数表（.xlsx），格式与报表模板相同。")
@click.option("--year", type=YEAR_TYPE, required=True)
@click.option("--region", type=RegionType(), help="只含该市州及其县市区；不指定则含 14 个市州和省级单位。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def targets_template(year, region, output) -> None:  # noqa: ANN001
    try:
        output.write_bytes(targets.template_bytes(year, region))
    except OSError as exc:
        _fail(f"无法写入 {output}：{exc.strerror}")
    click.echo(f"已生成{year}年度任务数表：{output}")


@targets_command.command("import", help="导入任务数表。任何一处有误，整个文件不导入，并指出工作表和单元格。")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DB_OPTION
@as_option()
def targets_import(file, db_path, acting_as) -> None:  # noqa: ANN001
    from etl.config import MAX_FILE_BYTES

    db = _db(db_path)
    actor = _actor(acting_as, db)
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise too_large(file.name, size)
        found = actions.import_targets(actor, db, file.read_bytes(), file.name)
    except (warehouse.WarehouseError, PermissionDenied) as exc:
        _fail(str(exc))
    if found.refused:
        click.echo(f"✗ {file.name}：已拒绝，未导入任何任务数（{len(found.errors)} 个错误）。")
        for issue in found.errors[:200]:
            click.echo(f"  错误 {audit.printable(issue.place)}：{audit.printable(issue.message)}")
        sys.exit(1)
    changed = sum(old != t.target for t, old in found.replaced)
    click.echo(f"✓ {file.name}：已导入 {len(found.targets)} 项任务数（新设或改动 {changed} 项）。")


@targets_command.command("list", help="列出已设置的任务数（制表符分隔）。")
@click.option("--year", type=YEAR_TYPE)
@DB_OPTION
def targets_list(year, db_path) -> None:  # noqa: ANN001
    try:
        with warehouse.connect(_db(db_path), read_only=True) as con:
            rows = warehouse.targets_of(con, year)
    except warehouse.WarehouseError as exc:
        _fail(str(exc))
    for row in rows:
        fields = (row["year"], row["region_code"], row["region_name"], row["indicator_name"],
                  format_number(row["target"]), row["unit"], row["set_by"])  # fmt: skip
        click.echo("\t".join(audit.printable(str(f)) for f in fields))
