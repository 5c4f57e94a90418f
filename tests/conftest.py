"""Fixtures shared by the whole suite.

Database tests run on SQLite and, when a server answers, on PostgreSQL too: the ``app``
fixture is parametrised over the reachable backends. Tables are created once per backend
and emptied after every test.
"""

from __future__ import annotations

import contextvars
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from relief import create_app
from relief.extensions import db

DATA_DIR = Path(__file__).resolve().parent / "data"
#: the court's case export in its real format (306 rows, UTF-8 with BOM)
SAMPLE_EXPORT = DATA_DIR / "panjin-enforcement-cases.csv"


def _postgres_url() -> str | None:
    """The PostgreSQL server to test against, if one answers."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    except OSError:
        return None


def _backends() -> list[str]:
    backends = ["sqlite"]
    if _postgres_url() and os.environ.get("TEST_SKIP_POSTGRES") != "1":
        backends.append("postgresql")
    return backends


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory) -> Iterator[dict[str, str]]:
    """One empty database per backend for this test session."""
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"}
    admin_url = _postgres_url()
    created = None
    if "postgresql" in _backends():
        created = f"relief_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{created}"'))
        admin.dispose()
        urls["postgresql"] = admin_url.rsplit("/", 1)[0] + f"/{created}"
    yield urls
    if created:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)'))
        admin.dispose()


_schema_ready: set[str] = set()


@pytest.fixture(params=_backends())
def app(request, database_urls, tmp_path):
    """The application on one backend, with empty tables, inside an app context."""
    backend = request.param
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_urls[backend],
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "RATELIMIT_ENABLED": False,
            "PUBLIC_BASE_URL": "http://relief.test",
        }
    )
    with app.app_context():
        if backend not in _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready.add(backend)
        yield app
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


def _empty_all_tables() -> None:
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


class IsolatedClient(FlaskClient):
    """A test client whose requests run outside the test's own app context.

    Each request then gets its own app context, database session and ``g``, as in a
    server; otherwise state would leak from one request to the next through the context
    the test holds open.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    """A test client for the staff UI and the API."""
    app.test_client_class = IsolatedClient
    return app.test_client()
