"""The sources file (``$RONGHE_HOME/sources.toml``, ``RONGHE_SOURCES`` or ``--sources``).

One ``[[source]]`` per deposit (CONTRACT §8)::

    [[source]]
    name = "rudong"                              # unique, [a-z0-9_-]
    unit = "320623000000"                        # the unit whose deposit this is
    url = "ftp://ronghe@10.0.0.5:21/upload"      # file, sftp, ftp, ftps, smb, webdav(s), s3
    password_env = "RONGHE_RUDONG_PASSWORD"      # or secret_block = "NAME"
    encoding = "gbk"                             # file-name encoding (FTP)
    include = ["*.xlsx", "*.xls", "*.ods", "*.csv", "*.json"]
    complete = "stable"                          # or "marker" (NAME.done beside it)
    after = "keep"                               # or "move:processed/"

Every mistake is one line naming the source and the key (:class:`SourcesError`).
A password is never in the file: a URL holding one is refused.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

SCHEMES = ("file", "sftp", "ftp", "ftps", "smb", "webdav", "webdavs", "s3")
DEFAULT_INCLUDE = ("*.xlsx", "*.xls", "*.ods", "*.csv", "*.json")
COMPLETE_RULES = ("stable", "marker")
KEYS = frozenset(
    {
        "name",
        "unit",
        "url",
        "password_env",
        "secret_block",
        "encoding",
        "include",
        "complete",
        "after",
        "endpoint",
        "timeout",
        "key_file",
    }
)
_NAME = re.compile(r"[a-z0-9_-]{1,40}")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DEFAULT_TIMEOUT = 10.0
"""Seconds to connect (and to wait on a silent server) before a source counts as down."""


class SourcesError(ValueError):
    """The sources file is wrong (a usage error: exit status 2); one line."""


@dataclass(frozen=True)
class Source:
    """One deposit, as the sources file declares it."""

    name: str
    unit: str
    url: str
    scheme: str
    host: str
    port: int | None
    username: str | None
    root: str  # the folder at the source, as the protocol names it
    password_env: str | None = None
    secret_block: str | None = None
    encoding: str = "utf-8"
    include: tuple[str, ...] = DEFAULT_INCLUDE
    complete: str = "stable"
    after: str = "keep"
    endpoint: str | None = None  # s3: the endpoint URL of an S3-compatible store
    key_file: str | None = None  # sftp: a private key (its passphrase, if any, is the password)
    timeout: float = DEFAULT_TIMEOUT

    @property
    def move_to(self) -> str | None:
        """The folder (relative to the root) files move to once archived, or None."""
        return self.after.removeprefix("move:").strip("/") if self.after != "keep" else None

    @property
    def shown_url(self) -> str:
        """The URL as shown to people (it never holds a password)."""
        return self.url


SOURCES_ENV = "RONGHE_SOURCES"


def sources_path(home: Path, given: str | Path | None = None) -> Path:
    """``--sources``, else ``RONGHE_SOURCES``, else ``$RONGHE_HOME/sources.toml``."""
    import os

    env = os.environ.get(SOURCES_ENV)
    if given:
        return Path(given)
    return Path(env) if env and env.strip() else home / "sources.toml"


def chosen(path: Path, units: Collection[str], name: str | None = None) -> list[Source]:
    """The sources of the file at ``path``, or only the one named ``name``."""
    found = load_sources(path, units)
    if name is None:
        return found
    picked = [s for s in found if s.name == name]
    if not picked:
        raise SourcesError(f"{path}: no source named {name!r}")
    return picked


def load_sources(path: Path, units: Collection[str]) -> list[Source]:
    """Every source of the file at ``path``, checked against the registry's ``units``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"no sources file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"cannot read the sources file {path}: {exc}") from None
    return parse_sources(text, units, str(path))


