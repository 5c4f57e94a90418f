"""``flask webhooks``: deliver the insurers' events."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from insurer_api import events, idempotency
from relief.extensions import db

webhooks_cli = click.Group("webhooks", help="Deliver events to the insurers' webhooks.")


@webhooks_cli.command("deliver")
@click.option("--batch", default=100, show_default=True, help="Most deliveries to attempt.")
@with_appcontext
def deliver(batch: int) -> None:
    """Attempt every due delivery once, and forget idempotency answers older than a day."""
    done = events.deliver_due(batch=batch)
    purged = idempotency.purge_expired()
    db.session.commit()

    click.echo(
        f"delivered {len(done.delivered)}, to retry {len(done.retrying)}, "
        f"given up {len(done.failed)}; expired idempotency keys removed: {purged}"
    )
