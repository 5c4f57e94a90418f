"""Import of a court's case export: rows per second and peak memory, 10k rows against 100k.

Each import runs in its own process on an empty SQLite database; a thread samples the
process's resident size during the import, and its growth over the size just before the
import is what the file cost. Streaming keeps that growth flat in the file size.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from bench.report import Figure
from relief.demo import HEADERS, _Generator

#: the file size the limit is set for, and the smaller one that shows memory stays flat
FULL_ROWS = 100_000
SMALL_ROWS = 10_000
#: seconds allowed for the full file
TIME_LIMIT = 30.0
#: how much more memory the full file may take than the small one: "flat"
MEMORY_GROWTH_LIMIT = 1.5
SEED = 2026
TODAY = date(2026, 12, 1)


def write_export(path: Path, rows: int, seed: int = SEED) -> None:
    """Write a case export of generated Panjin cases in the court's CSV format."""
    generator = _Generator(random.Random(seed), TODAY)
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS)
        for sequence in range(1, rows + 1):
            writer.writerow(generator.case_row(sequence))


def run(quick: bool = False) -> list[Figure]:
    """Import 10k and 100k rows (1k and 10k when quick) and report speed and memory."""
    small, full = (SMALL_ROWS // 10, FULL_ROWS // 10) if quick else (SMALL_ROWS, FULL_ROWS)
    with tempfile.TemporaryDirectory(prefix="relief-bench-import-") as folder:
        results = {rows: _import_in_subprocess(Path(folder), rows) for rows in (small, full)}

    big, little = results[full], results[small]
    seconds_limit = TIME_LIMIT * full / FULL_ROWS
    growth = big["growth_kib"] / max(little["growth_kib"], 1)
    return [
        Figure(
            f"import {full:,} rows: time",
            big["seconds"],
            "s",
            seconds_limit,
            # on a busy machine the wall time grows with the load; the CPU time barely does
            note=f"CPU time {big['cpu_seconds']:.1f} s",
        ),
        Figure(f"import {full:,} rows: speed", full / big["seconds"], "rows/s"),
        Figure(
            f"import {small:,} rows: memory growth",
            little["growth_kib"] / 1024,
            "MiB",
            note=f"peak resident size {little['maxrss_kib'] / 1024:.0f} MiB",
        ),
        Figure(
            f"import {full:,} rows: memory growth",
            big["growth_kib"] / 1024,
            "MiB",
            note=f"peak resident size {big['maxrss_kib'] / 1024:.0f} MiB",
        ),
        Figure(
            f"import memory, {full:,} vs {small:,} rows",
            growth,
            "×",
            MEMORY_GROWTH_LIMIT,
            note="growth of the peak resident size over the size before the import",
        ),
    ]


def _import_in_subprocess(folder: Path, rows: int) -> dict:
    export = folder / f"export-{rows}.csv"
    write_export(export, rows)
    database = folder / f"import-{rows}.sqlite3"
    output = subprocess.run(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-m", "bench.case_import", str(export), f"sqlite:///{database}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    if result["imported"] != rows:
        raise RuntimeError(f"imported {result['imported']} of {rows} generated rows")
    return result


def _measure(export: Path, database_url: str) -> dict:
    """Import one file into a fresh database; return the counts, time and memory."""
    from bench.common import make_app
    from relief.cases.importer import import_cases

    app = make_app(database_url, export.parent)
    with app.app_context():
        before = _resident_kib()
        sampler = _PeakSampler()
        sampler.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        report = import_cases(export, actor="system", today=TODAY)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        sampler.stop()
    return {
        "imported": report.imported,
        "rejected": report.rejected,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "growth_kib": max(sampler.peak_kib - before, 0),
    }


def _resident_kib() -> int:
    """The process's resident size now, in KiB (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() // 1024


class _PeakSampler(threading.Thread):
    """Sample the resident size every 10 ms: getrusage keeps only the process's all-time peak,
    which start-up (imports, the app) may already have set higher than the import reaches."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib = _resident_kib()
        self._done = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self._done.wait(0.01):
            self.peak_kib = max(self.peak_kib, _resident_kib())

    def stop(self) -> None:
        """Take a last sample and stop."""
        self._done.set()
        self.join()
        self.peak_kib = max(self.peak_kib, _resident_kib())


def main() -> None:
    """Entry point of the measuring subprocess: prints one line of JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("export", type=Path)
    parser.add_argument("database_url")
    arguments = parser.parse_args()
    print(json.dumps(_measure(arguments.export, arguments.database_url)))


if __name__ == "__main__":
    main()