def parse_sources(text: str, units: Collection[str], where: str = "sources.toml") -> list[Source]:
    """The sources of a sources file's text (``where`` names it in errors)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{where}: not valid TOML ({exc})") from None
    extra = sorted(set(doc) - {"source"})
    if extra:
        raise SourcesError(f"{where}: unknown top-level key {extra[0]!r} (only [[source]])")
    entries = doc.get("source", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SourcesError(f"{where}: 'source' must be an array of tables ([[source]])")
    out: list[Source] = []
    for i, entry in enumerate(entries, 1):
        src = _source(entry, units, f"{where}: source {i}")
        if any(s.name == src.name for s in out):
            raise SourcesError(f"{where}: source {i}: the name {src.name!r} is used twice")
        out.append(src)
    return out


def _text(entry: dict[str, object], key: str, at: str, required: bool = False) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise SourcesError(f"{at}: '{key}' is missing")
        return None
    if not isinstance(value, str) or not value.strip():
        raise SourcesError(f"{at}: '{key}' must be a non-empty string")
    return value.strip()


def _source(entry: dict[str, object], units: Collection[str], at: str) -> Source:
    unknown = sorted(set(entry) - KEYS)
    if unknown:
        raise SourcesError(f"{at}: unknown key {unknown[0]!r}")
    name = _text(entry, "name", at, required=True) or ""
    if not _NAME.fullmatch(name):
        raise SourcesError(f"{at}: name {name!r} must be 1-40 of a-z, 0-9, '_' and '-'")
    at = f"{at} ({name})"
    unit = _text(entry, "unit", at, required=True) or ""
    if unit not in units:
        raise SourcesError(f"{at}: unit {unit!r} is not in the unit registry")
    url = _text(entry, "url", at, required=True) or ""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise SourcesError(f"{at}: url scheme {scheme or '(none)'!r} is not one of {SCHEMES}")
    try:
        port = parts.port
    except ValueError:
        raise SourcesError(f"{at}: url {url!r} has a bad port") from None
    if parts.password is not None:
        raise SourcesError(
            f"{at}: the url holds a password; name it with password_env or secret_block instead"
        )
    if scheme != "file" and not parts.hostname:
        raise SourcesError(f"{at}: url {url!r} names no host")
    password_env = _text(entry, "password_env", at)
    secret_block = _text(entry, "secret_block", at)
    if password_env and secret_block:
        raise SourcesError(f"{at}: give password_env or secret_block, not both")
    if password_env and not _ENV.fullmatch(password_env):
        raise SourcesError(f"{at}: password_env {password_env!r} is not a variable name")
    encoding = _text(entry, "encoding", at) or "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SourcesError(f"{at}: unknown encoding {encoding!r}") from None
    include = entry.get("include", list(DEFAULT_INCLUDE))
    if (
        not isinstance(include, list)
        or not include
        or not all(isinstance(p, str) and p.strip() for p in include)
    ):
        raise SourcesError(f"{at}: 'include' must be a non-empty list of name patterns")
    complete = _text(entry, "complete", at) or "stable"
    if complete not in COMPLETE_RULES:
        raise SourcesError(f"{at}: complete must be 'stable' or 'marker', not {complete!r}")
    after = _text(entry, "after", at) or "keep"
    if after != "keep" and not re.fullmatch(r"move:[^/\\.][^\\]*", after):
        raise SourcesError(f"{at}: after must be 'keep' or 'move:FOLDER/', not {after!r}")
    if ".." in after.split("/"):
        raise SourcesError(f"{at}: after {after!r} must stay inside the source's folder")
    timeout = entry.get("timeout", DEFAULT_TIMEOUT)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise SourcesError(f"{at}: timeout must be a positive number of seconds")
    return Source(
        name=name,
        unit=unit,
        url=url,
        scheme=scheme,
        host=parts.hostname or "",
        port=port,
        username=unquote(parts.username) if parts.username else None,
        root=unquote(parts.path) or "/",
        password_env=password_env,
        secret_block=secret_block,
        encoding=encoding,
        include=tuple(p.strip() for p in include),
        complete=complete,
        after=after,
        endpoint=_text(entry, "endpoint", at),
        key_file=_text(entry, "key_file", at),
        timeout=float(timeout),
    )
