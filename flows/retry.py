"""The retry policy of the flows' tasks: transient I/O errors only, never bad data."""

from __future__ import annotations

import errno
from typing import Any

_PERMANENT_OS_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError)
_PERMANENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}
"""A full disk, a quota, a read-only file system: retrying in a second cannot help."""


def transient(exc: BaseException) -> bool:
    """Retry only I/O hiccups (a file briefly locked, a share dropping), never bad data.

    An ``OSError`` (or one wrapped as the direct cause) is transient unless the path
    is simply wrong; anything else (bad values, reconciliation, rules) is not.
    """
    for e in (exc, exc.__cause__):
        if (
            isinstance(e, OSError)
            and not isinstance(e, _PERMANENT_OS_ERRORS)
            and e.errno not in _PERMANENT_ERRNOS
        ):
            return True
    return False


def retry_on_io(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry the task only for a transient I/O error."""
    try:
        state.result(raise_on_failure=True)
    except Exception as exc:
        return transient(exc)
    return False
