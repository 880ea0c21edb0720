"""The channels file (``$RONGHE_HOME/channels.toml`` or ``RONGHE_CHANNELS``): who hears what.

One ``[[channel]]`` per group robot, webhook or mailbox::

    [[channel]]
    name = "rudong-wecom"                 # unique, [a-z0-9_-]
    url_env = "RONGHE_RUDONG_WECOM"       # the variable holding its Apprise URL (wecombot://KEY)
    # url = "json://10.32.6.9:8080/hook"  # or the URL itself, when it holds no secret
    units = ["320623000000"]              # these units and every unit under them (default: all)
    kinds = ["quarantined", "rejected", "overdue"]   # default: every kind
    per_minute = 20                       # messages a minute at most (default by the service)
    max_bytes = 2000                      # one message's size at most (default by the service)
    title = "融合党建"                     # the messages' title

The URL is Apprise's (https://appriseit.com): ``wecombot://KEY`` (企业微信 group robot),
``dingtalk://TOKEN/`` (钉钉; not with 加签: :data:`SIGNED_DINGTALK`), ``mailtos://USER:PASSWORD@HOST``
(e-mail), ``json://HOST:PORT/PATH`` or ``jsons://…`` (a webhook receiving JSON). A URL
with a secret belongs in an environment variable (``url_env``): a ``url`` holding a
password, or a robot's (its key), is refused. Every mistake is one line naming the
channel and the key (:class:`ChannelsError`, a usage error).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from notify.notice import KINDS, Notice

CHANNELS_ENV = "RONGHE_CHANNELS"
KEYS = frozenset({"name", "url", "url_env", "units", "kinds", "per_minute", "max_bytes", "title"})
_NAME = re.compile(r"[a-z0-9_-]{1,40}")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*)://", re.IGNORECASE)

LIMITS: dict[str, tuple[int, int]] = {
    "wecombot": (20, 2000),  # 企业微信 group robot: 20 messages a minute, 2,048 bytes of text
    "dingtalk": (20, 19000),  # 钉钉 robot: 20 a minute, 20,000 bytes
    "mailto": (10, 200000),
    "mailtos": (10, 200000),
}
"""Per Apprise scheme: (messages a minute, bytes a message) unless the channel says."""
DEFAULT_LIMITS = (30, 30000)
KEYED = frozenset({"wecombot", "dingtalk"})
"""Schemes whose address is the robot's key: anyone holding it posts to the group."""
_SIGNED_DINGTALK = re.compile(r"dingtalk://[^/@?]+@", re.IGNORECASE)
SIGNED_DINGTALK = (
    "a 钉钉 robot with 加签 (dingtalk://SECRET@TOKEN) is not supported: Apprise 2.0.1"
    " encodes the signature twice, the robot answers 'sign not match' and Apprise"
    " reports the message sent; secure the robot with 自定义关键词 (融合党建) or an"
    " IP range instead, and give dingtalk://TOKEN/"
)
"""Apprise (2.0.1) signs, quotes the signature, and hands it to requests as a query
parameter, which quotes it again; DingTalk answers HTTP 200 with errcode 310000, and
Apprise only looks at the status. tests/integration/test_notify_services.py shows it
on a robot that checks the signature as DingTalk documents it."""
TITLE = "融合党建报送提醒"


class ChannelsError(ValueError):
    """The channels file is wrong (a usage error: exit status 2); one line."""


@dataclass(frozen=True)
class Channel:
    name: str
    url: str | None = None
    url_env: str | None = None
    units: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    per_minute: int | None = None  # None: the service's (LIMITS)
    max_bytes: int | None = None
    title: str = TITLE

    def limits(self, address: str) -> tuple[int, int]:
        """(messages a minute, bytes a message): the channel's, else its service's."""
        m = _SCHEME.match(address)
        rate, size = LIMITS.get(m.group(1).lower() if m else "", DEFAULT_LIMITS)
        return self.per_minute or rate, self.max_bytes or size

    def address(self) -> str:
        """The Apprise URL (from its variable); ChannelsError if the variable is unset,
        or the URL is one Apprise would report sent though the service refused it."""
        value = self.url
        if value is None:
            value = os.environ.get(self.url_env or "", "").strip()
        if not value:
            raise ChannelsError(
                f"channel {self.name}: the environment variable {self.url_env} is not set"
            )
        if _SIGNED_DINGTALK.match(value):
            raise ChannelsError(f"channel {self.name}: {SIGNED_DINGTALK}")
        return value

    def wants(self, notice: Notice, ancestors: Callable[[str], Collection[str]]) -> bool:
        """Whether this channel hears of ``notice`` (its kind; its unit or one above)."""
        if self.kinds and notice.kind not in self.kinds:
            return False
        if not self.units:
            return True
        if notice.unit_code is None:
            return False
        return notice.unit_code in self.units or any(
            u in self.units for u in ancestors(notice.unit_code)
        )


