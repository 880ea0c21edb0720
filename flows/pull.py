"""The pull flow (``ronghe pull``, the ``ronghe-pull/pull`` deployment): thin.

Each source is pulled in a task of its own, all at once; a source that is down,
refuses the login or times out is recorded and announced
(``ronghe.source.unreachable``) and the others go on. What was pulled is then ingested
in one run, exactly as inbox files are (:func:`flows.runs.write_run`), which records
``meta.pulls`` and ``meta.source_status`` in the same transaction before it publishes.
Then ``after = "move:DIR/"`` sources have their archived files moved. The logic is
:mod:`sources`'s.
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from config.settings import Settings
from flows import announce
from flows.runs import write_run
from flows.tasks import say
from pipeline.result import RunResult
from sources import state
from sources.config import Source, chosen, sources_path
from sources.deposit import open_deposit
from sources.pull import PullRow, Seen, SourcePull, move_taken, pull_source, settle_outcomes
from warehouse import provenance
from warehouse.held import readable
from warehouse.modes import private_dir
from warehouse.registry import load_registry
from warehouse.workspace import Workspace


class MissingSecret(RuntimeError):
    """A source's password is named but not there (an unset variable)."""


def password_of(source: Source) -> str | None:
    """The source's password: from its environment variable, or its Prefect Secret block
    (loaded only now, when pulling). None: the source needs none."""
    if source.password_env:
        value = os.environ.get(source.password_env)
        if value is None:  # its name is not repeated: it may be the password itself
            raise MissingSecret(
                f"the environment variable named by password_env of source {source.name}"
                " is not set (put the password in a variable and name the variable)"
            )
        return value
    if source.secret_block:
        from prefect.blocks.system import Secret

        secret = Secret.load(source.secret_block)
        return str(secret.get())  # type: ignore[union-attr]  # load is sync here
    return None


def chosen_sources(settings: Settings, path: Path, name: str | None) -> list[Source]:
    """The sources of the file (checked against the registry), or the one named."""
    units = set(load_registry(settings.scale)["unit_code"].to_list())
    return chosen(path, units, name, settings.home)


@dataclass(frozen=True)
class PullResult:
    """A pull: each source's attempt, and the run that ingested what was pulled."""

    run: RunResult
    sources: tuple[SourcePull, ...]

    @property
    def unreached(self) -> list[SourcePull]:
        return [p for p in self.sources if not p.reached]


@task(name="pull-source", cache_policy=NO_CACHE)
def pull_task(source: Source, seen: Seen, staging: Path, home: Path) -> SourcePull:
    """List one source and stage its new, complete files (never raises for the source)."""
    connect = functools.partial(open_deposit, home=home)  # the home's pinned host keys
    pulled = pull_source(source, password_of, seen, staging, connect)
    if pulled.reached:
        say(
            f"{source.name}: {pulled.files_seen} files, {len(pulled.staged)} new and complete,"
            f" {sum(r.outcome == 'incomplete' for r in pulled.rows)} waiting"
        )
    else:
        say(f"{source.name}: not reached: {pulled.error}")
    return pulled


@task(name="move-taken", cache_policy=NO_CACHE)
def move_task(source: Source, rows: list[PullRow], home: Path) -> list[str]:
    """``after = "move:DIR/"``: move the archived files at the source."""
    return move_taken(source, rows, password_of, functools.partial(open_deposit, home=home))


def _tell_sources(
    settings: Settings, pulls: Sequence[SourcePull], since: dict[str, datetime | None]
) -> None:
    """One notice (and event) per outage, while the source stays down since it was last
    reached; and one when it is back (:func:`notify.produce.sources`)."""
    from dataclasses import replace

    from flows.notices import names_of, tell
    from notify import produce
    from notify.outbox import Outbox

    with Outbox.of(settings.home) as box:
        told = box.known(produce.down_keys(pulls, since))
    notices = produce.sources(pulls, since, names_of(settings), told)
    events = {
        f"source_unreachable:{produce.outage_about(p.source.name, since.get(p.source.name))}": (
            announce.unreachable_event(
                p.source.name,
                p.source.unit,
                p.error or "",
                f"down-since:{since.get(p.source.name) or 'never'}",
            )
        )
        for p in pulls
        if not p.reached
    }
    tell(settings, [replace(n, event=events.get(n.key)) for n in notices])


@flow(name="ronghe-pull", log_prints=False)
def pull_flow(
    sources: str | None = None,
    source: str | None = None,
    home: str | None = None,
    rules: str | None = None,
) -> PullResult:
    """Pull every new, complete file from the units' deposits and ingest them."""
    settings = Settings.load(home)
    chosen = chosen_sources(settings, sources_path(settings.home, sources), source)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    names = [s.name for s in chosen]
    # a published version someone (root) holds open read-write: a copy of its bytes is read
    with readable(settings.published_path) as published:
        remembered = state.seen(published, names)
        since = state.last_reached(published, names)
    staging = private_dir(private_dir(settings.home / "pulls") / run_id)
    futures = [
        pull_task.with_options(task_run_name=f"pull-{s.name}").submit(
            s, remembered[s.name], staging, settings.home
        )
        for s in chosen
    ]
    pulls = [f.result() for f in futures]
    _tell_sources(settings, pulls, since)
    files = [f for p in pulls for f in p.staged]
    settled: list[SourcePull] = []

    def record(ws: Workspace, result: RunResult) -> None:
        new = {f.sha256 for f in result.load.files}
        settled.extend(settle_outcomes(p, new) for p in pulls)
        now = datetime.now()
        state.record(ws.con, settled, run_id, now)
        # the archive's members files name each pulled file's source (a rebuild needs it)
        provenance.add_sources(ws.con, settings.home, state.origins(settled, now))

    params = {"sources": sources, "source": source, "home": home, "rules": rules}
    try:
        result = write_run("pull", params, settings, files, after_load=record)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the bytes are archived, or pulled again
    for p in settled:
        if p.source.move_to is not None and p.reached:
            for problem in move_task.with_options(task_run_name=f"move-{p.source.name}")(
                p.source, list(p.rows), settings.home
            ):
                say(problem)
    return PullResult(result, tuple(settled))
