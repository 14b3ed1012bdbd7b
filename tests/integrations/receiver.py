"""A real webhook receiver on the loopback interface, verifying with standardwebhooks' own
`Webhook.verify` — what a partner's system would run."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


@dataclass
class Received:
    headers: dict
    body: bytes
    verified: dict | None  # the parsed payload when the signature verified
    error: str = ""
    verified_with: list = field(default_factory=list)


class Receiver:
    """Answers each request with the next status of `statuses` (then 200), verifying every
    request against each secret in `secrets`."""

    def __init__(self):
        self.received: list[Received] = []
        self.statuses: list[int | tuple[int, dict]] = []
        self.secrets: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified, error, which = None, "", []
                for index, secret in enumerate(receiver.secrets):
                    try:
                        verified = Webhook(secret).verify(body, headers)
                        which.append(index)
                    except WebhookVerificationError as exc:
                        error = str(exc)
                receiver.received.append(Received(headers, body, verified, error, which))
                status, extra = 200, {}
                if receiver.statuses:
                    answer = receiver.statuses.pop(0)
                    status, extra = answer if isinstance(answer, tuple) else (answer, {})
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(b'{"ok": true}' if status < 300 else b"receiver said no")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def payloads(self) -> list[dict]:
        return [json.loads(r.body) for r in self.received]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
