"""The first patient after a start waits no longer than the next ones: both servers warm
up before they say they are ready (addons/warm_up.py, the NLU components' load(),
actions/warm_up.py; docs/benchmark.md, "First reply")."""
import statistics
import time

from tests.e2e.conftest import FIRST_MESSAGE


def test_the_first_reply_after_start_is_as_fast_as_the_next(assistant):
    samples = []
    for i in range(10):
        t0 = time.perf_counter()
        assistant.say(f"e2e-after-start-{i}", FIRST_MESSAGE)
        samples.append(time.perf_counter() - t0)
    median = statistics.median(samples)
    print(f"\nfirst reply after start {assistant.first_reply_seconds * 1000:.0f} ms, "
          f"median of the next 10 {median * 1000:.0f} ms")
    # Cold, the first reply took 2 s on an idle machine and up to 16 s on a busy one.
    assert assistant.first_reply_seconds <= max(1.0, 3 * median)
