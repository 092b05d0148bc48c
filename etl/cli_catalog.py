"""python -m etl catalog export | import: the catalogue as a workbook, for bulk work (etl/catalog_workbook.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from etl import audit, catalog_admin, warehouse
from etl.cli import DB_OPTION, _actor, _db, _fail, as_option
from etl.guard import too_large
from etl.issues import RefusedFile
from etl.roles import PermissionDenied


@click.group(help="指标目录：export 导出为 Excel；import 从 Excel 导入（全部检查通过才生效）。")
def catalog() -> None:
    pass


@catalog.command("export", help="把指标目录（全部类别、指标、派生指标、规则及各口径版本）导出为 .xlsx。")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@DB_OPTION
def catalog_export(output, db_path) -> None:  # noqa: ANN001
    try:
        cat = catalog_admin.current(_db(db_path))
        output.write_bytes(catalog_admin.catalog_workbook.workbook_bytes(cat))
    except warehouse.WarehouseError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"无法写入 {output}：{exc.strerror}")
    counts = f"{len(cat.domains_all)} 个类别版本、{len(cat.indicators_all)} 个指标版本、"
    counts += f"{len(cat.rates_all)} 个派生指标版本、{len(cat.rules_all)} 条规则版本"
    click.echo(f"已导出指标目录第 {cat.revision} 版到 {output}：{counts}。")


@catalog.command(
    "import", help="从 .xlsx 导入指标目录的新增和修改。任何一处有误，整个文件不导入，并指出工作表和单元格。"
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", required=True, help="修改说明（为什么改、改了什么），记入目录修改记录和审计日志。")
@DB_OPTION
@as_option()
def catalog_import(file, note, db_path, acting_as) -> None:  # noqa: ANN001
    from etl.config import MAX_FILE_BYTES

    db = _db(db_path)
    actor = _actor(acting_as, db)
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise too_large(file.name, size)
        result = catalog_admin.import_workbook(actor, db, file.read_bytes(), file.name, note)
    except RefusedFile as refusal:
        _fail(refusal.issue.describe())
    except (warehouse.WarehouseError, PermissionDenied) as exc:
        _fail(str(exc))
    if result.refused:
        click.echo(f"✗ {file.name}：已拒绝，指标目录未作任何修改（{len(result.issues)} 个错误）。")
        for issue in result.issues[:200]:
            click.echo(f"  错误 {audit.printable(issue.place)}：{audit.printable(issue.message)}")
        sys.exit(1)
    if result.revision is None:
        click.echo(f"= {file.name}：文件中的定义与现有目录相同，未作修改。")
        return
    click.echo(f"✓ {file.name}：已导入，指标目录第 {result.revision} 版：{result.summary}。")
