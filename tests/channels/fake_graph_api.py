"""A fake WhatsApp Graph API: an HTTP server on 127.0.0.1 in a background thread.

It records every request (method, path, headers, JSON body) and answers
200 {"messages": [{"id": "wamid.out"}]}, or the status set in ``fail_with``.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: Dict[str, str]
    json: Any

    @property
    def to(self) -> Optional[str]:
        return self.json.get("to") if isinstance(self.json, dict) else None

    @property
    def type(self) -> Optional[str]:
        return self.json.get("type") if isinstance(self.json, dict) else None

    @property
    def text(self) -> str:
        """The text a patient would read: text body or interactive body."""
        if not isinstance(self.json, dict):
            return ""
        if self.type == "text":
            return self.json.get("text", {}).get("body", "")
        if self.type == "interactive":
            return self.json.get("interactive", {}).get("body", {}).get("text", "")
        return ""


class FakeGraphApi:
    def __init__(self) -> None:
        self._requests: List[RecordedRequest] = []
        self._lock = threading.Lock()
        self.fail_with: Optional[int] = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                with fake._lock:
                    fake._requests.append(RecordedRequest(
                        self.command, self.path, dict(self.headers.items()), body))
                    status = fake.fail_with
                if status:
                    answer = {"error": {"message": "fake failure", "code": 131000,
                                        "fbtrace_id": "FAKE"}}
                else:
                    status, answer = 200, {"messaging_product": "whatsapp",
                                           "messages": [{"id": "wamid.out"}]}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = _record
            do_GET = _record

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeGraphApi":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeGraphApi":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def requests(self) -> List[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    def sent_to(self, wa_id: str) -> List[RecordedRequest]:
        return [r for r in self.requests if r.to == wa_id]

    def wait_for(self, predicate: Callable[[List[RecordedRequest]], bool],
                 timeout: float = 60) -> List[RecordedRequest]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            current = self.requests
            if predicate(current):
                return current
            time.sleep(0.1)
        raise AssertionError(f"fake Graph API: condition not met within {timeout} s; "
                             f"{len(self.requests)} request(s) recorded")

    def wait_for_reply(self, wa_id: str, contains: Optional[str] = None, count: int = 1,
                       timeout: float = 60, quiet: float = 1.5) -> List[RecordedRequest]:
        """Waits until ``wa_id`` got ``count`` messages (one containing ``contains``), then
        until nothing more arrives for ``quiet`` seconds; returns the messages to ``wa_id``."""
        def ready(_: List[RecordedRequest]) -> bool:
            sent = self.sent_to(wa_id)
            if len(sent) < count:
                return False
            return contains is None or any(contains in r.text for r in sent)

        self.wait_for(ready, timeout)
        return self.wait_quiet(wa_id, quiet)

    def wait_quiet(self, wa_id: str, quiet: float = 1.5, timeout: float = 60
                   ) -> List[RecordedRequest]:
        deadline = time.time() + timeout
        seen, since = len(self.sent_to(wa_id)), time.time()
        while time.time() < deadline:
            time.sleep(0.1)
            now = len(self.sent_to(wa_id))
            if now != seen:
                seen, since = now, time.time()
            elif time.time() - since >= quiet:
                break
        return self.sent_to(wa_id)
