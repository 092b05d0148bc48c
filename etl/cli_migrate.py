"""python -m etl migrate --from A --to B: move the warehouse and the accounts store between a DuckDB file (with the
accounts.sqlite3 beside it) and a PostgreSQL database, either way, counts checked; the target must be empty."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from etl import audit, config, warehouse
from etl.access import store
from etl.roles import cli_user
from etl.warehouse import transfer
from etl.warehouse.db import is_url


def _accounts_of(location: str) -> Path | str:
    return location if is_url(location) else config.accounts_path(Path(location))


def _shown(location: str) -> str:
    """A URL without its password, for the terminal."""
    if not is_url(location):
        return location
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(location)
    where = f"{parts.get('host', '')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"
    return f"postgresql://{parts.get('user', '')}@{where}"


def move(source: str, target: str) -> tuple[dict[str, int], dict[str, int]]:
    """(warehouse rows, accounts rows) copied from `source` into `target`; each a DuckDB path or a postgresql:// URL.
    The target's store is checked empty first, so that a refusal there writes nothing anywhere."""
    if source == target:
        raise transfer.TransferError("迁移的来源和目标不能相同。")
    if not is_url(source) and not Path(source).exists():
        raise warehouse.WarehouseMissing(f"数据仓库 {source} 不存在。")
    with store.connect_to(_accounts_of(target)) as accounts_target:
        held = accounts_target.value("select count(*) from users")
    if held:
        raise transfer.TransferError(f"目标账号数据库已有 {held} 个账号：迁移只写入空的账号数据库，未写入任何数据。")
    with warehouse.open_database(source, read_only=True) as old, warehouse.open_database(target) as new:
        rows = transfer.copy_warehouse(old, new)
    accounts: dict[str, int] = {}
    source_accounts = _accounts_of(source)
    if is_url(source_accounts) or Path(source_accounts).exists():
        with store.connect_to(source_accounts) as old, store.connect_to(_accounts_of(target)) as new:
            accounts = store.transfer(old, new)
            entry = audit.entry(cli_user(), "migrate", detail=f"从 {_shown(source)} 迁移：{_summary(rows)}")
            store.append_audit(new, entry)
    return rows, accounts


def _summary(counts: dict[str, int]) -> str:
    return "，".join(f"{table} {rows} 行" for table, rows in counts.items())


@click.command(
    help="在 DuckDB 文件与 PostgreSQL 数据库之间迁移数据仓库和账号（含审计日志），逐表核对行数；目标须为空。"
)
@click.option(
    "--from", "source", required=True, metavar="来源", help="数据仓库文件（如 data/warehouse.duckdb）或 postgresql://…"
)
@click.option("--to", "target", required=True, metavar="目标", help="postgresql://…，或一个新的 .duckdb 文件。")
def migrate(source: str, target: str) -> None:
    try:
        rows, accounts = move(source, target)
    except warehouse.WarehouseError as exc:
        click.echo(f"✗ {exc}", err=True)
        sys.exit(1)
    click.echo(f"已迁移到 {_shown(target)}，各表行数与来源一致：")
    click.echo(f"  数据仓库：{_summary(rows)}")
    click.echo(f"  账号与审计日志：{_summary(accounts) if accounts else '来源没有账号数据库'}")
