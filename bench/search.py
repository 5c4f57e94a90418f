"""Case search on a million cases: by number, by party name and by status, through the
staff page as a clerk uses it, on SQLite and on PostgreSQL; p95 of the answer time, and the
query plan of every statement a search runs.

The cases come from the demo generator (relief/demo.py) and go into both databases at once
by bulk inserts (bench/data.py). The PostgreSQL database is created for the run and dropped
after it.
"""

from __future__ import annotations

import random
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import event, select, text

from bench import data
from bench.common import make_app, percentile, postgres_admin_url, postgres_database
from bench.report import Figure
from relief.accounts.models import Role
from relief.cases.models import EnforcementCase, Outcome, Party
from relief.extensions import db

CASES = 1_000_000
QUICK_CASES = 50_000
P95_LIMIT_MS = 100.0
#: searches of each kind measured, after as many unmeasured ones
SAMPLES = 60
PASSWORD = "Bench-Password-2026"  # noqa: S105  (an account in a throwaway database)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
#: tables a search must never read whole
BIG_TABLES = ("enforcement_cases", "parties")


def run(quick: bool = False, show_plans: bool = False) -> list[Figure]:
    """Build the cases in each database, search them; return p95 per kind and database."""
    count = QUICK_CASES if quick else CASES
    samples = SAMPLES // 3 if quick else SAMPLES
    figures: list[Figure] = []
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="relief-bench-")))
        urls = {"SQLite": f"sqlite:///{folder / 'search.sqlite3'}"}
        admin_url = postgres_admin_url()
        if admin_url:
            urls["PostgreSQL"] = stack.enter_context(
                postgres_database(admin_url, "relief_bench_search")
            )
        apps = {label: make_app(url, folder) for label, url in urls.items()}

        started = time.perf_counter()
        _fill(apps, count)
        figures.append(
            Figure(
                f"search: generate and insert {count:,} cases",
                time.perf_counter() - started,
                "s",
                note=", ".join(apps),
            )
        )
        for label, app in apps.items():
            figures.extend(_measure(label, app, count, samples, show_plans))
        for app in apps.values():
            with app.app_context():
                db.engine.dispose()
    return figures


def _fill(apps: dict[str, Flask], count: int) -> None:
    """The same cases in every database, and a clerk to search them."""
    with ExitStack() as stack:
        connections = []
        for app in apps.values():
            stack.enter_context(app.app_context())
            connection = stack.enter_context(db.engine.connect())
            connections.append(connection)
        data.insert_cases(connections, count)
    for app in apps.values():
        with app.app_context():
            data.make_user("clerk", Role.CLERK, PASSWORD)
            db.session.commit()
            if db.engine.dialect.name == "postgresql":
                # fresh statistics and visibility map, as autovacuum leaves a loaded table
                with db.engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                        text("VACUUM ANALYZE")
                    )
            else:
                with db.engine.begin() as connection:
                    connection.execute(text("ANALYZE"))


def _searches(app: Flask, count: int, samples: int) -> dict[str, list[str]]:
    """The query strings of each kind of search, drawn from the cases."""
    rng = random.Random(data.SEED)  # seeded, not secret
    ids = [rng.randint(1, count) for _ in range(2 * samples)]
    with app.app_context():
        numbers = dict(
            db.session.execute(
                select(EnforcementCase.id, EnforcementCase.case_number).where(
                    EnforcementCase.id.in_(ids)
                )
            ).all()
        )
        names = dict(
            db.session.execute(
                select(Party.case_id, Party.name).where(
                    Party.case_id.in_(ids), Party.role == "applicant"
                )
            ).all()
        )
    # half the numbers typed with half-width brackets, as a clerk often does
    by_number = [
        numbers[i].replace("（", "(").replace("）", ")") if n % 2 else numbers[i]
        for n, i in enumerate(ids)
    ]
    outcomes = [outcome.value for outcome in Outcome]
    return {
        "number": [f"q={value}" for value in by_number],
        "name": [f"q={names[i]}" for i in ids],
        "status": [f"outcome={outcomes[n % len(outcomes)]}" for n in range(2 * samples)],
        "list": [f"page={1 + n % 3}" for n in range(2 * samples)],
    }


def _measure(label: str, app: Flask, count: int, samples: int, show_plans: bool) -> list[Figure]:
    client = app.test_client()
    _log_in(client)
    figures = []
    for kind, queries in _searches(app, count, samples).items():
        times = []
        for n, query in enumerate(queries):
            started = time.perf_counter()
            response = client.get(f"/cases/?{query}")
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"/cases/?{query} answered {response.status_code}")
            if n >= samples:  # the first half warms the caches
                times.append(elapsed * 1000)

        scans, plans = _plans(app, client, queries[-1])
        if show_plans:
            print(f"\n--- {label}, search by {kind} ({queries[-1]}):\n{plans}")
        figures.append(
            Figure(
                f"search {count:,} cases by {kind}, {label}: p95",
                percentile(times, 0.95),
                "ms",
                None if kind == "list" else P95_LIMIT_MS,
                note=f"median {percentile(times, 0.5):.1f} ms; "
                + (
                    "no full scan of a big table"
                    if not scans
                    else "full scans: " + "; ".join(scans)
                ),
            )
        )
    return figures


def _log_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = _CSRF.search(page).group(1)
    response = client.post(
        "/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        raise RuntimeError(f"logging in answered {response.status_code}")


@contextmanager
def _statements(app: Flask) -> Iterator[list[tuple[str, object]]]:
    """Record the SELECT statements the app runs meanwhile, with their parameters."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _plans(app: Flask, client, query: str) -> tuple[list[str], str]:
    """Explain each statement of one search; return the full scans of big tables, and the
    plans as text."""
    with _statements(app) as statements:
        client.get(f"/cases/?{query}")
    scans, lines = [], []
    with app.app_context(), db.engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        for statement, parameters in statements:
            explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(explain + statement, parameters).all()
            plan = [row[0] if postgres else row[-1] for row in rows]
            lines.append(" ".join(statement.split())[:160])
            lines.extend(f"    {step}" for step in plan)
            scans.extend(_full_scans(plan, postgres))
    return scans, "\n".join(lines)


def _full_scans(plan: list[str], postgres: bool) -> Iterator[str]:
    for step in plan:
        for table in BIG_TABLES:
            if (postgres and f"Seq Scan on {table}" in step) or (
                not postgres and re.match(rf"SCAN {table}\b", step.strip())
            ):
                yield step.strip()
