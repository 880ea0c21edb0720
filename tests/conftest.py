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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files with integration tests run first. Under ``-n 2 --dist loadfile`` (``make test``)
    files are handed out in this order, so the slow ones start early and the quick unit
    files fill in at the end: no worker is left waiting for a slow file started last."""
    slow = {
        item.path
        for item in items
        if "integration" in item.path.parts or item.get_closest_marker("integration")
    }
    items.sort(key=lambda item: item.path not in slow)  # stable: each file's order kept


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
