"""The channels file as an operator writes it (and gets it wrong), and the pure parts of
a delivery: who hears what, each service's limits, digests within a size, the backoff,
and errors kept without the channel's secrets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notify.channels import ChannelsError, parse_channels
from notify.deliver import CUT, backoff, fold, scrub
from notify.notice import Notice
from notify.outbox import Row

UNITS = {"320623000000", "320623100000", "320623100201", "320602000000"}
PARENTS = {"320623100201": ["320623100000", "320623000000"], "320623100000": ["320623000000"]}


def _one(body: str) -> str:
    with pytest.raises(ChannelsError) as caught:
        parse_channels(body, UNITS)
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("[[channel]]\nname = 'A b'\nurl_env = 'X'\n", "'name' must be 1-40 of a-z"),
        ("[[channel]]\nname = 'a'\n", "give 'url_env'"),
        ("[[channel]]\nname = 'a'\nurl = 'x'\nurl_env = 'X'\n", "give 'url_env'"),
        ("[[channel]]\nname = 'a'\nurl_env = '1X'\n", "'url_env' must name"),
        ("[[channel]]\nname = 'a'\nurl = 'mailtos://u:pw@h'\n", "holds a password"),
        ("[[channel]]\nname = 'a'\nurl = 'wecombot://K'\n", "robot's key (a secret)"),
        ("[[channel]]\nname = 'a'\nurl = 'DingTalk://T/'\n", "robot's key (a secret)"),
        ("[[channel]]\nname = 'a'\nurl = 'no scheme'\n", "must be an Apprise URL"),
        ("[[channel]]\nname = 'a'\nurl_env = 'X'\nunits = ['3206']\n", "not in the unit"),
        ("[[channel]]\nname = 'a'\nurl_env = 'X'\nkinds = ['late']\n", "kind 'late' is not"),
        ("[[channel]]\nname = 'a'\nurl_env = 'X'\nper_minute = 0\n", "positive whole"),
        ("[[channel]]\nname = 'a'\nurl_env = 'X'\nmax_bytes = true\n", "positive whole"),
        ("[[channel]]\nname = 'a'\nurl_env = 'X'\ncolour = 1\n", "unknown key 'colour'"),
        ("[[channel]]\nname = 'a'\nurl_env = 'X'\n[[channel]]\nname = 'a'\nurl_env = 'Y'\n",
         "used twice"),
        ("channel = 1\n", "array of tables"),
        ("[chanel]\n", "unknown top-level key 'chanel'"),
        ("[[channel]\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_each_mistake_is_one_line_naming_what_is_wrong(body: str, says: str) -> None:
    assert says in _one(body)


def test_who_hears_what_units_take_the_units_under_them() -> None:
    (county, everyone) = parse_channels(
        "[[channel]]\nname = 'rudong'\nurl_env = 'X'\nunits = ['320623000000']\n"
        "kinds = ['overdue']\n"
        "[[channel]]\nname = 'ops'\nurl = 'json://10.0.0.9:8080/hook'\n",
        UNITS,
    )

    def notice(kind: str, unit: str | None) -> Notice:
        return Notice(kind, f"{kind}|{unit}", "某某", unit)

    def above(code: str) -> list[str]:
        return PARENTS.get(code, [])

    assert county.wants(notice("overdue", "320623100201"), above)  # a village under it
    assert county.wants(notice("overdue", "320623000000"), above)
    assert not county.wants(notice("overdue", "320602000000"), above)  # another county
    assert not county.wants(notice("rejected", "320623100201"), above)  # not its kind
    assert not county.wants(notice("overdue", None), above)
    assert everyone.wants(notice("source_back", None), above)


def test_each_service_has_its_limits_unless_the_channel_says() -> None:
    (robot, own) = parse_channels(
        "[[channel]]\nname = 'a'\nurl_env = 'X'\n"
        "[[channel]]\nname = 'b'\nurl_env = 'Y'\nper_minute = 5\nmax_bytes = 900\n",
        UNITS,
    )
    assert robot.limits("wecombot://k") == (20, 2000)
    assert robot.limits("DINGTALK://t/") == (20, 19000)
    assert robot.limits("json://h/p") == (30, 30000)
    assert own.limits("wecombot://k") == (5, 900)


def _rows(texts: list[str]) -> list[Row]:
    return [
        Row(f"k{i}", "overdue", None, None, "c", text, "pending", 0, None, "", None)
        for i, text in enumerate(texts)
    ]


def test_digests_fit_the_size_keep_the_order_and_cut_one_too_long() -> None:
    line = "如东县掘港镇瑞丰村：2017年第一季度党建督导季报未报送，截止2017年4月5日。"
    messages = fold(_rows([line] * 30), 700)
    assert all(len(body.encode("utf-8")) <= 700 for _, body in messages)
    assert [r.key for group, _ in messages for r in group] == [f"k{i}" for i in range(30)]
    assert sum(b.count("瑞丰村") for _, b in messages) == 30
    parts = len(messages)
    assert parts > 1 and [b.split("\n")[0] for _, b in messages] == [
        f"共30条（分{parts}次发送，第{p}次）：" for p in range(1, parts + 1)
    ]
    numbers = [int(line.split(".")[0]) for _, b in messages for line in b.split("\n")[1:]]
    assert numbers == list(range(1, 31))  # numbered on across the messages
    ((_, one),) = fold(_rows([line]), 700)
    assert one == line  # one notification: as it is
    ((_, long),) = fold(_rows(["很长的一句" * 200]), 300)
    assert len(long.encode("utf-8")) <= 300 and long.endswith(CUT)


def test_the_backoff_doubles_to_half_an_hour() -> None:
    waits = [backoff(n) for n in range(1, 9)]
    assert waits[:5] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert set(waits[5:]) == {timedelta(minutes=30)}


def test_an_error_is_kept_without_the_channels_secrets() -> None:
    address = "mailtos://ronghe:Secret-Pass-99@smtp.example.gov.cn?to=ops@example.gov.cn"
    kept = scrub("login refused for ronghe:Secret-Pass-99 at\n smtp", address)
    assert "Secret-Pass-99" not in kept and "\n" not in kept
    key = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa"
    assert key not in scrub(f"https://qyapi.weixin.qq.com/?key={key} 503", f"wecombot://{key}")
