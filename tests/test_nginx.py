"""The deployment recipe, tested: deploy/nginx.conf serving the real site with Debian's nginx.

The shipped server block runs as is, with only its `root` and `listen` lines replaced (the
built site, a free port on 127.0.0.1), inside a minimal main configuration. Every file of
the site is fetched: status, content type (text/calendar; charset=utf-8 for the feed),
gzip, cache policy (a year for fingerprinted assets, revalidation for the rest) and the
security headers. Then headless Chromium (Debian's, the session's `chromium` fixture of
tests/conftest.py: Playwright allows one per process) loads every page under that
Content-Security-Policy: no violation, no console error or warning. A probe page with an
inline script proves the policy is enforced and the violations would be seen.

nginx and Chromium come from Debian packages (`apt-get install nginx chromium`, as .ci/run
does); the tests fail, never skip, when they are missing.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "deploy" / "nginx.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")
PROBE = "sonde-csp.html"  # written by the browser test, ignored by the others
pytestmark = pytest.mark.nginx

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".xml": "text/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def find_nginx() -> str:
    """Debian's nginx binary, or a clear failure (CI installs it with apt-get)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found is None or not MIME_TYPES.is_file():
        pytest.fail("nginx est introuvable : installez le paquet Debian « nginx » "
                    "(apt-get install nginx, comme le fait .ci/run).", pytrace=False)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def replace_once(text: str, pattern: str, replacement: str) -> str:
    """Replace a directive that must appear exactly once in the recipe."""
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert count == 1, f"deploy/nginx.conf : « {pattern} » attendu une fois, trouvé {count}"
    return new


