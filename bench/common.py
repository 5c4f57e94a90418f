"""What the benchmarks share: an application on a database made for the run."""

from __future__ import annotations

import os
import socket
import statistics
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import create_engine, text

from relief import create_app
from relief.extensions import db

#: the local PostgreSQL server the benchmarks use when it answers (as the test suite does)
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str | None:
    """The PostgreSQL server to benchmark on, if one answers; BENCH_POSTGRES_URL overrides."""
    configured = os.environ.get("BENCH_POSTGRES_URL")
    if configured:
        return configured
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return DEFAULT_POSTGRES
    except OSError:
        return None


def create_postgres_database(admin_url: str, name: str) -> str:
    """Create an empty database on the server (dropping one of that name); return its URL."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(admin_url: str, name: str) -> None:
    """Drop a database the benchmarks created."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def postgres_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A fresh database for one benchmark, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    url = create_postgres_database(admin_url, name)
    try:
        yield url
    finally:
        drop_postgres_database(admin_url, name)


def bench_config(database_url: str, workdir: Path) -> dict:
    """The configuration of an application under benchmark: production settings, own data."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "bench-secret",
        "VAULT_KEY": os.environ.get("BENCH_VAULT_KEY") or Fernet.generate_key().decode(),
        "UPLOAD_FOLDER": str(workdir / "uploads"),
        # one load generator on one address would trip the per-client limits at once
        "RATELIMIT_ENABLED": False,
    }


def make_app(database_url: str, workdir: Path, **overrides) -> Flask:
    """The application on a database, with the tables and indexes its models describe."""
    app = create_app({**bench_config(database_url, workdir), **overrides})
    with app.app_context():
        # the models, not the migrations: tests/test_migrations.py holds the two equal
        db.create_all()
    return app


def percentile(values: list[float], fraction: float) -> float:
    """The value below which the given fraction of values fall (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: list[float]) -> float:
    """The median of the values."""
    return statistics.median(values)
