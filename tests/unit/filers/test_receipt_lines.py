"""The 回执 sheet's lines: a returned correction beside the version that counts; 需核实."""

from __future__ import annotations

from datetime import datetime

from filers.receipt_book import lines
from filers.receipt_facts import Filing

WHEN = datetime(2017, 4, 10, 9, 30)


def filing(kind: str, status: str, rc: bool = False) -> Filing:
    return Filing(
        "320602001001", "城北社区", "village", "320602001000", kind, status,
        WHEN if status == "loaded" else None, WHEN, 1 if rc else 0, "320602000000",
        returned_correction=rc, file_path="/inbox/城东街道/党建督导_城北社区.xlsx",
    )  # fmt: skip


def test_a_returned_correction_stands_beside_the_old_version_and_flags_follow() -> None:
    problem = {
        "message_zh": "第2行「发展党员数」不应大于「党员数」，收到“999”",
        "path": "/inbox/城东街道/党建督导_城北社区_更正.xlsx",
        "received_at": datetime(2017, 4, 21),
    }
    review = {"unit_code": "320602001001", "kind": "economy", "message_zh": "收入比上季度增长5倍"}
    got = lines(
        [filing("supervision", "loaded", rc=True), filing("economy", "loaded")],
        {("320602001001", "supervision"): [problem]},
        [review],
    )
    assert [(ln.kind, ln.status) for ln in got] == [
        ("党建督导", "old_version"),
        ("党建督导", "correction_returned"),
        ("经济指标", "loaded"),
        ("经济指标", "review"),
    ]
    old, returned = got[:2]
    assert (old.file, old.submitted_at) == ("党建督导_城北社区.xlsx", WHEN)
    assert returned.file == "党建督导_城北社区_更正.xlsx"
    assert (
        returned.text.endswith(problem["message_zh"]) and "仍按上一行的旧版本计分" in returned.text
    )
    assert got[3].text == "收入比上季度增长5倍"
