"""Text bound for a terminal or a JSON reader: control characters escaped, no NaN.

A filer can store anything in a cell or a file name: a terminal escape (``\\x1b[2J``),
a line feed that forges an output line, a right-to-left override that reverses what
follows. :func:`escaped` shows each such character as an escape (``\\n``, ``\\x1b``,
``\\u202e``) so the text is seen, never obeyed; :func:`json_safe` turns a value into
one JSON can carry (NaN and ±Infinity become ``null``, as JSON has no such numbers).
"""

from __future__ import annotations

import math
import re
from typing import Any

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def escaped(text: str) -> str:
    """``text`` with every control character (and bidirectional override) escaped."""
    return _CONTROL.sub(_escape, text)


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float (nested ones too) as None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
