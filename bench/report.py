"""Figures measured by the benchmarks, and the table that compares each with its limit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured value and the limit it is held to.

    ``upper`` limits are ceilings (a ratio above 1 misses); lower limits are floors (a ratio
    below 1 misses). A figure without a limit is printed for information.
    """

    name: str
    value: float
    unit: str
    limit: float | None = None
    upper: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """The value divided by its limit."""
        if not self.limit:
            return None
        return self.value / self.limit

    @property
    def met(self) -> bool | None:
        """Whether the value is within its limit; None without a limit."""
        if self.limit is None:
            return None
        return self.value <= self.limit if self.upper else self.value >= self.limit


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table(figures: list[Figure]) -> str:
    """Render the figures as a fixed-width table, one row each."""
    header = ("figure", "value", "limit", "ratio", "verdict")
    rows = []
    for figure in figures:
        limit = ""
        if figure.limit is not None:
            limit = f"{'≤' if figure.upper else '≥'} {_number(figure.limit)} {figure.unit}"
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else ""
        verdict = {True: "ok", False: "MISSED", None: ""}[figure.met]
        value = f"{_number(figure.value)} {figure.unit}"
        rows.append((figure.name, value, limit, ratio, verdict))

    widths = [max(_width(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [_line(header, widths), _line(tuple("-" * width for width in widths), widths)]
    lines.extend(_line(row, widths) for row in rows)
    notes = [f"  {figure.name}: {figure.note}" for figure in figures if figure.note]
    if notes:
        lines.extend(["", "notes:", *notes])
    return "\n".join(lines)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(
        cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths, strict=True)
    )
