"""Read limits: what a received file may cost before it is read (CONTRACT §3 "Limits").

One file must never stop a run. Before a file's content is parsed it is checked
here, cheaply, from its bytes:

- its size (``RONGHE_READ_MAX_MB``, default 100 MB);
- for a zip container (xlsx): the sum of its members' uncompressed sizes
  (``RONGHE_READ_MAX_UNPACKED_MB``, default 300 MB) and the ratio of that to the
  file's size (``RONGHE_READ_MAX_RATIO``, default 200, judged only past 10 MB
  unpacked) — a 1.5 MB workbook holding a 1.5 GB shared string stops here;
- for each worksheet: the cells it really holds, read from the sheet's XML by
  :mod:`zipfile` in bounded chunks (``RONGHE_READ_MAX_CELLS``, default 5,000,000): their
  number, and the block a reader fills with them (from row 1 to the last row holding a
  value, from the first to the last column holding one). The range a sheet *declares*
  (``<dimension ref>``) and rows or cells that hold no value count for nothing:
  LibreOffice declares ``A1:AF1048576`` and writes an empty ``<row r="1048576">`` for a
  sheet from which a row was deleted, and that file reads. A value in ``A1`` and one at
  ``XFD1048576`` would make a reader allocate hundreds of GB, and stop here; so do a few
  cells spread over a block of more than a million (:data:`SPARSE_BLOCK`), which would
  cost seconds and hundreds of MB to read for nothing.

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


# in the order they come: a row (<row r="7">), and a cell (<c …>) that holds something (not
# self-closing, not closed at once): its reference if it has one (r="AB7"; optional in
# the format, then it is the next column of its row)
_TAGS = re.compile(rb'<row\b[^>]*?\sr="([0-9]{1,7})"|<c\b([^>]*?)(?<!/)>(?!</c>)')
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')
_CHUNK = 1 << 20


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


@dataclass
class _Extent:
    """The cells holding a value seen so far: how many, and the block they span."""

    cells: int = 0
    row: int = 0  # the current <row>
    col: int = 0  # the last cell's column in it
    last_row: int = 0
    first_col: int = 0
    last_col: int = 0

    def see(self, buf: bytes) -> None:
        for m in _TAGS.finditer(buf):
            if m.group(1) is not None:
                self.row, self.col = int(m.group(1)), 0
                continue
            ref = _CELL_REF.search(m.group(2))
            if ref is not None:
                self.row, self.col = int(ref.group(2)), _column(ref.group(1))
            else:
                self.col += 1
            self.cells += 1
            self.last_row = max(self.last_row, self.row)
            self.first_col = self.col if not self.first_col else min(self.first_col, self.col)
            self.last_col = max(self.last_col, self.col)

    @property
    def block(self) -> int:
        """Rows × columns a reader fills: rows from 1, columns from the first held."""
        return self.last_row * (self.last_col - self.first_col + 1) if self.cells else 0


def _cut(buf: bytes) -> int:
    """Where to stop reading ``buf`` for now: before its last tag, and before a cell's
    opening tag that ends right there (whether it holds anything comes next)."""
    cut = buf.rfind(b"<")
    if cut < 0 or len(buf) - cut > 4096:
        return len(buf)
    before = buf.rfind(b"<", 0, cut)
    if before >= 0 and buf[before : before + 3] in (b"<c ", b"<c>") and buf[cut - 1] == 62:
        return before  # 62: ">"
    return cut


def _used_range(zf: zipfile.ZipFile, member: zipfile.ZipInfo, limits: ReadLimits) -> None:
    """Past ``max_cells``: by the cells held, or by the block they span (never by the
    range the sheet declares, nor by rows and cells that hold nothing)."""
    seen = _Extent()
    with zf.open(member) as fh:
        tail = b""
        while chunk := fh.read(_CHUNK):
            buf = tail + chunk
            cut = _cut(buf)  # a tag split over two chunks is read whole with the next
            seen.see(buf[:cut])
            tail = buf[cut:]
            _past(seen, member, limits)
        seen.see(tail)
    _past(seen, member, limits)


SPARSE_BLOCK = 1 / 5
"""A block of cells over this share of ``max_cells`` (a million by default) is read only
where the sheet fills at least a :data:`SPARSE_SHARE` of it: a few cells spread to
``XFD1048576`` cost nothing to refuse and seconds and hundreds of MB to read."""
SPARSE_SHARE = 1 / 50


def _past(seen: _Extent, member: zipfile.ZipInfo, limits: ReadLimits) -> None:
    where = (
        f"sheet {member.filename} holds {seen.cells:,} cells reaching row"
        f" {seen.last_row:,} and column {seen.last_col:,}"
    )
    if max(seen.cells, seen.block) > limits.max_cells:
        raise LimitExceeded(f"{where}, over {limits.max_cells:,} cells")
    if seen.block > limits.max_cells * SPARSE_BLOCK and seen.cells < seen.block * SPARSE_SHARE:
        raise LimitExceeded(f"{where}: a few cells spread over {seen.block:,}")


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
