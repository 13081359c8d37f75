"""Live preview: build into .cache/apercu/, serve it on 127.0.0.1, rebuild on save, reload.

Everything runs on one thread, tornado's IOLoop, so a request never sees a half-built site:
  watch   with inotify (watch.py), a file closed after writing, moved in or deleted is a
          finished save: the preview stats that file and rebuilds COALESCE_SECONDS after the
          last event (a burst of saves is one rebuild); a file still being written waits
          until its size and mtime hold still for POLL_SECONDS; a folder moved or lost events
          mean a scan of content/ and templates/, and a scan every SAFETY_SECONDS catches
          anything inotify missed. Without inotify: scan all the time (less often on a big
          site so that scanning stays under SCAN_SHARE of one core) and rebuild once a scan
          finds nothing new;
  build   rebuild the preview (drafts and scheduled content included) with the same
          incremental Builder, templates included, blocking the loop;
  reload  only then tell the browsers through livereload's websocket (/livereload): a change
          to stylesheets only swaps them, anything else reloads the page.
While the content is invalid, every HTML response is the French error page and the last good
preview stays on disk; the server never exits on bad content. livereload.js is served by the
livereload package from this server: no request ever leaves the machine.
"""

from __future__ import annotations

import asyncio
import html
import mimetypes
import re
import sys
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httpserver, netutil, web
from tornado.ioloop import IOLoop

from . import errors, pipeline
from .errors import ContentError, Problem
from .options import BuildOptions, reference_date
from .watch import Notifier, changed_paths, open_notifier, scan_tree, stat_key
from .write import OutputError

POLL_SECONDS = 0.04  # between two looks at files still changing (scans without inotify)
COALESCE_SECONDS = 0.012  # after the last finished save before rebuilding (bursts of saves)
COALESCE_LIMIT = 0.25  # saves that keep coming: rebuild anyway this long after the first
SAFETY_SECONDS = 2.0  # between two scans when inotify reports nothing (a safety net)
SCAN_SHARE = 0.125  # without inotify, scanning takes at most this share of one core
SWEEP_AFTER_BUILDS = 20  # full garbage collection at the next idle scan (1 s at 10,000 pages)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CSP = "default-src 'self'"  # what production sends: an inline script shows up in the preview
TEXT_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript",
              ".ics": "text/calendar", ".xml": "application/xml", ".txt": "text/plain",
              ".json": "application/json"}
OTHER_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
               ".pdf": "application/pdf", ".odt": "application/vnd.oasis.opendocument.text",
               ".woff2": "font/woff2", ".ico": "image/x-icon"}
IMAGES = (".png", ".jpg", ".jpeg", ".gif")
FINGERPRINT = re.compile(r"^(?P<stem>.+)\.[0-9a-f]{10}(?P<suffix>\.[a-z0-9]+)$")


def reload_paths(changes: set[str], options: BuildOptions, stylesheets: dict[str, str]
                 ) -> list[str]:
    """What livereload should reload: old stylesheet URLs, image URLs, or the page ("*")."""
    paths = [Path(p) for p in changes]
    assets, files = options.templates_dir / "assets", options.content_dir / "fichiers"
    if paths and all(p.parent == assets and p.suffix == ".css" for p in paths):
        urls = [stylesheets.get(p.name) for p in paths]
        if all(urls):
            return sorted(urls)  # the URL pages hold now; the new bytes are served under it
    if paths and all(p.suffix.lower() in IMAGES and files in p.parents for p in paths):
        return sorted("/" + p.relative_to(options.content_dir).as_posix() for p in paths)
    return ["*"]


def current_stylesheets(output: Path) -> dict[str, str]:
    """Source name -> fingerprinted URL of each stylesheet of the preview."""
    found = {}
    for path in sorted((output / "assets").glob("*.css")):
        match = FINGERPRINT.match(path.name)
        if match:
            found[match["stem"] + match["suffix"]] = f"/assets/{path.name}"
    return found


