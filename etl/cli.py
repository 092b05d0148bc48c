"""Command line: python -m etl template | check | load | export | demo | briefing | backup | restore | users |
review | lock | unlock | audit | migrate. It runs on the server and acts as 管理员 unless told `--as USER`, which acts
as that account (its role and 市州 checked); what it changes is audited under that name."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from etl import audit, catalog, config, warehouse
from etl.issues import RefusedFile, make_issue
from etl.pipeline import REFUSED, FileReport, check_bytes, load_bytes, read_path
from etl.report import format_report
from etl.roles import PermissionDenied, User, cli_user

DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="数据仓库文件（默认 data/warehouse.duckdb，或环境变量 HNFL_WAREHOUSE）。",
)


class RegionType(click.ParamType):
    name = "市州"

    def convert(self, value, param, ctx):  # noqa: ANN001 - click's signature
        region = catalog.find_region(value)
        if region is None or region.level != "city":
            self.fail(f"“{value}”不是湖南省的市州名称。", param, ctx)
        return region.code


YEAR_TYPE = click.IntRange(config.FIRST_YEAR, 2100)


class DomainType(click.ParamType):
    name = "类别"

    def convert(self, value, param, ctx):  # noqa: ANN001 - click's signature
        found = catalog.find_domain(value)
        if found is None:
            self.fail(f"“{value}”不是报表类别，应为：{'、'.join(d.name for d in catalog.domains())}。", param, ctx)
        return found.code


def as_option(required: bool = False):  # noqa: ANN201 - a click decorator
    return click.option(
        "--as",
        "acting_as",
        required=required,
        metavar="用户名",
        help="以该账号的身份操作（检查其角色和市州，审计日志记为该用户）。"
        + ("" if required else "不指定则视为管理员（命令行）。"),
    )


def _actor(name: str | None, db: Path) -> User:
    """The account named by --as, as it is now (no password: the command line runs on the server); or 命令行."""
    if name is None:
        return cli_user()
    from etl.access import store  # the store only: no password hashing on the load path

    path = config.accounts_path(db)
    row = None
    if store.exists(path):
        with store.connect(path) as con:
            row = store.get_user(con, name)
    if row is None:
        _fail(f"账号“{name}”不存在。", code=2)
    if row["disabled"]:
        _fail(f"账号“{name}”已停用。", code=2)
    return User(row["name"], row["role"], row["region_code"])


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"✗ {message}", err=True)
    sys.exit(code)


@click.group(help="湖南省妇联统计平台：报表模板、检查、导入与导出。")
def main() -> None:
    pass


def _db(db_path: Path | None) -> Path:
    return db_path or config.warehouse_path()


def _echo_summary(reports: list[FileReport]) -> None:
    refused = sum(r.status == REFUSED for r in reports)
    if len(reports) > 1:
        click.echo(f"共 {len(reports)} 个文件：{len(reports) - refused} 个通过，{refused} 个被拒绝。")


def _run_files(files: tuple[Path, ...], action) -> list[FileReport]:  # noqa: ANN001
    """Run `action` on each file, printing each report as soon as it is known."""
    reports = []
    for path in files:
        try:
            data, name = read_path(path)
            report = action(data, name)
        except RefusedFile as refusal:
            report = FileReport(path.name, REFUSED, [refusal.issue])
        except warehouse.WarehouseError as exc:
            report = FileReport(
                path.name, REFUSED, [make_issue("warehouse-unavailable", file=path.name, detail=str(exc))]
            )
        click.echo(format_report(report))
        reports.append(report)
    return reports


FILES = click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))


@main.command(help="导入报表文件（.xlsx/.xls/.csv）。有错误的文件整个拒绝，不写入任何数据。")
@FILES
@DB_OPTION
@click.option("--year", type=YEAR_TYPE, help="文件未写明年度时使用的年度。")
@click.option("--region", type=RegionType(), help="文件只含一个市州时，该市州的名称。")
@click.option("--user", "submitted_by", default="", help="上报人（记入上报记录；默认为操作的账号）。")
@as_option()
def load(files, db_path, year, region, submitted_by, acting_as) -> None:  # noqa: ANN001
    db = _db(db_path)
    actor = _actor(acting_as, db)
    reports = _run_files(
        files,
        lambda data, name: load_bytes(
            data, name, db, year=year, region_code=region, submitted_by=submitted_by, actor=actor
        ),
    )
    _echo_summary(reports)
    sys.exit(1 if any(r.refused for r in reports) else 0)


@main.command(help="检查报表文件，报告全部错误和警告，不写入任何数据。")
@FILES
@DB_OPTION
@click.option("--year", type=YEAR_TYPE, help="文件未写明年度时使用的年度。")
@click.option("--region", type=RegionType(), help="文件只含一个市州时，该市州的名称。")
@click.option(
    "--annotate",
    "annotated",
    type=click.Path(dir_okay=False, path_type=Path),
    help="另存一份标注后的报表：错误单元格标红、警告标黄，批注中写明问题（只能用于一个文件）。",
)
def check(files, db_path, year, region, annotated) -> None:  # noqa: ANN001
    if annotated is not None and len(files) != 1:
        _fail("--annotate 只能用于一个文件。", code=2)
    db = _db(db_path)
    reports = _run_files(files, lambda data, name: check_bytes(data, name, year=year, region_code=region, db_path=db))
    _echo_summary(reports)
    if annotated is not None:
        _write_annotated(files[0], reports[0], annotated)
    sys.exit(1 if any(r.refused for r in reports) else 0)


def _write_annotated(source: Path, report: FileReport, output: Path) -> None:
    from etl.annotate import AnnotateError, annotate

    if not any(i.cell for i in report.issues):
        click.echo("没有指向单元格的问题，未生成标注后的报表。")
        return
    try:
        data, name = read_path(source)
        result = annotate(data, name, report.issues)
    except (RefusedFile, AnnotateError, warehouse.WarehouseError) as exc:
        click.echo(f"未生成标注后的报表：{exc}")
        return
    suffix = result.file_name.rsplit(".", 1)[-1]
    target = output.with_suffix(f".{suffix}")
    target.write_bytes(result.data)
    why = "（含宏的工作簿须用 .xlsm 扩展名）" if target.suffix != output.suffix else ""
    click.echo(f"已写出标注后的报表 {target}{why}：{result.marked} 个单元格标红或标黄，批注中是问题和改正方法。")


@main.command(help="导出已审核通过（已发布）的数据为规范 CSV（UTF-8 带 BOM，可直接用 Excel 打开）。")
@DB_OPTION
@click.option("--year", type=YEAR_TYPE)
@click.option("--region", type=RegionType())
@click.option("--domain", type=DomainType())
@click.option("--include-pending", is_flag=True, help="同时导出待审核的数据（另加“审核状态”列）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@as_option()
def export(db_path, year, region, domain, include_pending, output, acting_as) -> None:  # noqa: ANN001
    from etl import actions
    from etl.export import EXPORT_HEADER, tidy_csv

    db = _db(db_path)
    actor = _actor(acting_as, db)
    regions = [region] if region else [c.code for c in catalog.cities()]
    try:
        if include_pending:
            _check(actor, "pending")
        with warehouse.connect(db, read_only=True) as con:
            rows = warehouse.current_values(
                con, year=year, region_code=region, domain=domain, include_pending=include_pending
            )
        what = f"命令行导出 {len(rows)} 行" + ("（含待审核）" if include_pending else "（已发布）")
        actions.export(actor, regions, what=what, file_name=output.name, db_path=db, year=year)
    except warehouse.WarehouseError as exc:
        _fail(str(exc))
    except PermissionDenied as exc:
        _fail(str(exc))
    output.write_bytes(tidy_csv(rows, with_status=include_pending))
    pending = sum(bool(r[len(EXPORT_HEADER)]) for r in rows)  # the flag after the exported columns
    click.echo(f"已导出 {len(rows)} 行到 {output}" + (f"（其中待审核 {pending} 行）。" if include_pending else "。"))


def _check(actor: User, action: str) -> None:
    from etl import audit
    from etl.roles import check

    try:
        check(actor, action)
    except PermissionDenied as denied:
        audit.record(actor, "denied", outcome=audit.REFUSED, detail=f"{action}：{denied}")
        raise


@main.command(help="生成官方报表模板（.xlsx）：按数据仓库的指标目录，“上年数”列填上年已审核通过的数。")
@click.option("--year", type=YEAR_TYPE, required=True)
@click.option("--region", type=RegionType(), help="只含该市州一行；不指定则含全部 14 个市州。")
@DB_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def template(year, region, db_path, output) -> None:  # noqa: ANN001
    from etl.template import write_template
    from etl.warehouse import catalog_store

    db = _db(db_path)
    cat, last_year = catalog.active(), {}
    if warehouse.exists(db):  # the warehouse's catalogue and last year's published figures; none yet: the shipped one
        try:
            with warehouse.connect(db, read_only=True) as con:
                cat, last_year = catalog_store.catalogue(con), warehouse.published_figures(con, year - 1)
        except warehouse.WarehouseError as exc:
            _fail(str(exc))
    write_template(output, year, region, cat=cat, last_year=last_year)
    click.echo(f"已生成 {year} 年报表模板（指标目录第 {cat.revision} 版）：{output}")


@main.command(help="把数据仓库备份到一个新目录（应用运行时也可备份）。")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@DB_OPTION
def backup(folder, db_path) -> None:  # noqa: ANN001
    from etl.backup import export_backup

    try:
        counts = export_backup(_db(db_path), folder)
    except warehouse.WarehouseError as exc:
        click.echo(f"✗ {exc}", err=True)
        sys.exit(1)
    click.echo(f"已备份到 {folder}：{len(counts)} 张表，{counts.get('facts', 0)} 条数值记录。")


@main.command(help="从备份目录（或 backups/ 中的自动备份文件）重建数据仓库；原文件改名保留，不会被覆盖。")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@DB_OPTION
def restore(source, db_path) -> None:  # noqa: ANN001
    from etl.backup import restore_backup

    db = _db(db_path)
    try:
        kept = restore_backup(source, db)
    except warehouse.WarehouseError as exc:
        click.echo(f"✗ {exc}", err=True)
        sys.exit(1)
    click.echo(f"已从 {source} 恢复数据仓库 {db}。" + (f"原文件保留为 {kept.name}。" if kept else ""))


@main.command(help="用 data/raw/ 中的示例报表建立演示数据仓库。")
@DB_OPTION
def demo(db_path) -> None:  # noqa: ANN001
    from etl.demo import build_demo

    db = _db(db_path)
    try:
        reports = build_demo(db, progress=click.echo, actor=cli_user())
    except warehouse.WarehouseError as exc:
        click.echo(f"✗ {exc}", err=True)
        sys.exit(1)
    refused = [r for r in reports if r.refused]
    for report in refused:
        click.echo(format_report(report))
    click.echo(f"演示数据仓库已就绪：{db}（{len(reports) - len(refused)} 个示例文件）。")
    sys.exit(1 if refused else 0)


@main.command(help="生成年度简报（已审核通过的数据）：输出文件以 .docx 结尾为 Word 文档，以 .md 结尾为 Markdown。")
@DB_OPTION
@click.option("--year", type=YEAR_TYPE, required=True)
@click.option("--include-pending", is_flag=True, help="含待审核的数据（仅供内部核对）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def briefing(db_path, year, include_pending, output) -> None:  # noqa: ANN001
    from etl import briefing_figures
    from etl.briefing import RENDERERS, BriefingError, build_briefing, read_figures

    render = RENDERERS.get(output.suffix.lower())
    if render is None:
        suffix = output.suffix or "（无扩展名）"
        click.echo(f"✗ 不支持的简报格式 {suffix}：输出文件请以 .docx（Word）或 .md（Markdown）结尾。", err=True)
        sys.exit(2)
    try:
        with warehouse.connect(_db(db_path), read_only=True) as con:
            figures = read_figures(con, year, include_pending=include_pending)
        made = build_briefing(figures)
        images: list = []
        if output.suffix.lower() == ".docx":
            # The domain pages' own bar builder (etl.charts), so the charts match the pages.
            images, reason = briefing_figures.images(figures)
            if reason:
                click.echo(f"注意：简报未含图表：{reason}。", err=True)
        output.write_bytes(render(made, images))
    except (warehouse.WarehouseError, BriefingError) as exc:
        click.echo(f"✗ {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"✗ 无法写入 {output}：{exc.strerror}", err=True)
        sys.exit(1)
    click.echo(f"已生成 {year} 年简报：{output}")


@main.group(help="管理账号：add | list | disable | enable | passwd | bootstrap。")
def users() -> None:
    pass


def _new_password(generate: bool) -> tuple[str, bool]:
    """(password, generated): typed twice at a hidden prompt, from stdin when piped, or generated."""
    from etl.accounts import generate_password

    if generate:
        return generate_password(), True
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n"), False
    return click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次"), False


def _accounts_call(action) -> None:  # noqa: ANN001
    from etl.accounts import AccountError

    try:
        action()
    except (AccountError, warehouse.WarehouseError) as exc:
        click.echo(f"✗ {exc}", err=True)
        sys.exit(1)


@users.command("add", help="新增账号。密码在提示时输入两次（或从标准输入读一行），--generate 则自动生成并显示一次。")
@click.argument("name")
@click.option("--role", type=click.Choice(["统计员", "审核员", "领导", "管理员"]), required=True)
@click.option("--region", help="统计员所属市州，如“长沙市”。")
@click.option("--generate", is_flag=True, help="自动生成密码并显示一次。")
@DB_OPTION
def users_add(name, role, region, generate, db_path) -> None:  # noqa: ANN001
    from etl.accounts import add_user

    password, generated = _new_password(generate)
    _accounts_call(lambda: add_user(cli_user(), name, role, password, region, db_path=_db(db_path)))
    click.echo(f"已新增账号 {name}（{role}{'·' + region if region and role == '统计员' else ''}）。")
    if generated:
        click.echo(f"初始密码（只显示这一次，请转交本人并提醒登录后修改）：{password}")


@users.command("list", help="列出全部账号（不显示密码）。")
@DB_OPTION
def users_list(db_path) -> None:  # noqa: ANN001
    from etl.accounts import list_users

    rows = list_users(_db(db_path))
    if not rows:
        click.echo("尚无账号。运行 python -m etl users bootstrap 建立第一个管理员。")
    for row in rows:
        city = catalog.region_by_code()[row["region_code"]].name if row["region_code"] else ""
        state = "已停用" if row["disabled"] else "正常"
        click.echo(f"{row['name']}\t{row['role']}\t{city or '-'}\t{state}\t建立于 {row['created_at']}")


def _switch_command(disabled: bool):  # noqa: ANN202
    def run(name, db_path) -> None:  # noqa: ANN001
        from etl.accounts import set_disabled

        _accounts_call(lambda: set_disabled(cli_user(), name, disabled, db_path=_db(db_path)))
        click.echo(f"已{'停用' if disabled else '启用'}账号 {name}。")

    return run


for _name, _disabled, _help in (
    ("disable", True, "停用账号：立即不能登录，已登录的会话随之失效。"),
    ("enable", False, "重新启用账号，并清零登录失败后的等待（账号未停用时也可用来让它立即能再登录）。"),
):
    users.command(_name, help=_help)(click.argument("name")(DB_OPTION(_switch_command(_disabled))))


@users.command("passwd", help="重设密码（提示输入两次，或从标准输入读一行；--generate 自动生成）。")
@click.argument("name")
@click.option("--generate", is_flag=True, help="自动生成密码并显示一次。")
@DB_OPTION
def users_passwd(name, generate, db_path) -> None:  # noqa: ANN001
    from etl.accounts import set_password

    password, generated = _new_password(generate)
    _accounts_call(lambda: set_password(cli_user(), name, password, db_path=_db(db_path)))
    click.echo(f"已重设 {name} 的密码。" + (f"新密码（只显示这一次）：{password}" if generated else ""))


@users.command(
    "bootstrap", help="没有管理员时建立第一个管理员 admin：密码取环境变量 HNFL_ADMIN_PASSWORD，否则生成并显示一次。"
)
@DB_OPTION
def users_bootstrap(db_path) -> None:  # noqa: ANN001
    from etl.accounts import bootstrap_admin

    generated: list[str | None] = []
    _accounts_call(lambda: generated.append(bootstrap_admin(db_path=_db(db_path))))
    if generated and generated[0]:
        click.echo("已建立第一个管理员账号 admin。")
        click.echo(f"一次性初始密码（只显示这一次，请记下并在登录后修改）：{generated[0]}")


def _lock_command(locked: bool):  # noqa: ANN202
    from etl import actions

    def run(year, region, domain, db_path, acting_as) -> None:  # noqa: ANN001
        scope = f"{catalog.region_by_code()[region].name if region else '全省'}{year}年"
        scope += catalog.domain_by_code()[domain].name if domain else ""
        act = actions.lock if locked else actions.unlock
        try:
            changed = act(_actor(acting_as, _db(db_path)), _db(db_path), year, region, domain)
        except (warehouse.WarehouseError, PermissionDenied) as exc:
            _fail(str(exc))
        verb = "锁定" if locked else "解除锁定"
        click.echo(f"已{verb}：{scope}。" if changed else f"{scope}原本{'已' if locked else '未'}锁定，未作更改。")

    return run


for _name, _locked, _help in (
    ("lock", True, "审核锁定：某市州某年度（不指定市州则整个年度；可只锁一个类别）不再接受上报和恢复。"),
    ("unlock", False, "解除审核锁定（记入审计日志）。审核通过时按类别加的锁，也用 --domain 解除。"),
):
    main.command(_name, help=_help)(
        click.option("--year", type=YEAR_TYPE, required=True)(
            click.option("--region", type=RegionType(), help="市州；不指定则为整个年度。")(
                click.option("--domain", type=DomainType(), help="类别；不指定则为全部类别。")(
                    DB_OPTION(as_option()(_lock_command(_locked)))
                )
            )
        )
    )


@main.command("audit", help="列出审计日志（最新在前）。")
@click.option("--limit", type=click.IntRange(1, 100000), default=50, show_default=True)
@click.option("--user", "actor", help="只看某个用户。")
@DB_OPTION
def audit_command(limit, actor, db_path) -> None:  # noqa: ANN001
    for e in audit.entries(_db(db_path), actor=actor, limit=limit):
        name = audit.ACTIONS.get(e["action"], e["action"])
        outcome = audit.OUTCOMES.get(e["outcome"], e["outcome"])
        fields = [e["at"], e["actor"], name, outcome, e["detail"]]
        if e["file_sha256"]:
            fields.append(f"{e['file_name']} {e['file_sha256'][:12]}")
        # Each field escaped again on the way out: entries written before names were escaped may hold ESC.
        click.echo("\t".join(audit.printable(str(field)) for field in fields))


from etl.cli_migrate import migrate  # noqa: E402
from etl.cli_review import review  # noqa: E402 - the review commands build on the helpers above

main.add_command(review)
main.add_command(migrate)

from etl.cli_catalog import catalog as catalog_command  # noqa: E402 - builds on the helpers above

main.add_command(catalog_command)

from etl.cli_targets import targets_command  # noqa: E402 - builds on the helpers above

main.add_command(targets_command, name="targets")
