"""The live preview, tested for real: a `build.py serve` subprocess on a free loopback port.

Pure functions first (what to watch, what to serve, the error page), then the server: HTTP
fetches, the livereload websocket, edits, broken and fixed content, deletions. Every wait
polls with a deadline; nothing listens anywhere but 127.0.0.1.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen import errors, serve, watch
from sitegen.cli import main
from sitegen.errors import WARNING, Problem
from sitegen.pipeline import BuildOptions

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build.py"
TODAY = "2025-03-01"
EVENT = "content/agenda/2025-04-02-forum-des-webradios.md"
EVENT_URL = "/agenda/2025-04-02-forum-des-webradios/"
WAIT = 30.0  # seconds: generous, for a loaded two-core CI machine; passing tests never wait it


# --- Helpers: a project, a server process, a livereload client ------------------------------

def make_project(tmp_path: Path) -> Path:
    """A writable copy of the real content and templates; the preview is built inside it."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


class PreviewServer:
    """`python build.py serve --port 0` running in a project folder."""

    def __init__(self, project: Path, *extra: str, timeout: float = WAIT):
        self.project, self.log = project, project / "serve.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(BUILD), "serve", "--port", "0", "--today", TODAY, *extra],
                cwd=project, stdout=log, stderr=subprocess.STDOUT)
        match = wait_for(lambda: re.search(r"Aperçu du site : http://127\.0\.0\.1:(\d+)/",
                                           self.output()), "the server's address", timeout)
        self.port = int(match.group(1))

    def output(self) -> str:
        """Everything the server printed so far."""
        if self.process.poll() is not None and "Aperçu du site" not in self.log.read_text():
            raise AssertionError("serve exited:\n" + self.log.read_text())
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
        """Status, headers and body of a raw path (sent as is, never normalised)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            body = response.read().decode("utf-8", errors="replace")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    def alive(self) -> bool:
        return self.process.poll() is None

    def rebuilds(self) -> list[str]:
        """The « aperçu régénéré » lines printed so far (the first build prints none)."""
        return [line for line in self.output().splitlines() if "aperçu régénéré" in line]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class LiveReloadClient:
    """A browser's livereload.js, reduced to its protocol: handshake, then reload messages."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
                           ).encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv(time.monotonic() + WAIT)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert b" 101 " in head.split(b"\r\n")[0], head
        self.send({"command": "hello",
                   "protocols": ["http://livereload.com/protocols/official-7"]})
        assert self.receive()["command"] == "hello"
        self.send({"command": "info", "url": f"http://127.0.0.1:{port}/", "plugins": {}})

    def send(self, message: dict) -> None:
        payload, mask = json.dumps(message).encode(), os.urandom(4)
        header = bytes([0x81, 0x80 | len(payload)]) if len(payload) < 126 else \
            bytes([0x81, 0x80 | 126]) + struct.pack("!H", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def receive(self, timeout: float = WAIT) -> dict:
        """The next text message, as JSON."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self._frame()
            if frame is not None:
                opcode, payload = frame
                if opcode == 1:
                    return json.loads(payload)
                assert opcode != 8, "the server closed the websocket"
                continue
            self.buffer += self._recv(deadline)

    def _frame(self) -> tuple[int, bytes] | None:
        if len(self.buffer) < 2:
            return None
        opcode, length, start = self.buffer[0] & 0x0F, self.buffer[1] & 0x7F, 2
        if length == 126:
            if len(self.buffer) < 4:
                return None
            length, start = struct.unpack("!H", self.buffer[2:4])[0], 4
        elif length == 127:
            if len(self.buffer) < 10:
                return None
            length, start = struct.unpack("!Q", self.buffer[2:10])[0], 10
        if len(self.buffer) < start + length:
            return None
        payload, self.buffer = self.buffer[start:start + length], self.buffer[start + length:]
        return opcode, payload

    def _recv(self, deadline: float) -> bytes:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("no livereload message in time")
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            raise AssertionError("no livereload message in time") from None
        assert data, "the livereload connection was closed"
        return data

    def close(self) -> None:
        self.sock.close()


def wait_for(condition, what: str, timeout: float = WAIT):
    """Poll `condition` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def edit(path: Path, old: str, new: str) -> None:
    """Replace text in a file, as an editor saving it would."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture
def server(project: Path):
    running = PreviewServer(project)
    yield running
    running.stop()


@pytest.fixture
def browser(server: PreviewServer):
    client = LiveReloadClient(server.port)
    yield client
    client.close()


# --- Pure functions -----------------------------------------------------------------------

@pytest.mark.parametrize("name", [".forum.md.swp", "forum.md.swp", "forum.md~", ".#forum.md",
                                  "~$guide.docx", "4913", ".DS_Store", "x.swx", "x.tmp"])
def test_editor_temporary_files_are_ignored(name):
    assert watch.is_ignored(name)


@pytest.mark.parametrize("name", ["forum.md", "partenaires.yaml", "style.css", "logo.png"])
def test_content_files_are_watched(name):
    assert not watch.is_ignored(name)


def test_scan_sees_additions_changes_and_removals_but_not_temporary_files(tmp_path):
    (tmp_path / "pages").mkdir()
    page = tmp_path / "pages" / "a.md"
    page.write_text("un")
    before = watch.scan_tree([tmp_path])
    (tmp_path / "pages" / ".a.md.swp").write_text("x")
    (tmp_path / "pages" / "4913").write_text("")
    assert watch.changed_paths(before, watch.scan_tree([tmp_path])) == set()
    page.write_text("deux, plus long")
    (tmp_path / "pages" / "b.md").write_text("b")
    after = watch.scan_tree([tmp_path])
    assert watch.changed_paths(before, after) == {str(page), str(tmp_path / "pages" / "b.md")}
    page.unlink()
    assert watch.changed_paths(after, watch.scan_tree([tmp_path])) == {str(page)}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux only")
def test_notifier_wakes_on_saves_and_new_folders_but_not_on_temporary_files(tmp_path):
    (tmp_path / "pages").mkdir()
    notifier = watch.open_notifier([tmp_path])
    assert notifier is not None
    try:
        (tmp_path / "pages" / ".a.md.swp").write_text("x")
        (tmp_path / "pages" / "a.md~").write_text("x")
        time.sleep(0.05)  # let the kernel queue the events it is going to queue
        assert not notifier.drain()
        (tmp_path / "pages" / "a.md").write_text("un")
        wait_for(notifier.drain, "an event for a.md", timeout=5)
        (tmp_path / "agenda").mkdir()
        wait_for(notifier.drain, "an event for the new folder", timeout=5)
        (tmp_path / "agenda" / "e.md").write_text("deux")  # inside the folder created above
        wait_for(notifier.drain, "an event inside the new folder", timeout=5)
    finally:
        notifier.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux only")
def test_notifier_tells_finished_saves_from_files_still_being_written(tmp_path):
    (tmp_path / "pages").mkdir()
    notifier = watch.open_notifier([tmp_path])
    assert notifier is not None
    page, other = str(tmp_path / "pages" / "a.md"), str(tmp_path / "pages" / "b.md")
    try:
        with open(page, "w", encoding="utf-8") as handle:
            handle.write("un")
            handle.flush()
            events = wait_for(notifier.drain, "an event for a.md", timeout=5)
            assert events.writing == {page} and not events.done and not events.rescan
        events = wait_for(notifier.drain, "a.md closed", timeout=5)
        assert events.done == {page} and not events.writing
        (tmp_path / "pages" / ".b.md.part").write_text("deux")  # ignored, then renamed
        os.replace(tmp_path / "pages" / ".b.md.part", other)
        assert wait_for(notifier.drain, "b.md moved in", timeout=5).done == {other}
        os.unlink(page)
        assert wait_for(notifier.drain, "a.md deleted", timeout=5).done == {page}
        (tmp_path / "agenda").mkdir()
        assert wait_for(notifier.drain, "a new folder", timeout=5).rescan
    finally:
        notifier.close()


def _options(tmp_path: Path) -> BuildOptions:
    import datetime as dt
    return BuildOptions(content_dir=tmp_path / "content", templates_dir=tmp_path / "templates",
                        output_dir=tmp_path / "out", today=dt.date(2025, 3, 1))


def test_stylesheet_only_change_reloads_the_old_url_of_that_stylesheet(tmp_path):
    options = _options(tmp_path)
    css = str(options.templates_dir / "assets" / "style.css")
    sheets = {"style.css": "/assets/style.0123456789.css"}
    assert serve.reload_paths({css}, options, sheets) == ["/assets/style.0123456789.css"]
    page = str(options.content_dir / "pages" / "a.md")
    assert serve.reload_paths({css, page}, options, sheets) == ["*"]
    assert serve.reload_paths({css}, options, {}) == ["*"]  # unknown old URL: whole page
    logo = str(options.content_dir / "fichiers" / "logo.png")
    assert serve.reload_paths({logo}, options, sheets) == ["/fichiers/logo.png"]
    assert serve.reload_paths({str(options.templates_dir / "base.html")}, options, sheets) == ["*"]


def test_locate_maps_urls_like_the_production_server(tmp_path):
    root = tmp_path / "out"
    (root / "agenda").mkdir(parents=True)
    (root / "assets").mkdir()
    for name in ("index.html", "404.html", "agenda/index.html", "agenda.ics",
                 "assets/style.0123456789.css", ".sitegen.json"):
        (root / name).write_text(name)
    assert serve.locate(root, "/") == serve.Target(200, root / "index.html")
    assert serve.locate(root, "/agenda/") == serve.Target(200, root / "agenda/index.html")
    assert serve.locate(root, "/agenda") == serve.Target(301, location="/agenda/")
    assert serve.locate(root, "/agenda.ics") == serve.Target(200, root / "agenda.ics")
    assert serve.locate(root, "/rien/") == serve.Target(404, root / "404.html")
    assert serve.locate(root, "/.sitegen.json").status == 404
    assert serve.locate(root, "/assets/style.aaaaaaaaaa.css") == serve.Target(
        200, root / "assets/style.0123456789.css")  # an old fingerprint: the current sheet
    for hostile in ("/../x", "/%2e%2e/x", "/a/..%2F..%2Fx", "/%00", "/..%5cx", "/%ff"):
        assert serve.locate(root, hostile).status == 400, hostile


@pytest.mark.parametrize("name,expected", [
    ("index.html", "text/html; charset=utf-8"), ("agenda.ics", "text/calendar; charset=utf-8"),
    ("style.css", "text/css; charset=utf-8"), ("statut.js", "text/javascript; charset=utf-8"),
    ("sitemap.xml", "application/xml; charset=utf-8"), ("robots.txt", "text/plain; charset=utf-8"),
    ("statut.json", "application/json; charset=utf-8"), ("logo.svg", "image/svg+xml"),
    ("guide.pdf", "application/pdf"), ("inconnu.zzz", "application/octet-stream")])
def test_content_types(name, expected):
    assert serve.content_type(Path(name)) == expected


def test_error_page_names_file_line_message_and_fix_and_escapes_html():
    problem = Problem("content/agenda/x.md", 4, "la date « <b> » n'existe pas.", "Corrigez.")
    page = serve.error_page([problem], 8000).decode()
    assert "content/agenda/x.md:4" in page and "&lt;b&gt;" in page and "→ Corrigez." in page
    assert errors.PREVIEW_ERROR_TITLE in page and 'lang="fr"' in page
    assert '<script src="/livereload.js?port=8000">' not in page  # added when served
    assert serve.inject_livereload(page.encode(), 8000).count(b"/livereload.js?port=8000") == 1


# --- The server: serving ------------------------------------------------------------------

def test_serves_pages_feed_and_assets_with_production_types(server):
    status, headers, body = server.get("/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert f'<script src="/livereload.js?port={server.port}"></script>' in body
    status, headers, feed = server.get("/agenda.ics")
    assert status == 200 and headers["content-type"] == "text/calendar; charset=utf-8"
    assert feed.startswith("BEGIN:VCALENDAR")
    stylesheet = re.search(r'href="(/assets/style\.[0-9a-f]{10}\.css)"', body).group(1)
    status, headers, _ = server.get(stylesheet)
    assert status == 200 and headers["content-type"] == "text/css; charset=utf-8"
    status, headers, _ = server.get("/agenda")
    assert status == 301 and headers["location"] == "/agenda/"


def test_missing_path_gets_the_site_404_page(server):
    status, headers, body = server.get("/n-existe-pas/")
    assert status == 404 and "Page introuvable" in body and "/livereload.js" in body
    assert server.get("/n-existe-pas/", method="HEAD")[0] == 404


def test_livereload_script_is_served_locally_and_no_third_party_resource(server):
    status, headers, script = server.get("/livereload.js")
    assert status == 200 and "javascript" in headers["content-type"] and "LiveReload" in script
    _, _, page = server.get("/")
    resources = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', page)
    loaded = [url for url in resources if not url.startswith("/") or url.startswith("//")]
    canonical = [url for url in loaded if "tne-finistere.example.org" in url]
    assert loaded == canonical  # only <link rel="canonical">/og metadata, never fetched


@pytest.mark.parametrize("path", [
    "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/agenda/..%2f..%2f..%2fcontent%2fsite.yaml", "/..%5c..%5ccontent%5csite.yaml",
    "/%252e%252e/%252e%252e/content/site.yaml", "/..;/content/site.yaml", "/%00",
    "//etc/passwd", "/.sitegen.json", "/../content/site.yaml"])
def test_paths_escaping_the_preview_folder_are_refused(server, path):
    status, _, body = server.get(path)
    assert status in (400, 404)
    assert "root:" not in body and "titre_court" not in body and "sha256" not in body


def test_listens_on_loopback_only(server):
    listeners = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port = local.split(":")
            if state == "0A" and int(port, 16) == server.port:
                listeners.append(address)
    assert listeners and set(listeners) <= {"0100007F"}, listeners


def test_drafts_and_scheduled_content_in_the_preview_only(project):
    (project / "content" / "pages" / "projet-de-page.md").write_text(
        '---\ntitre: "Page en préparation"\ndescription: "Pas encore."\nbrouillon: oui\n---\n'
        "Texte provisoire.\n", encoding="utf-8")
    (project / "content" / "pages" / "annonce.md").write_text(
        '---\ntitre: "Annonce programmée"\ndescription: "Bientôt."\npublication: 2025-06-01\n'
        "---\nTexte programmé.\n", encoding="utf-8")
    edit(project / EVENT, "statut: confirmé", "statut: confirmé\nbrouillon: oui")
    running = PreviewServer(project)
    try:
        for url in ("/projet-de-page/", EVENT_URL):
            status, _, body = running.get(url)
            assert status == 200 and "bandeau-brouillon" in body and "Brouillon" in body, url
        status, _, body = running.get("/annonce/")
        assert status == 200 and "Texte programmé" in body
        assert "Programmé" in body and "publié à partir du 1er juin 2025" in body
    finally:
        running.stop()
    assert not (project / "site").exists()  # the preview never touches site/
    site = project / "site"
    assert main(["build", "--content", str(project / "content"), "--templates",
                 str(project / "templates"), "--output", str(site), "--today", TODAY]) == 0
    assert not (site / "projet-de-page").exists() and not (site / "annonce").exists()
    assert not (site / EVENT_URL.strip("/")).exists()
    assert "forum-des-webradios" not in (site / "agenda.ics").read_text()
    assert main(["build", "--content", str(project / "content"), "--templates",
                 str(project / "templates"), "--output", str(site), "--today", "2025-06-01"]) == 0
    assert (site / "annonce" / "index.html").exists()  # on its publication day


# --- The server: live changes -------------------------------------------------------------

def test_edit_reloads_only_after_the_rebuild(server, browser):
    edit(server.project / EVENT, 'titre: "', 'titre: "Nouvelle formule du ')
    message = browser.receive()
    assert message["command"] == "reload" and message["path"] == "*"
    # The reload is sent once the new site is in place: the very next fetch is new.
    assert "Nouvelle formule du" in server.get(EVENT_URL)[2]
    assert "Nouvelle formule du" in server.get("/agenda/")[2]


def test_yaml_data_edit_shows_without_restart(server, browser):
    edit(server.project / "content" / "partenaires.yaml", "Réseau Canopé", "Réseau Canopé 29")
    assert browser.receive()["command"] == "reload"
    assert "Réseau Canopé 29" in server.get("/partenaires/")[2]


def test_broken_content_shows_the_error_on_every_page_until_fixed(server, browser):
    event = server.project / EVENT
    good = event.read_text(encoding="utf-8")
    edit(event, "date: 2025-04-02", "date: 2025-02-30")
    assert browser.receive()["command"] == "reload"
    for path in ("/", "/agenda/", EVENT_URL, "/n-existe-pas/"):
        status, _, body = server.get(path)
        assert status == 500 and errors.PREVIEW_ERROR_TITLE in body, path
        assert re.search(re.escape(EVENT) + r":\d+</code>", body), path
        assert "n&#x27;existe pas dans le calendrier" in body and "→" in body
        assert "/livereload.js" in body  # the page comes back by itself
    assert server.alive()
    assert EVENT in server.output() and "erreur" in server.output()
    event.write_text(good, encoding="utf-8")
    assert browser.receive()["command"] == "reload"
    status, _, body = server.get(EVENT_URL)
    assert status == 200 and "Forum des webradios" in body


def test_template_error_names_the_template_and_line(server, browser):
    page = server.project / "templates" / "page.html"
    good = page.read_text(encoding="utf-8")
    page.write_text(good.replace("{% block content %}", "{% block content %}{{ pas_de_variable }}",
                                 1), encoding="utf-8")
    assert browser.receive()["command"] == "reload"
    status, _, body = server.get("/programme/")
    assert status == 500 and re.search(r"templates/page\.html:\d+</code>", body), body
    page.write_text(good, encoding="utf-8")
    assert browser.receive()["command"] == "reload"
    assert server.get("/programme/")[0] == 200


def test_template_edit_goes_through_the_same_incremental_builder(tmp_path):
    """No fresh Builder (30 s at 10,000 pages) after a template edit, and no page missed."""
    import datetime as dt

    project = make_project(tmp_path)
    options = BuildOptions(project / "content", project / "templates", project / "apercu",
                           dt.date(2025, 3, 1), root=project, preview=True)
    preview = serve.Preview(options, pin_today=True, debug=False)
    assert preview.rebuild() is not None
    builder = preview.builder
    page = project / "templates" / "page.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "{% block content %}", "{% block content %}<p>gabarit-modifié</p>", 1), encoding="utf-8")
    changed = preview.rebuild({str(page)})
    assert preview.builder is builder and not preview.problems
    assert "programme/index.html" in changed
    assert "gabarit-modifié" in (project / "apercu" / "programme" / "index.html").read_text()


def test_save_by_rename_and_slow_writer_both_reload_after_the_rebuild(server, browser):
    folder = server.project / "content" / "pages"
    page = folder / "programme.md"
    text = page.read_text(encoding="utf-8")
    (folder / ".programme.md.part").write_text(text + "\nRenommé.\n", encoding="utf-8")
    os.replace(folder / ".programme.md.part", page)  # how many editors save
    assert browser.receive()["command"] == "reload"
    assert "Renommé." in server.get("/programme/")[2]
    with open(page, "w", encoding="utf-8") as handle:  # still open: no close event yet
        handle.write(text + "\nÉcrit sans fermer.\n")
        handle.flush()
        assert browser.receive()["command"] == "reload"
        assert "Écrit sans fermer." in server.get("/programme/")[2]


def test_deleted_event_is_gone_from_page_agenda_and_feed(server, browser):
    uid = re.search(r"identifiant: (\S+)", (server.project / EVENT).read_text()).group(1)
    assert server.get(EVENT_URL)[0] == 200
    (server.project / EVENT).unlink()
    assert browser.receive()["command"] == "reload"
    assert server.get(EVENT_URL)[0] == 404
    assert "forum-des-webradios" not in server.get("/agenda/")[2]
    assert uid not in server.get("/agenda.ics")[2]


def test_stylesheet_change_swaps_the_stylesheet_without_reloading(server, browser):
    _, _, page = server.get("/")
    old_url = re.search(r'href="(/assets/style\.[0-9a-f]{10}\.css)"', page).group(1)
    css = server.project / "templates" / "assets" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* couleur-test-1 */\n", encoding="utf-8")
    message = browser.receive()
    assert message == {"command": "reload", "path": old_url, "liveCSS": True, "liveImg": True}
    # livereload.js re-fetches the URL the page holds: it now serves the new stylesheet.
    status, headers, body = server.get(old_url + "?livereload=1")
    assert status == 200 and "couleur-test-1" in body
    assert old_url not in server.get("/")[2]  # pages fetched from now on link the new name


def test_temporary_files_are_ignored_and_bursts_coalesced(server, browser):
    folder = server.project / "content" / "pages"
    for name in (".programme.md.swp", "programme.md~", ".#programme.md", "~$guide.docx", "4913"):
        (folder / name).write_text("brouillon d'éditeur", encoding="utf-8")
    page = folder / "programme.md"
    text = page.read_text(encoding="utf-8")
    for number in range(5):  # five quick saves
        page.write_text(text + f"\nVersion {number}.\n", encoding="utf-8")
    assert browser.receive()["command"] == "reload"
    assert "Version 4." in server.get("/programme/")[2]
    rebuilds = wait_for(server.rebuilds, "the rebuild line")
    assert len(rebuilds) == 1 and rebuilds[0].endswith(": content/pages/programme.md"), rebuilds


def test_port_in_use_is_explained_in_french(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, str(BUILD), "serve", "--port", str(port)],
                                cwd=project, capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 1
    assert f"impossible d'ouvrir l'aperçu sur 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_warnings_do_not_block_the_preview_and_are_printed_once(server, browser):
    assert server.output().count("n'a ni adresse électronique ni téléphone") == 2
    edit(server.project / EVENT, 'titre: "', 'titre: "Encore ')
    assert browser.receive()["command"] == "reload"
    assert server.output().count("n'a ni adresse électronique ni téléphone") == 2
    assert Problem("x", 1, "m", severity=WARNING).format().startswith("x:1 : avertissement")


def test_the_guide_shows_what_the_terminal_prints():
    guide = (ROOT / "docs" / "guide-redaction.md").read_text(encoding="utf-8")
    assert errors.preview_started("http://127.0.0.1:8000/", ".cache/apercu") in guide


# --- In a real browser: livereload.js itself, under the production CSP ----------------------

@pytest.mark.browser
def test_in_a_real_browser_the_open_page_follows_the_files(project, chromium):
    """Edit, break, fix, restyle: the open tab follows by itself, loading nothing from outside."""
    from urllib.parse import urlsplit

    server = PreviewServer(project)
    outside, console_errors = [], []
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT * 1000)
        page.on("request", lambda r: urlsplit(r.url).hostname == "127.0.0.1"
                or outside.append(r.url))
        page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
        page.goto(f"http://127.0.0.1:{server.port}{EVENT_URL}")
        connected = "() => window.LiveReload && window.LiveReload.connector.protocol >= 7"
        page.wait_for_function(connected)
        page.evaluate("window.sameDocument = true")

        edit(project / EVENT, 'titre: "', 'titre: "Vu dans le navigateur : ')
        page.wait_for_function("() => document.querySelector('h1').textContent"
                               ".includes('Vu dans le navigateur')")
        page.wait_for_function(connected)

        event = project / EVENT
        good = event.read_text(encoding="utf-8")
        edit(event, "date: 2025-04-02", "date: 2025-02-30")
        page.wait_for_function("() => document.title === 'Le contenu contient une erreur'")
        assert EVENT in page.text_content("main")
        page.wait_for_function(connected)
        event.write_text(good, encoding="utf-8")
        page.wait_for_function("() => document.querySelector('h1') && document.querySelector"
                               "('h1').textContent.includes('Vu dans le navigateur')")
        page.wait_for_function(connected)

        page.evaluate("window.sameDocument = true")
        css = project / "templates" / "assets" / "style.css"
        css.write_text(css.read_text(encoding="utf-8")
                       + "\nbody { outline: 7px solid rgb(1, 2, 3); }\n", encoding="utf-8")
        page.wait_for_function("() => getComputedStyle(document.body).outlineWidth === '7px'")
        assert page.evaluate("window.sameDocument") is True  # swapped, not reloaded
    finally:
        context.close()
        server.stop()
    assert outside == []
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_the_preview_collects_its_garbage_when_idle(tmp_path, monkeypatch):
    """Builds leave the site's objects out of the collector's way; after a few builds an
    idle scan collects everything, so a long editing session does not grow without end."""
    import datetime as dt
    import gc

    monkeypatch.setattr(serve, "SWEEP_AFTER_BUILDS", 2)
    project = make_project(tmp_path)
    options = BuildOptions(project / "content", project / "templates", project / "apercu",
                           dt.date(2025, 3, 1), root=project, preview=True)
    preview = serve.Preview(options, pin_today=True, debug=False)
    page = project / "content" / "pages" / "programme.md"
    for i in range(2):
        preview.rebuild() if i == 0 else preview.rebuild({str(page)})
        assert gc.get_freeze_count() > 0  # the records stay out of the collector's way
    preview.poll()  # nothing new: idle
    assert preview.unswept == 0 and gc.get_freeze_count() == 0
