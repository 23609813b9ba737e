import time

import pytest

from qa.launcher import Assistant

FIRST_MESSAGE = "Mag ik na de facetinfiltratie zelf naar huis rijden?"


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    bot = Assistant(tmp_path_factory.mktemp("e2e")).start()
    # The very first reply after start-up, before any test talks to it
    # (test_warm_start.py compares it with the replies that follow).
    t0 = time.perf_counter()
    bot.say("e2e-first-after-start", FIRST_MESSAGE)
    bot.first_reply_seconds = time.perf_counter() - t0
    yield bot
    bot.stop()
