"""``flask users``: create accounts from the command line."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from relief.accounts.models import Role
from relief.accounts.operations import create_user
from relief.core.errors import OperationError
from relief.extensions import db
from relief.insurers.models import Insurer

users_cli = click.Group("users", help="Manage staff and insurer accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", "display_name", required=True, help="Name shown on documents.")
@click.option("--insurer", "insurer_name", help="Short name of the insurer (insurer role).")
@click.password_option()
@with_appcontext
def create(username, role, display_name, insurer_name, password):
    """Create an account."""
    insurer = None
    if insurer_name:
        insurer = db.session.execute(
            select(Insurer).where(Insurer.short_name == insurer_name)
        ).scalar_one_or_none()
        if insurer is None:
            raise click.ClickException(f"没有简称为 {insurer_name} 的保险公司。")
    try:
        create_user(username, password, Role(role), display_name, insurer)
    except OperationError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"已创建用户 {username}（{role}）。")