def render_config(site: Path, port: int, work: Path) -> str:
    """The recipe with its root and port replaced, inside a minimal nginx.conf."""
    server = RECIPE.read_text(encoding="utf-8")
    server = replace_once(server, r"^(\s*)root /var/www/tne/site;", rf"\1root {site};")
    server = replace_once(server, r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{port};")
    server = replace_once(server, r"^\s*listen \[::\]:80;\n", "")
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the test's files
    temp = "\n".join(f"    {name}_temp_path {work}/{name};"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log {work}/access.log;
{temp}
{server}
}}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The real content, built as of 1 February 2025."""
    output = tmp_path_factory.mktemp("nginx-site") / "site"
    assert main(["build", "--content", str(ROOT / "content"), "--templates",
                 str(ROOT / "templates"), "--output", str(output), "--today", "2025-02-01"]) == 0
    return output


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    """nginx running the recipe on 127.0.0.1; yields (host, port)."""
    nginx = find_nginx()
    work = tmp_path_factory.mktemp("nginx-run")
    for _attempt in range(5):
        port = free_port()
        conf = work / "nginx.conf"
        conf.write_text(render_config(site, port, work), encoding="utf-8")
        checked = subprocess.run([nginx, "-t", "-p", str(work), "-c", str(conf)],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, f"nginx -t refuse la configuration :\n{checked.stderr}"
        process = subprocess.Popen([nginx, "-p", str(work), "-c", str(conf), "-g",
                                    "daemon off;"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        if wait_for_port(port, process):
            break
        process.communicate(timeout=10)  # the port was taken in the meantime: try another
    else:
        pytest.fail(f"nginx n'a pas démarré :\n{(work / 'error.log').read_text()}")
    try:
        yield "127.0.0.1", port
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def wait_for_port(port: int, process: subprocess.Popen) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def fetch(server, path: str, method: str = "GET", headers: dict | None = None):
    """(status, headers, body decompressed) of one request."""
    connection = http.client.HTTPConnection(*server, timeout=10)
    try:
        connection.request(method, path, headers={"Accept-Encoding": "gzip", **(headers or {})})
        response = connection.getresponse()
        body = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, response, body
    finally:
        connection.close()


def url_of(rel: str) -> str:
    """The address of an output file: agenda/index.html -> /agenda/."""
    if rel == "index.html":
        return "/"
    return "/" + (rel[: -len("index.html")] if rel.endswith("/index.html") else rel)


def published_files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                  if p.is_file() and not p.name.startswith(".") and p.name != PROBE)


def assert_security_headers(response, where: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.getheader(name) == value, f"{where} : {name}"
    policy = response.getheader("Content-Security-Policy") or ""
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("default-src") == ["'self'"], f"{where} : {policy}"
    assert directives.get("frame-ancestors") == ["'none'"], f"{where} : {policy}"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, f"{where} : {policy}"
    assert "camera=()" in (response.getheader("Permissions-Policy") or ""), where


def test_every_file_is_served_right(site, server):
    files = published_files(site)
    assert "agenda.ics" in files and "404.html" in files
    for rel in files:
        where = url_of(rel)
        status, response, body = fetch(server, where)
        assert status == 200, where
        assert body == (site / rel).read_bytes(), where
        suffix = Path(rel).suffix
        assert response.getheader("Content-Type") == CONTENT_TYPES[suffix], where
        assert_security_headers(response, where)
        expected_cache = ("public, max-age=31536000, immutable" if rel.startswith("assets/")
                          else "no-cache")
        assert response.getheader("Cache-Control") == expected_cache, where
        if len(body) >= 256 and suffix != ".png":
            assert response.getheader("Content-Encoding") == "gzip", where
            assert "Accept-Encoding" in (response.getheader("Vary") or ""), where


def test_the_feed_and_revalidation(site, server):
    status, response, body = fetch(server, "/agenda.ics")
    assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")
    assert response.getheader("Content-Type") == "text/calendar; charset=utf-8"
    for path in ("/", "/agenda.ics"):
        status, response, _ = fetch(server, path)
        etag = response.getheader("ETag")
        assert etag, path
        status, response, body = fetch(server, path, headers={"If-None-Match": etag})
        assert status == 304 and body == b"", path


def test_errors_redirects_and_hidden_files(site, server):
    status, response, body = fetch(server, "/page-qui-n-existe-pas/")
    assert status == 404
    assert body == (site / "404.html").read_bytes()
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert_security_headers(response, "404")
    status, response, _ = fetch(server, "/agenda")
    assert status == 301 and response.getheader("Location") == "/agenda/"
    assert (site / ".sitegen.json").is_file()
    assert fetch(server, "/.sitegen.json")[0] == 404
    assert fetch(server, "/", method="POST")[0] in (403, 405)
    status, response, body = fetch(server, "/", method="HEAD")
    assert status == 200 and body == b""
    assert response.getheader("Server") == "nginx"  # no version number


@pytest.mark.browser
def test_pages_load_in_chromium_under_the_policy(site, server, chromium):
    base = f"http://{server[0]}:{server[1]}"
    pages = [url_of(rel) for rel in published_files(site) if rel.endswith(".html")]
    (site / PROBE).write_text('<!doctype html><html lang="fr"><title>Sonde</title>'
                              '<p style="color:red">x</p><script>document.title="non"</script>',
                              encoding="utf-8")
    try:
        reports = {path: visit(chromium, base, path) for path in pages}
        missing = visit(chromium, base, "/page-qui-n-existe-pas/")
        probe = visit(chromium, base, "/" + PROBE)
    finally:
        (site / PROBE).unlink()
    assert len(reports) > 10
    for path, messages in reports.items():
        assert messages == [], f"{path} : {messages}"
    assert [m for m in missing if "404" not in m] == []
    assert any("style-src" in m for m in probe) and any("script-src" in m for m in probe), probe


def visit(browser, base: str, path: str) -> list[str]:
    """Console errors and warnings, and CSP violations, while loading one page."""
    context = browser.new_context()
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: message.type in ("error", "warning")
            and messages.append(f"console {message.type} : {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"erreur : {error}"))
    page.add_init_script("window.__violations = [];"
                         "document.addEventListener('securitypolicyviolation', e =>"
                         " window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")
    try:
        page.goto(base + path, wait_until="load")
        page.wait_for_timeout(50)
        messages += [f"violation CSP : {v}" for v in page.evaluate("window.__violations")]
    finally:
        context.close()
    return messages
