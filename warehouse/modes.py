"""Who may read what under ``$RONGHE_HOME`` (docs/operations.md §7).

The archive of received files, the writer's working copy, the lock and the watcher's
ledger hold the filers' data or their paths: only the owner reads them (files
``0600``, folders ``0700``). The published warehouse gets the mode the operator sets
(``RONGHE_WAREHOUSE_MODE``, default ``0640``), and the home only the execute bits
needed to reach it. Modes are set explicitly, so the umask neither widens nor narrows
them.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
DEFAULT_WAREHOUSE_MODE = 0o640

_OCTAL = re.compile(r"0?o?[0-7]{3}")


def parse_mode(text: str | int) -> int:
    """``"0640"`` (or ``"640"``, ``"0o640"``) as a permission mode; ValueError otherwise."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    elif isinstance(text, str) and _OCTAL.fullmatch(text.strip()):
        value = int(text.strip().removeprefix("0").removeprefix("o"), 8)
    else:
        raise ValueError(f"not an octal file mode such as 0640: {text!r}")
    if not 0 <= value <= 0o777 or not value & stat.S_IRUSR or not value & stat.S_IWUSR:
        raise ValueError(f"not a file mode the owner can read and write (e.g. 0640): {text!r}")
    if value & (stat.S_IWGRP | stat.S_IWOTH):
        raise ValueError(f"the group and others may read the warehouse, never write it: {text!r}")
    if value & 0o111:
        raise ValueError(f"a warehouse is no program: no execute bit (e.g. 0640): {text!r}")
    return value


def home_mode(warehouse_mode: int) -> int:
    """The home's mode: the owner's, plus search (x) for whoever may read the warehouse.

    Search without read lets a group open ``$RONGHE_HOME/warehouse.duckdb`` by name
    without listing the home; the folders inside stay ``0700``.
    """
    mode = PRIVATE_DIR
    if warehouse_mode & stat.S_IRGRP:
        mode |= stat.S_IXGRP
    if warehouse_mode & stat.S_IROTH:
        mode |= stat.S_IXOTH
    return mode


def share_outputs(root: Path, written: Iterable[Path], file_mode: int) -> None:
    """Give written outputs (receipts, 通报, chase lists) and their folders up to ``root``
    their modes (a folder among ``written`` gets a folder's).

    Files get ``file_mode`` (the warehouse's: who may read the warehouse may read what
    is made from it), folders the matching search and read bits: set explicitly, so
    neither a wide nor a narrow umask changes who reads them.
    """
    folder_mode = home_mode(file_mode)
    for bit, to in ((stat.S_IRGRP, stat.S_IRGRP), (stat.S_IROTH, stat.S_IROTH)):
        if file_mode & bit:
            folder_mode |= to
    folders: set[Path] = set()
    for path in written:
        if path.is_dir():  # a folder written into (perhaps left empty): a folder's mode
            folders.add(path)
        else:
            set_mode(path, file_mode)
        for parent in path.parents:
            folders.add(parent)
            if parent == root or root not in parent.parents:
                break
    for folder in folders:
        if folder == root or root in folder.parents:
            set_mode(folder, folder_mode)


def set_mode(path: Path, mode: int) -> None:
    """chmod unless the mode is already right (a folder another user made is left alone)."""
    st = path.stat()
    if stat.S_IMODE(st.st_mode) == mode:
        return
    if st.st_uid != os.geteuid():
        return
    os.chmod(path, mode)


def private_dir(path: Path, mode: int = PRIVATE_DIR) -> Path:
    """Make the folder (and missing parents) and give the folder itself ``mode``."""
    path.mkdir(parents=True, exist_ok=True)
    set_mode(path, mode)
    return path


def open_private(path: Path, flags: int, mode: int = PRIVATE_FILE) -> int:
    """``os.open`` with ``O_CREAT`` whose file has ``mode`` whatever the umask."""
    fd = os.open(path, flags | os.O_CREAT, mode)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != mode:
            os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_private(path: Path, data: bytes, mode: int = PRIVATE_FILE) -> None:
    """Write ``data`` to a new file with ``mode``, flushed to disk (the caller renames it)."""
    fd = open_private(path, os.O_WRONLY | os.O_TRUNC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_with_mode(source: Path, target: Path, mode: int) -> None:
    """Copy ``source`` to a new ``target`` with ``mode``, flushed to disk."""
    fd = open_private(target, os.O_WRONLY | os.O_TRUNC, mode)
    try:
        with open(source, "rb") as src, os.fdopen(os.dup(fd), "wb") as dst:
            while chunk := src.read(1 << 24):
                dst.write(chunk)
            dst.flush()
        os.fsync(fd)
    finally:
        os.close(fd)
