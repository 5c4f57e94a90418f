"""``flask insurers``: API keys for the insurers' systems."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import or_, select

from relief.core.errors import OperationError
from relief.extensions import db
from relief.insurers.models import ApiClient, Insurer
from relief.insurers.operations import create_api_client, revoke_api_client

insurers_cli = click.Group("insurers", help="Manage insurers' API keys.")


@insurers_cli.command("create-client")
@click.argument("insurer_ref", metavar="INSURER_PUBLIC_ID_OR_SHORT_NAME")
@click.option("--label", default="", help="What the key is for, e.g. the insurer's system.")
@with_appcontext
def create_client(insurer_ref: str, label: str) -> None:
    """Create an API key for an insurer and print its secret, once."""
    insurer = _find_insurer(insurer_ref)
    try:
        client, secret = create_api_client(insurer, label)
    except OperationError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()

    click.echo(f"已为 {insurer.short_name} 创建 API 密钥。")
    click.echo(f"key id: {client.key_id}")
    click.echo(f"secret: {secret}")
    click.echo("密钥只显示这一次，系统只保存其密文；请立即交给保险公司妥善保管。")


@insurers_cli.command("revoke-client")
@click.argument("key_id")
@with_appcontext
def revoke_client(key_id: str) -> None:
    """Stop accepting requests signed with an API key."""
    client = db.session.execute(
        select(ApiClient).where(ApiClient.key_id == key_id)
    ).scalar_one_or_none()
    if client is None:
        raise click.ClickException(f"没有 key id 为 {key_id} 的密钥。")
    try:
        revoke_api_client(client)
    except OperationError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"已停用密钥 {key_id}。")


def _find_insurer(reference: str) -> Insurer:
    """The insurer with this public id or short name; short names may repeat, so refuse those."""
    matches = list(
        db.session.execute(
            select(Insurer).where(
                or_(Insurer.public_id == reference, Insurer.short_name == reference)
            )
        ).scalars()
    )
    if not matches:
        raise click.ClickException(f"没有编号或简称为 {reference} 的保险公司。")
    if len(matches) > 1:
        ids = "、".join(insurer.public_id for insurer in matches)
        raise click.ClickException(f"简称 {reference} 对应多家保险公司，请改用编号：{ids}。")
    return matches[0]
