"""Issue 30: what an event says of a filer's file or a server's reply is nothing a
notification could obey (no bidi or control character, no link), and nothing personal."""

from __future__ import annotations


def test_an_event_names_a_hostile_file_without_a_link_or_a_control() -> None:
    from flows.announce import _name, unreachable_event

    name = _name("/inbox/项目_\u202e[点此更新](http:x)\x1b[2J_13912345678.csv")
    assert name == "项目_[点此更新](http:x)\\x1b[2J_139****5678.csv"
    error = unreachable_event("s", "320623000000", "530 see http://evil \\x07", "d")
    assert error["payload"]["error"] == "530 see http[:]//evil \\x07"
