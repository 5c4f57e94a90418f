"""The audit trail: an append-only, hash-chained record of every state change.

Each entry's hash covers its content and the previous entry's hash, so altering, inserting
or deleting an entry breaks the chain from that point on.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask_login import current_user
from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, mapped_column

from relief.core.models import utcnow
from relief.extensions import db

GENESIS_HASH = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: "user:12", "insurer:ins_x" or "system"
    actor: Mapped[str] = mapped_column(String(64))
    #: what happened, e.g. "relief.approved"
    action: Mapped[str] = mapped_column(String(64), index=True)
    #: what it happened to, e.g. "relief_application:app_x"
    subject: Mapped[str] = mapped_column(String(96), index=True)
    #: structured details; ids and amounts, never identity numbers or tip text
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


def _digest(
    previous_hash: str, at: datetime, actor: str, action: str, subject: str, details: dict
) -> str:
    payload = json.dumps(
        [previous_hash, at.isoformat(), actor, action, subject, details],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def current_actor() -> str:
    """The actor of the current request: the logged-in user, else the system."""
    try:
        if current_user and current_user.is_authenticated:
            return f"user:{current_user.id}"
    except RuntimeError:  # outside a request: CLI or background work
        pass
    return "system"


def record(action: str, subject: str, actor: str | None = None, **details: Any) -> AuditEntry:
    """Append an entry to the trail in the current transaction.

    TODO: two transactions appending at once can chain to the same previous entry; the
    unique hash keeps the chain verifiable, but a lock on the chain head would serialise it.
    """
    last = db.session.execute(
        select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar_one_or_none()
    previous_hash = last or GENESIS_HASH
    at = utcnow()
    actor = actor or current_actor()
    details = json.loads(json.dumps(details, default=str))

    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        details=details,
        previous_hash=previous_hash,
        entry_hash=_digest(previous_hash, at, actor, action, subject, details),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def entries_for(subject_prefixes: list[str]) -> list[AuditEntry]:
    """All entries whose subject is one of the given subjects, oldest first."""
    return list(
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.subject.in_(subject_prefixes))
            .order_by(AuditEntry.id)
        ).scalars()
    )
