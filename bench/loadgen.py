"""A closed-loop HTTP/1.1 load generator: N clients on keep-alive connections, each sending
its next request as soon as the last answer is in, every request made (and signed) afresh.

Standard library only (asyncio streams), so it signs each request with the partner API's
own ``sign_request``: a nonce is spent once, as a real insurer's system spends it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    """What one run of the load generator saw."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    body_bytes: int = 0

    @property
    def requests(self) -> int:
        """Answers received in the measured period."""
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        """Answers per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failures(self) -> int:
        """Answers other than 200."""
        return sum(count for status, count in self.statuses.items() if status != 200)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, int]:
    """Read one response; return its status, whether the server closes, and the body size."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        raise RuntimeError("chunked answers are not expected from these endpoints")
    length = int(headers.get("content-length", "0"))
    await reader.readexactly(length)
    return status, headers.get("connection", "").lower() == "close", length


async def _client(
    host: str,
    port: int,
    make_request: Callable[[], bytes],
    start: float,
    stop: float,
    result: LoadResult,
) -> None:
    reader = writer = None
    try:
        while time.perf_counter() < stop:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            request = make_request()
            sent = time.perf_counter()
            writer.write(request)
            status, closes, length = await _read_response(reader)
            answered = time.perf_counter()
            if start <= sent and answered <= stop:
                result.latencies.append(answered - sent)
                result.statuses[status] = result.statuses.get(status, 0) + 1
                result.body_bytes += length
            if closes:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def _run(
    host: str, port: int, make_request, clients: int, warmup: float, duration: float
) -> LoadResult:
    result = LoadResult()
    start = time.perf_counter() + warmup
    stop = start + duration
    await asyncio.gather(
        *(_client(host, port, make_request, start, stop, result) for _ in range(clients))
    )
    result.seconds = duration
    return result


def run_load(
    host: str,
    port: int,
    make_request: Callable[[], bytes],
    *,
    clients: int = 32,
    warmup: float = 2.0,
    duration: float = 10.0,
) -> LoadResult:
    """Run ``clients`` closed-loop clients; count only requests sent and answered in the
    ``duration`` after the ``warmup``."""
    return asyncio.run(_run(host, port, make_request, clients, warmup, duration))


def get_request(host: str, port: int, target: str, headers: dict[str, str]) -> bytes:
    """The bytes of a keep-alive GET request."""
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Accept: application/json"]
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
