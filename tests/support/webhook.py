"""A real HTTP listener for the notification tests: a group robot's webhook on loopback.

It answers POSTs as a robot would (200 and ``{"errcode":0}``), or fails them while
:attr:`Webhook.down` is set (HTTP 503, as a robot behind a broken proxy), or refuses
connections altogether once stopped, or holds them unanswered (:attr:`Webhook.hold`).
Every message taken is kept, parsed as JSON.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Webhook:
    url: str
    port: int
    taken: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    down: bool = False
    held: int = 0
    hold: threading.Event | None = None
    """While set to an Event not yet set, a POST is read and then left unanswered
    (counted in :attr:`held`, not taken) until the Event is set: a message in flight."""

    @property
    def apprise(self) -> str:
        """Its Apprise URL (``json://``: Apprise posts title, message and type as JSON)."""
        return f"json://127.0.0.1:{self.port}/cgi-bin/webhook/send"

    def messages(self) -> list[str]:
        return [str(m.get("message", "")) for m in self.taken]


@contextlib.contextmanager
def webhook() -> Iterator[Webhook]:
    hook = Webhook("", 0)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hold = hook.hold
            if hold is not None and not hold.is_set():
                with lock:
                    hook.held += 1
                hold.wait(60)
                self.close_connection = True
                return
            with lock:
                if hook.down:
                    hook.refused += 1
                    self.send_response(503)
                    self.end_headers()
                    return
                hook.taken.append(json.loads(body or b"{}"))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode":0,"errmsg":"ok"}')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.port = server.server_address[1]
    hook.url = f"http://127.0.0.1:{hook.port}/cgi-bin/webhook/send"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
