#!/usr/bin/env python
"""Load benchmark: simulated patients (bench/locustfile.py) against the REST webhook.

    .venv/bin/python scripts/bench.py                      # starts the assistant itself
    .venv/bin/python scripts/bench.py --duration 30        # shorter runs
    .venv/bin/python scripts/bench.py --url http://127.0.0.1:5005 \\
        --actions-url http://127.0.0.1:5055                # a running assistant (loopback only)

For N = 1, 10 and 50 concurrent patients (``--users``) Locust runs headless for a fixed
time (``--duration``, default 60 s) and this script prints, per N: requests/s, p50/p95/p99
latency in ms (exact, from every request), error count and the peak RSS memory (MB, the
process and its children, sampled every 0.5 s) of the Rasa server and the action server,
and the average CPU use of other processes on the machine (to judge the noise).
At the end: a Markdown table and whether the targets are met:
N = 10: p95 <= 250 ms and no errors; N = 50: no errors.

Without ``--url`` the action server and ``rasa run`` are started on free loopback ports with
the latest model in models/ (qa/launcher.py) and a fresh SQLite conversation
store in a temporary folder, then stopped. Before the first run a few warm-up messages
load the lazy parts (spaCy, the triage code), so N = 1 does not measure the cold start.
"""
from __future__ import annotations

import argparse
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
from typing import Dict, List, Optional
from urllib.parse import urlparse

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa.launcher import Assistant, latest_model  # noqa: E402

LOCUSTFILE = ROOT / "bench" / "locustfile.py"
LOCUST = Path(sys.executable).parent / "locust"
SAMPLE_EVERY = 0.5
MAX_DURATION = 600
MAX_USERS = 200
TARGET_P95_MS_AT_10 = 250
WARM_UP = (
    "Hallo",
    "Mag ik na de facetinfiltratie zelf naar huis rijden?",
    "en bij dry needling?",
    "ik heb koorts sinds de infiltratie",
    "Wat voor weer wordt het morgen?",
)


@dataclass
class Result:
    users: int
    duration: float
    requests: int = 0
    errors: int = 0
    rps: float = 0.0
    p50: float = float("nan")
    p95: float = float("nan")
    p99: float = float("nan")
    peak_rss_mb: Dict[str, float] = field(default_factory=dict)
    cpu_other_pct: float = float("nan")
    failures: Dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers


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


class Sampler(threading.Thread):
    """Peak RSS of each watched process tree and the CPU use of everything else."""

    def __init__(self, watched: Dict[str, int], own: List[int]) -> None:
        super().__init__(daemon=True)
        self.watched = watched
        self.own = own  # this script, Locust and the servers: not "other"
        self.peak: Dict[str, float] = {name: 0.0 for name in watched}
        self.other_cpu: List[float] = []
        self._halt = threading.Event()

    def _our_pids(self) -> set:
        pids = set()
        for pid in list(self.watched.values()) + self.own:
            pids |= {p.pid for p in tree(pid)}
        return pids

    def run(self) -> None:
        ncpu = psutil.cpu_count() or 1
        last_total = psutil.cpu_times()
        last_ours = self._cpu_seconds(self._our_pids())
        while not self._halt.wait(SAMPLE_EVERY):
            for name, pid in self.watched.items():
                rss = 0
                for p in tree(pid):
                    try:
                        rss += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak[name] = max(self.peak[name], rss / 2**20)
            total = psutil.cpu_times()
            ours = self._cpu_seconds(self._our_pids())
            busy = ((total.user + total.system) - (last_total.user + last_total.system))
            our_busy = max(0.0, ours - last_ours)
            self.other_cpu.append(max(0.0, busy - our_busy) / (SAMPLE_EVERY * ncpu) * 100)
            last_total, last_ours = total, ours

    @staticmethod
    def _cpu_seconds(pids: set) -> float:
        seconds = 0.0
        for pid in pids:
            try:
                t = psutil.Process(pid).cpu_times()
                seconds += t.user + t.system
            except psutil.Error:
                pass
        return seconds

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


def warm_up(url: str) -> None:
    for i, message in enumerate(WARM_UP):
        r = requests.post(f"{url}/webhooks/rest/webhook",
                          json={"sender": f"bench-warm-up-{i}", "message": message}, timeout=180)
        r.raise_for_status()


# --------------------------------------------------------------------------- one run


