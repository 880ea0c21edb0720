"""The validation process: the same verdicts as in the run's process, and a clean stop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from expectations import process
from pipeline.steps import KindBatch, PendingBatch, read_and_validate, settle
from tests.support.batches import NOW
from tests.support.factories import COUNTY, COUNTY2, supervision_row, write_csv
from warehouse.registry import load_registry


@pytest.fixture
def gx_process() -> Iterator[None]:
    process.prestart()
    try:
        yield
    finally:
        process.shutdown()


def _inbox(root: Path) -> list[Path]:
    return [
        write_csv(root / "supervision_a.csv", [supervision_row(), supervision_row(COUNTY2)]),
        # a negative count and a duplicate: quarantined, with problems
        write_csv(
            root / "supervision_b.csv",
            [supervision_row(party_orgs=-1), supervision_row(COUNTY2), supervision_row(COUNTY2)],
        ),
        write_csv(root / "supervision_c.csv", [supervision_row(COUNTY, "2016Q4")]),
    ]


def test_the_validation_process_gives_the_verdicts_of_the_run_process(
    tmp_path: Path, gx_process: None
) -> None:
    files = _inbox(tmp_path / "in")
    pending = read_and_validate("supervision", files, load_registry("city"), NOW)
    assert isinstance(pending, PendingBatch)  # the run goes on while it validates
    (there,) = settle([pending])
    process.shutdown()
    here = read_and_validate("supervision", files, load_registry("city"), NOW)
    assert isinstance(here, KindBatch) and here.verdicts and there.verdicts
    assert there.verdicts.quarantined.height == 2 and there.verdicts.accepted.height == 3
    for a, b in (
        (there.verdicts.accepted, here.verdicts.accepted),
        (there.verdicts.quarantined, here.verdicts.quarantined),
        (there.verdicts.row_reasons, here.verdicts.row_reasons),
        (there.verdicts.problems, here.verdicts.problems),
    ):
        assert_frame_equal(a, b)


def test_shutdown_stops_the_process_even_while_it_imports(gx_process: None) -> None:
    assert process.running()
    pool = process._pool
    assert pool is not None
    workers = list(pool._processes.values())  # type: ignore[attr-defined]
    assert workers and all(w.is_alive() for w in workers)
    process.shutdown()  # GX is still being imported there: not waited for
    assert not process.running()
    assert not any(w.is_alive() for w in workers)


def test_a_killed_validation_process_is_one_clear_error(tmp_path: Path, gx_process: None) -> None:
    files = _inbox(tmp_path / "in")
    pending = read_and_validate("supervision", files, load_registry("city"), NOW)
    pool = process._pool
    assert pool is not None and isinstance(pending, PendingBatch)
    for w in list(pool._processes.values()):  # type: ignore[attr-defined]
        w.kill()
    with pytest.raises(process.ProcessStopped, match=r"validation process stopped.*run again"):
        settle([pending])


def test_without_the_process_validation_stays_here(tmp_path: Path) -> None:
    assert not process.running()
    batch = read_and_validate("supervision", _inbox(tmp_path / "in"), load_registry("city"), NOW)
    assert isinstance(batch, KindBatch) and batch.verdicts is not None


STOPPED_WHILE_VALIDATING = """
import sys
from pathlib import Path

from expectations import process
from pipeline.steps import read_and_validate, settle
from tests.support.batches import NOW
from tests.support.factories import supervision_row, write_csv
from warehouse.registry import load_registry

files = [write_csv(Path(sys.argv[1]) / "supervision_a.csv", [supervision_row()])]
process.prestart()
settle([read_and_validate("supervision", files, load_registry("city"), NOW)])
read_and_validate("supervision", files, load_registry("city"), NOW)  # the next batch
process.shutdown()  # Ctrl-C while it validates: the process is terminated
"""


def test_a_process_stopped_while_validating_leaves_no_warning(tmp_path: Path) -> None:
    """GX's progress bar made a multiprocessing lock in the validation process; stopped
    there by Ctrl-C, it was never unlinked, and the resource tracker warned of "leaked
    semaphore objects" under the command's last line."""
    import subprocess
    import sys

    from tests.support.hardening import TREE, cli_env

    done = subprocess.run(
        [sys.executable, "-c", STOPPED_WHILE_VALIDATING, str(tmp_path)],
        capture_output=True,
        text=True,
        env=cli_env(None),
        cwd=TREE,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "leaked" not in done.stderr and "resource_tracker" not in done.stderr, done.stderr
