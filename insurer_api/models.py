"""Rows the partner API keeps for itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from relief.core.models import utcnow
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
