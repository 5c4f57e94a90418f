"""``flask cases``: import a court's case export from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from relief.accounts.models import User
from relief.cases.importer import FileError, import_cases
from relief.extensions import db

cases_cli = click.Group("cases", help="Enforcement cases: import the courts' exports.")

#: exit status when some rows were rejected (the others were imported)
EXIT_ROWS_REJECTED = 1
#: exit status when the file as a whole could not be imported (nothing was written)
EXIT_FILE_ERROR = 2


@cases_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--as", "username", help="Import as this user (default: the system).")
@click.option("--dry-run", is_flag=True, help="Check and compare only; write nothing.")
@with_appcontext
def import_command(file: Path, username: str | None, dry_run: bool) -> None:
    """Import a court's case export (CSV or XLSX) into the register."""
    actor: User | str = "system"
    if username:
        user = db.session.execute(
            select(User).where(User.username == username)
        ).scalar_one_or_none()
        if user is None:
            raise click.UsageError(f"没有用户名为 {username} 的用户。")
        actor = user

    try:
        report = import_cases(file, actor=actor, dry_run=dry_run)
    except FileError as error:
        click.echo(f"无法导入 {file.name}：{error.message}", err=True)
        raise SystemExit(EXIT_FILE_ERROR) from None

    for row_error in report.errors:
        click.echo(str(row_error))
    click.echo(report.summary())
    if report.rejected:
        raise SystemExit(EXIT_ROWS_REJECTED)
