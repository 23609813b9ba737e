#!/usr/bin/env python3
"""Serves the website chat demo (web/) on http://127.0.0.1:${WEB_PORT:-8080}/.

Standard library only. Files are served as they are: nothing is injected or rewritten.
The page connects to the Rasa server named in the data-server attribute of its
chat.js script tag (default http://localhost:5005), e.g. one started with `make run`.

    python scripts/serve_web.py                 # serves web/
    WEB_PORT=9000 python scripts/serve_web.py
    python scripts/serve_web.py --directory DIR # serve another copy (used by the browser tests)
"""
from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
HOST = "127.0.0.1"


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".html": "text/html; charset=utf-8",
    }

    def end_headers(self) -> None:
        # Always fetch fresh files during development; no content changes.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directory", type=Path, default=WEB_DIR,
                        help="folder to serve (default: web/)")
    args = parser.parse_args()
    directory = args.directory.resolve()
    if not (directory / "index.html").is_file():
        print(f"serve_web.py: no index.html in {directory}", file=sys.stderr)
        return 1
    try:
        port = int(os.environ.get("WEB_PORT") or 8080)
    except ValueError:
        print("serve_web.py: WEB_PORT must be a number", file=sys.stderr)
        return 2

    handler = functools.partial(Handler, directory=str(directory))
    try:
        server = http.server.ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        print(f"serve_web.py: cannot listen on {HOST}:{port}: {exc}", file=sys.stderr)
        return 1
    print(f"Serving {directory} at http://{HOST}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
