"""Run a command as a subprocess; its wall time and peak memory.

Peak memory is measured two ways, both on Linux without extra packages:

- ``maxrss``: ``os.wait4`` returns the child's ``rusage``; its ``ru_maxrss`` is the
  peak resident set of the largest single process in the child's tree (the
  pipeline's own process, not the Prefect server beside it);
- ``tree_rss``: the peak of the *sum* of the resident sets of the child and all its
  descendants (the Prefect server subprocess included), sampled from ``/proc`` every
  20 ms. Short spikes between samples can be missed, so it is a lower bound.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


@dataclass
class Sample:
    """One run of a command."""

    seconds: float
    maxrss_mib: float
    tree_rss_mib: float
    returncode: int
    output: str = ""
    marked: float | None = None  # seconds until the first output line holding ``mark``
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for


@dataclass
class Series:
    """Repeated runs of one variant; medians are what the report compares."""

    label: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def maxrss_mib(self) -> float:
        return statistics.median(s.maxrss_mib for s in self.samples)

    @property
    def tree_rss_mib(self) -> float:
        return statistics.median(s.tree_rss_mib for s in self.samples)

    @property
    def marked(self) -> float | None:
        """Median seconds to the marked line (None if some run printed none)."""
        marks = [s.marked for s in self.samples if s.marked is not None]
        return statistics.median(marks) if len(marks) == len(self.samples) else None

    @property
    def peak_tree_rss_mib(self) -> float:
        return max(s.tree_rss_mib for s in self.samples)

    def runs(self) -> str:
        return ", ".join(f"{s.seconds:.2f}" for s in self.samples)


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: split after the last ')'
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        out.setdefault(ppid, []).append(int(entry))
    return out


def children_of(pid: int) -> list[int]:
    """The descendants of ``pid`` now (not ``pid`` itself)."""
    return [p for p in _tree(pid) if p != pid]


def _tree(pid: int) -> Iterator[int]:
    """``pid`` and all its descendants now."""
    kids = _children()
    todo = [pid]
    while todo:
        p = todo.pop()
        yield p
        todo.extend(kids.get(p, []))


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and all its descendants now."""
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) spent so far by ``pid`` and its living descendants."""
    ticks = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/stat", "rb") as fh:
                stat = fh.read()
            fields = stat[stat.rindex(b")") + 2 :].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def run(
    cmd: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log: Path | None = None,
    mark: str | None = None,
) -> Sample:
    """Run ``cmd`` to the end; raise if it fails.

    ``mark``: also time the first line of output (stdout or stderr) that holds this
    text, e.g. the moment a run has published, before what follows it.
    """
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    marked: list[float] = []
    try:
        start = time.perf_counter()
        pipe = subprocess.PIPE if mark else out
        proc = subprocess.Popen(
            list(cmd),
            env=dict(env) if env else None,
            cwd=cwd,
            stdout=pipe,
            stderr=subprocess.STDOUT if mark else out,
        )
        peak = 0
        done = threading.Event()

        def watch() -> None:
            assert proc.stdout is not None and mark is not None
            needle = mark.encode("utf-8")
            for line in proc.stdout:
                if not marked and needle in line:
                    marked.append(time.perf_counter() - start)
                if log:
                    out.write(line)  # type: ignore[union-attr]

        reader = threading.Thread(target=watch, daemon=True) if mark else None
        if reader is not None:
            reader.start()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(proc.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        if reader is not None:
            reader.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()  # type: ignore[union-attr]
    text = log.read_text(encoding="utf-8", errors="replace") if log else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{text[-3000:]}")
    return Sample(
        seconds,
        usage.ru_maxrss / 1024,
        peak / MIB,
        proc.returncode,
        text,
        marked[0] if marked else None,
        usage.ru_utime + usage.ru_stime,
    )


def calibrate() -> float:
    """Seconds a fresh Python takes for 10 million additions: how fast this machine's
    cores are today, so that wall times measured on different days can be compared."""
    code = "import time\nt=time.perf_counter()\ns=0\nfor i in range(10_000_000): s+=i\n" + (
        "print(time.perf_counter()-t)"
    )
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        for _ in range(3)
    ]
    return statistics.median(runs)
