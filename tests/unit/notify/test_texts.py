"""The Chinese a clerk reads, for every kind of notice; the names, the quarter, the
deadline; approvals from the run's copy of the portal's log."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from notify import produce, texts
from notify.notice import KINDS, Notice

NAMES = texts.Names.of(
    [
        ("320623000000", "如东县", "county", None),
        ("320623100000", "掘港镇", "township", "320623000000"),
        ("320623100201", "瑞丰村", "village", "320623100000"),
    ]
)
DUE = datetime(2017, 4, 5, 23, 59, 59)


def test_a_unit_is_named_with_its_township_and_county() -> None:
    assert NAMES.full("320623100201") == "如东县掘港镇瑞丰村"
    assert NAMES.full("320623100000") == "如东县掘港镇"
    assert NAMES.full("320699999999") == "单位320699999999"
    assert texts.report_zh("supervision", "2017Q1") == "2017年第一季度党建督导季报"


def test_the_overdue_sentence_is_the_issues_own() -> None:
    got = texts.overdue("如东县掘港镇瑞丰村", "supervision", "2017Q1", "missing", DUE, 3)
    assert got == (
        "如东县掘港镇瑞丰村：2017年第一季度党建督导季报未报送，截止2017年4月5日，已逾期3天，请尽快报送。"
    )
    returned = texts.overdue(
        "如东县掘港镇瑞丰村", "economy", "2017Q1", "quarantined", DUE, 1, ["第2行「gdp」应为数字"]
    )
    assert "经济指标季报被退回后未重新报送（第2行「gdp」应为数字）" in returned


def test_a_returned_report_says_what_is_wrong_and_by_when() -> None:
    sentences = [f"第{i}行「党员数」应为不小于0的整数，收到“-{i}”" for i in range(2, 7)]
    before = texts.quarantined(
        "如东县掘港镇瑞丰村",
        "supervision",
        "2017Q1",
        "a.xlsx",
        sentences,
        [],
        DUE,
        datetime(2017, 4, 3),
    )
    assert "第4行" in before and "第5行" not in before and "另有2个问题，详见回执" in before
    assert before.endswith("请按回执改正后于2017年4月5日前重新报送。")
    after = texts.quarantined(
        "x", "projects", "2017Q2", "b.csv", [], ["pii", "out_of_range"], DUE, datetime(2017, 5, 1)
    )
    assert "含个人信息、数值超出范围" in after and "截止2017年4月5日已过" in after


def test_every_kind_has_a_sentence_without_english() -> None:
    made = {
        "quarantined": texts.quarantined("甲", "economy", "2017Q1", "f.csv", ["错"], [], None, DUE),
        "rejected": texts.rejected("甲", "f.csv", [], ["unknown_kind"]),
        "source_unreachable": texts.source_unreachable("rudong", "如东县", "", None),
        "source_back": texts.source_back("rudong", "如东县", DUE),
        "overdue": texts.overdue("甲", "projects", "2017Q1", "missing", DUE, 0),
        "approved": texts.approval("甲", "supervision", "2017Q1", True, "掘港镇"),
        "returned": texts.approval("甲", "supervision", "2017Q1", False, "掘港镇", "数字有误"),
    }
    assert set(made) == set(KINDS)
    for kind, text in made.items():
        words = re.findall(r"[A-Za-z]{3,}", text.replace(".csv", "").replace("rudong", ""))
        assert words == [], (kind, text)
    assert (
        made["returned"]
        == "甲：2017年第一季度党建督导季报被掘港镇退回，理由：数字有误。请修改后重新报送。"
    )
    assert texts.digest(["一", "二"]) == "共2条：\n1. 一\n2. 二"


def test_a_notice_of_an_unknown_kind_cannot_be_made() -> None:
    try:
        Notice("telegram", "x", "y")
    except ValueError as exc:
        assert "unknown notice kind" in str(exc)
    else:
        raise AssertionError("made")


def test_approvals_and_returns_from_the_runs_copy_of_the_log(session: Any) -> None:
    con = session.con
    rows = [
        ("supervision", "320602001001", "2017Q1", 1, "a" * 64, "submitted", "320602001001", None),
        (
            "supervision",
            "320602001001",
            "2017Q1",
            2,
            "a" * 64,
            "returned",
            "320602001000",
            "党员数不对",
        ),
        ("economy", "320602001001", "2017Q1", 1, "b" * 64, "approved", "320602001000", None),
    ]
    for r in rows:
        con.execute(
            "INSERT INTO meta.approvals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*r[:7], datetime(2017, 4, 6, 9), r[7]],
        )
    told = produce.approvals(con, datetime(2017, 4, 1))
    assert [(n.kind, n.unit_code) for n in told] == [
        ("approved", "320602001001"),
        ("returned", "320602001001"),
    ]
    assert told[1].text_zh == (
        "崇川区城东街道城北社区：2017年第一季度党建督导季报被崇川区城东街道退回，理由：党员数不对。"
        "请修改后重新报送。"
    )
    assert produce.approvals(con, datetime(2017, 4, 7)) == []  # before the outbox: history


@pytest.mark.parametrize(
    ("error", "said"),
    [
        ("530 Login incorrect.", "登录被拒绝，用户名或密码不对"),
        ("SMBAuthenticationError: STATUS_LOGON_FAILURE", "登录被拒绝"),
        ("AuthenticationException: Authentication failed.", "登录被拒绝"),
        ("ConnectionRefusedError: [Errno 111] Connection refused", "服务器拒绝连接"),
        ("TimeoutError: timed out", "连接超时"),
        ("gaierror: [Errno -2] Name or service not known", "找不到服务器"),
        ("OSError: [Errno 113] No route to host", "网络不通"),
        ("FileNotFoundError: [Errno 2] No such file or directory: '/srv/x'", "找不到存放报表"),
        ("550 Failed to change directory.", "找不到存放报表"),
        ("PermissionError: [Errno 13] Permission denied: '/srv/x'", "没有读取该文件夹的权限"),
        ("SSHException: host key for 10.0.0.5 does not match", "主机密钥与记录的不符"),
        ("SSLCertVerificationError: certificate verify failed", "证书验证未通过"),
        ("something else entirely", "连接出错"),
    ],
)
def test_a_sources_error_is_said_in_chinese_with_the_servers_words_last(
    error: str, said: str
) -> None:
    text = texts.source_unreachable("rudong-ftp", "如东县", error, DUE)
    head, _, detail = text.partition("（技术信息：")
    assert said in head and not re.findall(r"[A-Za-z]{3,}", head.replace("rudong-ftp", ""))
    assert head.startswith("报送点“rudong-ftp”（如东县）无法连接：")
    assert detail == f"{error}）"


def test_a_filers_line_feed_or_override_cannot_forge_a_line_or_reverse_one() -> None:
    name = "城北\n2. 崇川区：2017年第一季度党建督导季报已审核通过。\u202e.csv"
    text = texts.rejected("崇川区", name, [], ["unknown_kind"])
    notices = [Notice("rejected", "a", text), Notice("rejected", "b", "崇川区：另一份。")]
    digest = texts.digest([n.text_zh for n in notices])
    assert digest.count("\n") == 2 and "\u202e" not in digest  # 共2条, and two lines
    assert "城北\\n2. 崇川区" in digest and "\\u202e.csv" in digest  # seen, not obeyed
    assert Notice("rejected", "c", "\\\\fs01\\share").text_zh == "\\\\fs01\\share"


def test_a_filers_web_address_is_no_link_in_a_chat() -> None:
    name = "[点此更新](http://evil.example/x).csv"
    text = Notice("rejected", "a", texts.rejected("崇川区", name, [], ["unknown_kind"])).text_zh
    assert "http://" not in text and "http[:]//evil.example/x" in text
