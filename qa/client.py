"""A patient over Rasa's REST channel: send a message (or tap a button), get the replies."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import requests


@dataclass
class Reply:
    texts: list[str] = field(default_factory=list)
    buttons: list[dict] = field(default_factory=list)
    status: int = 200
    error: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


class RestPatient:
    """One conversation (one sender id) with the assistant at `base_url`."""

    def __init__(self, base_url: str, sender: str | None = None, timeout: float = 60,
                 session: requests.Session | None = None):
        self.url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self.sender = sender or f"qa-{uuid.uuid4().hex[:12]}"
        self.timeout = timeout
        self.session = session or requests.Session()
        self.last: Reply = Reply()

    def say(self, message: str) -> Reply:
        try:
            r = self.session.post(self.url, json={"sender": self.sender, "message": message},
                                  timeout=self.timeout)
        except requests.RequestException as e:
            self.last = Reply(status=0, error=type(e).__name__)
            return self.last
        if r.status_code != 200:
            self.last = Reply(status=r.status_code, error=r.text[:200])
            return self.last
        reply = Reply()
        for item in r.json() or []:
            if item.get("text"):
                reply.texts.append(item["text"])
            reply.buttons.extend(item.get("buttons") or [])
        self.last = reply
        return reply

    def tap(self, label: str) -> Reply:
        """Tap the button of the previous reply whose title contains `label`."""
        wanted = label.lower()
        for b in self.last.buttons:
            if wanted in (b.get("title") or "").lower():
                return self.say(b.get("payload") or b.get("title"))
        self.last = Reply(status=0, error=f"no button {label!r} in the previous reply")
        return self.last