def channels_path(home: Path, given: str | Path | None = None) -> Path:
    """``given``, else ``RONGHE_CHANNELS``, else ``$RONGHE_HOME/channels.toml``."""
    if given:
        return Path(given)
    env = os.environ.get(CHANNELS_ENV, "").strip()
    return Path(env) if env else home / "channels.toml"


def load_channels(path: Path, units: Collection[str]) -> list[Channel]:
    """Every channel of the file (none when there is no file), checked."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ChannelsError(f"cannot read the channels file {path}: {exc}") from None
    return parse_channels(text, units, str(path))


def parse_channels(
    text: str, units: Collection[str], where: str = "channels.toml"
) -> list[Channel]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChannelsError(f"{where}: not valid TOML ({exc})") from None
    extra = sorted(set(doc) - {"channel"})
    if extra:
        raise ChannelsError(f"{where}: unknown top-level key {extra[0]!r} (only [[channel]])")
    entries = doc.get("channel", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ChannelsError(f"{where}: 'channel' must be an array of tables ([[channel]])")
    out: list[Channel] = []
    for i, entry in enumerate(entries, 1):
        ch = _channel(entry, units, f"{where}: channel {i}")
        if any(c.name == ch.name for c in out):
            raise ChannelsError(f"{where}: channel {i}: the name {ch.name!r} is used twice")
        out.append(ch)
    return out


def _strings(entry: Mapping[str, object], key: str, at: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ChannelsError(f"{at}: '{key}' must be a list of strings")
    return tuple(v.strip() for v in value)


def _positive(entry: Mapping[str, object], key: str, at: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ChannelsError(f"{at}: '{key}' must be a positive whole number")
    return value


def _channel(entry: Mapping[str, object], units: Collection[str], at: str) -> Channel:
    unknown = sorted(set(entry) - KEYS)
    if unknown:
        raise ChannelsError(f"{at}: unknown key {unknown[0]!r}")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ChannelsError(f"{at}: 'name' must be 1-40 of a-z, 0-9, '_' and '-'")
    at = f"{at} ({name})"
    url, url_env = entry.get("url"), entry.get("url_env")
    if (url is None) == (url_env is None):
        raise ChannelsError(f"{at}: give 'url_env' (or 'url' for one without a secret)")
    if url is not None:
        if not isinstance(url, str) or not _SCHEME.match(url.strip()):
            raise ChannelsError(f"{at}: 'url' must be an Apprise URL such as json://HOST/PATH")
        if urlsplit(url.strip()).password is not None:
            raise ChannelsError(f"{at}: the url holds a password; put it in url_env instead")
        scheme = _SCHEME.match(url.strip())
        if scheme and scheme.group(1).lower() in KEYED:
            raise ChannelsError(
                f"{at}: a {scheme.group(1).lower()}:// url is the robot's key (a secret);"
                " put it in url_env instead"
            )
        url = url.strip()
    if url_env is not None and (not isinstance(url_env, str) or not _ENV.fullmatch(url_env)):
        raise ChannelsError(f"{at}: 'url_env' must name an environment variable")
    chosen = _strings(entry, "units", at)
    stray = [u for u in chosen if u not in units]
    if stray:
        raise ChannelsError(f"{at}: unit {stray[0]!r} is not in the unit registry")
    kinds = _strings(entry, "kinds", at)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise ChannelsError(f"{at}: kind {bad[0]!r} is not one of {', '.join(KINDS)}")
    title = entry.get("title", TITLE)
    if not isinstance(title, str):
        raise ChannelsError(f"{at}: 'title' must be a string")
    return Channel(
        name=name,
        url=url,
        url_env=url_env,
        units=chosen,
        kinds=kinds,
        per_minute=_positive(entry, "per_minute", at),
        max_bytes=_positive(entry, "max_bytes", at),
        title=title,
    )
