"""A stand-in for the model hub on 127.0.0.1, so that tests exercise the real download path without
the internet: ``HF_ENDPOINT`` (or ``endpoint=``) points the hub client at it.

It answers ``HEAD`` and ``GET /<repo>/resolve/<revision>/<file>`` with the headers the hub client
reads (commit, ETag, size) for the files it was given, 404 for others, and counts the downloads.
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HubStub:
    """``files``: ``{"<repo>/resolve/<revision>/<file>": bytes}``; ``url`` once started."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.downloads: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HubStub:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Shut down: the port refuses connections from now on."""
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                self._answer(body=False)

            def do_GET(self) -> None:
                self._answer(body=True)

            def _answer(self, body: bool) -> None:
                path = self.path.split("?")[0].lstrip("/")
                content = stub.files.get(path)
                if content is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("X-Repo-Commit", path.split("/resolve/")[1].split("/")[0])
                self.send_header("ETag", f'"{hashlib.sha256(content).hexdigest()}"')
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                if body:
                    stub.downloads.append(path)
                    self.wfile.write(content)

            def log_message(self, *_args: object) -> None:
                pass

        return Handler
