"""``python -m bench``: run every benchmark and print one table of figures and limits.

``--quick`` runs each at a tenth of its scale or less, to check the benchmarks themselves;
the figures held to the limits are the default, full-scale ones.
"""

from __future__ import annotations

import argparse
import sys
import time

from bench import api, case_import, documents, search
from bench.common import postgres_admin_url, postgres_database
from bench.report import Figure, table

BENCHMARKS = ("documents", "import", "api", "search")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; with ``--strict``, exit 1 if a figure misses its limit."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small scale, for a quick check")
    parser.add_argument(
        "--only", choices=BENCHMARKS, action="append", help="run only these (repeatable)"
    )
    parser.add_argument("--plans", action="store_true", help="print the search query plans")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a figure misses its limit"
    )
    arguments = parser.parse_args(argv)
    chosen = arguments.only or BENCHMARKS
    quick = arguments.quick

    figures: list[Figure] = []
    started = time.perf_counter()
    for name in chosen:
        print(f"== {name}", file=sys.stderr, flush=True)
        section_started = time.perf_counter()
        found = _run(name, quick, arguments.plans)
        print(table(found), file=sys.stderr, flush=True)
        print(f"({time.perf_counter() - section_started:.0f} s)\n", file=sys.stderr, flush=True)
        figures.extend(found)

    scale = "quick scale: not the figures the limits are set for" if quick else "full scale"
    print(f"\nPanjin Relief benchmarks ({scale}; {time.perf_counter() - started:.0f} s)\n")
    print(table(figures))
    missed = [figure.name for figure in figures if figure.met is False]
    return 1 if arguments.strict and missed else 0


def _run(name: str, quick: bool, plans: bool) -> list[Figure]:
    if name == "documents":
        return documents.run(quick)
    if name == "import":
        return case_import.run(quick)
    if name == "search":
        return search.run(quick, show_plans=plans)

    found = api.run(quick)
    admin_url = postgres_admin_url()
    if admin_url:
        with postgres_database(admin_url, "relief_bench_api") as url:
            found += api.run(quick, database_url=url, label="PostgreSQL")
    return found


if __name__ == "__main__":
    sys.exit(main())
