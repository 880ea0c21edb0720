"""SFTP host keys: a password goes only to the server whose key was pinned.

An SSH server proves who it is by its host key, before any password or key login is
sent. A source's key is pinned (CONTRACT §8; docs/operations.md §8b "Host keys"), by
the first of:

- ``host_key`` in the source's ``[[source]]``: its fingerprint as ``ssh-keygen -lf``
  prints it (``SHA256:…``), or the public key line (``ssh-ed25519 AAAA…``), or a list
  of these;
- ``known_hosts = "FILE"`` in the source: an OpenSSH ``known_hosts`` file (hashed names
  too), looked up as ``HOST`` (port 22) or ``[HOST]:PORT``;
- ``$RONGHE_HOME/known_hosts``, which ``ronghe sources --trust NAME`` writes: it asks the
  server for its key (the key exchange only: no login, nothing sent), prints the
  fingerprint and records it, replacing the source's earlier key.

A key the server presents that is not pinned, or not the pinned one (the key changed,
or someone answers in the server's place), stops the connection before the login: the
source is unreachable (``meta.source_status``, ``ronghe.source.unreachable``) and the
error says which key was presented, which was pinned and how to pin it. Nothing is
ever trusted on first sight.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sources.config import Source
from warehouse.modes import PRIVATE_FILE, set_mode

if TYPE_CHECKING:
    import paramiko

KNOWN_HOSTS = "known_hosts"
"""The home's pinned host keys (``$RONGHE_HOME/known_hosts``, owner only)."""
FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")

# the host key algorithms of each key type (an RSA key signs with SHA-2)
_ALGORITHMS = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256")}


class HostKeyRefused(Exception):
    """The server's host key is not the pinned one: nothing was sent to it."""


@dataclass(frozen=True)
class Pins:
    """What a source's server may present as its host key."""

    name: str  # ``HOST`` or ``[HOST]:PORT``, as known_hosts names it
    keys: tuple[Any, ...]  # paramiko keys
    fingerprints: frozenset[str]  # SHA256:… (host_key given as a fingerprint)
    where: str  # where they were pinned, for the messages

    def accepts(self, key: paramiko.PKey) -> bool:
        if key.fingerprint in self.fingerprints:
            return True
        return any(
            k.get_name() == key.get_name() and k.asbytes() == key.asbytes() for k in self.keys
        )

    @property
    def shown(self) -> str:
        fps = sorted({k.fingerprint for k in self.keys} | self.fingerprints)
        return ", ".join(fps)


def host_name(source: Source) -> str:
    port = source.port or 22
    return source.host if port == 22 else f"[{source.host}]:{port}"


def home_known_hosts(home: Path) -> Path:
    return home / KNOWN_HOSTS


def key_from_line(line: str) -> paramiko.PKey:
    """A public key from ``TYPE BASE64 [comment]`` (ValueError when it is not one)."""
    import base64
    import binascii

    from paramiko import PKey
    from paramiko.ssh_exception import SSHException

    parts = line.split()
    if len(parts) < 2:
        raise ValueError("not a public key line (TYPE BASE64)")
    try:
        return PKey.from_type_string(parts[0], base64.b64decode(parts[1], validate=True))
    except (binascii.Error, SSHException, ValueError, TypeError) as exc:
        raise ValueError(f"not a public key of a known type ({type(exc).__name__})") from None


def pins(source: Source, home: Path | None) -> Pins:
    """The keys the source's server may present (none pinned: an empty :class:`Pins`)."""
    name = host_name(source)
    if source.host_key:
        fps = frozenset(v for v in source.host_key if FINGERPRINT.fullmatch(v))
        keys = tuple(key_from_line(v) for v in source.host_key if v not in fps)
        return Pins(name, keys, fps, f"host_key of {source.name}")
    if source.known_hosts:
        path: Path | None = Path(source.known_hosts)
    else:
        path = home_known_hosts(home) if home is not None else None
    keys = tuple(_known(path, name)) if path is not None else ()
    return Pins(name, keys, frozenset(), str(path))


