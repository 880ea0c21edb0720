"""The ``pii`` rule's declaration: the personal numbers of a text field (CONTRACT §3).

A resident ID or a mainland mobile number, in every form a person or a phone keyboard
types it. Detection (``PII_PATTERNS``: the GX suite, Polars) and masking
(:func:`transforms.pii.mask`) are both built from :data:`PII_NUMBERS`, so they cannot
disagree. Re-exported by :mod:`transforms.columns`, beside the other rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PiiNumber:
    """A kind of personal number (reason ``pii``): what it looks like and what a mask keeps.

    The number is one character per class of ``chars``; between any two of them a person
    (or a phone keyboard) may put separators (:data:`PII_SEPARATORS`, up to three: spaces
    of every width, dashes, slashes, zero-width and bidirectional characters), and where
    ``groupings`` say, a dot between the groups (``139.1234.0007``; one dot alone is a
    decimal amount, never a number). A mask (:func:`transforms.pii.mask`) keeps the first
    ``keep_head`` and the last ``keep_tail`` characters and writes ``*`` for each other
    digit, separators kept. It counts only where no digit precedes it (a ``+86`` prefix
    aside) and no character of ``not_after`` follows.
    """

    name: str
    chars: tuple[str, ...]
    keep_head: int
    keep_tail: int
    groupings: tuple[tuple[int, ...], ...]
    not_after: str
    prefix: str = ""
    """What may stand before the number in place of a non-digit (a mobile's ``+86``, ``0``)."""

    @property
    def body(self) -> str:
        """The number itself, in every form (Python ``re`` and Rust ``regex`` alike)."""
        sep = f"{PII_SEPARATOR}{{0,3}}"
        forms = [sep.join(self.chars)]
        for groups in self.groupings:
            parts, at = [], 0
            for n in groups:
                parts.append(sep.join(self.chars[at : at + n]))
                at += n
            forms.append(PII_DOT.join(parts))
        return "(?:" + "|".join(forms) + ")"

    @property
    def pattern(self) -> str:
        """The detection regex (Python ``re`` and Rust ``regex`` alike: no look-around)."""
        start = f"(?:{self.prefix}|^|[^0-9０-９])" if self.prefix else "(?:^|[^0-9０-９])"
        return rf"{start}{self.body}(?:$|[^{self.not_after}])"


# The personal numbers of a text field, in every form a person or a phone keyboard
# types them: ASCII or full-width digits; spaces of any width (no-break, ideographic,
# doubled), dashes (-, ‐, –, —, −, －), slashes, zero-width or bidirectional characters
# between any digits (158-0000-1111, 139 1234 5678, 1391 2340 013, 320602 1990 0101
# 001X), tabs, underscores and brackets ((139)1234-5678); dots between the groups
# (139.1234.0007, 139。1234。0007); a +86 prefix, or a 0 (dialled from another city). A mask
# keeps a mobile's first 3 and last 4 digits (139****5678) and a resident ID's first 6
# and last 4 characters (320602********1234).
_D = "[0-9０-９]"
PII_SEPARATOR = (
    "[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"  # spaces
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"  # invisible
    "\\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d/\uff0f"  # dashes, slashes
    "\t_()\uff08\uff09\uff3f]"  # a tab, an underscore, brackets: (139)1234-5678
)
"""What may stand between the digits of a personal number (one character)."""
PII_DOT = f"{PII_SEPARATOR}{{0,2}}[.\uff0e\u3002\u00b7\u30fb\ufe52]{PII_SEPARATOR}{{0,2}}"
"""A dot between the groups of a number written with dots (``139.1234.0007``)."""
PII_PREFIX = f"(?:(?:[+＋]|00|００)?(?:86|８６)|(?:^|[^0-9０-９])[0０]){PII_SEPARATOR}{{0,3}}"
"""A prefix before a mobile number (``+86 ``, or the ``0`` dialled from another city:
``013912345678``, ``(0)139…``): counts as "no digit precedes"."""
PII_NUMBERS = (
    PiiNumber(
        "resident_id",
        # 6 area digits, a birth date 19xx/20xx-MM-DD, 3 digits and a check character
        (
            *[_D] * 6,
            *("[12１２]", "[09０９]", _D, _D, "[01０１]", _D, "[0-3０-３]", _D),
            *[_D] * 3,
            "[0-9０-９XxＸｘ]",
        ),
        6,
        4,
        ((6, 8, 4), (6, 4, 4, 4)),
        "0-9０-９A-Za-zＡ-Ｚａ-ｚ",
    ),
    PiiNumber(
        "mobile",
        ("[1１]", "[3-9３-９]", *[_D] * 9),
        3,
        4,
        ((3, 4, 4), (4, 4, 3)),
        "0-9０-９",
        PII_PREFIX,
    ),
)

# Text columns scanned for personal data (reason ``pii``).
PII_PATTERNS = tuple(n.pattern for n in PII_NUMBERS)