@dataclass(frozen=True)
class Target:
    """What a URL path maps to in the output folder."""

    status: int  # 200, 301, 400 or 404
    file: Path | None = None
    location: str | None = None


def locate(root: Path, raw_path: str) -> Target:
    """Map a URL path to a file of the output folder, as the production server does."""
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return Target(400)
    parts = path.split("/")
    if (not path.startswith("/") or "\x00" in path or "\\" in path
            or any(part in (".", "..") for part in parts)):
        return Target(400)
    if any(part.startswith(".") for part in parts):
        return Target(404, root / "404.html")  # the build manifest and other hidden files
    target = root.joinpath(*[part for part in parts if part])
    if target.is_dir():
        if not path.endswith("/"):
            return Target(301, location=raw_path + "/")
        target = target / "index.html"
    if target.is_file() and target.resolve().is_relative_to(root.resolve()):
        return Target(200, target)
    alias = current_asset(root, parts)
    return Target(200, alias) if alias else Target(404, root / "404.html")


def current_asset(root: Path, parts: list[str]) -> Path | None:
    """An outdated fingerprinted asset URL serves the current asset (live stylesheet swap)."""
    match = FINGERPRINT.match(parts[-1])
    if len(parts) != 3 or parts[1] != "assets" or not match:
        return None
    folder = root / "assets"
    for candidate in sorted(folder.iterdir()) if folder.is_dir() else []:
        again = FINGERPRINT.match(candidate.name)
        if again and (again["stem"], again["suffix"]) == (match["stem"], match["suffix"]):
            return candidate
    return None


def content_type(path: Path) -> str:
    """The Content-Type production sends: text in UTF-8, .ics as text/calendar."""
    suffix = path.suffix.lower()
    if suffix in TEXT_TYPES:
        return TEXT_TYPES[suffix] + "; charset=utf-8"
    return OTHER_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or \
        "application/octet-stream"


def livereload_tag(port: int) -> bytes:
    """The script tag that loads livereload.js from this server."""
    return f'<script src="/livereload.js?port={port}"></script>'.encode()


def inject_livereload(page: bytes, port: int) -> bytes:
    """An HTML page with the livereload script added at the end of its head."""
    if b"</head>" in page:
        return page.replace(b"</head>", livereload_tag(port) + b"\n</head>", 1)
    return livereload_tag(port) + page


def error_page(problems: list[Problem], port: int) -> bytes:
    """The page shown at every address while the content is invalid."""
    items = []
    for problem in problems:
        hint = f'<p class="fix">→ {html.escape(problem.hint)}</p>' if problem.hint else ""
        items.append(f"<li><p><code>{html.escape(problem.location())}</code> : "
                     f"{html.escape(problem.message)}</p>{hint}</li>")
    style = ("body{font:1.1rem/1.5 system-ui,sans-serif;margin:0;background:#fff4f4;color:#1e1e1e}"
             "main{max-width:60rem;margin:2rem auto;padding:0 1rem}h1{color:#a10005}"
             "li{margin:1rem 0;padding:.75rem 1rem;background:#fff;border-left:.4rem solid "
             "#a10005}code{font-weight:bold;word-break:break-all}.fix{margin:.25rem 0 0}")
    return (f'<!doctype html>\n<html lang="fr"><head><meta charset="utf-8">'
            f"<title>{errors.PREVIEW_ERROR_TITLE}</title><style>{style}</style></head>"
            f'<body><main role="alert"><h1>{errors.PREVIEW_ERROR_TITLE}</h1>'
            f"<p>{html.escape(errors.PREVIEW_ERROR_INTRO)}</p><ul>{''.join(items)}</ul>"
            f"</main></body></html>\n").encode()


