"""Typed settings, read once in the entry point and passed down (``RONGHE_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from warehouse import scale
from warehouse.modes import DEFAULT_WAREHOUSE_MODE, parse_mode


class Settings(BaseSettings):
    """Where ronghe keeps its files, and how hard it works.

    ``home`` holds the published warehouse (``warehouse.duckdb``), the writer's
    working copy, the archive of every received file and the default inbox.
    """

    # an empty variable (``RONGHE_HOME=``) counts as unset, never as "the current folder"
    model_config = SettingsConfigDict(env_prefix="RONGHE_", extra="ignore", env_ignore_empty=True)

    home: Path = Field(default_factory=lambda: Path.home() / ".ronghe")
    inbox: Path | None = None
    rules: Path | None = None
    scale: Literal["city", "province"] = "city"
    """Whose registry (``RONGHE_SCALE``): the city's (Nantong) or the province's (Jiangsu);
    the home remembers it after its first run (:mod:`warehouse.scale`)."""
    workers: int = 1
    """Threads that read files (``RONGHE_WORKERS``). One: the per-file work is mostly
    under the GIL, and on a 2-core machine 2 threads read and validated the city quarter
    in 6.9 s against 5.4 s for one (docs/performance.md)."""
    duckdb_threads: int = 2
    duckdb_memory_limit: str = "4GB"
    lock_timeout_seconds: float = 3600.0
    chunk_files: int = Field(default=6000, ge=1)
    """New files are read, validated and loaded at most this many at a time, in chunks
    of near-equal size, each one transaction (``RONGHE_CHUNK_FILES``): a backfill's
    memory does not grow with its length. A city quarter (≈ 5,900 files) is one chunk."""
    warehouse_mode: int = DEFAULT_WAREHOUSE_MODE
    """Permission bits of the published warehouse (``RONGHE_WAREHOUSE_MODE=0640``)."""

    @field_validator("warehouse_mode", mode="before")
    @classmethod
    def _octal_mode(cls, value: object) -> int:
        if not isinstance(value, str | int):
            raise ValueError(f"not an octal file mode such as 0640: {value!r}")
        return parse_mode(value)

    dask_address: str | None = None
    """A Dask scheduler (``tcp://host:8786``) to read and validate on (``--dask``)."""

    settle_seconds: float = Field(default=5.0, ge=0)
    """A file is complete once unchanged this long (:func:`sources.inbox.settled`): younger
    files are left for the next run, and ``watch`` does not announce them yet."""

    portal_store: str | None = None
    """The portal's store (CONTRACT §11, ``RONGHE_PORTAL_STORE``): a SQLAlchemy URL such as
    ``postgresql+psycopg://…`` for several portal processes; default SQLite in
    ``$RONGHE_HOME/portal/portal.db``. The portal writes it; runs only read it."""

    @classmethod
    def load(cls, home: Path | str | None = None) -> Settings:
        """Settings from the environment, with ``home`` (``--home``) taking precedence.

        The scale is the home's when ``RONGHE_SCALE`` is unset, and a ``RONGHE_SCALE``
        other than the home's is an error (:class:`warehouse.scale.ScaleMismatch`)."""
        loaded = cls(home=Path(home)) if home is not None and str(home).strip() else cls()
        return loaded.of_home_scale()

    def of_home_scale(self) -> Settings:
        """These settings with the scale the home remembers (:mod:`warehouse.scale`)."""
        found = scale.of_home(self.home, self.published_path)
        if found is None or found == self.scale:
            return self
        if "scale" in self.model_fields_set:  # RONGHE_SCALE says otherwise
            raise scale.mismatch(self.home, self.scale, found)
        return self.model_copy(update={"scale": found})

    @property
    def inbox_dir(self) -> Path:
        return self.inbox or self.home / "inbox"

    @property
    def published_path(self) -> Path:
        """The analysts' file: replaced atomically after each successful run."""
        return self.home / "warehouse.duckdb"

    @property
    def working_path(self) -> Path:
        """The writer's copy; only one process writes it at a time."""
        return self.home / "work" / "warehouse.duckdb"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def reports_dir(self) -> Path:
        """The quarterly assessments (通报): ``reports/<period>/``."""
        return self.home / "reports"

    @property
    def receipts_dir(self) -> Path:
        """Receipts (回执) are written to ``receipts/<period>/``."""
        return self.home / "receipts"

    @property
    def portal_dir(self) -> Path:
        """The portal's folder: its SQLite store, staged uploads, its signing key."""
        return self.home / "portal"

    @property
    def portal_store_url(self) -> str:
        return self.portal_store or f"sqlite:///{self.portal_dir / 'portal.db'}"

    @property
    def lock_path(self) -> Path:
        return self.home / "writer.lock"
