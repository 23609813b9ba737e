import pytest

from qa.launcher import Assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory):
    bot = Assistant(tmp_path_factory.mktemp("e2e")).start()
    yield bot
    bot.stop()
