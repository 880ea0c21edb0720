"""What a run did, as one typed value: the flows return it, :mod:`pipeline.render` shows it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from warehouse.store import LoadSummary, SkippedPath


@dataclass(frozen=True)
class Owed:
    """What follows a published run, in a ``ronghe-outputs`` flow run of its own: the
    通报 and the receipts of these quarters, the events of these runs' quarantined and
    rejected files (:mod:`flows.outputs`)."""

    report_periods: tuple[str, ...] = ()
    receipt_periods: tuple[str, ...] = ()
    event_runs: tuple[str, ...] = ()
    rules: str | None = None

    @property
    def nothing(self) -> bool:
        return not (self.report_periods or self.receipt_periods or self.event_runs)


@dataclass(frozen=True)
class RunResult:
    """A finished run: what it received and loaded, and the marts it rebuilt."""

    load: LoadSummary
    already_received: int
    marts_rebuilt: tuple[str, ...]
    rules_version: str
    mart_rows: Mapping[str, int] = field(default_factory=dict)
    reports: tuple[str, ...] = ()
    """The quarterly assessments written after the run (workbook, brief and document paths)."""
    changed: tuple[str, ...] = ()
    """Quarters whose marts may differ from before the run: it received files of them,
    or they were scored under other rules (or not at all) before. Their 通报 is due."""
    dependents: tuple[str, ...] = ()
    """Other quarters whose 通报 show figures of the changed ones (the quarter after, a
    year after, the one before, the next year of a fourth quarter, the trend;
    :mod:`warehouse.ripple`): their 通报 is due too."""
    owed: Owed | None = None
    """What the caller is to write after this run in a flow run of its own
    (:func:`flows.outputs.follow`); None when nothing is owed, or when the served
    ``ronghe-outputs/outputs`` deployment writes it on the run's published event."""

    @property
    def files(self) -> int:
        """New files (bytes never received before) taken in by this run."""
        return len(self.load.files)

    @property
    def files_rejected(self) -> list[str]:
        """Paths of new files of which nothing loaded."""
        return [f.path for f in self.load.files if f.status == "rejected"]

    @property
    def skipped(self) -> tuple[SkippedPath, ...]:
        """Paths the run did not take (still being written, links out of the inbox …)."""
        return self.load.skipped

    @property
    def periods_loaded(self) -> tuple[str, ...]:
        return self.load.periods

    @property
    def reports_loaded(self) -> Mapping[str, int]:
        return self.load.reports_loaded

    @property
    def reports_quarantined(self) -> int:
        return self.load.reports_quarantined

    @property
    def reasons(self) -> Mapping[str, int]:
        return self.load.reasons

    @property
    def rows_read(self) -> int:
        return self.load.rows_read

    @property
    def rows_loaded(self) -> int:
        return self.load.rows_loaded

    @property
    def rows_quarantined(self) -> int:
        return self.load.rows_quarantined
