"""Starts the real action server and Rasa server (end-to-end tests, benchmark, evaluation), on free
loopback ports, with the latest trained model."""
from __future__ import annotations

import glob
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# endpoints.yml references these; defaults: SQLite in the test's own folder, in-memory locks.
STORE_DEFAULTS = {"DB_URL": "", "DB_DIALECT": "sqlite", "DB_HOST": "", "DB_PORT": "",
                  "DB_USER": "", "DB_PASSWORD": "", "REDIS_URL": ""}
# credentials.yml references these; empty means the WhatsApp channel is not configured.
WHATSAPP_VARIABLES = ("WHATSAPP_VERIFY_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_ACCESS_TOKEN",
                      "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_API_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def latest_model() -> str:
    models = sorted(glob.glob(str(ROOT / "models" / "*.tar.gz")), key=os.path.getmtime)
    if not models:
        raise RuntimeError("no trained model; run make train")
    return models[-1]


def _wait(url: str, proc: subprocess.Popen, what: str, timeout: float = 240) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not start within {timeout} s")


class Assistant:
    """The action server and the Rasa server as separate processes."""

    def __init__(self, workdir: Path, endpoints: str = "endpoints.yml",
                 credentials: str = "credentials.yml", env: dict | None = None,
                 enable_api: bool = False, extra_args: list[str] | None = None):
        self.workdir = workdir
        self.endpoints = endpoints
        self.credentials = credentials
        self.rasa_port = free_port()
        self.actions_port = free_port()
        self.env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            "SAFETY_EVENTS_FILE": str(workdir / "safety_events.jsonl"),
            **{k: os.environ.get(k, "") for k in WHATSAPP_VARIABLES},
            **STORE_DEFAULTS,
            "DB_NAME": str(workdir / "conversations.db"),
            **(env or {}),
        }
        self.enable_api = enable_api
        self.extra_args = extra_args or []
        self.actions: subprocess.Popen | None = None
        self.rasa: subprocess.Popen | None = None
        self.started_in: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _log(self, name: str):
        return open(self.workdir / f"{name}.log", "ab")

    def start_actions(self) -> None:
        # rasa_sdk itself, not `rasa run actions`: the rasa CLI imports TensorFlow
        # (~700 MB) that the actions never use (docs/benchmark.md, "Memory").
        self.actions = subprocess.Popen(
            [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
             "--port", str(self.actions_port)],
            cwd=ROOT, env=self.env, stdout=self._log("actions"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait(f"http://127.0.0.1:{self.actions_port}/health", self.actions, "action server")

    def start_rasa(self) -> None:
        t0 = time.time()
        cmd = [str(BIN / "rasa"), "run", "--model", latest_model(), "--endpoints", self.endpoints,
               "--credentials", self.credentials, "--port", str(self.rasa_port),
               "-i", "127.0.0.1", *self.extra_args]
        if self.enable_api:
            cmd.append("--enable-api")
        self.rasa = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=self._log("rasa"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait(f"{self.url}/", self.rasa, "Rasa server")
        self.started_in = time.time() - t0

    def start(self) -> "Assistant":
        self.start_actions()
        self.start_rasa()
        return self

    @staticmethod
    def _stop(proc: subprocess.Popen | None) -> None:
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def stop_actions(self) -> None:
        self._stop(self.actions)

    def stop_rasa(self) -> None:
        self._stop(self.rasa)

    def stop(self) -> None:
        self.stop_rasa()
        self.stop_actions()

    def say(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        r = requests.post(f"{self.url}/webhooks/rest/webhook",
                          json={"sender": sender, "message": message}, timeout=timeout)
        r.raise_for_status()
        return r.json()


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)
