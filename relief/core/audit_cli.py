"""``flask audit verify``: check that nobody altered, inserted or deleted audit entries."""

import click
from flask.cli import with_appcontext

from relief.core import audit

audit_cli = click.Group("audit", help="Check the audit trail.")


@audit_cli.command("verify")
@with_appcontext
def verify_command() -> None:
    """Walk the hash chain; exit 1 and name the first broken entry if it is not intact."""
    result = audit.verify()
    if not result.intact:
        click.echo(f"审计记录链已被破坏：{result.first_break}", err=True)
        raise SystemExit(1)
    click.echo(f"审计记录链完整：共 {result.entries} 条，链尾摘要 {result.head_hash}")
