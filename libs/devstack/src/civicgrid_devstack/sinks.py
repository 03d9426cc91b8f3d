"""Where `make run`'s messages go: a real SMTP server (aiosmtpd) and a real HTTP SMS/voice
provider on 127.0.0.1 that take every message and keep it in .run/outbox/ (one JSON line per
message), so a demo shows what notifications sent without reaching anyone's phone."""

from __future__ import annotations

import json
import threading
import uuid
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from civicgrid_testkit.processes import find_free_port


class _Keep:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        with self.lock, self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


class _MailHandler:
    def __init__(self, keep: _Keep) -> None:
        self.keep = keep

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=default)
        body = mail.get_body(preferencelist=("plain",))
        self.keep.write(
            {
                "to": envelope.rcpt_tos,
                "subject": str(mail["subject"]),
                "body": body.get_content() if body else "",
            }
        )
        return "250 kept"


class Sinks:
    """Started with the stack; `smtp_port` and `provider_url` go into notifications' settings."""

    def __init__(self, outbox: Path) -> None:
        outbox.mkdir(parents=True, exist_ok=True)
        self.smtp_port = find_free_port()
        self._mail = Controller(
            _MailHandler(_Keep(outbox / "mail.jsonl")), hostname="127.0.0.1", port=self.smtp_port
        )
        keep = _Keep(outbox / "phone.jsonl")

        class Provider(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                sent = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                keep.write({k: sent.get(k) for k in ("kind", "to", "body", "reference")})
                answer = json.dumps({"id": uuid.uuid4().hex, "status": "sent"}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._provider = ThreadingHTTPServer(("127.0.0.1", find_free_port()), Provider)
        self.provider_url = f"http://127.0.0.1:{self._provider.server_address[1]}"
        self._thread = threading.Thread(target=self._provider.serve_forever, daemon=True)

    def start(self) -> None:
        self._mail.start()
        self._thread.start()

    def stop(self) -> None:
        self._mail.stop()
        self._provider.shutdown()
        self._provider.server_close()
