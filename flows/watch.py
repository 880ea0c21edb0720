"""``ronghe watch INBOX``: announce each new, fully written report file to Prefect.

Polling, no extra dependency. A file is announced (event ``ronghe.report.received``)
once its size and modification time have not changed for ``settle_seconds``, it is
complete by the rule the runs use (:func:`sources.inbox.settled`) and it can be read
whole; temporary names (``*.part``, ``~$*``, ``.*`` …) and empty files are never
announced, and the inbox is walked as the runs walk it (:func:`sources.inbox.entries`:
no symbolic link out of the inbox, no FIFO). What was announced (path, size, mtime) is remembered in
``$RONGHE_HOME/watch/announced.json``, so a restart announces only what is new or
changed. Files the watcher misses (it was down, the server was unreachable) are
picked up by the ``inbox-poll`` deployment.

The names it prints and the event's resource name are shown masked (:func:`shown`);
the event's ``path`` stays the real one, since the ingest run opens the file by it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flows.events import RECEIVED_EVENT
from sources.inbox import Skipped, entries, settled
from transforms.paths import masked_text, path_param
from transforms.shown import escaped
from warehouse.modes import private_dir, write_private

Key = tuple[int, int]
"""(size in bytes, mtime in ns): what identifies one version of a file at one path."""
Emit = Callable[[Path, Key, str], None]


class Ledger:
    """What has been announced, by path, kept across restarts (written atomically)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: dict[str, Key] = {}
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8") or "{}")
            self.seen = {p: (int(v[0]), int(v[1])) for p, v in data.items()}

    def announced(self, path: Path, key: Key) -> bool:
        return self.seen.get(path_param(path)) == key

    def add(self, path: Path, key: Key) -> None:
        self.seen[path_param(path)] = key

    def save(self) -> None:
        private_dir(self.path.parent)  # the ledger names the filers' files: the owner's only
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        write_private(tmp, json.dumps(self.seen, ensure_ascii=False, indent=0).encode("utf-8"))
        os.replace(tmp, self.path)


def shown(path: Path) -> str:
    """A path as the watcher prints it: personal numbers masked, control characters escaped."""
    return escaped(masked_text(path))


def _files(inbox: Path) -> Iterator[tuple[Path, Key]]:
    for item in entries(inbox):
        if not isinstance(item, Skipped):
            f, st = item
            yield f, (st.st_size, st.st_mtime_ns)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Watcher:
    """One poll at a time: find files whose (size, mtime) settled, announce each once."""

    inbox: Path
    ledger: Ledger
    emit: Emit
    settle_seconds: float = 5.0
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    pending: dict[str, tuple[Key, float]] = field(default_factory=dict)

    def poll(self) -> list[Path]:
        """Announce what has settled since the last poll; returns the files announced."""
        now = self.clock()
        announced: list[Path] = []
        present: set[str] = set()
        for f, key in _files(self.inbox):
            present.add(str(f))
            if key[0] == 0 or self.ledger.announced(f, key):
                self.pending.pop(str(f), None)
                continue
            first = self.pending.get(str(f))
            if first is None or first[0] != key:
                self.pending[str(f)] = (key, now)  # new or still changing: start the clock
                continue
            if now - first[1] < self.settle_seconds or not settled(
                key[1], self.wall_clock(), self.settle_seconds
            ):
                continue
            try:
                sha = _sha256(f)
                after = f.stat()
            except OSError:  # locked or vanished while reading: try again next round
                continue
            if (after.st_size, after.st_mtime_ns) != key:
                self.pending[str(f)] = ((after.st_size, after.st_mtime_ns), now)
                continue
            self.emit(f, key, sha)
            self.ledger.add(f, key)
            self.pending.pop(str(f), None)
            announced.append(f)
        for gone in set(self.pending) - present:
            del self.pending[gone]
        if announced:
            self.ledger.save()
        return announced


def emit_received(inbox: Path) -> Emit:
    """Announce a file with ``prefect.events.emit_event`` (resource ``ronghe.file.<sha256>``)."""
    from prefect.events import emit_event

    def emit(path: Path, key: Key, sha256: str) -> None:
        event = emit_event(
            event=RECEIVED_EVENT,
            resource={
                "prefect.resource.id": f"ronghe.file.{sha256}",
                "prefect.resource.name": shown(Path(path.name)),
                "ronghe.path": path_param(path),
            },
            payload={
                "path": path_param(path),
                "inbox": path_param(inbox),
                "size": key[0],
                "mtime": datetime.fromtimestamp(key[1] / 1e9, UTC).isoformat(),
                "sha256": sha256,
            },
        )
        if event is None:
            raise RuntimeError("Prefect is not sending events here (is PREFECT_API_URL set?)")

    return emit


def flush_events() -> None:
    """Wait until the events emitted so far have been handed to the server."""
    from prefect.events.worker import EventsWorker

    EventsWorker.instance().wait_until_empty()


def run(
    watcher: Watcher,
    interval: float,
    once: bool,
    ready: Callable[[], bool],
    on_announce: Callable[[Path], None],
    max_rounds: int | None = None,
) -> int:
    """Poll until interrupted (or, with ``once``, until nothing is left settling).

    ``ready`` says whether the server can take events now; if not, the round is
    skipped and the files stay pending. Returns the number of files announced.
    """
    total = rounds = 0
    while max_rounds is None or rounds < max_rounds:
        rounds += 1
        if ready():
            done = watcher.poll()
            if done:
                flush_events()
            for f in done:
                on_announce(f)
            total += len(done)
            if once and not watcher.pending:
                break
        time.sleep(interval)
    return total
