"""File names as text: what is stored, shown and matched for a path.

A name that is not valid UTF-8 (GBK bytes, as Windows zip tools extract Chinese
names on Linux) reaches Python with surrogate escapes, which DuckDB, JSON and the
terminal refuse. :func:`path_text` turns any path into printable text: the bytes
decoded as UTF-8, else as GB18030 (GBK's superset), else UTF-8 with the undecodable
bytes shown as ``\\xNN``. The file itself is always opened by its real name.
"""

from __future__ import annotations

import os
from pathlib import Path


def path_text(path: Path | str) -> str:
    """The path as readable text (never with surrogates)."""
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")
