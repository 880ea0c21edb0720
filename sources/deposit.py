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
``timeout`` (10 s by default).
"""

from __future__ import annotations

import contextlib
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sources.config import Source


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

    def move(self, path: str, folder: str) -> str:
        """Move the file at ``path`` into ``folder`` (both relative); its new path."""
        ...

    def close(self) -> None: ...


def _utc(value: Any) -> datetime | None:
    """A listing's modification time (datetime, epoch seconds or MLSD text) as naive UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
    if isinstance(value, str) and value[:14].isdigit() and len(value) >= 14:
        return datetime.strptime(value[:14], "%Y%m%d%H%M%S")  # MLSD's modify fact, UTC
    return None


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

    def _walk(self, folder: str, skip: str | None) -> Iterator[Entry]:
        for info in self.fs.ls(folder, detail=True):
            name = str(info["name"]).rstrip("/")
            rel = self._rel(name)
            if info.get("type") == "directory":
                if skip is None or rel != skip:
                    yield from self._walk(name, skip)
            elif info.get("type") == "file":
                yield Entry(rel, int(info.get("size") or 0), _mtime(info))

    def list(self, skip_folder: str | None = None) -> list[Entry]:
        return sorted(self._walk(self.root, skip_folder), key=lambda e: e.path)

    def read(self, path: str) -> bytes:
        with self.fs.open(self._abs(path), "rb") as f:
            data: bytes = f.read()
        return data

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


def _fs_options(source: Source, password: str | None) -> tuple[str, dict[str, Any], str]:
    """fsspec's protocol, its options and the root path, for ``source``."""
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


def open_deposit(source: Source, password: str | None) -> FsspecDeposit:
    """Connect to ``source`` (raises what the protocol raises when it cannot)."""
    import fsspec

    protocol, options, root = _fs_options(source, password)
    return FsspecDeposit(fsspec.filesystem(protocol, **options), root)
