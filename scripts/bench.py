#!/usr/bin/env python
"""Load benchmark: the assistant against a stock ``rasa init`` bot, same run, same load.

    .venv/bin/python scripts/bench.py                      # what `make bench` runs
    .venv/bin/python scripts/bench.py --duration 20 --users 10
    .venv/bin/python scripts/bench.py --no-stock           # the assistant only
    .venv/bin/python scripts/bench.py --url http://127.0.0.1:5005 \\
        --actions-url http://127.0.0.1:5055                # a running assistant (loopback only)
    .venv/bin/python scripts/bench.py --scale-out          # 1 vs 2 Rasa processes on
                                                           # PostgreSQL + Redis (make bench-scale)

One run (docs/benchmark.md):

1. The stock bot: ``rasa init --no-prompt`` with this venv's Rasa, its own trained model,
   default in-memory stores; built once into ``~/.cache/patient-assistant-bench/``
   (``BENCH_STOCK_DIR``), never in the repository, and reused.
2. The assistant (action server and ``rasa run``, latest model in models/, SQLite in a
   temporary folder, in-memory locks; qa/launcher.py): time to start, the first reply
   after start against the median of the next 20, a 200-turn conversation of one patient
   (median reply of its last 50 turns against its first 50), then Locust at N = 10 and 50
   concurrent patients (bench/locustfile.py ``Patient``: short Dutch conversations, 0.5 s
   pause after every answer).
3. The stock bot, started the same way and loaded the same way (``StockPatient``: the same
   number of turns and pauses, its own English messages).

Printed: p50/p95/p99 (exact, from every request), requests/s, errors, the p95 ratio
assistant/stock per N, the peak RSS of every server process (sampled every 0.5 s from
start to stop), and whether the targets are met: p95 <= 1.0x stock at N = 10 and 50 with
no errors; 200-turn ratio <= 1.3; first reply <= 1.5x the median; action server <= 250 MB;
both assistant processes together <= the stock bot's process.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import ipaddress
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence
from urllib.parse import urlparse

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa.launcher import Assistant, free_port, latest_model  # noqa: E402

LOCUSTFILE = ROOT / "bench" / "locustfile.py"
BIN = Path(sys.executable).parent
LOCUST = BIN / "locust"
SAMPLE_EVERY = 0.5
MAX_DURATION = 600
MAX_USERS = 200
TARGET_RATIO = 1.0          # assistant p95 / stock p95, at every N
TARGET_LONG_RATIO = 1.3     # 200-turn conversation: median last 50 / first 50
TARGET_FIRST_RATIO = 1.5    # first reply after start / median of the next 20
TARGET_ACTIONS_MB = 250
DEFAULT_PG_URL = "postgresql://rasa:rasa@127.0.0.1:55432/rasa"   # scripts/services.sh
DEFAULT_REDIS_URL = "redis://127.0.0.1:56379/1"

# First messages after start-up (each a new patient), for the first-reply figure.
FIRST_MESSAGES = (
    "Hallo",
    "Mag ik na de facetinfiltratie zelf naar huis rijden?",
    "Hoe lang duurt een triggerpoint injectie?",
    "ik heb koorts sinds de infiltratie",
    "Wat voor weer wordt het morgen?",
    "Doet dry needling pijn?",
    "Dank je wel!",
)
STOCK_FIRST_MESSAGES = ("hello", "I am feeling great", "are you a bot?", "I am sad", "bye")
# One patient's long conversation: questions, follow-ups, switches, thanks, a contact.
LONG_CONVERSATION = (
    "Ik heb volgende week een facetinfiltratie",
    "Hoe lang duurt het?",
    "Doet het pijn?",
    "Mag ik daarna autorijden?",
    "en bij dry needling?",
    "Wat moet ik thuis doen?",
    "Dank je wel!",
    "Hoe snel merk ik iets van de facetinfiltratie?",
    "Wie moet ik bellen?",
    "Wat kun je allemaal?",
)


# --------------------------------------------------------------------------- helpers


@dataclass
class Result:
    bot: str
    users: int
    duration: float
    requests: int = 0
    errors: int = 0
    rps: float = 0.0
    p50: float = float("nan")
    p95: float = float("nan")
    p99: float = float("nan")
    cpu_other_pct: float = float("nan")
    failures: Dict[str, int] = field(default_factory=dict)


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listening_pid(url: Optional[str]) -> Optional[int]:
    """The process listening on the URL's port (for the memory samples)."""
    if not url:
        return None
    port = urlparse(url).port
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
                return conn.pid
    except (psutil.AccessDenied, PermissionError):
        return None
    return None


