"""File names as text: what is stored, shown and matched for a path.

A name that is not valid UTF-8 (GBK bytes, as Windows zip tools extract Chinese
names on Linux) reaches Python with surrogate escapes, which DuckDB, JSON and the
terminal refuse. :func:`path_text` turns any path into printable text: the bytes
decoded as UTF-8, else as GB18030 (GBK's superset), else UTF-8 with the undecodable
bytes shown as ``\\xNN``. The file itself is always opened by its real name.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
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


RAW_PREFIX = "fsbytes:"
"""A path parameter whose name is not UTF-8: ``fsbytes:`` and the name's bytes in hex."""


def path_param(path: Path | str) -> str:
    """The path as a Prefect parameter or event field (valid UTF-8 JSON), lossless.

    A UTF-8 name is itself; any other is ``fsbytes:<hex of its bytes>``
    (:func:`param_path` turns either back into the path).
    """
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return RAW_PREFIX + raw.hex()


def masked_text(path: Path | str) -> str:
    """:func:`path_text` with personal numbers masked: a path as it is shown or kept
    anywhere but the archive (manifests, skipped rows, events, printed lines)."""
    from transforms.pii import mask

    return mask(path_text(path))


_PRIVATE: dict[str, str] = {}


def private_param(path: Path | str) -> str:
    """:func:`path_param`, with personal numbers masked; this process keeps the real path.

    A Prefect flow run stores its parameters: a path holding a personal number
    (``--inbox /data/张三13912345678``) is passed masked, and :func:`param_path` in the
    same process (the flow of a CLI command runs in it) turns it back into the path.
    """
    from transforms.pii import mask

    text = path_param(path)
    shown = mask(text)
    if shown != text:
        _PRIVATE[shown] = text
    return shown


def param_path(text: str) -> Path:
    """The path a :func:`path_param` (or :func:`private_param`) text names."""
    text = _PRIVATE.get(text, text)
    if text.startswith(RAW_PREFIX):
        try:
            return Path(os.fsdecode(bytes.fromhex(text[len(RAW_PREFIX) :])))
        except ValueError:
            pass
    return Path(text)


def few_paths(paths: Sequence[Path | str], shown: int = 3) -> str:
    """A count and the first few names, for a log line that must stay short.

    ``["/in/a.xlsx"]`` → ``/in/a.xlsx``; 3,354 paths → ``3354 paths (/in/a.xlsx, … 3 …)``.
    """
    names = [path_text(p) for p in paths[:shown]]
    if len(paths) <= shown:
        return ", ".join(names)
    return f"{len(paths)} paths ({', '.join(names)} …)"
