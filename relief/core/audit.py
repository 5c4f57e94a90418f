"""The audit trail: an append-only, hash-chained record of every state change.

Each entry's hash covers its content and the previous entry's hash, so altering, inserting
or deleting an entry breaks the chain from that point on. A one-row chain head holds the
last entry's id and hash: appending locks it, so appends are serialised (two transactions
can never chain to the same entry), and deleting entries from the end shows as a head that
points past the last entry. ``flask audit verify`` walks the chain (see :func:`verify`).

The chain detects changes made by anyone who does not also recompute every later hash; the
head hash printed by ``flask audit verify`` can be written down outside the database to
detect that too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_login import current_user
from sqlalchemy import JSON, String, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from relief.core.models import utcnow
from relief.extensions import db

GENESIS_HASH = "0" * 64

# TODO: the database does not itself refuse UPDATE or DELETE on audit_entries (a trigger
# would); until it does, tampering is detected by `flask audit verify`, not prevented.
# TODO: anchor the head hash outside the database (e.g. printed with each backup): someone
# who can write to the database and recomputes every later hash is otherwise not caught.


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


class AuditChainHead(db.Model):
    """The end of the chain: one row, locked by every append."""

    __tablename__ = "audit_chain_head"

    #: always 1
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the id of the last entry appended; 0 before the first
    last_entry_id: Mapped[int] = mapped_column(default=0)
    #: that entry's hash; the genesis hash before the first
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


HEAD_ID = 1


def _digest(
    previous_hash: str, at: datetime, actor: str, action: str, subject: str, details: dict
) -> str:
    if at.tzinfo is None:  # SQLite and a timestamp column hand back naive UTC times
        at = at.replace(tzinfo=UTC)
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

    The chain head stays locked until the transaction ends, so a concurrent append waits
    for it (PostgreSQL: row lock; SQLite: the single write lock) and then chains to this
    entry. Lock the rows the operation changes before appending, or two transactions can
    deadlock; the loser then gets a retryable conflict.
    """
    db.session.flush()  # the operation's own rows first: the head is always locked last
    previous_hash = _lock_head()
    # naive UTC: a timestamp column on a server in another time zone would shift aware times
    at = utcnow().replace(tzinfo=None)
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
    db.session.execute(
        update(AuditChainHead.__table__)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_entry_id=entry.id, last_hash=entry.entry_hash)
    )
    return entry


def _lock_head() -> str:
    """Lock the chain head for this transaction and return the hash to chain to.

    An UPDATE, not a SELECT ... FOR UPDATE: SQLite ignores FOR UPDATE, and a plain read
    there runs before the transaction takes the write lock, so it could read a stale head.
    An UPDATE takes the lock first on both databases; what is read after it is current.
    """
    table = AuditChainHead.__table__
    locked = db.session.execute(
        update(table).where(table.c.id == HEAD_ID).values(last_entry_id=table.c.last_entry_id)
    )
    if locked.rowcount == 0:
        # the first append ever (or since the head was added): start the head from the
        # entries already there; a concurrent first append fails on the primary key and is
        # answered as a conflict
        last = db.session.execute(
            select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
        ).first()
        db.session.execute(
            insert(table).values(
                id=HEAD_ID,
                last_entry_id=last.id if last else 0,
                last_hash=last.entry_hash if last else GENESIS_HASH,
            )
        )
    return db.session.execute(select(table.c.last_hash).where(table.c.id == HEAD_ID)).scalar_one()


@dataclass(frozen=True)
class Break:
    """Where the chain is broken: the first entry that is not what was appended."""

    entry_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry {self.entry_id}" if self.entry_id is not None else "chain head"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` found."""

    entries: int
    head_hash: str
    first_break: Break | None

    @property
    def intact(self) -> bool:
        """Whether no entry was altered, inserted or deleted."""
        return self.first_break is None


def _entries_after(last_id: int, batch: int = 1000) -> Iterator[AuditEntry]:
    while True:
        rows = list(
            db.session.execute(
                select(AuditEntry)
                .where(AuditEntry.id > last_id)
                .order_by(AuditEntry.id)
                .limit(batch)
            ).scalars()
        )
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        db.session.expunge_all()  # a long trail must not fill the identity map


def _head() -> tuple[int, str] | None:
    row = db.session.execute(
        select(AuditChainHead.last_entry_id, AuditChainHead.last_hash).where(
            AuditChainHead.id == HEAD_ID
        )
    ).first()
    return (row.last_entry_id, row.last_hash) if row else None


def verify() -> Verification:
    """Walk the whole trail and report the first entry altered, inserted or deleted.

    - an entry whose content no longer gives its hash was altered;
    - an entry that does not chain to the one before it was inserted, or the one it
      chained to was deleted;
    - an entry past the end the head records was not appended through :func:`record`;
    - a head pointing past the last entry means entries were deleted from the end.

    Appends may go on meanwhile: the head is read again before anything past it counts.
    """
    expected_previous = GENESIS_HASH
    last_id, count = 0, 0
    head = _head()
    while True:
        for entry in _entries_after(last_id):
            if head is None or entry.id > head[0]:
                head = _head()  # appended since the head was read?
            if head is None or entry.id > head[0]:
                problem = "was not appended through the trail: it lies past the recorded end"
                return Verification(count, expected_previous, Break(entry.id, problem))
            if entry.previous_hash != expected_previous:
                problem = (
                    "does not follow the entry before it: inserted, or an entry before it "
                    "was deleted"
                )
                return Verification(count, expected_previous, Break(entry.id, problem))
            recomputed = _digest(
                entry.previous_hash,
                entry.at,
                entry.actor,
                entry.action,
                entry.subject,
                entry.details,
            )
            if recomputed != entry.entry_hash:
                return Verification(count, expected_previous, Break(entry.id, "altered"))
            count += 1
            expected_previous = entry.entry_hash
            last_id = entry.id

        # the walk reached the end: it must be where the head says the trail ends
        head = _head()
        if head is None or head == (last_id, expected_previous):
            break
        if head[0] == last_id:
            problem = "altered and its hash recomputed: the head recorded another hash"
            return Verification(count, expected_previous, Break(last_id, problem))
        if (
            head[0] > last_id
            and db.session.execute(
                select(AuditEntry.id).where(AuditEntry.id > last_id).limit(1)
            ).first()
        ):
            continue  # entries were appended while we walked: walk on
        problem = (
            f"the trail ends at entry {last_id}, but entry {head[0]} was the last one "
            "appended: entries at the end were deleted"
        )
        return Verification(count, expected_previous, Break(head[0], problem))

    if head is None and last_id:
        return Verification(count, expected_previous, Break(None, "missing while entries exist"))
    return Verification(count, expected_previous, None)
