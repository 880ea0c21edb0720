"""The upload size limit (CONTRACT §11, §3), enforced while the body streams in.

A request whose declared length is past the limit is answered 413 before its body is
read; one without a length (chunked) is counted as it arrives and stopped at the limit
(413): an upload never holds more than the limit on disk or in memory.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FRAMING = 64 * 1024
"""Room for the multipart framing and the form's small fields beside the file."""


def too_large(limit: int) -> HTTPException:
    mb = limit / (1024 * 1024)
    return HTTPException(413, f"文件超过{mb:g}MB上限，未接收：请删去多余的内容或分开报送")


class BodyLimit:
    """ASGI middleware: at most ``limit`` (+ :data:`FRAMING`) bytes of request body."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        most = self.limit + FRAMING
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > most:
                await _answer(send, 413, too_large(self.limit).detail)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > most:
                    raise too_large(self.limit)  # FastAPI answers an HTTPException as is
            return message

        await self.app(scope, counted, send)


async def _answer(send: Send, status: int, detail: Any) -> None:
    import json

    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
