"""Rows the partner API keeps for itself."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from relief.core.models import TimestampMixin, enum_type, public_id_column, utcnow
from relief.extensions import db


class UsedNonce(db.Model):
    """A request nonce already accepted for an API key; a second use is a replay.

    Rows older than twice the timestamp window can no longer match a fresh request and are
    deleted as requests arrive (see signing.remember_nonce).
    """

    __tablename__ = "api_used_nonces"
    __table_args__ = (UniqueConstraint("key_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ApiClient.key_id of the request that used it
    key_id: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class IdempotencyRecord(db.Model):
    """The first successful answer to a POST sent with an Idempotency-Key, kept for a day.

    Written in the same transaction as the change the request made, so a change is never
    kept without the answer a retry must get. A row without ``status_code`` is a request
    whose change committed while its answer was still being stored (see idempotency.py).
    """

    __tablename__ = "api_idempotency_records"
    __table_args__ = (UniqueConstraint("key_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ApiClient.key_id of the caller: keys are scoped per API client
    key_id: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of method, path, query and body: the same key must come with the same request
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(100))
    etag: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class WebhookEndpoint(TimestampMixin, db.Model):
    """A URL of an insurer's system that receives the events concerning that insurer."""

    __tablename__ = "api_webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column("whk")
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    #: the secret that signs deliveries, encrypted with the vault key
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    description: Mapped[str] = mapped_column(String(200), default="")
    #: removed endpoints stay, inactive, so their delivery log still reads
    active: Mapped[bool] = mapped_column(default=True)
    removed_at: Mapped[datetime | None]


class OutboxEvent(db.Model):
    """An event for an insurer, written in the transaction of the change it reports."""

    __tablename__ = "api_outbox_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the event id receivers deduplicate by; the same in every delivery and replay
    public_id: Mapped[str] = public_id_column("evt")
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)
    #: e.g. "claim.submitted"
    event_type: Mapped[str] = mapped_column(String(64))
    #: public ids and amounts only; receivers read the rest through the API
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  #: waiting for its next attempt
    DELIVERED = "delivered"  #: the endpoint answered 2xx
    FAILED = "failed"  #: every attempt failed; a replay tries again
    CANCELLED = "cancelled"  #: the endpoint was removed before delivery


class WebhookDelivery(TimestampMixin, db.Model):
    """One event on its way to one endpoint: the delivery log an insurer reads."""

    __tablename__ = "api_webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column("dlv")
    event_id: Mapped[int] = mapped_column(ForeignKey("api_outbox_events.id"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("api_webhook_endpoints.id"), index=True)
    #: the endpoint's insurer, so the log is read without a join
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus, 16), default=DeliveryStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    last_attempt_at: Mapped[datetime | None]
    #: the endpoint's HTTP status on the last attempt; null when it could not be reached
    last_status_code: Mapped[int | None]
    #: why the last attempt failed, without the endpoint's answer body
    last_error: Mapped[str | None] = mapped_column(String(200))
    delivered_at: Mapped[datetime | None]

    event: Mapped[OutboxEvent] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()
