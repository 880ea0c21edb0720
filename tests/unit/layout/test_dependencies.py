"""Declared dependencies (issue 31): ``pip install .`` gives a ronghe that runs every command.

Every third-party module the code imports (at the top of a file or inside a function)
comes from a distribution pinned exactly in ``pyproject.toml``'s dependencies, with the
version ``requirements.lock`` installs; so do the packages fsspec imports for the
deposit protocols the pull supports and tests (SFTP: paramiko, SMB: smbprotocol). What
the tests and benchmarks import is pinned there or in the ``dev`` extra.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES: list[str] = PYPROJECT["tool"]["setuptools"]["packages"]
FIRST_PARTY = {*PACKAGES, "benchmarks", "tests"}
TESTED_PROTOCOLS = ("sftp", "ftp", "smb")
"""The deposit schemes the pull tests run against real servers (sources/deposit.py)."""
UNO_SCRIPTS = ("tests/fixtures/office",)
"""Run by Debian's /usr/bin/python3 with python3-uno, not by the project's Python."""


def _name(requirement: str) -> str:
    return re.split(r"[=<>!~\[; ]", requirement, maxsplit=1)[0]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(requirements: list[str]) -> dict[str, str]:
    out = {}
    for r in requirements:
        assert "==" in r, f"{r!r} is not pinned exactly (==)"
        name, version = r.split("==", 1)
        out[_norm(_name(name))] = version.split(";")[0].strip()
    return out


MAIN = _pins(PYPROJECT["project"]["dependencies"])
DEV = _pins(PYPROJECT["project"]["optional-dependencies"]["dev"])


def _imports(files: list[Path]) -> dict[str, set[str]]:
    """Top-level module → files importing it (absolute imports, wherever they are)."""
    found: dict[str, set[str]] = {}
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            where = str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f)
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(where)
    return found


def _third_party(found: dict[str, set[str]]) -> dict[str, set[str]]:
    return {
        m: where
        for m, where in found.items()
        if m not in sys.stdlib_module_names and m not in FIRST_PARTY and m != "__future__"
    }


def _distributions(module: str) -> list[str]:
    dists = importlib.metadata.packages_distributions().get(module)
    assert dists, f"{module} is imported but no installed distribution provides it"
    return [_norm(d) for d in dists]


def _code_files() -> list[Path]:
    return [f for p in PACKAGES for f in sorted((ROOT / p).rglob("*.py"))]


def test_every_import_of_the_code_is_a_pinned_dependency() -> None:
    missing = {
        m: sorted(where)[0]
        for m, where in _third_party(_imports(_code_files())).items()
        if not any(d in MAIN for d in _distributions(m))
    }
    assert missing == {}, f"imported but not in pyproject's dependencies: {missing}"


@pytest.mark.parametrize("protocol", TESTED_PROTOCOLS)
def test_the_deposit_protocols_have_their_packages(protocol: str) -> None:
    from fsspec.registry import known_implementations

    target = known_implementations[protocol]["class"]
    spec = importlib.util.find_spec(target.rsplit(".", 1)[0])
    assert spec is not None and spec.origin is not None
    imported = _third_party(_imports([Path(spec.origin)]))
    imported.pop("fsspec", None)
    missing = [m for m in imported if not any(d in MAIN for d in _distributions(m))]
    assert missing == [], f"fsspec's {protocol} needs {missing}: pin them in pyproject"


def test_what_tests_and_benchmarks_import_is_pinned() -> None:
    files = [
        f
        for p in ("tests", "benchmarks")
        for f in sorted((ROOT / p).rglob("*.py"))
        if not any(str(f.relative_to(ROOT)).startswith(u) for u in UNO_SCRIPTS)
    ]
    missing = {
        m: sorted(where)[0]
        for m, where in _third_party(_imports(files)).items()
        if not any(d in MAIN or d in DEV for d in _distributions(m))
    }
    assert missing == {}, f"imported by tests or benchmarks but not pinned: {missing}"


def test_the_pins_are_the_versions_the_lock_installs() -> None:
    lock = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            lock[_norm(_name(name))] = version.split(";")[0].strip()
    differ = {n: (v, lock.get(n)) for n, v in {**MAIN, **DEV}.items() if lock.get(n) != v}
    assert differ == {}, f"pyproject pin vs requirements.lock: {differ}"
