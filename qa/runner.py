"""Start the freshly trained assistant, or use one that runs at a URL."""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def assistant_url(url: str | None = None) -> Iterator[str]:
    """Yield the base URL of a running assistant: `url`, or a fresh local one."""
    if url:
        yield url.rstrip("/")
        return
    from qa.launcher import Assistant
    with tempfile.TemporaryDirectory(prefix="qa-") as tmp:
        bot = Assistant(Path(tmp)).start()
        try:
            yield bot.url
        finally:
            bot.stop()
