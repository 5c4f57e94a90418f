"""Partner API: listing claims (pages of 50, signed) with 100,000 claims in the database,
served by gunicorn on loopback, against a bare Flask endpoint that answers the same JSON
from memory under the same server and the same load generator, at 32 clients.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from cryptography.fernet import Fernet

from bench import data
from bench.common import make_app, percentile
from bench.loadgen import LoadResult, get_request, run_load
from bench.report import Figure
from bench.servers import gunicorn
from insurer_api.pagination import encode_cursor
from insurer_api.signing import sign_request
from relief.accounts.models import Role
from relief.extensions import db

CLAIMS = 100_000
CLIENTS = 32
PAGE = 50
PATH = "/api/v1/claims"
#: the targets: at least half the bare endpoint's throughput, p99 under 50 ms
THROUGHPUT_SHARE = 0.5
P99_LIMIT_MS = 50.0


def run(
    quick: bool = False, database_url: str | None = None, label: str = "SQLite"
) -> list[Figure]:
    """Build the claims, serve both apps in turn, load each; return the figures."""
    claims = CLAIMS // 10 if quick else CLAIMS
    duration, warmup = (4.0, 2.0) if quick else (15.0, 3.0)
    vault_key = Fernet.generate_key().decode()

    with tempfile.TemporaryDirectory(prefix="relief-bench-api-") as folder:
        workdir = Path(folder)
        url = database_url or f"sqlite:///{workdir / 'api.sqlite3'}"
        key_id, secret, cursors, cpu_ms, bare_cpu_ms = _prepare(url, workdir, claims, vault_key)

        environment = {
            "BENCH_DATABASE_URL": url,
            "BENCH_WORKDIR": folder,
            "BENCH_VAULT_KEY": vault_key,
            "BENCH_BARE_BODY": str(workdir / "bare.json"),
        }
        rng = random.Random(data.SEED)  # seeded, not secret

        def make_request(port: int):
            def request() -> bytes:
                query = [("limit", str(PAGE)), ("cursor", rng.choice(cursors))]
                headers = sign_request("GET", PATH, query, b"", key_id, secret)
                return get_request("127.0.0.1", port, f"{PATH}?{urlencode(query)}", headers)

            return request

        results: dict[str, LoadResult] = {}
        for name in ("bare", "api"):
            with gunicorn(name, environment) as port:
                results[name] = run_load(
                    "127.0.0.1",
                    port,
                    make_request(port),
                    clients=CLIENTS,
                    warmup=warmup,
                    duration=duration,
                )

    return _figures(results, claims, label, cpu_ms, bare_cpu_ms)


def _prepare(url: str, workdir: Path, claims: int, vault_key: str):
    """Fill the database; return a key, cursors into the list and a real page's JSON."""
    app = make_app(url, workdir, VAULT_KEY=vault_key)
    with app.app_context():
        clerk = data.make_user("clerk", Role.CLERK, "Bench-Password-2026")
        [(_first, key_id, secret), (second, *_)] = data.make_insurers(["人保", "华安"])
        first_id = _first.id
        db.session.commit()
        with db.engine.connect() as connection:
            data.insert_cases(connection, claims)
            data.insert_claims(connection, claims, [first_id, second.id], clerk.id)
            connection.commit()
            if connection.dialect.name == "postgresql":
                connection.execute(db.text("ANALYZE"))
                connection.commit()

        # cursors as the API makes them, to pages all through the insurer's claims
        own = [claim_id for claim_id in range(1, claims + 1) if claim_id % 2 == first_id % 2]
        cursors = [
            encode_cursor(claim_id, "claims") for claim_id in random.Random(1).sample(own, 500)
        ]

        client = app.test_client()
        query = [("limit", str(PAGE)), ("cursor", cursors[0])]
        headers = sign_request("GET", PATH, query, b"", key_id, secret)
        response = client.get(PATH, query_string=query, headers=headers)
        if response.status_code != 200 or len(response.get_json()["items"]) != PAGE:
            raise RuntimeError(f"the API answered {response.status_code}: {response.data[:300]}")
        body = response.get_data()

        def signed_get(test_client) -> None:
            query = [("limit", str(PAGE)), ("cursor", random.choice(cursors))]
            headers = sign_request("GET", PATH, query, b"", key_id, secret)
            test_client.get(PATH, query_string=query, headers=headers)

        cpu_ms = _cpu_per_request(lambda: signed_get(client))
    (workdir / "bare.json").write_bytes(body)
    bare_client = _bare_app(workdir / "bare.json").test_client()
    bare_cpu_ms = _cpu_per_request(lambda: signed_get(bare_client))
    return key_id, secret, cursors, cpu_ms, bare_cpu_ms


def _bare_app(body: Path):
    from bench.servers import bare

    os.environ["BENCH_BARE_BODY"] = str(body)
    return bare()


def _cpu_per_request(send, requests: int = 200) -> float:
    """CPU milliseconds per request served in this process, without a server or network:
    unlike the load test's figures, this one does not change with other work on the
    machine."""
    for _ in range(20):
        send()
    started = time.process_time()
    for _ in range(requests):
        send()
    return (time.process_time() - started) * 1000 / requests


def _figures(
    results: dict[str, LoadResult], claims: int, label: str, cpu_ms: float, bare_cpu_ms: float
) -> list[Figure]:
    bare, api = results["bare"], results["api"]
    for name, result in results.items():
        if result.failures or not result.requests:
            raise RuntimeError(
                f"{name}: {result.failures} failed of {result.requests}: {result.statuses}"
            )
    ms = [latency * 1000 for latency in api.latencies]
    bare_ms = [latency * 1000 for latency in bare.latencies]
    prefix = f"API claims list ({label}, {claims:,} claims, {CLIENTS} clients)"
    return [
        Figure(
            f"{prefix}: bare endpoint",
            bare.throughput,
            "req/s",
            note=f"p50 {percentile(bare_ms, 0.5):.1f} ms, p99 {percentile(bare_ms, 0.99):.1f} ms",
        ),
        Figure(
            f"{prefix}: throughput",
            api.throughput,
            "req/s",
            bare.throughput * THROUGHPUT_SHARE,
            upper=False,
            note="limit: half the bare endpoint's",
        ),
        Figure(f"{prefix}: p50", percentile(ms, 0.5), "ms"),
        Figure(f"{prefix}: p99", percentile(ms, 0.99), "ms", P99_LIMIT_MS),
        Figure(
            f"API claims list ({label}): CPU per request",
            cpu_ms,
            "ms",
            note=f"bare endpoint {bare_cpu_ms:.2f} ms; in process, no server: the load "
            "test's figures also carry whatever else the machine runs",
        ),
    ]


if __name__ == "__main__":
    from bench.report import table

    print(table(run(quick=os.environ.get("BENCH_QUICK") == "1")))
