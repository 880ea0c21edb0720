"""The approval machine as properties: every state, action and fact, and random rounds."""

from __future__ import annotations

import itertools
import random

import pytest

from approval.machine import (
    ACTIONS,
    APPROVE,
    APPROVED,
    DONE,
    GUARDS,
    LOADED,
    MISSING,
    OVERDUE,
    PENDING,
    RETURN,
    RETURNED,
    SUBMIT,
    SUBMITTED,
    TRANSITIONS,
    Facts,
    Refused,
    Version,
    children_done,
    grid_state,
    standing,
    step,
    target,
)

ALL_FACTS = [
    Facts(filer=f, approver=a, reason=r, children_done=c, locked_above=lk)
    for f, a, r, c, lk in itertools.product(
        (False, True), (False, True), ("", "  ", "数据有误"), (False, True), (False, True)
    )
]


@pytest.mark.parametrize("state", [None, *sorted({s for s, _ in TRANSITIONS} - {None})])
@pytest.mark.parametrize("action", ACTIONS)
def test_step_moves_exactly_when_the_table_and_every_guard_allow(
    state: str | None, action: str
) -> None:
    for facts in ALL_FACTS:
        holds = {
            "filer": facts.filer,
            "approver": facts.approver,
            "reason": bool(facts.reason.strip()),
            "children_done": facts.children_done,
            "not_locked_above": not facts.locked_above,
        }
        allowed = (state, action) in TRANSITIONS and all(holds[g] for g in GUARDS[action])
        if allowed:
            assert step(state, action, facts) == TRANSITIONS[(state, action)]
            continue
        with pytest.raises(Refused) as e:
            step(state, action, facts)
        # who may act is told before anything about the report: an outsider learns nothing
        if (action == SUBMIT and not facts.filer) or (action != SUBMIT and not facts.approver):
            assert e.value.status == 403
        assert e.value.message_zh


def test_a_return_always_carries_a_reason_and_an_approval_always_waits_for_the_children() -> None:
    for state, facts in itertools.product((SUBMITTED, APPROVED), ALL_FACTS):
        try:
            new = step(state, RETURN, facts)
        except Refused:
            continue
        assert new == RETURNED and facts.reason.strip() and not facts.locked_above
    for facts in ALL_FACTS:
        try:
            step(SUBMITTED, APPROVE, facts)
        except Refused:
            continue
        assert facts.children_done and facts.approver


def test_standing_of_a_report_from_its_versions() -> None:
    assert standing([]) is None
    assert standing([Version("a", SUBMITTED)]) == SUBMITTED
    assert standing([Version("a", RETURNED)]) == RETURNED
    # an approved report is locked: a newer version waits, the approved one stands
    assert standing([Version("a", APPROVED), Version("b", SUBMITTED)]) == PENDING
    assert standing([Version("a", APPROVED), Version("b", RETURNED)]) == APPROVED
    assert standing([Version("a", APPROVED), Version("b", APPROVED)]) == APPROVED
    assert standing([Version("a", RETURNED), Version("b", SUBMITTED)]) == SUBMITTED
    assert grid_state([], loaded=True, overdue=True) == LOADED
    assert grid_state([], loaded=False, overdue=True) == OVERDUE
    assert grid_state([], loaded=False, overdue=False) == MISSING
    assert children_done([APPROVED, LOADED]) and not children_done([APPROVED, PENDING])


def test_which_version_an_action_applies_to() -> None:
    old, new = Version("a", APPROVED), Version("b", SUBMITTED)
    assert target([old, new], APPROVE) == new
    assert target([old, new], RETURN) == new
    assert target([old], RETURN) == old  # returning the old one unlocks the report
    assert target([old], APPROVE) is None
    assert target([old, new], RETURN, "a") == old
    assert target([old, new], RETURN, "zzz") is None


def test_random_rounds_keep_the_parent_rule_and_the_lock() -> None:
    """A county, two townships, two villages each; random submissions, approvals and
    returns by random actors: every approval happened with the children done, every
    return of an approved version while the level above was not approved, and nobody
    but the approver ever moved a report."""
    parent = {"c": None, "t1": "c", "t2": "c", "v11": "t1", "v12": "t1", "v21": "t2", "v22": "t2"}
    kids = {u: [k for k, p in parent.items() if p == u] for u in parent}
    approver = {u: p or u for u, p in parent.items()}
    rnd = random.Random(32)
    for _ in range(200):
        versions: dict[str, list[Version]] = {u: [] for u in parent}

        def state(u: str, versions: dict[str, list[Version]] = versions) -> str:
            return standing(versions[u]) or MISSING

        for _ in range(60):
            unit, actor = rnd.choice(list(parent)), rnd.choice(list(parent))
            action = rnd.choice(ACTIONS)
            vs = versions[unit]
            if action == SUBMIT:
                v: Version | None = None
                current = None
            else:
                v = target(vs, action)
                current = None if v is None else v.state
            above = approver[unit]
            facts = Facts(
                filer=actor in {unit, parent[unit], parent.get(parent[unit] or "")},
                approver=actor == approver[unit],
                reason=rnd.choice(("", "不对")),
                children_done=children_done(state(k) for k in kids[unit]),
                locked_above=above != unit and state(above) in (APPROVED, PENDING),
            )
            try:
                new = step(current, action, facts)
            except Refused:
                continue
            if action != SUBMIT:
                assert actor == approver[unit]
            if new == APPROVED:
                assert all(state(k) in DONE for k in kids[unit])
            if action == RETURN and current == APPROVED:
                assert not (above != unit and state(above) in (APPROVED, PENDING))
            if action == SUBMIT:
                vs.append(Version(f"{unit}-{len(vs)}", new))
            else:
                assert v is not None
                vs[vs.index(v)] = Version(v.sha256, new)
