"""The outbox delivered through Apprise to 企业微信 and 钉钉 robots and to e-mail.

Apprise's own requests, to the robots' real hosts over HTTPS (certificate checked
against a test CA), reach robots answered on loopback through ``HTTPS_PROXY``
(:func:`tests.support.robots.robots`); e-mail goes to an SMTP server with STARTTLS
and a login (:func:`tests.support.robots.mailbox`). No Prefect needed; nothing
leaves the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from notify.channels import parse_channels
from notify.deliver import apprise_send, deliver
from notify.notice import Notice
from notify.outbox import Outbox
from tests.support.robots import Robots, mailbox, robots

pytestmark = pytest.mark.integration
T0 = datetime(2017, 4, 6, 9, 0)
WECOM, DING = "qyapi.weixin.qq.com", "oapi.dingtalk.com"
KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
TOKEN = "b2f8c4e1d0a94c57a3c1e9f8d7b6a5c4"
SECRET = "SEC9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7"


def overdue(i: int) -> Notice:
    text = (
        f"如东县掘港镇第{i}村：2017年第一季度党建督导季报未报送，截止2017年4月5日，"
        "已逾期1天，请尽快报送。"
    )
    return Notice("overdue", f"3206231002{i:02d}|2017Q1|supervision", text, "320623000000")


@pytest.fixture
def bots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Robots]:
    with robots(tmp_path) as r:
        monkeypatch.setenv("HTTPS_PROXY", r.proxy)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", r.ca_file)
        for name in ("NO_PROXY", "no_proxy", "https_proxy", "CURL_CA_BUNDLE"):
            monkeypatch.delenv(name, raising=False)
        r.dingtalk_secret = SECRET
        yield r


def _box(tmp_path: Path, notices: list[Notice], channel: str) -> Outbox:
    box = Outbox.of(tmp_path / "home")
    box.add(notices, lambda n: [channel], T0)
    return box


def test_a_wecom_robot_gets_digests_within_its_size_and_20_a_minute(
    tmp_path: Path, bots: Robots, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RONGHE_TEST_WECOM", f"wecombot://{KEY}")
    text = '[[channel]]\nname = "rudong"\nurl_env = "RONGHE_TEST_WECOM"\n'
    channels = parse_channels(text, set())
    box = _box(tmp_path, [overdue(i) for i in range(60)], "rudong")
    bots.down = True  # the robot's host is down: kept, tried again later
    report = deliver(box, channels, now=lambda: T0, waits=())
    assert bots.refused == 1 and report.channels[0].waiting == 60
    assert KEY not in (report.channels[0].error or "")  # the key is a secret
    bots.down = False
    report = deliver(box, channels, now=lambda: T0 + timedelta(minutes=2), waits=())
    assert report.sent == 60 and {r.state for r in box.rows()} == {"sent"}
    assert {(t.host, t.path, t.query["key"][0]) for t in bots.taken} == {
        (WECOM, "/cgi-bin/webhook/send", KEY)
    }
    assert {t.body["msgtype"] for t in bots.taken} == {"text"}
    told = bots.texts(WECOM)
    assert 1 < len(told) < 60  # folded into digests, each within the robot's 2,048 bytes
    assert all(len(m.encode("utf-8")) <= 2048 for m in told)
    assert all(m.startswith("融合党建报送提醒\r\n共") for m in told)  # the title leads
    assert sum(m.count("村：2017年第一季度党建督导季报未报送") for m in told) == 60
    assert told[0].split("\r\n")[1].startswith(f"共60条（分{len(told)}次发送，第1次）：")
    bodies = [m.split("\r\n", 1)[1] for m in told]  # after the title
    numbered = [ln.split(".")[0] for b in bodies for ln in b.split("\n")[1:]]
    assert numbered == [str(i) for i in range(1, 61)]  # numbered on across the messages

    # another robot, 44 notices in messages of two: the 21st waits for the next minute
    monkeypatch.setenv("RONGHE_TEST_WECOM", f"wecombot://{KEY[::-1]}")
    box2 = Outbox.of(tmp_path / "home2")
    box2.add([overdue(i) for i in range(44)], lambda n: ["rudong"], T0)
    small = parse_channels(text + "max_bytes = 400\n", set())
    before = len(bots.taken)
    first = deliver(box2, small, now=datetime.now, waits=())
    assert len(bots.taken) - before == 20 and first.channels[0].waiting > 0
    assert bots.too_fast == 0  # never past the robot's limit


def test_a_dingtalk_robot_with_a_keyword_and_one_with_a_signature(
    tmp_path: Path, bots: Robots, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RONGHE_TEST_DING", f"dingtalk://{TOKEN}/")
    text = '[[channel]]\nname = "haian"\nurl_env = "RONGHE_TEST_DING"\n'
    box = _box(tmp_path, [overdue(i) for i in range(3)], "haian")
    assert deliver(box, parse_channels(text, set()), now=lambda: T0, waits=()).sent == 3
    (taken,) = bots.taken
    assert (taken.host, taken.path, taken.query["access_token"]) == (
        DING,
        "/robot/send",
        [TOKEN],
    )
    (message,) = bots.texts(DING)
    assert message.startswith("融合党建报送提醒\r\n共3条：")  # the keyword 融合党建 is in it

    # 加签: Apprise 2.0.1 quotes the signature twice; the robot refuses it (errcode
    # 310000, HTTP 200) and Apprise reports it sent. When this stops failing, Apprise
    # has fixed it: lift the refusal in notify.channels (SIGNED_DINGTALK).
    signed = f"dingtalk://{SECRET}@{TOKEN}/"
    assert apprise_send(signed, "融合党建报送提醒", "测试") is None  # "sent"
    assert bots.refused_sign == 1 and len(bots.taken) == 1  # yet never taken
    # so such a channel cannot send: its rows fail, with the reason, and are kept
    monkeypatch.setenv("RONGHE_TEST_DING", signed)
    box.add([overdue(9)], lambda n: ["haian"], T0)
    report = deliver(box, parse_channels(text, set()), now=lambda: T0, waits=())
    assert report.channels[0].failed == 1 and bots.refused_sign == 1
    (row,) = box.rows("failed")
    assert "加签" in (row.last_error or "") and SECRET not in (row.last_error or "")


def test_e_mail_through_starttls_and_a_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mailbox(tmp_path) as mail:
        monkeypatch.setenv("SSL_CERT_FILE", mail.ca_file)
        user, word = quote(mail.user, safe=""), quote(mail.password, safe="")
        url = (
            f"mailtos://{user}:{{}}@127.0.0.1:{mail.port}?mode=starttls"
            f"&from={user}&to=rudong-zzb%40example.org"
        )
        monkeypatch.setenv("RONGHE_TEST_MAIL", url.format("wrong-password-123"))
        text = '[[channel]]\nname = "mail"\nurl_env = "RONGHE_TEST_MAIL"\n'
        channels = parse_channels(text, set())
        odd = Notice("rejected", "x", "如东县：文件“<b>季报</b> & 1.xlsx”无法读取。", None)
        box = _box(tmp_path, [*(overdue(i) for i in range(4)), odd], "mail")
        report = deliver(box, channels, now=lambda: T0, waits=())
        assert mail.logins and {m.split(":")[1] for m in mail.logins} == {"refused"}
        assert mail.taken == []
        assert report.channels[0].waiting == 5  # kept; the password is never shown
        assert "wrong-password-123" not in (report.channels[0].error or "")
        monkeypatch.setenv("RONGHE_TEST_MAIL", url.format(word))
        later = T0 + timedelta(minutes=2)
        assert deliver(box, channels, now=lambda: later, waits=()).sent == 5
        (msg,) = mail.taken
    assert msg["Subject"] == "融合党建报送提醒" and msg["To"] == "rudong-zzb@example.org"
    # plain text as written, lines kept: no HTML part where a file's name could be markup
    assert [p.get_content_type() for p in msg.walk() if not p.is_multipart()] == ["text/plain"]
    content = msg.get_content().replace("\r\n", "\n")
    assert content.startswith("共5条：\n1. 如东县掘港镇第0村：2017年第一季度党建督导季报未报送")
    assert "\n5. 如东县：文件“<b>季报</b> & 1.xlsx”无法读取。" in content
    assert {r.state for r in box.rows()} == {"sent"}