class Preview:
    """The preview's state: last scan, pending changes, problems of the last build."""

    def __init__(self, options: BuildOptions, pin_today: bool, debug: bool):
        self.options, self.pin_today, self.debug = options, pin_today, debug
        self.folders = [options.content_dir, options.templates_dir]
        self.snapshot = scan_tree(self.folders)
        self.pending: set[str] = set()
        self.problems: list[Problem] = []  # errors of the last build; empty when it worked
        self.warnings: list[Problem] = []
        self.port = 0
        self.scan_seconds = 0.0  # duration of the last scan
        self.builder = pipeline.Builder(options, persist=False)  # keeps its state in memory
        self.unswept = 0  # builds since the last full garbage collection

    def poll(self) -> None:
        """Scan; rebuild once a scan finds nothing new (the burst has settled), then reload."""
        started = time.perf_counter()
        snapshot = scan_tree(self.folders)
        self.scan_seconds = time.perf_counter() - started
        fresh = changed_paths(self.snapshot, snapshot)
        self.snapshot = snapshot
        if fresh:
            self.pending |= fresh
        else:
            self.build_pending()
            if not self.pending and self.unswept >= SWEEP_AFTER_BUILDS:
                self.builder.collect_garbage()  # idle: the builds keep their objects frozen
                self.unswept = 0

    def refresh(self, paths: set[str], saved: bool = False) -> set[str]:
        """Stat these files only (inotify named them), record them in the snapshot and add
        those that changed to the pending changes; return them. A file `saved` (closed after
        writing, moved in) counts as changed even when its size and mtime look the same."""
        fresh = set()
        for path in paths:
            key, known = stat_key(path), self.snapshot.get(path)
            if key != known or (saved and key is not None):
                fresh.add(path)
            if key is None:
                self.snapshot.pop(path, None)
            else:
                self.snapshot[path] = key
        self.pending |= fresh
        return fresh

    def build_pending(self) -> None:
        """Rebuild for the pending changes, if any, then reload the browsers."""
        if self.pending:
            changes, self.pending = self.pending, set()
            self.rebuild_and_reload(changes)

    def rebuild_and_reload(self, changes: set[str]) -> None:
        """Rebuild, then reload browsers: the stylesheet, the images, or the whole page."""
        was_good, stylesheets = not self.problems, current_stylesheets(self.options.output_dir)
        started = time.perf_counter()
        changed_outputs = self.rebuild(changes)
        if changed_outputs is not None:
            self.say(errors.preview_rebuilt(time.strftime("%H:%M:%S"),
                                            round(1000 * (time.perf_counter() - started)),
                                            self.shown(changes)[:3], len(changes)))
            if was_good and not changed_outputs:
                return  # saved without a visible change: nothing to reload
        paths = reload_paths(changes, self.options, stylesheets) if was_good else ["*"]
        for path in paths if not self.problems else ["*"]:
            LiveReloadHandler.reload_waiters(path)

    def rebuild(self, changes: set[str] | None = None) -> list[str] | None:
        """Build the preview and return the outputs that changed; on failure, return None,
        keep the last good preview and remember the errors."""
        today = self.options.today if self.pin_today else reference_date(None)
        if today != self.options.today:  # past midnight statuses move on: build afresh
            self.options = replace(self.options, today=today)
            self.builder = pipeline.Builder(self.options, persist=False)
        try:
            # The watcher saw every change since the last build: the builder looks at those
            # files only, not at every input of a large site (the first build looks at all).
            result = self.builder.build([Path(p) for p in changes or ()],
                                        complete=changes is not None)
        except ContentError as exc:
            self.problems = [p for p in exc.problems if p.is_error]
        except OutputError as exc:
            message, _, hint = str(exc).partition("\n  → ")
            self.problems = [Problem(self.options.output_dir.as_posix(), None, message, hint)]
        except Exception:  # noqa: BLE001 - the preview must survive a bug in the generator
            if self.debug:
                traceback.print_exc()
            self.problems = [Problem("sitegen", None, errors.internal_error(None))]
        else:
            self.problems = []
            self.unswept += 1
            self.report_warnings(result.warnings)
            return result.changed
        for problem in self.problems:
            self.say(problem.format(), sys.stderr)
        self.say(errors.preview_failed(time.strftime("%H:%M:%S"), len(self.problems)),
                 sys.stderr)
        return None

    def report_warnings(self, warnings: list[Problem]) -> None:
        """Print warnings when they change, never the same list after every save."""
        if warnings != self.warnings:
            for problem in warnings:
                self.say(problem.format(), sys.stderr)
            if warnings:
                self.say(errors.preview_warnings(len(warnings)), sys.stderr)
        self.warnings = warnings

    def shown(self, changes: set[str]) -> list[str]:
        """Changed files as the editor sees them, relative to the project."""
        root = self.options.root.resolve()
        paths = [Path(p).resolve() for p in sorted(changes)]
        return [p.relative_to(root).as_posix() if p.is_relative_to(root) else p.as_posix()
                for p in paths]

    @staticmethod
    def say(text: str, stream=None) -> None:
        print(text, file=stream or sys.stdout, flush=True)