def tree(pid: int) -> List[psutil.Process]:
    try:
        proc = psutil.Process(pid)
        return [proc] + proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def percentile(sorted_values: List[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-q * len(sorted_values) // 100)))  # ceil
    return sorted_values[min(rank, len(sorted_values)) - 1]


def fmt(value: float, digits: int = 0) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}"


def say(url: str, sender: str, message: str, timeout: float = 60) -> float:
    """Send one message over REST; the reply's latency in ms (raises on a bad answer)."""
    t0 = time.perf_counter()
    r = requests.post(f"{url}/webhooks/rest/webhook",
                      json={"sender": sender, "message": message}, timeout=timeout)
    ms = (time.perf_counter() - t0) * 1000
    r.raise_for_status()
    if not any((m.get("text") or "").strip() for m in r.json()):
        raise RuntimeError(f"no answer to {message!r}")
    return ms


class Memory(threading.Thread):
    """Peak RSS (MB) of each watched process tree, from its start to stop().

    ``watched``: name -> a function giving the process id (None until it is started)."""

    def __init__(self, watched: Dict[str, Callable[[], Optional[int]]]) -> None:
        super().__init__(daemon=True)
        self.watched = watched
        self.peak: Dict[str, float] = {name: 0.0 for name in watched}
        self._halt = threading.Event()

    def pids(self) -> List[int]:
        return [pid for pid in (get() for get in self.watched.values()) if pid]

    def sample(self) -> None:
        for name, get in self.watched.items():
            pid = get()
            if not pid:
                continue
            rss = 0
            for p in tree(pid):
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak[name] = max(self.peak[name], rss / 2**20)

    def run(self) -> None:
        while not self._halt.wait(SAMPLE_EVERY):
            self.sample()

    def stop(self) -> Dict[str, float]:
        self._halt.set()
        self.join(timeout=5)
        self.sample()
        return {name: mb for name, mb in self.peak.items() if mb}


class OtherCpu(threading.Thread):
    """Average CPU use of every process that is not ours (the noise), % of all cores."""

    def __init__(self, own: List[int]) -> None:
        super().__init__(daemon=True)
        self.own = own
        self.samples: List[float] = []
        self._halt = threading.Event()

    def _ours(self) -> float:
        seconds = 0.0
        for pid in self.own:
            for p in tree(pid):
                try:
                    t = p.cpu_times()
                    seconds += t.user + t.system
                except psutil.Error:
                    pass
        return seconds

    def run(self) -> None:
        ncpu = psutil.cpu_count() or 1
        last_total, last_ours = psutil.cpu_times(), self._ours()
        while not self._halt.wait(SAMPLE_EVERY):
            total, ours = psutil.cpu_times(), self._ours()
            busy = (total.user + total.system) - (last_total.user + last_total.system)
            self.samples.append(max(0.0, busy - max(0.0, ours - last_ours))
                                / (SAMPLE_EVERY * ncpu) * 100)
            last_total, last_ours = total, ours

    def stop(self) -> float:
        self._halt.set()
        self.join(timeout=5)
        return statistics.mean(self.samples) if self.samples else 0.0


# --------------------------------------------------------------------------- stock bot


def rasa_version() -> str:
    return importlib.metadata.version("rasa")


def stock_dir() -> Path:
    default = Path.home() / ".cache" / "patient-assistant-bench" / f"stock-rasa-{rasa_version()}"
    path = Path(os.environ.get("BENCH_STOCK_DIR") or default).resolve()
    if path == ROOT or ROOT in path.parents:
        raise SystemExit(f"BENCH_STOCK_DIR must be outside the repository: {path}")
    return path


def clean_env() -> Dict[str, str]:
    """The stock bot's environment: nothing of the project (no PYTHONPATH, no stores)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "ACTION_ENDPOINT_URL", "DB_URL", "REDIS_URL")}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    return env


def build_stock_bot() -> Path:
    """``rasa init --no-prompt`` once (a few minutes: it trains); then reused."""
    target = stock_dir()
    if list((target / "models").glob("*.tar.gz")):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="building-", dir=target.parent))
    print(f"building the stock bot once: rasa init --no-prompt in {target} "
          "(it trains its model; a few minutes) ...", flush=True)
    t0 = time.monotonic()
    with open(work.parent / "build.log", "wb") as log:
        proc = subprocess.run([str(BIN / "rasa"), "init", "--no-prompt"], cwd=work,
                              env=clean_env(), stdout=log, stderr=subprocess.STDOUT,
                              timeout=3600)
    if proc.returncode != 0 or not list((work / "models").glob("*.tar.gz")):
        raise RuntimeError(f"rasa init failed; see {work.parent / 'build.log'}")
    if target.exists():
        shutil.rmtree(target)
    work.rename(target)
    print(f"  built in {time.monotonic() - t0:.0f} s", flush=True)
    return target


class StockBot:
    """The stock bot's one process: ``rasa run`` in its own folder."""

    def __init__(self, folder: Path, workdir: Path) -> None:
        self.folder = folder
        self.workdir = workdir
        self.port = free_port()
        self.proc: Optional[subprocess.Popen] = None
        self.started_in = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "StockBot":
        model = sorted((self.folder / "models").glob("*.tar.gz"), key=os.path.getmtime)[-1]
        t0 = time.time()
        self.proc = subprocess.Popen(
            [str(BIN / "rasa"), "run", "--model", str(model), "--endpoints", "endpoints.yml",
             "--credentials", "credentials.yml", "--port", str(self.port), "-i", "127.0.0.1"],
            cwd=self.folder, env=clean_env(), stdout=open(self.workdir / "stock.log", "ab"),
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 600
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the stock bot exited; see {self.workdir / 'stock.log'}")
            try:
                if requests.get(f"{self.url}/", timeout=2).status_code < 500:
                    self.started_in = time.time() - t0
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("the stock bot did not start within 600 s")

    def stop(self) -> None:
        Assistant._stop(self.proc)


# --------------------------------------------------------------------------- measurements


def first_reply(url: str, messages: Sequence[str], prefix: str, following: int = 20) -> dict:
    """The first reply after start-up against the median of the next ones (new patients)."""
    latencies = [say(url, f"{prefix}-first-{i}", messages[i % len(messages)])
                 for i in range(following + 1)]
    median = statistics.median(latencies[1:])
    return {"first": latencies[0], "median": median, "ratio": latencies[0] / median}


def long_conversation(url: str, turns: int, prefix: str) -> dict:
    """One patient, ``turns`` messages in a row: the median of the last 50 against the
    first 50 (or the first and last quarter when shorter)."""
    sender = f"{prefix}-long"
    latencies = [say(url, sender, LONG_CONVERSATION[i % len(LONG_CONVERSATION)])
                 for i in range(turns)]
    k = min(50, max(1, turns // 4))
    first, last = statistics.median(latencies[:k]), statistics.median(latencies[-k:])
    return {"turns": turns, "window": k, "first": first, "last": last, "ratio": last / first}


def run_locust(bot: str, url: str, user_class: str, users: int, duration: int,
               workdir: Path, own: List[int], run_id: str,
               hosts: Sequence[str] = ()) -> Result:
    tag = f"{bot}_{users}" + (f"_{len(hosts)}p" if hosts else "")
    samples_file = workdir / f"samples_{tag}.jsonl"
    env = {**os.environ, "BENCH_RUN_ID": f"{run_id}-{tag}", "BENCH_SAMPLES": str(samples_file),
           "BENCH_HOSTS": ",".join(hosts)}
    cmd = [str(LOCUST), "-f", str(LOCUSTFILE), user_class, "--headless", "--host", url,
           "-u", str(users), "-r", str(users), "-t", f"{duration}s",
           "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
           "--csv", str(workdir / f"locust_{tag}")]
    log = open(workdir / f"locust_{tag}.log", "wb")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    other = OtherCpu(own=[os.getpid(), proc.pid, *own])
    other.start()
    try:
        proc.wait(timeout=duration + 120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        raise RuntimeError(f"locust did not stop ({tag}); see {log.name}")
    finally:
        cpu_other = other.stop()
        log.close()
    if time.monotonic() - t0 > duration + 60:
        print(f"  note: the run took {time.monotonic() - t0:.0f} s for {duration} s of load")
    if not samples_file.exists():
        raise RuntimeError(f"locust wrote no samples ({tag}); see {log.name}")

    samples = [json.loads(line) for line in samples_file.read_text().splitlines() if line]
    latencies = sorted(s["ms"] for s in samples)
    result = Result(bot=bot, users=users, duration=duration, requests=len(samples),
                    errors=sum(1 for s in samples if not s["ok"]),
                    rps=len(samples) / duration, cpu_other_pct=cpu_other)
    result.p50, result.p95, result.p99 = (percentile(latencies, q) for q in (50, 95, 99))
    failures_csv = workdir / f"locust_{tag}_failures.csv"
    if failures_csv.exists():
        import csv

        with open(failures_csv, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                key = f"{row.get('Name')}: {row.get('Error')}"
                result.failures[key] = int(row.get("Occurrences") or 0)
    return result


def print_result(r: Result) -> None:
    print(f"  N = {r.users:>3}: {r.rps:5.1f} req/s ({r.requests} requests)  p50 {fmt(r.p50)} ms"
          f"  p95 {fmt(r.p95)} ms  p99 {fmt(r.p99)} ms  errors {r.errors}"
          f"  (other processes {fmt(r.cpu_other_pct)} % CPU)", flush=True)
    for key, count in sorted(r.failures.items()):
        print(f"    failure x{count}: {key}")


def load_levels(bot: str, url: str, user_class: str, args: argparse.Namespace, workdir: Path,
                own: List[int], run_id: str) -> List[Result]:
    results = []
    for users in args.user_counts:
        r = run_locust(bot, url, user_class, users, args.duration, workdir, own, run_id)
        print_result(r)
        results.append(r)
    return results


# --------------------------------------------------------------------------- report


def report(ours: List[Result], stock: List[Result], memory: Dict[str, float],
           long: Optional[dict], firsts: Dict[str, dict], starts: Dict[str, float]) -> int:
    """The summary table and the targets; the number of targets not met."""
    print("\n| patients | bot | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
          "| p95 ours/stock |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    stock_by_n = {r.users: r for r in stock}
    for r in ours:
        s = stock_by_n.get(r.users)
        ratio = r.p95 / s.p95 if s and s.p95 else float("nan")
        print(f"| {r.users} | assistant | {r.requests} | {fmt(r.rps, 1)} | {fmt(r.p50)} "
              f"| {fmt(r.p95)} | {fmt(r.p99)} | {r.errors} | **{fmt(ratio, 2)}x** |")
        if s:
            print(f"| {s.users} | stock rasa init | {s.requests} | {fmt(s.rps, 1)} "
                  f"| {fmt(s.p50)} | {fmt(s.p95)} | {fmt(s.p99)} | {s.errors} | |")
    print()
    for name, seconds in starts.items():
        first = firsts.get(name)
        extra = (f"; first reply {fmt(first['first'])} ms, median of the next 20 "
                 f"{fmt(first['median'])} ms ({fmt(first['ratio'], 2)}x)") if first else ""
        print(f"{name}: started in {seconds:.1f} s{extra}")
    if long:
        print(f"assistant, one patient, {long['turns']} turns: median reply turns "
              f"1-{long['window']} {fmt(long['first'])} ms, turns "
              f"{long['turns'] - long['window'] + 1}-{long['turns']} {fmt(long['last'])} ms "
              f"({fmt(long['ratio'], 2)}x)")
    ours_mb = {k: v for k, v in memory.items() if k.startswith("assistant")}
    if memory:
        print("peak RSS: " + ", ".join(f"{k} {v:.0f} MB" for k, v in memory.items())
              + (f"; assistant together {sum(ours_mb.values()):.0f} MB" if ours_mb else ""))

    print("\nTargets:")
    missed = 0

    def target(ok: bool, text: str) -> None:
        nonlocal missed
        missed += 0 if ok else 1
        print(f"  {'MET    ' if ok else 'NOT MET'}  {text}")

    for r in ours:
        s = stock_by_n.get(r.users)
        if s:
            ratio = r.p95 / s.p95
            target(ratio <= TARGET_RATIO and r.errors == 0 and s.errors == 0,
                   f"N={r.users}: p95 {fmt(r.p95)} ms = {ratio:.2f}x stock {fmt(s.p95)} ms "
                   f"(<= {TARGET_RATIO}x), errors {r.errors} / stock {s.errors} (0)")
        else:
            target(r.errors == 0, f"N={r.users}: errors {r.errors} (0)")
    if long:
        target(long["ratio"] <= TARGET_LONG_RATIO,
               f"{long['turns']}-turn conversation: last/first {long['ratio']:.2f}x "
               f"(<= {TARGET_LONG_RATIO}x)")
    if "assistant" in firsts:
        f = firsts["assistant"]
        target(f["ratio"] <= TARGET_FIRST_RATIO,
               f"first reply after start {fmt(f['first'])} ms = {f['ratio']:.2f}x the median "
               f"(<= {TARGET_FIRST_RATIO}x)")
    if "assistant actions" in memory:
        target(memory["assistant actions"] <= TARGET_ACTIONS_MB,
               f"action server {memory['assistant actions']:.0f} MB (<= {TARGET_ACTIONS_MB} MB)")
    if ours_mb and "stock rasa" in memory:
        together = sum(ours_mb.values())
        target(together <= memory["stock rasa"],
               f"assistant's processes together {together:.0f} MB <= stock bot "
               f"{memory['stock rasa']:.0f} MB")
    return missed


# --------------------------------------------------------------------------- modes


def bench(args: argparse.Namespace, workdir: Path) -> int:
    run_id = time.strftime("%H%M%S")
    print(f"machine: {psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB;"
          f" load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; Rasa {rasa_version()},"
          f" Locust {importlib.metadata.version('locust')}; {args.duration} s per N,"
          f" N = {', '.join(map(str, args.user_counts))}; pause {args.wait} s", flush=True)
    stock_folder = None if args.no_stock else build_stock_bot()

    memory: Dict[str, float] = {}
    firsts: Dict[str, dict] = {}
    starts: Dict[str, float] = {}
    long = None

    # -- the assistant
    assistant: Optional[Assistant] = None
    mem: Optional[Memory] = None
    try:
        if args.url:
            url = args.url.rstrip("/")
            rasa_pid, actions_pid = listening_pid(url), listening_pid(args.actions_url)
            mem = Memory({"assistant rasa": lambda: rasa_pid,
                          "assistant actions": lambda: actions_pid})
            mem.start()
            print(f"\nassistant: the running server at {url}", flush=True)
        else:
            print(f"\nassistant: model {Path(latest_model()).name}; starting the action "
                  "server and rasa run ...", flush=True)
            assistant = Assistant(workdir)
            mem = Memory({
                "assistant rasa": lambda: assistant.rasa.pid if assistant.rasa else None,
                "assistant actions": lambda: assistant.actions.pid if assistant.actions else None,
            })
            mem.start()
            assistant.start()
            url = assistant.url
            starts["assistant"] = assistant.started_in
            firsts["assistant"] = first_reply(url, FIRST_MESSAGES, f"bench-{run_id}")
            f = firsts["assistant"]
            print(f"  started in {assistant.started_in:.1f} s; first reply {fmt(f['first'])} ms,"
                  f" median of the next 20 {fmt(f['median'])} ms", flush=True)
        if args.turns:
            long = long_conversation(url, args.turns, f"bench-{run_id}")
            print(f"  one patient, {args.turns} turns: median turns 1-{long['window']} "
                  f"{fmt(long['first'])} ms, last {long['window']} {fmt(long['last'])} ms "
                  f"({long['ratio']:.2f}x)", flush=True)
        ours = load_levels("assistant", url, "Patient", args, workdir, mem.pids(), run_id)
    finally:
        if mem:
            memory.update(mem.stop())
        if assistant:
            assistant.stop()

    # -- the stock bot, same load
    stock: List[Result] = []
    if stock_folder:
        print(f"\nstock rasa init bot ({stock_folder}): starting rasa run ...", flush=True)
        bot = StockBot(stock_folder, workdir)
        mem = Memory({"stock rasa": lambda: bot.proc.pid if bot.proc else None})
        mem.start()
        try:
            bot.start()
            starts["stock"] = bot.started_in
            firsts["stock"] = first_reply(bot.url, STOCK_FIRST_MESSAGES, f"stock-{run_id}")
            f = firsts["stock"]
            print(f"  started in {bot.started_in:.1f} s; first reply {fmt(f['first'])} ms,"
                  f" median of the next 20 {fmt(f['median'])} ms", flush=True)
            stock = load_levels("stock", bot.url, "StockPatient", args, workdir,
                                mem.pids(), run_id)
        finally:
            memory.update(mem.stop())
            bot.stop()

    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return report(ours, stock, memory, long, firsts, starts)


def scale_out(args: argparse.Namespace, workdir: Path) -> int:
    """1 and 2 Rasa processes on one PostgreSQL and one Redis, one shared action server."""
    db_url = os.environ.get("BENCH_DB_URL", DEFAULT_PG_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    try:
        import redis
        import sqlalchemy as sa

        redis.Redis.from_url(redis_url, socket_timeout=3).ping()
        engine = sa.create_engine(db_url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001
        print(f"PostgreSQL/Redis not reachable ({type(error).__name__}); run "
              "scripts/services.sh start", file=sys.stderr)
        return 2
    run_id = time.strftime("%H%M%S")
    print(f"machine: {psutil.cpu_count()} CPUs; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; PostgreSQL + Redis locks; "
          f"{args.duration} s per run; pause {args.wait} s", flush=True)
    env = {"DB_URL": db_url, "REDIS_URL": redis_url}
    servers: List[Assistant] = []
    results: Dict[int, List[Result]] = {}
    try:
        first = Assistant(workdir / "a", env=env)
        (workdir / "a").mkdir()
        first.start_actions()
        first.start_rasa()
        servers.append(first)
        for processes in (1, 2):
            if processes == 2:
                (workdir / "b").mkdir()
                second = Assistant(workdir / "b", env={
                    **env, "ACTION_ENDPOINT_URL": first.env["ACTION_ENDPOINT_URL"]})
                second.start_rasa()
                servers.append(second)
            hosts = [s.url for s in servers]
            for s in servers:  # warm the store's connections of each process
                say(s.url, f"scale-{run_id}-warm-{s.rasa_port}", "Hallo")
            print(f"\n{processes} Rasa process(es): {', '.join(hosts)}", flush=True)
            own = [first.actions.pid] + [s.rasa.pid for s in servers]
            results[processes] = []
            for users in args.user_counts:
                r = run_locust(f"scale{processes}", hosts[0], "Patient", users, args.duration,
                               workdir, own, run_id, hosts=hosts)
                print_result(r)
                results[processes].append(r)
    finally:
        for s in reversed(servers):
            s.stop_rasa()
        if servers:
            servers[0].stop_actions()
    print("\n| patients | Rasa processes | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for processes, rs in results.items():
        for r in rs:
            print(f"| {r.users} | {processes} | {r.requests} | {fmt(r.rps, 1)} | {fmt(r.p50)} "
                  f"| {fmt(r.p95)} | {fmt(r.p99)} | {r.errors} |")
    if 1 in results and 2 in results:
        for one, two in zip(results[1], results[2]):
            print(f"N={one.users}: throughput x{two.rps / one.rps:.2f}, "
                  f"p95 {fmt(one.p95)} -> {fmt(two.p95)} ms")
    return 0


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running assistant (loopback only); default: start one")
    parser.add_argument("--actions-url", help="its action server, only for the memory figure")
    parser.add_argument("--duration", type=int, default=40,
                        help="seconds of load per N and bot (default 40)")
    parser.add_argument("--users", default="10,50",
                        help="comma-separated numbers of concurrent patients (default 10,50)")
    parser.add_argument("--wait", type=float, default=0.5,
                        help="pause of a patient after each answer, seconds (default 0.5)")
    parser.add_argument("--turns", type=int, default=200,
                        help="length of the one-patient conversation (0: skip; default 200)")
    parser.add_argument("--no-stock", action="store_true", help="skip the stock bot")
    parser.add_argument("--scale-out", action="store_true",
                        help="1 vs 2 Rasa processes on PostgreSQL + Redis (default N = 50)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work folder (Locust CSVs and logs, server logs)")
    args = parser.parse_args(argv)
    if args.scale_out and "--users" not in (argv if argv is not None else sys.argv):
        args.users = "50"
    args.user_counts = [int(u) for u in args.users.split(",") if u.strip()]
    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration must be 1..{MAX_DURATION}")
    if not args.user_counts or not all(1 <= u <= MAX_USERS for u in args.user_counts):
        parser.error(f"--users must be numbers 1..{MAX_USERS}")
    if not 0 <= args.wait <= 60 or not 0 <= args.turns <= 1000:
        parser.error("--wait must be 0..60 s and --turns 0..1000")
    for url in (args.url, args.actions_url):
        if url and not is_loopback(url):
            parser.error(f"only loopback servers may be benchmarked: {url}")
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if not LOCUST.exists():
        print("locust is not installed in this venv (requirements-dev.lock): make install",
              file=sys.stderr)
        return 2
    os.environ["BENCH_WAIT"] = str(args.wait)
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        if args.scale_out:
            return scale_out(args, workdir)
        bench(args, workdir)  # targets not met are reported, not an error: a measurement
        return 0
    finally:
        if args.keep:
            print(f"work folder: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
