"""The Prefect server's login, as long-running commands meet it (docs/operations.md
«Rotating the password»).

A server restarted with a new password (``PREFECT_SERVER_API_AUTH_STRING``) refuses
every request of a ``ronghe serve`` or ``ronghe watch`` still holding the old one
(``PREFECT_API_AUTH_STRING``): 401. They say so in one line naming the server, in
English and Chinese, and keep trying (saying it again every :data:`REMIND_SECONDS`), so
the password can be put right and they go on; a server that is down is the same.
At start-up a refused login is a usage mistake instead: one line, exit 1
(:func:`flows.deployments.check_api`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable


def _retry_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get("RONGHE_LOGIN_RETRY_SECONDS") or 30))
    except ValueError:
        return 30.0


RETRY_SECONDS = _retry_seconds()
"""How often a refused or missing server is tried again (``RONGHE_LOGIN_RETRY_SECONDS``)."""
REMIND_SECONDS = 600.0
GUIDE = "docs/operations.md «Rotating the password»"


def refused(url: str) -> str:
    """The one line for a login the server refused."""
    return (
        f"the Prefect server at {url} refused the login (Prefect 服务器拒绝了密码):"
        " set PREFECT_API_AUTH_STRING (user:password) to the server's"
        f" PREFECT_SERVER_API_AUTH_STRING and restart this service ({GUIDE})"
    )


def unreachable(url: str, why: object) -> str:
    return f"the Prefect server at {url} is not reachable (Prefect 服务器无法连接): {why}"


def lost(exc: BaseException, url: str) -> str | None:
    """The line for an error that means the server refused us or went away, else None
    (looking through exception groups and causes, as Prefect's runner raises them)."""
    import httpx

    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, httpx.HTTPStatusError) and e.response.status_code == 401:
            return refused(url)
        if isinstance(e, httpx.TransportError):
            return unreachable(url, e)
        if isinstance(e, BaseExceptionGroup):
            todo.extend(e.exceptions)
        todo.extend(x for x in (e.__cause__, e.__context__) if x is not None)
    return None


def wait_until_accepted(
    check: Callable[[], object],
    say: Callable[[str], None],
    first: str,
    retry: float = RETRY_SECONDS,
    remind: float = REMIND_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Say ``first``, then call ``check`` every ``retry`` seconds until it raises no
    more; a changed problem is said at once, the same one again every ``remind``."""
    line, said = first, clock()
    say(f"{line}; trying again every {retry:g} s")
    while True:
        sleep(retry)
        try:
            check()
        except RuntimeError as exc:
            now = clock()
            if str(exc) != line or now - said >= remind:
                line, said = str(exc), now
                say(f"{line}; still trying every {retry:g} s")
            continue
        say("the Prefect server takes our login again (Prefect 服务器已恢复)")
        return
