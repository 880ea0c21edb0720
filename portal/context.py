"""The portal's one object: settings, store, registry and rules, built once at start."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
from argon2 import PasswordHasher
from sqlalchemy import Engine

from config.settings import Settings
from portal.access import Hierarchy
from portal.config import PortalConfig
from warehouse.ruleset import Rules


@dataclass
class Portal:
    settings: Settings
    config: PortalConfig
    engine: Engine
    registry: pl.DataFrame
    hierarchy: Hierarchy
    rules: Rules
    ph: PasswordHasher
    max_upload: int
    """The largest file accepted, in bytes (413 past it, counted while it streams)."""
    dummy: str
    """An argon2 hash of nothing anyone knows: an unknown unit is refused as slowly."""
    reading: threading.Lock = field(default_factory=threading.Lock)
    """One upload read and validated at a time: the read worker and GX are shared."""
    clock: Callable[[], datetime] = datetime.now

    @property
    def staging(self) -> Path:
        """Uploads read but not confirmed: ``portal/staging/<receipt_no>/<name>``."""
        return self.settings.portal_dir / "staging"

    @property
    def inbox(self) -> Path:
        """Where confirmed uploads go: ``<inbox>/portal/<unit>/``."""
        return self.settings.inbox_dir / "portal"