class PreviewHandler(web.RequestHandler):
    """Serves the preview folder like production, or the error page while content is broken."""

    def initialize(self, preview: Preview, loopback: bool) -> None:
        self.preview, self.loopback = preview, loopback

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def compute_etag(self) -> None:
        return None  # never answer 304: the browser always gets the current bytes

    def head(self) -> None:
        self.get()

    def get(self) -> None:
        if self.loopback and self.request.host_name not in LOOPBACK:
            return self.plain(400, errors.PREVIEW_BAD_REQUEST)  # DNS rebinding
        target = locate(self.preview.options.output_dir, self.request.path)
        if target.status == 400:
            return self.plain(400, errors.PREVIEW_BAD_REQUEST)
        if target.status == 301:
            query = f"?{self.request.query}" if self.request.query else ""
            return self.redirect(target.location + query, permanent=True)
        is_html = target.file is None or target.file.suffix == ".html"
        policy = f"{CSP}; connect-src 'self' ws://{self.request.host}"  # livereload.js
        if self.preview.problems and is_html:
            self.set_header("Content-Security-Policy", policy + "; style-src 'unsafe-inline'")
            page = error_page(self.preview.problems, self.preview.port)
            return self.send(500, "text/html; charset=utf-8",
                             inject_livereload(page, self.preview.port))
        self.set_header("Content-Security-Policy", policy)
        if target.file is None or not target.file.is_file():
            return self.plain(404, errors.PREVIEW_NOT_FOUND)
        data = target.file.read_bytes()
        if is_html:
            data = inject_livereload(data, self.preview.port)
        self.send(target.status, content_type(target.file), data)

    def plain(self, status: int, text: str) -> None:
        self.send(status, "text/plain; charset=utf-8", (text + "\n").encode())

    def send(self, status: int, kind: str, data: bytes) -> None:
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.finish(data)


def serve(options: BuildOptions, host: str, port: int, pin_today: bool, debug: bool) -> int:
    """Build, serve and watch until Ctrl+C; returns the exit status."""
    preview = Preview(options, pin_today, debug)
    try:
        sockets = netutil.bind_sockets(port, address=host)
    except OSError as exc:
        print(Problem("--port", None, *errors.port_unavailable(host, port, exc.strerror
                                                               or str(exc))).format(),
              file=sys.stderr)
        return 1
    preview.port = sockets[0].getsockname()[1]
    preview.rebuild()
    if host not in LOOPBACK:
        preview.say(errors.preview_on_network(host), sys.stderr)
    shown_host = f"[{host}]" if ":" in host else host
    preview.say(errors.preview_started(f"http://{shown_host}:{preview.port}/",
                                       options.output_dir.as_posix().rstrip("/")))
    try:
        asyncio.run(run_loop(preview, sockets, host in LOOPBACK))
    except KeyboardInterrupt:
        preview.say(errors.PREVIEW_STOPPED)
    return 0


async def run_loop(preview: Preview, sockets: list, loopback: bool) -> None:
    """Serve the preview and the livereload endpoints; poll for changes forever."""
    LiveReloadHandler.watcher = SimpleNamespace(filepath=None)  # read by its logging only
    LiveReloadHandler.live_css = True
    app = web.Application([
        (r"/livereload", LiveReloadHandler),
        (r"/livereload\.js", LiveReloadJSHandler),
        (r".*", PreviewHandler, {"preview": preview, "loopback": loopback}),
    ], log_function=lambda handler: None)
    server = httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    Ticker(preview, open_notifier(preview.folders)).tick()
    await asyncio.Event().wait()


