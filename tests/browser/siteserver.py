"""Build the site into a folder, serve it on 127.0.0.1, launch Debian's Chromium.

Shared by the browser tests (tests/browser/conftest.py), `make screenshots`
(scripts/screenshots.py) and the Lighthouse benchmark (bench/lighthouse.py), so that all
three look at the same thing: the real content, built with a fixed reference date, served
over real HTTP with the headers production will send (CSP, long cache for fingerprinted
assets, .ics as text/calendar, the 404 page on a missing URL).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2025-02-01"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# What production will send (issue 7): no inline script or style may run.
CSP = "default-src 'self'"
TYPES = {".ics": "text/calendar; charset=utf-8", ".html": "text/html; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".svg": "image/svg+xml", ".json": "application/json", ".xml": "application/xml",
         ".txt": "text/plain; charset=utf-8", ".pdf": "application/pdf"}


def build_site(output: Path, content: Path | None = None, today: str = TODAY) -> Path:
    """Run `build.py` into output (a fresh folder) and return it; fail loudly with its output."""
    command = [sys.executable, "build.py", "--output", str(output), "--today", today]
    if content is not None:
        command += ["--content", str(content)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"la génération du site a échoué ({done.returncode}) :\n"
                           f"{done.stdout}\n{done.stderr}")
    return output


def copy_content_with_base_url(target: Path, base_url: str) -> Path:
    """A copy of content/ whose site.yaml gives another public address (for Lighthouse)."""
    shutil.copytree(ROOT / "content", target)
    settings = target / "site.yaml"
    lines = settings.read_text(encoding="utf-8").splitlines(keepends=True)
    settings.write_text("".join(f"url: {base_url}\n" if line.startswith("url:") else line
                                for line in lines), encoding="utf-8")
    return target


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with production-like headers; quiet."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.path.startswith("/assets/"):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        """A missing page gets the site's own 404 page, as the production server will do."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", TYPES[".html"])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def serve(directory: Path, port: int = 0) -> Iterator[str]:
    """Serve directory on 127.0.0.1 in a thread; yields the base URL (no trailing /)."""
    handler = functools.partial(SiteHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch_chromium(playwright):
    """Debian's Chromium, headless (never a browser downloaded by Playwright)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} est introuvable : installez le paquet Debian "
                           "« chromium » (sh scripts/ensure-browser.sh, en root).")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def html_pages(site: Path) -> list[str]:
    """URL path of every HTML page of a built site, sorted (the 404 page included)."""
    paths = []
    for file in sorted(site.rglob("*.html")):
        rel = file.relative_to(site).as_posix()
        if rel == "index.html":
            paths.append("/")
        elif rel.endswith("/index.html"):
            paths.append("/" + rel[: -len("index.html")])
        else:
            paths.append("/" + rel)
    return paths
