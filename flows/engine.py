"""The warm engine: one resident process that does the served runs' work (issue 31).

``prefect serve`` starts every flow run in a fresh process, which would pay, per run,
what a long-lived server should pay once: ronghe's imports, the validation process
(Great Expectations' import and the suites, 3 s or more), the registry, the read
worker, Altair and the chart renderer. So ``ronghe serve`` also starts the engine
(:func:`start`): a Prefect **task worker** (``prefect.task_worker.serve``, Prefect 3's
way to execute work in a long-lived process), warmed once (:func:`warm`), serving one
background task, ``ronghe-engine``.

A served flow run stays thin (:mod:`flows.flows`, :mod:`flows.outputs`): it hands its
body and parameters to the engine (:func:`delegate`: ``engine_task.delay(...)``, a task
run of that flow run, picked up by the engine over the server's websocket) and waits
for the result. The flow run is still the unit operators see, schedule, trigger and
cancel; its stages are task runs under the engine's task run. Where no engine serves
(a one-shot command, ``ronghe run`` beside a server, an engine that is restarting),
:func:`delegate` runs the body in the flow run's own process, as before.

Parameters and results travel through Prefect's result storage
(``$PREFECT_HOME/storage``; a few hundred bytes per received file).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

ENV = "RONGHE_ENGINE"
"""Set to ``1`` by ``ronghe serve`` for the flow runs it starts: hand the work to the engine."""
PID_ENV = "RONGHE_ENGINE_PID"
"""The engine's process id, so that a waiting flow run tells a dead engine from a busy one."""

BODIES: dict[str, str] = {
    "quarterly": "flows.runs:quarterly",
    "backfill": "flows.runs:backfill",
    "ingest": "flows.runs:ingest",
    "received": "flows.runs:received",
    "outputs": "flows.output_files:write_outputs",
    "outputs-event": "flows.output_files:from_event",
}
"""What a flow does, by name: ``module:function``, imported where it runs."""

LIMIT = 4
"""Bodies the engine runs at once: writers take turns (the writer slot), an outputs run
goes beside them."""
POLL_SECONDS = 5.0
"""How often a waiting flow run checks that the engine process is still alive."""

_resident = False


class EngineStopped(RuntimeError):
    """The engine died while running a flow run's body: that flow run fails (the next
    run starts from the published file, as after any failed run)."""


def resident() -> bool:
    """True in the engine process: what a run starts (the validation process) stays up."""
    return _resident


def body(name: str) -> Callable[..., Any]:
    module, _, function = BODIES[name].partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), function)
    return found


@task(name="ronghe-engine", task_run_name="{name}", cache_policy=NO_CACHE)
def engine_task(name: str, params: dict[str, Any], ticket: str) -> Any:
    """One served flow run's body, run in the warm engine (``ticket``: unique per call)."""
    return body(name)(**params)


def serving() -> bool:
    """Whether an engine is subscribed to ``ronghe-engine`` on the Prefect server."""
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            answer = client.request(
                "POST",
                "/task_workers/filter",
                json={"task_worker_filter": {"task_keys": [engine_task.task_key]}},
            )
            return bool(answer.json())
    except Exception:  # no server, an old one: the flow run does the work itself
        return False


def delegate(name: str, params: dict[str, Any]) -> Any:
    """Run body ``name`` with ``params``: in the engine when it serves (a flow run of
    ``ronghe serve``), else here."""
    if _resident or os.environ.get(ENV) != "1" or not serving():
        return body(name)(**params)
    future = engine_task.delay(name, params, uuid.uuid4().hex)
    return _wait(future)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait(future: Any) -> Any:
    """The body's result (its exception re-raised); fails if the engine dies meanwhile.

    The task run's state is read every few tenths of a second (an API call each): the
    run's end is seen at once, where the server's event stream can take seconds."""
    from prefect.client.orchestration import get_client

    pid = int(os.environ.get(PID_ENV) or 0)
    pause, checked = 0.1, time.monotonic()
    with get_client(sync_client=True) as client:
        while True:
            state = client.read_task_run(future.task_run_id).state
            if state is not None and state.is_final():
                return future.result(raise_on_failure=True)
            if time.monotonic() - checked > POLL_SECONDS:
                checked = time.monotonic()
                if pid and not _alive(pid):
                    _crash(future.task_run_id)
                    raise EngineStopped(
                        f"the ronghe engine (pid {pid}) stopped while running this flow"
                        " run's work; nothing it had not published counts: run again"
                    )
            time.sleep(pause)
            pause = min(pause * 1.5, 0.5)


