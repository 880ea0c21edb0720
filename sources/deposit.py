"""A deposit: one small interface over every protocol a unit's files may sit behind.

:class:`Deposit` lists the files under a source's folder (path, size, mtime), reads
one's bytes, and moves one once it is archived. :class:`FsspecDeposit` is the one
implementation, over fsspec's filesystems (no protocol client of our own):

======== ============================================ ===============================
scheme   fsspec filesystem                            tested here
======== ============================================ ===============================
file     ``LocalFileSystem``                          yes
sftp     ``SFTPFileSystem`` (paramiko)                yes, OpenSSH ``sshd``
ftp(s)   ``FTPFileSystem`` (``encoding``, ``tls``)    ftp yes (GBK names), ftps no
smb      ``SMBFileSystem`` (smbprotocol, read share)  yes, Samba ``smbd``
webdav(s) ``webdav4``'s ``WebdavFileSystem``          no: ``pip install webdav4``
s3       ``s3fs``'s ``S3FileSystem``                  no: ``pip install s3fs``
======== ============================================ ===============================

Each deposit is a fresh filesystem (``skip_instance_cache``, no listings cache): a
listing is always the server's answer now. Connecting waits at most the source's
``timeout`` (10 s by default). An SFTP server must present its pinned host key before
any login is sent (:mod:`sources.hostkeys`).

A server may answer anything: a listing is taken as at most :data:`MAX_ENTRIES` files
in folders at most :data:`MAX_DEPTH` deep (more: the source is not read), a listed size
outside what a file can be counts as too large, a time that is no time as none; a
file's bytes are copied to disk a chunk at a time (:meth:`Deposit.copy`), never past
the limit, whatever the listing said.
"""

from __future__ import annotations

import contextlib
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from sources.config import Source

MAX_ENTRIES = 100_000
"""Files and folders a listing may hold (a city's deposit holds a few thousand)."""
MAX_DEPTH = 32
"""Folders deep a listing may go."""
MAX_SIZE = 2**62
"""A listed size past this is no file's (a hostile or broken server): too large."""
CHUNK = 1 << 20


class ListingTooLarge(Exception):
    """The source's listing is past :data:`MAX_ENTRIES` or :data:`MAX_DEPTH`."""


class TooLarge(Exception):
    """A file sent more bytes than the read limit allows; the copy stopped there."""


@dataclass(frozen=True)
class Entry:
    """A file at a source: its path relative to the source's folder, size and mtime."""

    path: str  # relative, "/"-separated, decoded (FTP names with the source's encoding)
    size: int
    modified_at: datetime | None  # UTC, naive; None where the server tells no time


class Deposit(Protocol):
    """What the pull needs of a source."""

    def list(self, skip_folder: str | None = None) -> list[Entry]:
        """Every file below the folder (not below ``skip_folder``), sorted by path."""
        ...

    def read(self, path: str) -> bytes:
        """The bytes of the file at ``path`` (relative)."""
        ...

    def copy(self, path: str, out: IO[bytes], limit: int) -> int:
        """Copy the file at ``path`` into ``out`` a chunk at a time; its size.

        Raises :class:`TooLarge` as soon as more than ``limit`` bytes came."""
        ...

    def move(self, path: str, folder: str) -> str:
        """Move the file at ``path`` into ``folder`` (both relative); its new path."""
        ...

    def close(self) -> None: ...


def _utc(value: Any) -> datetime | None:
    """A listing's modification time (datetime, epoch seconds or MLSD text) as naive UTC;
    None when the server's answer is no time."""
    try:
        if isinstance(value, datetime):
            return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
        if isinstance(value, str) and value[:14].isdigit() and len(value) >= 14:
            return datetime.strptime(value[:14], "%Y%m%d%H%M%S")  # MLSD's modify fact, UTC
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _size(value: Any) -> int:
    """A listed size; past :data:`MAX_SIZE` (or not a number) it is ``MAX_SIZE``: too large."""
    try:
        size = int(value or 0)
    except (TypeError, ValueError, OverflowError):
        return MAX_SIZE
    return size if 0 <= size <= MAX_SIZE else MAX_SIZE


def _mtime(info: dict[str, Any]) -> datetime | None:
    for key in ("mtime", "modify", "LastModified", "last_modified", "modified"):
        if info.get(key) is not None:
            return _utc(info[key])
    return None


