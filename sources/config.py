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
A password is never in the file: a URL holding one is refused, and a ``password_env``
that is not a variable's name is refused without being repeated (it may be the
password itself). An SFTP source's host key is pinned (``host_key`` or
``known_hosts``, else ``$RONGHE_HOME/known_hosts``: :mod:`sources.hostkeys`). A
``file`` source never reads the whole machine or ronghe's own home: a URL of ``/``,
of the home, of a folder inside it or holding it is refused.
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
        "host_key",
        "known_hosts",
    }
)
_NAME = re.compile(r"[a-z0-9_-]{1,40}")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")
_KEY_LINE = re.compile(r"(?:ssh|ecdsa-sha2)-[A-Za-z0-9@.-]+ [A-Za-z0-9+/]+={0,3}(?: [^\n]*)?")
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
    host_key: tuple[str, ...] = ()  # sftp: pinned fingerprints (SHA256:…) or public key lines
    known_hosts: str | None = None  # sftp: an OpenSSH known_hosts file pinning the key

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


def chosen(
    path: Path, units: Collection[str], name: str | None = None, home: Path | None = None
) -> list[Source]:
    """The sources of the file at ``path``, or only the one named ``name``."""
    found = load_sources(path, units, home)
    if name is None:
        return found
    picked = [s for s in found if s.name == name]
    if not picked:
        raise SourcesError(f"{path}: no source named {name!r}")
    return picked


def load_sources(path: Path, units: Collection[str], home: Path | None = None) -> list[Source]:
    """Every source of the file at ``path``, checked against the registry's ``units`` (and
    ``home``: no ``file`` source may read it)."""
    from transforms.scanned import read_small

    try:
        text = read_small(path).decode("utf-8")
    except FileNotFoundError:
        raise SourcesError(f"no sources file: {path}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SourcesError(f"cannot read the sources file {path}: {exc}") from None
    return parse_sources(text, units, str(path), home)


def parse_sources(
    text: str, units: Collection[str], where: str = "sources.toml", home: Path | None = None
) -> list[Source]:
    """The sources of a sources file's text (``where`` names it in errors)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{where}: not valid TOML ({exc})") from None
    except (RecursionError, ValueError) as exc:  # 5,000 nested arrays, a 5,000-digit number
        what = "nested too deeply" if isinstance(exc, RecursionError) else "a number too long"
        raise SourcesError(f"{where}: not valid TOML ({what})") from None
    extra = sorted(set(doc) - {"source"})
    if extra:
        raise SourcesError(f"{where}: unknown top-level key {extra[0]!r} (only [[source]])")
    entries = doc.get("source", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SourcesError(f"{where}: 'source' must be an array of tables ([[source]])")
    out: list[Source] = []
    for i, entry in enumerate(entries, 1):
        src = _source(entry, units, f"{where}: source {i}", home)
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


def _source(
    entry: dict[str, object], units: Collection[str], at: str, home: Path | None = None
) -> Source:
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
        # never repeated: what was given may be the password itself
        raise SourcesError(
            f"{at}: password_env must name an environment variable (letters, digits and _,"
            " e.g. RONGHE_RUDONG_PASSWORD); the value given is not a variable name"
            " (not shown: it may be the password itself)"
        )
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
    root = unquote(parts.path) or "/"
    if scheme == "file":
        _local_root(root, home, at)
    host_key = _host_keys(entry, at)
    known_hosts = _text(entry, "known_hosts", at)
    if (host_key or known_hosts) and scheme != "sftp":
        raise SourcesError(f"{at}: host_key and known_hosts are for sftp sources only")
    if host_key and known_hosts:
        raise SourcesError(f"{at}: give host_key or known_hosts, not both")
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
        root=root,
        password_env=password_env,
        secret_block=secret_block,
        encoding=encoding,
        include=tuple(p.strip() for p in include),
        complete=complete,
        after=after,
        endpoint=_text(entry, "endpoint", at),
        key_file=_text(entry, "key_file", at),
        timeout=float(timeout),
        host_key=host_key,
        known_hosts=known_hosts,
    )


def _host_keys(entry: dict[str, object], at: str) -> tuple[str, ...]:
    value = entry.get("host_key")
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    out = tuple(v.strip() for v in values if isinstance(v, str))
    if (
        not out
        or len(out) != len(values)
        or not all(_FINGERPRINT.fullmatch(v) or _KEY_LINE.fullmatch(v) for v in out)
    ):
        raise SourcesError(
            f"{at}: host_key must be the server's key fingerprint (SHA256:… as `ssh-keygen -lf`"
            " prints it), its public key line (ssh-ed25519 AAAA…), or a list of these"
        )
    return out


def _local_root(root: str, home: Path | None, at: str) -> None:
    """A ``file`` source's folder: never ``/``, never ronghe's home, inside or around it."""
    folder = Path(root).resolve()
    if folder == Path(folder.anchor):
        raise SourcesError(f"{at}: url names the root folder /: name the deposit's own folder")
    if home is None:
        return
    h = home.resolve()
    if folder == h or h in folder.parents or folder in h.parents:
        raise SourcesError(
            f"{at}: url {root!r} is ronghe's home ({h}) or holds or lies inside it:"
            " a source must be the unit's own deposit folder"
        )
