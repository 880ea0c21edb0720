"""The archive: every received file kept byte for byte (CONTRACT §3), in pack files.

The files of one load are written together as one **pack**, a POSIX tar file
``archive/packs/<SHA-256 of the pack>.tar``; each file is its member
``<sha256>.<ext>`` (its own SHA-256 and extension), so ``tar -xf`` gives the files
back exactly as received. The bytes archived are the bytes that were read and
validated (``RawFile.data``): the inbox is not read a second time, and a file edited
in the inbox after reading cannot differ from what was loaded.

``meta.archive_index`` (one row per file, written in the same transaction as the
manifest) names the pack, the member, and where its bytes start and how long they
are: :func:`read_archived` reads one file without scanning the pack, and checks its
SHA-256. A pack is complete and flushed to disk (``fsync``, then renamed into place
and the folder synced) before the transaction that indexes it commits; a run that
fails after writing a pack leaves it unindexed, and its files are received again
by the next run. One pack per load instead of one file per report: 5,856 files of
a city quarter are one file creation, not 5,856 (docs/performance.md).

Only the owner reads the archive: packs ``0600`` in ``0700`` folders, whatever the
umask. Archives written before packs (``archive/<sha[:2]>/<sha256>.<ext>``, the
manifest's ``archive_path``) are still read by :func:`read_archived`.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from warehouse.modes import open_private, private_dir

ARCHIVE = "archive"  # the archive's folder in the home (config.settings.archive_dir)
PACKS = "packs"

INDEX_SCHEMA: dict[str, pl.DataType] = {
    "sha256": pl.String(),
    "pack": pl.String(),
    "member": pl.String(),
    "data_offset": pl.Int64(),
    "size_bytes": pl.Int64(),
}


class ArchiveError(RuntimeError):
    """A file is not in the archive, or its archived bytes are not what was received."""


@dataclass(frozen=True)
class Received:
    """A file to archive: its SHA-256, its extension (``.csv``) and its bytes."""

    sha256: str
    suffix: str
    data: bytes


@dataclass(frozen=True)
class Pack:
    """A written pack: its path and, per file, the member and where its bytes are."""

    path: Path
    members: tuple[tuple[str, str, int, int], ...]  # (sha256, member, data offset, size)

    def index(self, home: Path) -> pl.DataFrame:
        """The pack's rows of ``meta.archive_index`` (its path relative to ``home``)."""
        pack = stored_path(self.path, home)
        rows = [(sha, pack, m, off, n) for sha, m, off, n in self.members]
        return pl.DataFrame(rows, schema=INDEX_SCHEMA, orient="row")


def stored_path(path: Path, home: Path) -> str:
    """A path in the home as the warehouse stores it: relative to the home, so that a
    copied or restored home reads its own archive, never the old home's."""
    try:
        return str(path.resolve().relative_to(home.resolve()))
    except ValueError:
        return str(path)


def home_path(stored: str, home: Path) -> Path:
    """The file a stored archive path names in ``home``. An absolute path (written by an
    older ronghe) is read as its part from ``archive/`` on, in this home."""
    p = Path(stored)
    if not p.is_absolute():
        return home / p
    parts = p.parts
    if ARCHIVE in parts:
        at = len(parts) - 1 - parts[::-1].index(ARCHIVE)
        return home.joinpath(*parts[at:])
    return p


def remove_unindexed(archive_dir: Path, indexed: set[str]) -> list[Path]:
    """Remove the packs (and temporary packs) no index names: left by a run that died
    between writing its pack and committing. Their files are received again. A pack's
    members file (``<sha>.json``, :mod:`warehouse.provenance`) goes with it."""
    folder = archive_dir / PACKS
    if not folder.is_dir():
        return []
    gone = []
    for f in folder.iterdir():
        if f.name.startswith((".pack.tmp", ".members.tmp")) or (
            f.suffix in (".tar", ".json") and f.with_suffix(".tar").name not in indexed
        ):
            f.unlink(missing_ok=True)
            if f.suffix != ".json":
                gone.append(f)
    return gone


class _Hashing(io.RawIOBase):
    """A write-only file that also hashes what goes through it (the pack's own name)."""

    def __init__(self, fd: int) -> None:
        self.fd, self.sha, self.pos = fd, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, b: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(b)
        self.sha.update(view)
        while view:
            view = view[os.write(self.fd, view) :]
        self.pos += len(b)
        return len(b)

    def tell(self) -> int:
        return self.pos


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_pack(archive_dir: Path, files: Sequence[Received], when: datetime) -> Pack | None:
    """Write ``files`` (distinct SHA-256s) as one pack, flushed to disk; None if none.

    Written under a temporary name and renamed: a failure (a full disk) removes the
    temporary file and raises, so the archive never holds a partial pack.
    """
    if not files:
        return None
    folder = private_dir(private_dir(archive_dir) / PACKS)
    tmp = folder / f".pack.tmp{os.getpid()}-{threading.get_ident()}"
    mtime = int(when.timestamp())
    members: list[tuple[str, str, int, int]] = []
    fd = open_private(tmp, os.O_WRONLY | os.O_TRUNC | os.O_EXCL)
    try:
        out = _Hashing(fd)
        with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for f in files:
                info = tarfile.TarInfo(f.sha256 + f.suffix)
                info.size, info.mtime, info.mode = len(f.data), mtime, 0o600
                tar.addfile(info, io.BytesIO(f.data))
                # the header, then the data padded to whole blocks: where the data began
                padded = -(-info.size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE
                members.append((f.sha256, info.name, tar.offset - padded, info.size))
        os.fsync(fd)
        os.close(fd)
        fd = -1
        target = folder / f"{out.sha.hexdigest()}.tar"
        os.replace(tmp, target)  # the same name is the same bytes: replacing it is safe
        _sync_dir(folder)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    return Pack(target, tuple(members))


def read_archived(con: duckdb.DuckDBPyConnection, sha256: str, home: Path) -> tuple[str, bytes]:
    """The archived bytes of a received file and the name to give it (``<sha>.<ext>``).

    Looks in ``meta.archive_index`` (packs), else at the manifest's ``archive_path`` (a
    loose file archived before packs). Raises :class:`ArchiveError` when it is not
    there or its bytes no longer have that SHA-256.
    """
    row = con.execute(
        "SELECT pack, member, data_offset, size_bytes FROM meta.archive_index WHERE sha256 = ?",
        [sha256],
    ).fetchone()
    if row is not None:
        pack, member, offset, size = row
        try:
            with open(home_path(pack, home), "rb") as f:
                f.seek(offset)
                data = f.read(size)
        except OSError as e:
            raise ArchiveError(f"cannot read the pack {pack}: {e.strerror or e}") from e
        name = str(member)
    else:
        loose = con.execute(
            "SELECT archive_path FROM meta.file_manifest WHERE sha256 = ?", [sha256]
        ).fetchone()
        if loose is None or loose[0] is None:
            raise ArchiveError(f"no archived file has SHA-256 {sha256}")
        try:
            data = home_path(loose[0], home).read_bytes()
        except OSError as e:
            raise ArchiveError(f"cannot read {loose[0]}: {e.strerror or e}") from e
        name = Path(loose[0]).name
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ArchiveError(f"the archived bytes of {sha256} do not have that SHA-256")
    return name, data