class Ticker:
    """Runs the preview's watching on the IOLoop at the right moments (module docstring)."""

    def __init__(self, preview: Preview, notifier: Notifier | None):
        self.preview, self.notifier, self.loop = preview, notifier, IOLoop.current()
        self.handle: object | None = None
        self.due = float("inf")
        self.done: set[str] = set()  # files whose save is finished, not yet rebuilt for
        self.writing: set[str] = set()  # files maybe still being written
        self.scanning = notifier is None  # only scans of the trees tell what changed
        self.first = self.last = 0.0  # loop times of the first and last events not built yet
        self.looked = 0.0  # loop time of the last look at the files being written
        self.safety_due = self.loop.time() + SAFETY_SECONDS
        if notifier is not None:
            self.loop.add_handler(notifier.fd, self.on_event, IOLoop.READ)

    def on_event(self, fd: int, events: int) -> None:
        """File events: look at them soon (a tick due sooner stays as it is)."""
        if self.collect():
            self.schedule(COALESCE_SECONDS)

    def collect(self) -> bool:
        """Read the notifier's queue; True when something watched changed."""
        if self.notifier is None:
            return False
        try:
            found = self.notifier.drain()
        except OSError:  # too many folders for inotify: poll instead, as without it
            self.loop.remove_handler(self.notifier.fd)
            self.notifier, self.scanning = None, True
            return True
        if not found:
            return False
        for path in found.done:
            self.done.add(path)
            self.writing.discard(path)
        for path in found.writing:
            self.writing.add(path)
            self.done.discard(path)
        self.scanning = self.scanning or found.rescan
        self.last = self.loop.time()
        self.first = self.first or self.last
        return True

    def schedule(self, delay: float) -> None:
        due = self.loop.time() + max(0.0, delay)
        if self.handle is not None:
            if self.due <= due:
                return
            self.loop.remove_timeout(self.handle)
        self.handle, self.due = self.loop.call_at(due, self.tick), due

    def tick(self) -> None:
        self.handle, self.due = None, float("inf")
        try:
            self.step()
        finally:  # watching must never stop, whatever happened
            self.schedule(self.next_delay())

    def step(self) -> None:
        now = self.loop.time()
        self.collect()  # events the loop has not handed over yet
        if (self.done or self.writing) and now - self.last < COALESCE_SECONDS \
                and now - self.first < COALESCE_LIMIT:
            return  # saves are still coming: one rebuild for the whole burst
        if self.scanning or (now >= self.safety_due and not (self.done or self.writing)):
            self.safety_due = now + SAFETY_SECONDS
            self.done.clear()  # the scan sees these files too
            self.writing.clear()
            self.preview.poll()
            self.scanning = self.notifier is None or bool(self.preview.pending)
        elif self.done or self.writing:
            if self.writing:
                if now - self.looked < POLL_SECONDS:
                    return  # too soon to tell whether they still change
                self.looked = now
                if self.preview.refresh(self.writing):
                    return  # still changing: look again in POLL_SECONDS
            self.writing.clear()  # held still since the last look: written
            self.preview.refresh(self.done, saved=True)
            self.done.clear()
            self.preview.build_pending()
        if not (self.done or self.writing or self.preview.pending):
            self.first = 0.0

    def next_delay(self) -> float:
        if self.notifier is None:
            if self.preview.pending:
                return POLL_SECONDS
            return max(POLL_SECONDS, self.preview.scan_seconds / SCAN_SHARE)
        now = self.loop.time()
        if self.scanning:
            return POLL_SECONDS
        if self.writing:
            return max(self.looked + POLL_SECONDS, self.last + COALESCE_SECONDS) - now
        if self.done:
            return self.last + COALESCE_SECONDS - now
        return self.safety_due - now
