"""The Chinese a clerk reads in a notification (CONTRACT §8).

The unit by its full name (``如东县掘港镇瑞丰村``: county, township, village), the report's
kind and quarter in Chinese (``2017年第一季度党建督导季报``), what is wrong in the receipts'
own sentences, what to do and by when, e.g.
``如东县掘港镇瑞丰村：2017年第一季度党建督导季报未报送，截止2017年4月5日，已逾期3天，请尽快报送。``
No code, no English word, no path: a file by its name (personal numbers masked); what a
source's server said only at the end, marked 技术信息, for the unit's IT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from transforms.reasons import KIND_ZH, reason_zh

MAX_SENTENCES = 3
"""Problem sentences quoted in one notification; the receipt has every one."""


def quarter_zh(period: str) -> str:
    """``2017Q1`` → ``2017年第一季度`` (a text that is no quarter stays as it is)."""
    if len(period) == 6 and period[4] == "Q" and period[5] in "1234":
        return f"{period[:4]}年第{'一二三四'[int(period[5]) - 1]}季度"
    return period


def report_zh(kind: str | None, period: str | None) -> str:
    """``2017年第一季度党建督导季报`` (the quarter left out when not known)."""
    name = f"{KIND_ZH.get(kind or '', '')}季报" if kind else "报表"
    return f"{quarter_zh(period)}{name}" if period else name


def date_zh(t: datetime) -> str:
    return f"{t.year}年{t.month}月{t.day}日"


def time_zh(t: datetime) -> str:
    return f"{date_zh(t)}{t:%H:%M}"


@dataclass(frozen=True)
class Names:
    """Units by full name, from the registry's ``(unit_code, name, level, parent_code)``."""

    rows: dict[str, tuple[str, str, str | None]]

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, str, str | None]]) -> Names:
        return cls({code: (name, level, parent) for code, name, level, parent in rows})

    def parents(self, code: str) -> list[str]:
        """The units above ``code``, nearest first."""
        out: list[str] = []
        parent = self.rows.get(code, ("", "", None))[2]
        while parent is not None and parent in self.rows and parent not in out:
            out.append(parent)
            parent = self.rows[parent][2]
        return out

    def full(self, code: str | None) -> str:
        """``如东县掘港镇瑞丰村``; a code not in the registry as ``单位320623…``."""
        if code is None:
            return "（未能确定所属单位）"
        if code not in self.rows:
            return f"单位{code}"
        chain = [code, *self.parents(code)]
        names = [self.rows[c][0] for c in reversed(chain) if self.rows[c][1] != "province"]
        return "".join(names[-3:])


def _sentences(sentences: Sequence[str]) -> str:
    shown = [s.rstrip("。；; ") for s in sentences[:MAX_SENTENCES]]
    text = "；".join(shown)
    more = len(sentences) - len(shown)
    return text + (f"；另有{more}个问题，详见回执" if more > 0 else "")


def quarantined(
    unit: str,
    kind: str,
    period: str,
    file: str,
    sentences: Sequence[str],
    reasons: Sequence[str],
    due_at: datetime | None,
    now: datetime,
) -> str:
    """A report was returned (quarantined): what is wrong, what to do, by when."""
    wrong = _sentences(sentences) if sentences else "、".join(reason_zh(r) for r in reasons)
    if due_at is None:
        todo = "请按回执改正后重新报送。"
    elif now <= due_at:
        todo = f"请按回执改正后于{date_zh(due_at)}前重新报送。"
    else:
        todo = f"报送截止{date_zh(due_at)}已过，请按回执改正后尽快重新报送。"
    return f"{unit}：{report_zh(kind, period)}被退回（文件“{file}”）：{wrong}。{todo}"


def rejected(unit: str, file: str, sentences: Sequence[str], reasons: Sequence[str]) -> str:
    """A file was rejected whole (unreadable, of no known kind …)."""
    why = "、".join(reason_zh(r) for r in reasons)
    detail = f"：{_sentences(sentences)}" if sentences else ""
    return f"{unit}：文件“{file}”整份退回（{why}）{detail}。请按回执改正后重新报送。"


PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"host ?key", "服务器的主机密钥与记录的不符（可能被冒充，请先核实再更新记录）"),
    (r"certificate|ssl|tls", "加密连接的证书验证未通过"),
    (
        r"login|logon|auth|password|credential|\b530\b|permission denied \(publickey",
        "登录被拒绝，用户名或密码不对（密码可能已更改）",
    ),
    (r"refused|errno 111\b", "服务器拒绝连接（服务可能未启动）"),
    (r"timed? ?out|errno 110\b", "连接超时（网络不通或服务器无响应）"),
    (
        r"name or service not known|nodename|getaddrinfo|errno -[23]\b|resolve",
        "找不到服务器（地址有误或域名无法解析）",
    ),
    (r"unreachable|no route|errno 11[13]\b|errno 101\b", "网络不通"),
    (
        r"no such file|not found|errno 2\b|\b550\b|object_name|bad_network_name|not exist",
        "找不到存放报表的文件夹或共享（路径可能已更改）",
    ),
    (r"permission|access.?denied|errno 13\b|\b403\b", "没有读取该文件夹的权限"),
)
"""What a protocol said (English, codes), as a Chinese phrase: the first pattern found."""


def problem_zh(error: str) -> str:
    """A source's error as a clerk's phrase (``连接出错`` when none fits)."""
    low = error.lower()
    return next((zh for pattern, zh in PROBLEMS if re.search(pattern, low)), "连接出错")


def source_unreachable(name: str, unit: str, error: str, since: datetime | None) -> str:
    """A source not reached: in Chinese, with what the server said last, for its IT."""
    when = f"自{time_zh(since)}起" if since is not None else "从未连通，"
    detail = f"（技术信息：{error.strip()}）" if error.strip() else ""
    return (
        f"报送点“{name}”（{unit}）无法连接：{problem_zh(error)}。{when}未能从该处收取报表，"
        f"请检查该报送点的服务器、网络和密码；恢复后将另行通知。{detail}"
    )


def source_back(name: str, unit: str, at: datetime) -> str:
    return f"报送点“{name}”（{unit}）已于{time_zh(at)}恢复连接，中断期间存放的报表已照常收取。"


def overdue(
    unit: str,
    kind: str,
    period: str,
    status: str,
    due_at: datetime,
    days: int,
    wrong: Sequence[str] = (),
) -> str:
    """A report still owed after its deadline (missing, or returned and not filed again)."""
    late = f"截止{date_zh(due_at)}，已逾期{max(days, 0)}天"
    if status == "quarantined":
        why = f"（{_sentences(wrong)}）" if wrong else ""
        return (
            f"{unit}：{report_zh(kind, period)}被退回后未重新报送{why}，{late}，"
            "请按回执改正后尽快报送。"
        )
    return f"{unit}：{report_zh(kind, period)}未报送，{late}，请尽快报送。"


def approval(
    unit: str, kind: str, period: str, approved: bool, by: str, reason: str | None = None
) -> str:
    """A report approved (审核通过) or returned (退回) by the unit above (CONTRACT §11)."""
    if approved:
        return f"{unit}：{report_zh(kind, period)}已由{by}审核通过。"
    why = f"，理由：{reason}" if reason else ""
    return f"{unit}：{report_zh(kind, period)}被{by}退回{why}。请修改后重新报送。"


def digest_head(total: int, part: int = 1, parts: int = 1) -> str:
    """A digest's first line: how many, and which message of how many it is."""
    return f"共{total}条：" if parts == 1 else f"共{total}条（分{parts}次发送，第{part}次）："


def digest(texts: Sequence[str]) -> str:
    """Many notifications to one channel as one message: numbered, one a line."""
    if len(texts) == 1:
        return texts[0]
    return digest_head(len(texts)) + "".join(f"\n{i}. {t}" for i, t in enumerate(texts, 1))
