"""Fixtures of the browser tests: tools from npm, the real site built and served, Chromium.

One build, one HTTP server and one browser for the whole session; pages are reused.
Every request that does not go to 127.0.0.1 is blocked and recorded, and the server sends
the production Content-Security-Policy, so an inline script or style shows up as a console
error.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .siteserver import build_site, html_pages, serve

HERE = Path(__file__).parent
NODE_MODULES = HERE / "node_modules"
STAMP = NODE_MODULES / ".package-lock.sha256"


def install_node_tools() -> Path:
    """`npm ci` the pinned axe-core and vnu-jar when missing or when the lock changed."""
    wanted = hashlib.sha256((HERE / "package-lock.json").read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text() == wanted:
        return NODE_MODULES
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm est introuvable : installez Node.js et npm (paquet Debian « npm ») pour "
                    "les tests d'accessibilité et de validité HTML.", pytrace=False)
    done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                          cwd=HERE, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"npm ci a échoué dans {HERE} :\n{done.stdout}\n{done.stderr}", pytrace=False)
    STAMP.write_text(wanted)
    return NODE_MODULES


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """node_modules holding axe-core and vnu-jar."""
    return install_node_tools()


@pytest.fixture(scope="session")
def axe_source(node_tools: Path) -> str:
    return (node_tools / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vnu_jar(node_tools: Path) -> Path:
    jar = node_tools / "vnu-jar" / "build" / "dist" / "vnu.jar"
    assert jar.is_file(), f"{jar} manque après npm ci"
    return jar


_BUILT: list[Path] = []


def real_site() -> Path:
    """The real content/, built once per session with the fixed reference date."""
    if not _BUILT:
        _BUILT.append(build_site(Path(tempfile.mkdtemp(prefix="sitegen-browser-")) / "site"))
    return _BUILT[0]


def pytest_unconfigure(config: pytest.Config) -> None:
    for site in _BUILT:
        shutil.rmtree(site.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def built_site() -> Path:
    return real_site()


@pytest.fixture(scope="session")
def base_url(built_site: Path):
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium):
    """The session's Chromium (tests/conftest.py), under the name these tests use."""
    return chromium


@dataclass
class Watched:
    """A browser page whose outside requests and console errors are recorded."""

    page: object
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.outside.clear()
        self.errors.clear()


def watch(context) -> Watched:
    """One page of context, with every request off 127.0.0.1 blocked and recorded."""
    page = context.new_page()
    watched = Watched(page)

    def route(route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            watched.outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda msg: msg.type == "error" and watched.errors.append(msg.text))
    page.on("pageerror", lambda exc: watched.errors.append(str(exc)))
    return watched


@pytest.fixture(scope="session")
def js_page(browser, base_url) -> Watched:
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    yield watch(context)
    context.close()


@pytest.fixture(scope="session")
def nojs_page(browser, base_url) -> Watched:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    yield watch(context)
    context.close()


@pytest.fixture
def fresh_context(browser):
    """A context of its own, for tests that change the clock or the media."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    yield context
    context.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise `path` with every HTML page the real content produces."""
    if "path" in metafunc.fixturenames:
        metafunc.parametrize("path", html_pages(real_site()))
