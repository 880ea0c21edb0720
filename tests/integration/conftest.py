"""Each integration module starts with Prefect's event and log workers unbound.

They are process-wide singletons, bound to the server of the first flow or event that
starts them. A test process (an xdist worker) runs several modules, each with its own
server, stopped at its end: a worker a module left running would send the next module's
events to a server that is gone, and they would never be stored (seen as a
``Unable to connect to 'ws://…'`` for a port no longer served).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module", autouse=True)
def _prefect_workers_unbound() -> Iterator[None]:
    if "prefect.events.worker" in sys.modules:  # none started yet otherwise: nothing to stop
        from tests.support.prefect_server import fresh_workers

        fresh_workers()
    yield
