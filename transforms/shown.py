"""Text shown to people: the one sanitiser of a filer's (or a server's) text.

A filer can store anything in a cell or a file name, and a server can answer anything:
a terminal escape (``\\x1b[2J``), a line feed that forges an output line, a
right-to-left override (U+202E) that reverses what follows, a Markdown link
(``[点此更新](http://…)``) that the Prefect UI would make clickable. Each place text goes
has its one function here, and every writer uses it:

- :func:`escaped`: a terminal line or a log line (the CLI, ``meta.source_status``): each
  control character and bidirectional control shown as an escape (``\\n``, ``\\x1b``,
  ``\\u202e``) so the text is seen, never obeyed;
- :func:`legible`: a document (receipts, chase lists, the 通报's workbook and brief, the
  portal's pages): bidirectional controls and invisible characters removed, other
  control characters shown escaped, line breaks kept (``transforms.cells.document_cell``
  adds the formula guard for spreadsheets, :func:`legible_value` is a page's Jinja
  ``finalize``);
- :func:`markdown_text`: a Prefect artifact (Markdown): :func:`legible` on one line,
  every ASCII punctuation backslash-escaped (no link, image, HTML, emphasis or table
  cell can be made) and web addresses defanged (``http[:]//``) so no bare URL is
  linked;
- :func:`log_text`: a Prefect log line: :func:`escaped`, web addresses defanged (the UI
  links ``http://…`` in a log line and reads ``\\x1b[31m`` as colour);
- :func:`json_escaped`: JSON shown on a terminal (``ronghe query --format json``): the
  same value, its control characters as ``\\u`` escapes.

:func:`json_safe` turns a value into one JSON can carry (NaN and ±Infinity become
``null``, as JSON has no such numbers).
"""

from __future__ import annotations

import math
import re
from typing import Any

_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def escaped(text: str) -> str:
    """``text`` with every control character (and bidirectional override) escaped."""
    return _CONTROL.sub(_escape, text)


# bidirectional controls (U+061C, LRM/RLM, LRE…RLO, LRI…PDI) and invisible characters
# (zero-width space, word joiner and its kin, BOM, Mongolian vowel separator, tags)
_INVISIBLE = re.compile(
    "[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u180e\ufeff"
    "\U000e0000-\U000e007f]"
)
_DOC_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=:@&$^\"'%;/,?])")


def _json_escape(m: re.Match[str]) -> str:
    n = ord(m.group(0))
    if n < 0x10000:
        return f"\\u{n:04x}"
    n -= 0x10000  # a surrogate pair, as JSON writes a character past the BMP
    return f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}"


_JSON_SHOWN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)
""":data:`_CONTROL` but the whitespace JSON writes between its values (inside a string
JSON escapes a line feed or a tab itself)."""


def json_escaped(text: str) -> str:
    """JSON text whose strings' control and bidirectional characters are written as
    ``\\uXXXX`` escapes: the same JSON value, nothing a terminal would obey."""
    return _JSON_SHOWN.sub(_json_escape, text)


def legible(text: str) -> str:
    """``text`` for a document: bidi controls and invisible characters removed, other
    control characters escaped (``\\x1b``), line breaks as ``\\n`` and tabs kept."""
    text = _BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    return _DOC_CONTROL.sub(_escape, text)


def legible_value(value: Any) -> Any:
    """A Jinja ``finalize``: text shown in a page is :func:`legible` (markup a template
    built on purpose, ``__html__``, and other values pass unchanged); autoescape follows."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return legible(value)
    return value


def defanged(text: str) -> str:
    """Web addresses no viewer links: ``http://x`` → ``http[:]//x`` (any scheme)."""
    return text.replace("://", "[:]//")


def markdown_text(value: object) -> str:
    """``value`` as literal text in Markdown (a table cell included): one line, nothing
    in it a link, an image, HTML, emphasis or a cell break."""
    text = legible("" if value is None else str(value)).replace("\n", " ").replace("\t", " ")
    return _MD_SPECIAL.sub(r"\\\1", defanged(text))


def log_text(text: str) -> str:
    """A log line made of ``text``: control characters escaped, web addresses defanged."""
    return defanged(escaped(text))


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float (nested ones too) as None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
