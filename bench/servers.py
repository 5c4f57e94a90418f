"""The WSGI applications gunicorn serves in the partner API benchmark, and how it runs them.

Both are built from the environment: ``api()`` is the real application on the benchmark's
database, ``bare()`` a Flask app answering the same path with a JSON body kept in memory.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, Response

#: how gunicorn runs in the benchmark, and what the README recommends on two cores
GUNICORN_OPTIONS = (
    "--worker-class",
    "gthread",
    "--workers",
    "3",
    "--threads",
    "4",
    "--keep-alive",
    "30",
    "--backlog",
    "256",
    "--log-level",
    "warning",
)


def api() -> Flask:
    """The application under test, on BENCH_DATABASE_URL."""
    from bench.common import bench_config
    from relief import create_app

    workdir = Path(os.environ["BENCH_WORKDIR"])
    return create_app(bench_config(os.environ["BENCH_DATABASE_URL"], workdir))


def bare() -> Flask:
    """A Flask app that answers GET /api/v1/claims with the body in BENCH_BARE_BODY."""
    body = Path(os.environ["BENCH_BARE_BODY"]).read_bytes()
    app = Flask(__name__)

    @app.get("/api/v1/claims")
    def claims() -> Response:
        return Response(body, mimetype="application/json")

    return app


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(factory: str, environment: dict[str, str], options=GUNICORN_OPTIONS):
    """Serve ``bench.servers:<factory>()`` with gunicorn on loopback; yield the port."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        *options,
        f"bench.servers:{factory}()",
    ]
    process = subprocess.Popen(command, env={**os.environ, **environment})  # noqa: S603
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        # an answer of any kind means a worker has loaded the application
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                connection.sendall(b"GET / HTTP/1.0\r\n\r\n")
                if connection.recv(16).startswith(b"HTTP/"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not listen on port {port} within {timeout} s")