def _crash(task_run_id: uuid.UUID) -> None:
    """Mark the engine's task run Crashed (it would show Running for ever)."""
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    with contextlib.suppress(Exception), get_client(sync_client=True) as client:
        client.set_task_run_state(
            task_run_id, Crashed(message="the ronghe engine process stopped"), force=True
        )


# --------------------------------------------------------------------------- the engine


def warm() -> None:
    """Pay once what every run would: the imports, GX and the suites in the validation
    process, the read worker, the registry, Altair and the chart renderer."""
    from config.settings import Settings
    from expectations import process as gx_process
    from transforms import worker
    from warehouse.registry import load_registry

    for name in BODIES:
        body(name)  # imports ronghe's pipeline, the receipts and the 通报 writers
    if gx_process.enabled():
        gx_process.prestart()
        gx_process.wait_ready()
    worker.prestart()
    load_registry(Settings.load().scale)
    with contextlib.suppress(Exception):  # a renderer that cannot start fails at its use
        import altair as alt
        import vl_convert as vlc

        # the renderer's first chart starts its JavaScript engine
        vlc.vegalite_to_svg(alt.Chart(alt.Data(values=[{"x": 1}])).mark_point().to_dict())


def main() -> None:
    """``python -m flows.engine``: warm up, then serve ``ronghe-engine`` until stopped."""
    global _resident
    from flows.prefect_env import configure

    configure(None, quiet=False)
    # SIGTERM from ``ronghe serve`` (or the system): stop as on Ctrl-C, children with us
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = time.perf_counter()
    warm()
    _resident = True
    print(f"ronghe engine: warm in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    from prefect.task_worker import serve

    with contextlib.suppress(KeyboardInterrupt):
        serve(engine_task, limit=LIMIT)


def _stop_with_parent() -> None:
    """In the engine's process: a SIGTERM when ``ronghe serve`` ends, however it ends
    (Linux; its own helpers, the validation process and the read worker, follow it)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Engine:
    """The engine process of ``ronghe serve``: started, restarted if it dies, stopped."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        self.process = self._spawn()
        os.environ[ENV] = "1"
        os.environ[PID_ENV] = str(self.process.pid)
        threading.Thread(target=self._watch, name="ronghe-engine-watch", daemon=True).start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if k not in (ENV, PID_ENV)}
        return subprocess.Popen(
            [sys.executable, "-m", "flows.engine"],
            env=env,
            stdin=subprocess.DEVNULL,
            preexec_fn=_stop_with_parent,
        )

    def _watch(self) -> None:
        while not self._stopping.is_set():
            proc = self.process
            if proc is None or proc.poll() is None:
                self._stopping.wait(1.0)
                continue
            print(f"ronghe engine exited ({proc.returncode}); starting it again", file=sys.stderr)
            self._stopping.wait(2.0)
            if not self._stopping.is_set():
                self.process = self._spawn()
                os.environ[PID_ENV] = str(self.process.pid)

    def stop(self) -> None:
        self._stopping.set()
        proc, self.process = self.process, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    # run as flows.engine, not as __main__: the bodies ask flows.engine.resident(), and a
    # flag set in __main__ left it False (a run that found nothing stopped the warm GX)
    importlib.import_module("flows.engine").main()
