"""Events for insurers: written to an outbox with the change, delivered signed to webhooks.

An operation that changes something an insurer must hear about calls :func:`emit` in its
own transaction, after its rows and its audit entry::

    events.emit("claim.paid", claim.insurer, {"claim_id": claim.public_id, ...})

The event and one delivery per active endpoint of the insurer commit with the change or not
at all. :func:`deliver_due` (``flask --app relief webhooks deliver``) then POSTs each due
delivery as JSON ``{"id", "type", "created_at", "data"}`` with these headers:

- ``X-Relief-Event-Id``: the event id; the same on every attempt and replay, so a receiver
  that keeps the ids it processed handles each event once (delivery is at least once);
- ``X-Relief-Event-Type`` and ``X-Relief-Timestamp`` (unix seconds of this attempt);
- ``X-Relief-Signature``: base64(HMAC-SHA256(endpoint secret,
  TIMESTAMP + "\\n" + EVENT_ID + "\\n" + BODY)); see ``client.verify_webhook``.

A 2xx answer delivers; anything else, or no answer within 10 s, is retried after 30 s,
1, 2, 4 … minutes (at most 6 hours apart) until 12 attempts have failed. Redirects are not
followed. Payloads carry public ids and amounts only, never names or identity numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from insurer_api.models import DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookEndpoint
from relief.core import vault
from relief.core.models import utcnow
from relief.extensions import db
from relief.insurers.models import Insurer

log = logging.getLogger(__name__)

EVENT_ID_HEADER = "X-Relief-Event-Id"
EVENT_TYPE_HEADER = "X-Relief-Event-Type"
TIMESTAMP_HEADER = "X-Relief-Timestamp"
SIGNATURE_HEADER = "X-Relief-Signature"

#: the events an insurer can receive
EVENT_TYPES = (
    "claim.submitted",  # a relief application was approved: a new claim waits for an answer
    "claim.paid",  # the insurer reported the payment of a claim
    "claim.clawback_due",  # a later recovery owes relief back to the insurer
)

# TODO: events and deliveries are kept for ever; a retention period (and a purge in
# `webhooks deliver`) is needed before the tables grow large.
MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
TIMEOUT_SECONDS = 10.0

#: posts a body to a URL: (url, body, headers, timeout) -> HTTP status; raises OSError
Sender = Callable[[str, bytes, dict[str, str], float], int]


def emit(event_type: str, insurer: Insurer, payload: dict[str, Any]) -> OutboxEvent:
    """Write an event for the insurer, and its deliveries, in the current transaction."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")

    event = OutboxEvent(insurer_id=insurer.id, event_type=event_type, payload=payload)
    db.session.add(event)
    endpoints = db.session.execute(
        select(WebhookEndpoint).where(
            WebhookEndpoint.insurer_id == insurer.id, WebhookEndpoint.active.is_(True)
        )
    ).scalars()
    for endpoint in endpoints:
        db.session.add(new_delivery(event, endpoint))
    db.session.flush()
    return event


def new_delivery(event: OutboxEvent, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A delivery of the event to the endpoint, due now."""
    return WebhookDelivery(
        event=event,
        endpoint=endpoint,
        insurer_id=endpoint.insurer_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at=utcnow(),
    )


def event_body(event: OutboxEvent) -> bytes:
    """The JSON an endpoint receives for an event; the same bytes on every attempt."""
    created_at = event.created_at
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    document = {
        "id": event.public_id,
        "type": event.event_type,
        "created_at": created_at.astimezone(UTC).isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def sign_event(secret: str, event_id: str, timestamp: int | str, body: bytes) -> str:
    """The signature header's value for one attempt."""
    text = f"{timestamp}\n{event_id}\n".encode() + body
    return base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest()).decode()


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the given number of failed attempts: doubling, capped."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


@dataclass
class DeliveryPass:
    """What one pass of :func:`deliver_due` did."""

    delivered: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def deliver_due(
    *, now: datetime | None = None, batch: int = 100, send: Sender | None = None
) -> DeliveryPass:
    """Attempt every delivery that is due, once each; commits after each delivery.

    Safe to run in several processes at once: each delivery is locked while it is sent
    (PostgreSQL skips locked rows; SQLite runs one writer at a time).
    """
    now = now or utcnow()
    send = send or post_json
    done = DeliveryPass()
    due_ids = list(
        db.session.execute(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= now,
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(batch)
        ).scalars()
    )
    db.session.rollback()

    for delivery_id in due_ids:
        delivery = db.session.execute(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
            .with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if delivery is None:
            # another process took it, or it was cancelled meanwhile
            db.session.rollback()
            continue

        _attempt(delivery, now, send)
        outcome = {
            DeliveryStatus.DELIVERED: done.delivered,
            DeliveryStatus.PENDING: done.retrying,
            DeliveryStatus.FAILED: done.failed,
        }[delivery.status]
        outcome.append(delivery.public_id)
        db.session.commit()
    return done


def _attempt(delivery: WebhookDelivery, now: datetime, send: Sender) -> None:
    event = delivery.event
    endpoint = delivery.endpoint
    body = event_body(event)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "PanjinRelief-Webhooks/1",
        EVENT_ID_HEADER: event.public_id,
        EVENT_TYPE_HEADER: event.event_type,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign_event(
            vault.decrypt(endpoint.secret_encrypted).decode(), event.public_id, timestamp, body
        ),
    }

    status: int | None = None
    error: str | None = None
    try:
        status = send(endpoint.url, body, headers, TIMEOUT_SECONDS)
    except OSError as exc:
        # the reason's class only: messages may quote the endpoint's answer
        error = f"unreachable: {type(exc).__name__}"

    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status
    if status is not None and 200 <= status < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        delivery.last_error = None
        log.info("event %s delivered to endpoint %s", event.public_id, endpoint.public_id)
        return

    delivery.last_error = error or f"HTTP {status}"
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    log.warning(
        "event %s to endpoint %s failed (attempt %s, %s)",
        event.public_id,
        endpoint.public_id,
        delivery.attempts,
        delivery.last_error,
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        # a redirect could point the signed event at another host
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST the body and return the HTTP status; OSError when nothing answered."""
    request = urllib.request.Request(  # noqa: S310  (http(s) checked when registered)
        url, data=body, headers=headers, method="POST"
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code
