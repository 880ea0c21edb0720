"""What the commands share: the consoles, progress, starting Prefect and a flow, rows out."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.errors import UsageError, stop_if_ctrl_c
from cli.parser import LONG_RANGE
from config.settings import Settings
from pipeline import progress

if TYPE_CHECKING:
    from pipeline.result import RunResult

err = Console(stderr=True, highlight=False, soft_wrap=True)

out = Console(highlight=False, soft_wrap=True)


class CliReporter:
    """Progress lines and bars on stderr."""

    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._task: Any = None

    def step(self, message: str) -> None:
        from rich.markup import escape

        err.print(f"[dim]·[/dim] {escape(message)}")  # plain text: no markup from a reply

    def advance(self, label: str, done: int, total: int) -> None:
        if self._progress is None:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(f"rebuilding {label}", total=total)
        self._progress.update(self._task, completed=done, total=total)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


@contextmanager
def reporting() -> Iterator[CliReporter]:
    """Around a command's flow calls: progress on stderr, and the embedded server ready.
    A Ctrl-C that Prefect kept to itself as a flow run ended stops the command here."""
    from flows.prefect_env import embedded

    embedded.wait_ready()
    reporter = CliReporter()
    restore = progress.install(reporter)
    try:
        yield reporter
    finally:
        reporter.close()
        restore()
    stop_if_ctrl_c()


def then_outputs(result: RunResult, home: str) -> RunResult:
    """Published: the events, receipts and 通报 follow in a flow run of their own; not
    after a Ctrl-C that Prefect kept to itself as the publishing flow run ended."""
    from flows.outputs import follow

    stop_if_ctrl_c()
    return follow(result, home)


def start_prefect(settings: Settings) -> None:
    """Before Prefect is imported: quiet defaults, and the embedded server starting."""
    from flows.prefect_env import configure, embedded

    configure(settings.home)
    # the embedded server comes up while the flows and their libraries are imported
    if not embedded.start() and embedded.process is None:
        prefect_api_url()  # the operator's server (PREFECT_API_URL): up, and takes our login


def summarise(result: RunResult) -> None:
    from pipeline.render import summary_lines

    for line in summary_lines(result):
        err.print(line)


def run_flow(settings: Settings, name: str, **params: Any) -> RunResult:
    """Start the embedded server if needed, run flow ``name`` with progress, summarise it."""
    start_prefect(settings)
    from sources.inbox import any_file

    if not settings.dask_address and any_file(
        params.get("paths") or [params.get("inbox") or settings.inbox_dir]
    ):
        from expectations import process

        process.prestart()  # GX's import on the other core, while Prefect starts
    import flows.flows
    from flows.tasks import on_dask

    run = getattr(flows.flows, name)
    if settings.dask_address:
        run = on_dask(run, settings.dask_address)
    with reporting():
        result: RunResult = run(home=str(settings.home), **params)
        result = then_outputs(result, str(settings.home))
    summarise(result)
    return result


def opt(path: Any) -> str | None:
    return str(path) if path else None


def long_range(quarters: int, yes: bool) -> None:
    """A range over :data:`LONG_RANGE` quarters needs ``--yes``."""
    if quarters > LONG_RANGE and not yes:
        raise UsageError(
            f"{quarters:,} quarters is more than {LONG_RANGE}: check --from and --to, or add --yes"
        )


def private_opt(path: Any) -> str | None:
    """An ``--inbox`` as the flow run's parameter: personal numbers masked (the process
    keeps the real path, :func:`transforms.paths.private_param`)."""
    from transforms.paths import private_param

    return private_param(path) if path else None


SHOWN_CHARS = 2000
"""Characters of one value a table shows (CSV and JSON carry every one)."""


def rows_out(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> None:
    # on a terminal, the data's control characters are seen, never obeyed (a filer's
    # \x1b]52 or U+202E); piped into a file, csv and json carry the values as stored
    tty = sys.stdout.isatty()
    if fmt == "csv":
        from transforms.cells import safe_row
        from transforms.shown import escaped

        def cells(row: Sequence[Any]) -> list[Any]:
            safe = safe_row(row)
            return [escaped(v) if tty and isinstance(v, str) else v for v in safe]

        # a spreadsheet may open it: no cell may start a formula (OWASP); written row by
        # row (a large answer is never held twice more as text)
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(cells(columns))
        w.writerows(cells(r) for r in rows)
    elif fmt == "json":
        from transforms.shown import json_escaped, json_safe

        class _Shown:  # json.dump writes pieces: each shown escaped, the same JSON
            def write(self, text: str) -> None:
                sys.stdout.write(json_escaped(text))

        json.dump(  # written a piece at a time, never held whole as text
            [dict(zip(columns, json_safe(r), strict=True)) for r in rows],
            _Shown() if tty else sys.stdout,
            ensure_ascii=False,
            default=json_default,
            allow_nan=False,
            indent=1,
        )
        sys.stdout.write("\n")
    else:
        from rich.text import Text

        from transforms.shown import escaped

        # control characters escaped, and no rich markup read from the data; a table
        # cell shows at most SHOWN_CHARS characters (a 40 MB value would take the terminal)
        def cell(v: Any) -> Text:
            text = "" if v is None else str(v)
            if len(text) > SHOWN_CHARS:
                more = len(text) - SHOWN_CHARS
                text = f"{text[:SHOWN_CHARS]}… ({more:,} more characters: --format csv)"
            return Text(escaped(text))

        t = Table(show_lines=False)
        for c in columns:
            t.add_column(cell(c))
        for r in rows:
            t.add_row(*(cell(v) for v in r))
        out.print(t)


def json_default(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    return str(v)


def prefect_api_url() -> str:
    from flows.deployments import check_api
    from flows.prefect_env import configure

    # client side only: the operator's Prefect profile and PREFECT_API_URL are used as set
    configure(None, quiet=False)
    from prefect.settings import PREFECT_API_URL

    return check_api(PREFECT_API_URL.value(), auth=prefect_auth())


def prefect_auth() -> str | None:
    """``PREFECT_API_AUTH_STRING`` from the environment or the Prefect profile."""
    from prefect.settings import PREFECT_API_AUTH_STRING

    return PREFECT_API_AUTH_STRING.value() or None