def run_locust(url: str, users: int, duration: int, workdir: Path, watched: Dict[str, int],
               run_id: str) -> Result:
    samples_file = workdir / f"samples_{users}.jsonl"
    env = {**os.environ, "BENCH_RUN_ID": f"{run_id}-u{users}",
           "BENCH_SAMPLES": str(samples_file)}
    cmd = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", url,
           "-u", str(users), "-r", str(users), "-t", f"{duration}s",
           "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
           "--csv", str(workdir / f"locust_{users}")]
    log = open(workdir / f"locust_{users}.log", "wb")
    sampler = Sampler(watched, own=[os.getpid()])
    sampler.start()
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    sampler.own.append(proc.pid)
    try:
        proc.wait(timeout=duration + 120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        raise RuntimeError(f"locust did not stop (N={users}); see {log.name}")
    finally:
        sampler.stop()
        log.close()
    elapsed = time.monotonic() - t0
    if not samples_file.exists():
        raise RuntimeError(f"locust wrote no samples (N={users}); see {log.name}")

    result = Result(users=users, duration=duration)
    samples = [json.loads(line) for line in samples_file.read_text().splitlines() if line]
    latencies = sorted(s["ms"] for s in samples)
    result.requests = len(samples)
    result.errors = sum(1 for s in samples if not s["ok"])
    result.rps = result.requests / duration
    result.p50, result.p95, result.p99 = (percentile(latencies, q) for q in (50, 95, 99))
    result.peak_rss_mb = dict(sampler.peak)
    result.cpu_other_pct = statistics.mean(sampler.other_cpu) if sampler.other_cpu else 0.0
    failures_csv = workdir / f"locust_{users}_failures.csv"
    if failures_csv.exists():
        import csv

        with open(failures_csv, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                key = f"{row.get('Name')}: {row.get('Error')}"
                result.failures[key] = int(row.get("Occurrences") or 0)
    if elapsed > duration + 60:
        print(f"  note: the run took {elapsed:.0f} s for {duration} s of load")
    return result


# --------------------------------------------------------------------------- output


def fmt(value: float, digits: int = 0) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}"


def table(results: List[Result]) -> str:
    lines = [
        "| patients (N) | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| Rasa peak RSS MB | actions peak RSS MB | other CPU % |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.users} | {r.requests} | {fmt(r.rps, 1)} | {fmt(r.p50)} | {fmt(r.p95)} "
            f"| {fmt(r.p99)} | {r.errors} | {fmt(r.peak_rss_mb.get('rasa', float('nan')))} "
            f"| {fmt(r.peak_rss_mb.get('actions', float('nan')))} | {fmt(r.cpu_other_pct)} |"
        )
    return "\n".join(lines)


def targets(results: List[Result]) -> List[str]:
    by_n = {r.users: r for r in results}
    out = []
    if 10 in by_n:
        r = by_n[10]
        ok = r.p95 <= TARGET_P95_MS_AT_10 and r.errors == 0
        out.append(f"N=10: p95 {fmt(r.p95)} ms (target <= {TARGET_P95_MS_AT_10}), "
                   f"{r.errors} errors (target 0): {'MET' if ok else 'NOT MET'}")
    if 50 in by_n:
        r = by_n[50]
        out.append(f"N=50: {r.errors} errors (target 0): {'MET' if r.errors == 0 else 'NOT MET'}")
    return out


# --------------------------------------------------------------------------- main


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running Rasa server (loopback only); "
                                      "default: start one")
    parser.add_argument("--actions-url", help="the running action server, only for its "
                                              "memory (with --url)")
    parser.add_argument("--duration", type=int, default=60,
                        help="seconds of load per N (default 60)")
    parser.add_argument("--users", default="1,10,50",
                        help="comma-separated numbers of concurrent patients (default 1,10,50)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the work folder (Locust CSVs and logs, server logs)")
    args = parser.parse_args(argv)
    args.user_counts = [int(u) for u in args.users.split(",") if u.strip()]
    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration must be 1..{MAX_DURATION}")
    if not args.user_counts or not all(1 <= u <= MAX_USERS for u in args.user_counts):
        parser.error(f"--users must be numbers 1..{MAX_USERS}")
    for url in (args.url, args.actions_url):
        if url and not is_loopback(url):
            parser.error(f"only loopback servers may be benchmarked: {url}")
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if not LOCUST.exists():
        print("locust is not installed in this venv: .venv/bin/pip install locust==2.35.0",
              file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    assistant: Optional[Assistant] = None
    results: List[Result] = []
    try:
        if args.url:
            url = args.url.rstrip("/")
            watched = {name: pid for name, pid in
                       (("rasa", listening_pid(url)), ("actions", listening_pid(args.actions_url)))
                       if pid}
            model = "(running server)"
        else:
            model = Path(latest_model()).name
            print(f"starting the action server and rasa run (model {model}) ...", flush=True)
            assistant = Assistant(workdir).start()
            url = assistant.url
            watched = {"rasa": assistant.rasa.pid, "actions": assistant.actions.pid}
            print(f"  started in {assistant.started_in:.1f} s at {url}", flush=True)
        warm_up(url)
        print(f"machine: {psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB;"
              f" load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"model: {model}; {args.duration} s per N; Locust "
              f"{subprocess.run([str(LOCUST), '--version'], capture_output=True, text=True).stdout.split()[1]}",
              flush=True)
        run_id = time.strftime("%H%M%S")
        for users in args.user_counts:
            print(f"\nN = {users} concurrent patients, {args.duration} s ...", flush=True)
            r = run_locust(url, users, args.duration, workdir, watched, run_id)
            results.append(r)
            rss = ", ".join(f"{k} {v:.0f} MB" for k, v in r.peak_rss_mb.items()) or "n/a"
            print(f"  requests/s {r.rps:.1f} ({r.requests} requests)  "
                  f"p50 {fmt(r.p50)} ms  p95 {fmt(r.p95)} ms  p99 {fmt(r.p99)} ms  "
                  f"errors {r.errors}", flush=True)
            print(f"  peak RSS: {rss}; other processes used {fmt(r.cpu_other_pct)} % CPU",
                  flush=True)
            for key, count in sorted(r.failures.items()):
                print(f"  failure x{count}: {key}")
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("\n" + table(results) + "\n")
        for line in targets(results):
            print(line)
        return 0
    finally:
        if assistant:
            assistant.stop()
        if args.keep:
            print(f"work folder: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
