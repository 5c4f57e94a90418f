"""A request that loses a race is told so in Chinese and may retry; it never sees a 500."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from relief import create_app
from relief.accounts.models import Role
from relief.core.concurrency import is_conflict
from relief.extensions import db
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, csrf_token, make_user


def test_a_locked_sqlite_database_is_a_retryable_conflict(tmp_path):
    path = tmp_path / "locked.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "RATELIMIT_ENABLED": False,
            "SQLITE_BUSY_TIMEOUT_MS": 200,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        make_user("clerk", Role.CLERK)
        db.session.commit()
        client = app.test_client()
        token = csrf_token(client, "/login")

        # another process holds the write lock longer than the app waits for it
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            answer = client.post(
                "/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token}
            )
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        db.session.remove()
        db.engine.dispose()

    assert answer.status_code == 409
    assert answer.headers["Retry-After"] == "1"
    assert "本次操作未生效" in answer.get_data(as_text=True)


def test_sqlite_connections_wait_for_the_lock_and_use_wal(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's lock settings; PostgreSQL locks rows instead")
    with db.engine.connect() as connection:
        timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar_one()

    assert timeout == 15_000
    assert mode == "wal"


def test_what_counts_as_a_lost_race():
    locked = OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))
    broken = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))

    assert is_conflict(StaleDataError("0 rows matched"))
    assert is_conflict(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: x")))
    assert not is_conflict(IntegrityError("INSERT", {}, Exception("NOT NULL constraint failed")))
    assert is_conflict(locked)
    assert not is_conflict(broken)
    assert not is_conflict(ValueError("something else"))
