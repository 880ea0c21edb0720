"""Shared fixtures: a writer session on a warehouse in tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# tests write files and run at once: a file need not settle (tests of the rule set it)
os.environ.setdefault("RONGHE_SETTLE_SECONDS", "0")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def session(home: Path) -> Iterator[Any]:
    from config.settings import Settings
    from warehouse.workspace import Workspace

    with Workspace.open(Settings(home=home)) as ws:
        yield ws
