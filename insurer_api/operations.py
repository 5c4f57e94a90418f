"""Every change an insurer makes to its webhook set-up goes through a function here.

Like every operation, each checks the move, writes the rows and the audit entry, and
flushes; the API view commits.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update

from insurer_api import events
from insurer_api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from relief.core import audit, vault
from relief.core.errors import Conflict, Forbidden, OperationError
from relief.core.models import utcnow
from relief.extensions import db
from relief.insurers.models import Insurer

#: endpoints an insurer may have at once
MAX_ENDPOINTS = 10


def register_endpoint(
    insurer: Insurer, url: str, description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Register a URL for the insurer's events; return it with its secret, shown only once."""
    url = url.strip()
    parts = urlsplit(url)
    allowed = ("https", "http") if current_app.config.get("WEBHOOK_ALLOW_HTTP") else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise OperationError("地址须为 https:// 开头的完整网址。", field="url")
    if parts.username or parts.password:
        raise OperationError("地址中不能包含用户名或密码。", field="url")
    # TODO: refuse hosts that resolve to private or loopback addresses (checked again at
    # delivery time, as DNS can change): until then an insurer's key can make the server
    # POST signed events to machines inside the court's network.
    active = db.session.execute(
        select(func.count(WebhookEndpoint.id)).where(
            WebhookEndpoint.insurer_id == insurer.id, WebhookEndpoint.active.is_(True)
        )
    ).scalar_one()
    if active >= MAX_ENDPOINTS:
        raise Conflict(f"每家保险公司最多登记 {MAX_ENDPOINTS} 个接收地址。")

    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        insurer_id=insurer.id,
        url=url,
        description=description.strip(),
        secret_encrypted=vault.encrypt(secret.encode()),
    )
    db.session.add(endpoint)
    db.session.flush()

    audit.record(
        "webhook.registered",
        f"webhook_endpoint:{endpoint.public_id}",
        actor=f"insurer:{insurer.public_id}",
    )
    return endpoint, secret


def remove_endpoint(endpoint: WebhookEndpoint, *, insurer: Insurer) -> WebhookEndpoint:
    """Stop sending events to an endpoint; its pending deliveries are cancelled."""
    _require_owner(endpoint.insurer_id, insurer)
    if not endpoint.active:
        raise Conflict("该接收地址已删除。")

    endpoint.active = False
    endpoint.removed_at = utcnow()
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.CANCELLED, next_attempt_at=None)
    )
    db.session.flush()

    audit.record(
        "webhook.removed",
        f"webhook_endpoint:{endpoint.public_id}",
        actor=f"insurer:{insurer.public_id}",
    )
    return endpoint


def replay_delivery(delivery: WebhookDelivery, *, insurer: Insurer) -> WebhookDelivery:
    """Send a delivered or failed event again to its endpoint, as a new delivery due now.

    The event keeps its id, so a receiver that already processed it can tell.
    """
    _require_owner(delivery.insurer_id, insurer)
    if delivery.status == DeliveryStatus.PENDING:
        raise Conflict("该事件尚在投递中，无需重发。")
    if not delivery.endpoint.active:
        raise Conflict("该接收地址已删除，不能重发。")

    replay = events.new_delivery(delivery.event, delivery.endpoint)
    db.session.add(replay)
    db.session.flush()

    audit.record(
        "webhook.replayed",
        f"webhook_delivery:{replay.public_id}",
        actor=f"insurer:{insurer.public_id}",
        event=delivery.event.public_id,
        replay_of=delivery.public_id,
    )
    return replay


def _require_owner(insurer_id: int, insurer: Insurer) -> None:
    if insurer_id != insurer.id:
        raise Forbidden("该记录不属于本保险公司。")