class FsspecDeposit:
    """A :class:`Deposit` over an fsspec filesystem rooted at ``root``."""

    def __init__(self, fs: Any, root: str) -> None:
        self.fs = fs
        self.root = root.rstrip("/") or "/"

    def _abs(self, rel: str) -> str:
        return posixpath.join(self.root, rel) if self.root != "/" else "/" + rel

    def _rel(self, name: str) -> str:
        name = name.rstrip("/")
        prefix = self.root.rstrip("/") + "/"
        return name[len(prefix) :] if name.startswith(prefix) else name.lstrip("/")

    def _walk(self, folder: str, skip: str | None, depth: int = 0) -> Iterator[Entry]:
        if depth > MAX_DEPTH:
            raise ListingTooLarge(f"folders deeper than {MAX_DEPTH} levels: not read")
        for info in self.fs.ls(folder, detail=True):
            name = str(info["name"]).rstrip("/")
            rel = self._rel(name)
            if info.get("type") == "directory":
                if (skip is None or rel != skip) and name != folder.rstrip("/"):
                    yield from self._walk(name, skip, depth + 1)
            elif info.get("type") == "file":
                yield Entry(rel, _size(info.get("size")), _mtime(info))

    def list(self, skip_folder: str | None = None) -> list[Entry]:
        found: list[Entry] = []
        for entry in self._walk(self.root, skip_folder):
            found.append(entry)
            if len(found) > MAX_ENTRIES:
                raise ListingTooLarge(f"more than {MAX_ENTRIES:,} files: not read")
        return sorted(found, key=lambda e: e.path)

    def read(self, path: str) -> bytes:
        with self.fs.open(self._abs(path), "rb") as f:
            data: bytes = f.read()
        return data

    def copy(self, path: str, out: IO[bytes], limit: int) -> int:
        size = 0
        with self.fs.open(self._abs(path), "rb") as f:
            while chunk := f.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"more than {limit:,} bytes came (the read limit): not taken")
                out.write(chunk)
        return size

    def move(self, path: str, folder: str) -> str:
        target = posixpath.join(folder, path)
        parent = posixpath.dirname(self._abs(target))
        if not self.fs.exists(parent):
            self.fs.makedirs(parent, exist_ok=True)
        self.fs.mv(self._abs(path), self._abs(target))
        return target

    def close(self) -> None:
        for attr in ("ftp", "client"):  # FTP's control connection; SFTP's SSH client
            conn = getattr(self.fs, attr, None)
            if conn is not None and hasattr(conn, "close"):
                with contextlib.suppress(OSError, EOFError):
                    conn.close()


def _fs_options(
    source: Source, password: str | None, home: Path | None = None
) -> tuple[str, dict[str, Any], str]:
    """fsspec's protocol, its options and the root path, for ``source`` (``home``: where
    the home's pinned host keys are)."""
    t = source.timeout
    common: dict[str, Any] = {"skip_instance_cache": True, "use_listings_cache": False}
    if source.scheme == "file":
        return "file", common, source.root
    if source.scheme == "sftp":
        opts = {
            "port": source.port or 22,
            "username": source.username,
            "password": password,
            "timeout": t,
            "banner_timeout": t,
            "auth_timeout": t,
            "channel_timeout": t,
            "look_for_keys": False,
            "allow_agent": False,
        }
        if source.key_file:  # a key login: the password, if any, is the key's passphrase
            opts.update(key_filename=source.key_file, passphrase=password, password=None)
        from sources.hostkeys import ssh_options

        opts.update(ssh_options(source, home))  # only the pinned host key is answered
        # every other option goes to paramiko's connect; its listings are never cached
        return "sftp", {"skip_instance_cache": True, "host": source.host, **opts}, source.root
    if source.scheme in ("ftp", "ftps"):
        opts = {
            "port": source.port or 21,
            "username": source.username,
            "password": password,
            "timeout": t,
            "encoding": source.encoding,
            "tls": source.scheme == "ftps",
        }
        return "ftp", {**common, "host": source.host, **opts}, source.root
    if source.scheme == "smb":
        opts = {
            "port": source.port or 445,
            "username": source.username,
            "password": password,
            "timeout": t,
            "share_access": "r",  # others may go on reading and writing what we read
            "register_session_retries": 0,  # a server down is down now; the next pull retries
        }
        return "smb", {**common, "host": source.host, **opts}, source.root
    if source.scheme in ("webdav", "webdavs"):
        scheme = "https" if source.scheme == "webdavs" else "http"
        port = f":{source.port}" if source.port else ""
        base = f"{scheme}://{source.host}{port}"
        auth = (source.username, password) if source.username else None
        return "webdav", {**common, "base_url": base, "auth": auth, "timeout": t}, source.root
    # s3: the bucket is the URL's host; the user name the access key
    opts = {"key": source.username, "secret": password, "connect_timeout": t, "read_timeout": t}
    if source.endpoint:
        opts["endpoint_url"] = source.endpoint
    root = source.host + (source.root if source.root != "/" else "")
    return "s3", {**common, **opts}, root


def open_deposit(source: Source, password: str | None, home: Path | None = None) -> FsspecDeposit:
    """Connect to ``source`` (raises what the protocol raises when it cannot, and
    :class:`sources.hostkeys.HostKeyRefused` before any login to an SFTP server whose
    host key is not the pinned one)."""
    import fsspec

    protocol, options, root = _fs_options(source, password, home)
    return FsspecDeposit(fsspec.filesystem(protocol, **options), root)
