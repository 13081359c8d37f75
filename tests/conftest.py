"""Shared fixtures: builds of the real content at fixed reference dates, and page text."""

from __future__ import annotations

import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import settings

from sitegen.cli import main

# In CI the property tests replay the same examples every run (a failure is reproducible and
# never random); run them locally without CI=true to explore new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"
EXEMPLE = ROOT / "tests" / "fixtures" / "exemple"


def build(output: Path, today: str, content: Path = CONTENT, *extra: str) -> int:
    """Build in-process, as `python build.py` would; returns the exit status."""
    return main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                 "--output", str(output), "--today", today, *extra])


class _TextExtractor(HTMLParser):
    SKIP = {"script", "style", "head"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """What a visitor reads: text outside head/script/style, spaces normalised."""
    parser = _TextExtractor()
    parser.feed(html)
    text = " ".join(parser.parts)
    for space in ("\u00a0", "\u202f"):
        text = text.replace(space, " ")
    return " ".join(text.split())


def page_text(site: Path, url: str) -> str:
    """Visible text of the page at a site URL."""
    path = site / (url.strip("/") + "/index.html" if url != "/" else "index.html")
    return visible_text(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def site_feb(tmp_path_factory) -> Path:
    """The real content built as of 1 February 2025 (campaign upcoming, events ahead)."""
    out = tmp_path_factory.mktemp("feb") / "site"
    assert build(out, "2025-02-01") == 0
    return out


@pytest.fixture(scope="session")
def site_nov(tmp_path_factory) -> Path:
    """The real content built as of 29 November 2026 (campaign closed, events past)."""
    out = tmp_path_factory.mktemp("nov") / "site"
    assert build(out, "2026-11-29") == 0
    return out


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole session.

    Playwright's sync API allows one driver per process: every browser test shares this one.
    """
    from browser.siteserver import launch_chromium
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the real content folder."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target
