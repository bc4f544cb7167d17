"""Markdown pieces of the generated blocks."""

from __future__ import annotations


def table(header: list[str], rows: list[list]) -> str:
    """A Markdown table: header, separator, one line per row."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


