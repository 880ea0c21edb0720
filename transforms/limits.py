"""Read limits: what a received file may cost before it is read (CONTRACT §3 "Limits").

One file must never stop a run. Before a file's content is parsed it is checked
here, cheaply, from its bytes:

- its size (``RONGHE_READ_MAX_MB``, default 100 MB);
- for a zip container (xlsx): the sum of its members' uncompressed sizes
  (``RONGHE_READ_MAX_UNPACKED_MB``, default 300 MB) and the ratio of that to the
  file's size (``RONGHE_READ_MAX_RATIO``, default 200, judged only past 10 MB
  unpacked) — a 1.5 MB workbook holding a 1.5 GB shared string stops here;
- for each worksheet: its used range, from the ``<dimension ref>`` and every row and
  cell reference in the sheet's XML, read by :mod:`zipfile` in bounded chunks
  (``RONGHE_READ_MAX_CELLS``, default 5,000,000 cells; rows × columns) — one cell at
  ``XFD1048576`` makes a reader allocate hundreds of GB, and stops here.

Then the workbook is parsed in a worker process (:mod:`transforms.worker`) with a
memory limit (``RONGHE_READ_MAX_MEMORY_MB``, default 2048) and a time limit
(``RONGHE_READ_TIMEOUT``, default 60 s): what the checks above miss cannot take the
run with it. Every limit hit is the file's ``unreadable_file``; its detail starts with
:data:`DAMAGED`, and the filer reads :data:`SENTENCE_ZH`.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass

DAMAGED = "damaged or too large"
"""The first words of the detail of a file stopped by a limit (or whose reader died)."""

SENTENCE_ZH = "文件“{name}”已损坏或过大，无法读取：请用报送模板重新填写、保存后再报送"
"""What the filer reads for such a file."""

MB = 1024 * 1024


class LimitExceeded(Exception):
    """The file is past a read limit (or its reader died): the message says which."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{DAMAGED}: {what}")
        self.what = what


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class ReadLimits:
    """The limits a file is read within (the rule settings; ``RONGHE_READ_*``)."""

    max_bytes: int = 100 * MB
    max_unpacked_bytes: int = 300 * MB
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 10 * MB
    max_cells: int = 5_000_000
    max_memory_bytes: int = 2048 * MB
    timeout_seconds: float = 60.0

    @classmethod
    def from_env(cls) -> ReadLimits:
        d = cls()
        return cls(
            max_bytes=int(_env_number("RONGHE_READ_MAX_MB", d.max_bytes / MB) * MB),
            max_unpacked_bytes=int(
                _env_number("RONGHE_READ_MAX_UNPACKED_MB", d.max_unpacked_bytes / MB) * MB
            ),
            max_ratio=_env_number("RONGHE_READ_MAX_RATIO", d.max_ratio),
            max_cells=int(_env_number("RONGHE_READ_MAX_CELLS", d.max_cells)),
            max_memory_bytes=int(
                _env_number("RONGHE_READ_MAX_MEMORY_MB", d.max_memory_bytes / MB) * MB
            ),
            timeout_seconds=_env_number("RONGHE_READ_TIMEOUT", d.timeout_seconds),
        )


def check_size(size: int, limits: ReadLimits) -> None:
    if size > limits.max_bytes:
        raise LimitExceeded(f"{size / MB:.0f} MB, over the {limits.max_bytes / MB:.0f} MB limit")


# a row (<row r="7">) or cell (<c r="AB7">) reference, and a used range (<dimension ref=…>)
_REF = re.compile(rb' r="([A-Z]{0,3})([0-9]{1,7})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref="([A-Z0-9:$]+)"')
_CELL = re.compile(rb"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_CHUNK = 1 << 20


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _used_range(zf: zipfile.ZipFile, member: zipfile.ZipInfo, limits: ReadLimits) -> None:
    """Past ``max_cells``, by the ``<dimension>`` or by the farthest row and column named."""
    rows, letters = 0, b""
    with zf.open(member) as fh:
        tail = b""
        first = True
        while chunk := fh.read(_CHUNK):
            buf = tail + chunk
            refs = _REF.findall(buf)
            if first:
                dim = _DIMENSION.search(buf)
                if dim is not None:
                    refs += _CELL.findall(dim.group(1))
                first = False
            if refs:
                rows = max(rows, max(int(r) for _, r in refs))
                letters = max(letters, max((len(c), c) for c, _ in refs)[1], key=len)
            cols = _column(letters)
            if rows * max(cols, 1) > limits.max_cells:
                raise LimitExceeded(
                    f"sheet {member.filename} reaches row {rows:,} and column {cols:,},"
                    f" over {limits.max_cells:,} cells"
                )
            tail = buf[-256:]  # a reference split over two chunks is seen in the next


def check_zip(data: bytes, limits: ReadLimits) -> None:
    """The unpacked size, ratio and sheets' used range of a zip container (xlsx)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader says why it cannot read it
    with zf:
        infos = zf.infolist()
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limits.max_unpacked_bytes:
            raise LimitExceeded(
                f"{unpacked / MB:,.0f} MB once unpacked,"
                f" over the {limits.max_unpacked_bytes / MB:.0f} MB limit"
            )
        ratio = unpacked / max(len(data), 1)
        if unpacked > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise LimitExceeded(f"compressed {ratio:,.0f} to 1, over {limits.max_ratio:.0f} to 1")
        for info in infos:
            name = info.filename.lower()
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                try:
                    _used_range(zf, info, limits)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
                    return  # a damaged member: the reader says why