def _known(path: Path, name: str) -> list[paramiko.PKey]:
    from paramiko import HostKeys

    if not path.is_file():
        return []
    found = HostKeys(str(path)).lookup(name)
    return [] if found is None else list(found.values())


def refusal(source: Source, p: Pins, key: paramiko.PKey) -> str:
    """The one line for a host key that is not pinned (or not the pinned one)."""
    presented = f"{p.name} presented {key.get_name()} {key.fingerprint}"
    if source.host_key or source.known_hosts:  # pinned in the sources file: change it there
        trust = f"correct {'host_key' if source.host_key else p.where} in the sources file"
    else:
        trust = f"`ronghe sources --trust {source.name}`"
    if not p.keys and not p.fingerprints:
        return (
            f"主机密钥未登记，未发送密码 (host key not pinned): {presented}; check it with the"
            f" server's administrator, then {trust}"
        )
    return (
        f"主机密钥已变更，可能有人冒充服务器，未发送密码 (HOST KEY CHANGED): {presented},"
        f" pinned {p.shown} ({p.where}); if the key really changed, verify it, then {trust}"
    )


def ssh_options(source: Source, home: Path | None) -> dict[str, Any]:
    """paramiko connect options that refuse any host key but the pinned ones.

    The server is asked for a key of a pinned type (``disabled_algorithms``), and the
    key it presents is checked before the login (a missing-host-key policy: the client
    starts with no known keys, so every connection is checked).
    """
    from paramiko import MissingHostKeyPolicy

    pinned = pins(source, home)

    class Pinned(MissingHostKeyPolicy):
        def missing_host_key(self, client: Any, hostname: str, key: paramiko.PKey) -> None:
            if not pinned.accepts(key):
                raise HostKeyRefused(refusal(source, pinned, key))

    options: dict[str, Any] = {"host_key_policy": Pinned()}
    types = {k.get_name() for k in pinned.keys}
    if types and not pinned.fingerprints:
        from paramiko import Transport

        allowed = {a for t in types for a in _ALGORITHMS.get(t, (t,))}
        offered = Transport._preferred_keys  # the client's own list
        options["disabled_algorithms"] = {"keys": [a for a in offered if a not in allowed]}
    return options


def presented_key(source: Source) -> paramiko.PKey:
    """The host key the source's server presents (the key exchange only: no login)."""
    import socket

    from paramiko import Transport

    sock = socket.create_connection((source.host, source.port or 22), timeout=source.timeout)
    transport = Transport(sock)
    try:
        transport.banner_timeout = source.timeout
        transport.start_client(timeout=source.timeout)
        return transport.get_remote_server_key()
    finally:
        transport.close()


def trust(source: Source, home: Path, expected: str | None = None) -> tuple[str, str | None]:
    """Record the key the server presents in ``$RONGHE_HOME/known_hosts``.

    ``expected``: a fingerprint the key must have (else ValueError, nothing recorded).
    Returns the fingerprint recorded and the one it replaced (None: none).
    """
    from paramiko import HostKeys

    key = presented_key(source)
    if expected is not None and key.fingerprint != expected:
        raise ValueError(
            f"{host_name(source)} presented {key.fingerprint}, not {expected}: nothing recorded"
        )
    path = home_known_hosts(home)
    known = HostKeys(str(path)) if path.is_file() else HostKeys()
    name = host_name(source)
    earlier = known.lookup(name)
    replaced = None if earlier is None else ", ".join(k.fingerprint for k in earlier.values())
    kept = HostKeys()
    for entry_name, keys in known.items():
        if entry_name != name:
            for key_type, k in keys.items():
                kept.add(entry_name, key_type, k)
    kept.add(name, key.get_name(), key)
    home.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{KNOWN_HOSTS}.tmp{os.getpid()}")
    kept.save(str(tmp))
    set_mode(tmp, PRIVATE_FILE)
    tmp.replace(path)
    return key.fingerprint, replaced if replaced != key.fingerprint else None
