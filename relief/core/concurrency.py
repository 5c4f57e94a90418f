"""Two requests changing the same record at once: the database decides, the loser is told.

The guarantees live in the database, not in Python checks that both requests pass:

- version columns (``version_id_col``) make the second UPDATE of a row match nothing, which
  SQLAlchemy raises as ``StaleDataError``;
- unique constraints make the second INSERT fail with ``IntegrityError`` (only a unique
  violation counts: a NOT NULL or CHECK failure is a bug and stays a 500);
- on PostgreSQL, ``SELECT ... FOR UPDATE`` makes the second request wait for the first, and
  a deadlock or serialisation failure aborts one of them;
- SQLite has a single writer: a request waits up to ``SQLITE_BUSY_TIMEOUT_MS`` for the lock,
  then gets "database is locked".

All of these mean "someone else changed this meanwhile; read again and retry". They answer
409 with :data:`CONFLICT_MESSAGE`, never 500.
"""

from __future__ import annotations

import sqlite3

from flask import Flask
from flask_babel import lazy_gettext
from sqlalchemy import event, inspect, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from relief.extensions import db

#: what the loser of a race reads, on a staff page and in the API's error body
CONFLICT_MESSAGE = lazy_gettext(
    "该记录刚被其他操作修改或正被处理，本次操作未生效。请刷新页面查看最新状态后重试。"
)

#: seconds a client should wait before retrying, sent as Retry-After
RETRY_AFTER_SECONDS = 1

#: how long an SQLite writer waits for the lock before giving up
DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 15_000

#: SQLSTATEs of PostgreSQL's "try again": serialization_failure, deadlock_detected,
#: lock_not_available
_RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}

_UNIQUE_VIOLATION = "23505"

_SQLITE_LOCKED = ("database is locked", "database table is locked")


def is_conflict(error: BaseException) -> bool:
    """Whether an exception means another transaction won a race for the same rows."""
    if isinstance(error, StaleDataError):
        return True
    if not isinstance(error, OperationalError | DBAPIError):
        return False

    original = getattr(error, "orig", None)
    if isinstance(error, IntegrityError):
        # a unique key taken meanwhile is a race; a NOT NULL or CHECK failure is a bug
        return getattr(original, "sqlstate", None) == _UNIQUE_VIOLATION or (
            "UNIQUE constraint failed" in str(original)
        )
    if isinstance(original, sqlite3.OperationalError):
        return any(text in str(original) for text in _SQLITE_LOCKED)
    return getattr(original, "sqlstate", None) in _RETRYABLE_SQLSTATES


def init_app(app: Flask) -> None:
    """Make every SQLite connection of the app wait for the write lock, and use WAL."""
    timeout_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", DEFAULT_SQLITE_BUSY_TIMEOUT_MS))

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        # wait for the writer instead of failing at once; what still fails is a conflict
        cursor.execute(f"PRAGMA busy_timeout = {timeout_ms:d}")
        # readers do not wait for the writer, and a backup can run while the app writes
        if not engine.url.database or engine.url.database == ":memory:":
            cursor.close()
            return
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


def lock_row(row) -> None:
    """Hold the row's write lock until the transaction ends, and reload it.

    For a check-then-change on a row without a version column (is there still room for
    this amount?): a second request waits here until the first one commits, then reads
    what it wrote. PostgreSQL: SELECT ... FOR UPDATE. SQLite ignores FOR UPDATE and a read
    there runs before the transaction takes the write lock, so a no-op UPDATE takes it.
    """
    # changes made to the row so far are written first: the reload must not discard them
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.refresh(row, with_for_update=True)
        return

    mapper = inspect(row).mapper
    key = mapper.primary_key_from_instance(row)
    first = mapper.primary_key[0]
    db.session.execute(
        update(mapper.local_table)
        .where(*(column == value for column, value in zip(mapper.primary_key, key, strict=True)))
        .values({first.name: first})
    )
    db.session.refresh(row)
