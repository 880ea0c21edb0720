"""Passwords, tokens and CSRF: argon2 (argon2-cffi), :mod:`secrets`, :mod:`hmac`.

Nothing home-made: a password is kept only as its argon2id hash; a session token is 32
random bytes, kept only as its SHA-256 (a leaked store does not open sessions); the
CSRF token is random and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from warehouse.modes import private_dir, write_private

_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def hasher(kind: str = "default") -> PasswordHasher:
    if kind == "cheapest":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


def hash_password(ph: PasswordHasher, password: str) -> str:
    return ph.hash(password)


def verify_password(ph: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A one-time password to read out or hand over: 14 unambiguous characters."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(14))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def signing_key(folder: Path, configured: str | None) -> str:
    """The configured key, else the one kept in ``folder/secret`` (made once, 0600)."""
    if configured:
        return configured
    path = folder / "secret"
    if not path.exists():
        private_dir(folder)
        tmp = folder / f".secret.{secrets.token_hex(4)}"
        write_private(tmp, secrets.token_urlsafe(48).encode("ascii"))
        try:
            os.link(tmp, path)  # atomic: two processes starting at once keep one key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip()
