"""Plain-text tables for the listing tasks: left-aligned columns, two spaces apart."""

from __future__ import annotations

from collections.abc import Sequence

EMPTY = "-"


def render(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Align ``rows`` under ``headers``; an empty cell shows as ``-``."""
    cells = [list(headers), *([cell or EMPTY for cell in row] for row in rows)]
    widths = [max(len(row[index]) for row in cells) for index in range(len(headers))]

    lines = []
    for row in cells:
        padded = [cell.ljust(width) for cell, width in zip(row, widths)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)
