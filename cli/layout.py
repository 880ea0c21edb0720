"""Text for an 80-column terminal: widths that count CJK characters as two, wrapping
that never cuts a word's meaning off (a unit code, a ``!``, an error): what does not fit
goes on the next line, indented under its column."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

WIDTH = 80


def width(text: str) -> int:
    """Terminal columns: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` (CJK counted two): broken at spaces where
    it can, else between characters; nothing is dropped."""
    columns = max(columns, 2)
    lines: list[str] = []
    for para in text.replace("\r", "").split("\n"):
        line = ""
        for word in para.split(" "):
            candidate = f"{line} {word}" if line else word
            if width(candidate) <= columns:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for ch in word:  # a word longer than the column: cut between characters
                if width(line + ch) > columns:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line)
    return lines or [""]


def table(rows: Sequence[Sequence[str]], widths: Sequence[int], total: int = WIDTH) -> list[str]:
    """Rows of cells in columns of ``widths`` (the last takes what is left of ``total``);
    a cell too long for its column wraps onto the next lines, in its own column."""
    widths = [*widths[:-1], max(10, total - sum(w + 1 for w in widths[:-1]))]
    out: list[str] = []
    for row in rows:
        cells = [wrap(str(c), w) for c, w in zip(row, widths, strict=True)]
        for i in range(max(len(c) for c in cells)):
            parts = [pad(c[i] if i < len(c) else "", w) for c, w in zip(cells, widths, strict=True)]
            out.append(" ".join(parts).rstrip())
    return out
