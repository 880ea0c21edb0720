"""``ronghe rebuild``: a fresh warehouse from the archive alone, as a flow run (thin over
:mod:`pipeline.rebuild`). It writes a home of its own (the published file is replaced
only when the whole archive was replayed)."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from config.settings import Settings
from flows.tasks import as_task, say
from pipeline.rebuild import Rebuilt, rebuild
from warehouse.workspace import Workspace


@flow(name="ronghe-rebuild", log_prints=False)
def rebuild_flow(archive: str, home: str | None = None, rules: str | None = None) -> Rebuilt:
    """Replay every pack of the archive folder ``archive`` into the home's warehouse."""
    settings = Settings.load(home)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    params = {"archive": archive, "home": home, "rules": rules}
    rules_path = Path(rules) if rules else None
    with Workspace.open(settings, rules_path, holder=f"rebuild run {run_id}", say=say) as ws:
        with ws.run(run_id, "rebuild", params):
            done = rebuild(ws, Path(archive), datetime.now(), run_id, step=as_task, say=say)
        as_task("publish", ws.publish)
    say(
        f"rebuilt {settings.published_path} from {done.packs} packs: {done.files} files,"
        f" {done.reports_loaded} reports loaded, {done.reports_quarantined} returned,"
        f" the marts of {len(done.periods)} quarters"
    )
    return done
