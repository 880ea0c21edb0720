"""The approval machine (审核, CONTRACT §11): the states and rules as data, and one function.

As DHIS2's data approval: a report version (kind, unit, period, file) is ``submitted``
when its unit confirms it (报送); the approver (the unit's parent: a township for its
villages, a county-level unit for its townships; a county-level unit for its own
reports) approves it (审核通过) or returns it (退回, a reason required). Unlike DHIS2,
every return carries its reason.

- A level is approved only after its children: a report of a unit is approved only
  when every report owed by the units directly under it is done (approved, or loaded
  from a deposit, which needs no approval) — :data:`DONE`.
- An approved report is locked: a newer version waits (``pending_approval``) until the
  approver approves it or returns the old one, and an approved report can be returned
  only while the approver's own level is not approved above it.

:data:`TRANSITIONS` and :data:`GUARDS` are the machine; :func:`step` is the one function
that applies them. :func:`standing` says what a report's versions amount to (the grid).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SUBMITTED, APPROVED, RETURNED = "submitted", "approved", "returned"
STATES = (SUBMITTED, APPROVED, RETURNED)
SUBMIT, APPROVE, RETURN = "submit", "approve", "return"
ACTIONS = (SUBMIT, APPROVE, RETURN)

TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, SUBMIT): SUBMITTED,
    (SUBMITTED, APPROVE): APPROVED,
    (SUBMITTED, RETURN): RETURNED,
    (APPROVED, RETURN): RETURNED,
}
"""(state of the version, action) → the new state; anything else is refused."""

GUARDS: dict[str, tuple[str, ...]] = {
    SUBMIT: ("filer",),
    APPROVE: ("approver", "children_done"),
    RETURN: ("approver", "reason", "not_locked_above"),
}
"""What must hold for an action, checked in this order (each failure a :data:`REFUSALS`)."""

REFUSALS: dict[str, tuple[int, str]] = {
    "filer": (403, "只能报送本单位或下级单位的报表"),
    "approver": (403, "只有上级单位可以审核本报表"),
    "bad_state": (409, "该报表当前的状态不能这样操作，请刷新后再看"),
    "reason": (422, "退回须填写理由"),
    "children_done": (409, "下级单位还有应报的报表未审核通过，暂不能审核本级"),
    "not_locked_above": (409, "上级已审核通过本级报表，须先由上级退回"),
}
"""Each refusal: the HTTP status the portal answers with, and the sentence it shows."""

# what a report's versions amount to, for the grid (CONTRACT §11)
MISSING, OVERDUE, LOADED, PENDING = "missing", "overdue", "loaded", "pending_approval"
GRID_ZH: dict[str, str] = {
    MISSING: "未报",
    SUBMITTED: "已报待审",
    PENDING: "已报待审（新版本）",
    RETURNED: "退回",
    APPROVED: "通过",
    OVERDUE: "逾期",
    LOADED: "已入库（非门户报送）",
}
DONE = frozenset({APPROVED, LOADED})
"""States that let the level above be approved: approved, or needing no approval."""


class Refused(Exception):
    """An action the machine refuses: ``code`` (a key of :data:`REFUSALS`)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.status, self.message_zh = REFUSALS[code]
        super().__init__(self.message_zh)


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about the actor and the hierarchy."""

    filer: bool = False  # the actor is the unit or above it (may confirm its reports)
    approver: bool = False  # the actor approves this unit's reports
    reason: str = ""
    children_done: bool = True  # every owed report directly under the unit is DONE
    locked_above: bool = False  # the approver's own level is approved above it


def _holds(guard: str, facts: Facts) -> bool:
    return {
        "filer": facts.filer,
        "approver": facts.approver,
        "reason": bool(facts.reason.strip()),
        "children_done": facts.children_done,
        "not_locked_above": not facts.locked_above,
    }[guard]


def step(state: str | None, action: str, facts: Facts) -> str:
    """The state a version moves to by ``action``; raises :class:`Refused` if it may not.

    Who may act is checked before the state, so a unit outside the hierarchy learns
    nothing about another unit's report (403 whatever its state)."""
    guards = GUARDS[action]
    if "filer" in guards and not facts.filer:
        raise Refused("filer")
    if "approver" in guards and not facts.approver:
        raise Refused("approver")
    new = TRANSITIONS.get((state, action))
    if new is None:
        raise Refused("bad_state")
    for guard in guards:
        if not _holds(guard, facts):
            raise Refused(guard)
    return new


@dataclass(frozen=True)
class Version:
    """One file's version of a report and its latest state (oldest first in lists)."""

    sha256: str
    state: str


def standing(versions: Sequence[Version]) -> str | None:
    """What a report's portal versions (oldest first) amount to; None: none came.

    The newest version not returned decides: ``approved``; ``submitted``, or
    ``pending_approval`` when an older approved version still stands (it is locked and
    counts until the new one is approved); ``returned`` when every version was returned.
    """
    live = [v for v in versions if v.state != RETURNED]
    if not live:
        return RETURNED if versions else None
    newest = live[-1]
    if newest.state == SUBMITTED and any(v.state == APPROVED for v in live[:-1]):
        return PENDING
    return newest.state


def grid_state(versions: Sequence[Version], loaded: bool, overdue: bool) -> str:
    """The grid's state of one report: the portal's versions, else the warehouse's word
    (``loaded`` from a deposit; nothing: missing, or overdue past the deadline)."""
    found = standing(versions)
    if found is not None:
        return found
    if loaded:
        return LOADED
    return OVERDUE if overdue else MISSING


def target(versions: Sequence[Version], action: str, sha256: str | None = None) -> Version | None:
    """The version an approver's ``action`` applies to: the one named by ``sha256``, else
    the newest submitted one (approve or return), else for a return the approved one
    that stands (returning the old unlocks the report)."""
    if sha256:
        return next((v for v in versions if v.sha256 == sha256), None)
    for v in reversed(versions):
        if v.state == SUBMITTED:
            return v
    if action == RETURN:
        for v in reversed(versions):
            if v.state == APPROVED:
                return v
    return None


def children_done(states: Iterable[str]) -> bool:
    """The parent rule: every owed report directly under a unit is done."""
    return all(s in DONE for s in states)
