"""The portal's settings (``RONGHE_PORTAL_*``), built once by ``ronghe portal``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PortalConfig(BaseSettings):
    """How the portal guards its sessions and logins (docs/portal.md)."""

    model_config = SettingsConfigDict(
        env_prefix="RONGHE_PORTAL_", extra="ignore", env_ignore_empty=True
    )

    secure_cookies: bool = False
    """Mark the session cookie ``Secure`` (set it when the portal is behind TLS)."""
    same_site: Literal["lax", "strict"] = "lax"
    secret: str | None = None
    """The key that signs session cookies; default: one generated and kept in
    ``$RONGHE_HOME/portal/secret`` (several portal processes must share one)."""
    session_hours: float = Field(default=8.0, gt=0)
    failures_per_account: int = Field(default=5, ge=1)
    failures_per_address: int = Field(default=20, ge=1)
    failure_window_minutes: float = Field(default=15.0, gt=0)
    trusted_proxies: str = "127.0.0.1"
    """Addresses whose ``X-Forwarded-For`` is believed (a reverse proxy on this host)."""
    max_upload_mb: float | None = Field(default=None, gt=0)
    """The largest upload; default the read limit of every file (``RONGHE_READ_MAX_MB``)."""
    hash: Literal["default", "cheapest"] = "default"
    """argon2 parameters: ``default`` (RFC 9106 low memory); ``cheapest`` for tests only."""
