"""The hostile-input corpus: broken or malicious content never breaks the build or the site.

Each folder of tests/hostile/ (except base/) is one case: `content/` holds the files that
replace those of the valid site in tests/hostile/base/, `remove.txt` lists base files to
delete, `about.txt` says what the case is. A few cases cannot live in git (a 50 MB file,
symbolic links): GENERATED creates them in the test's copy.

- An error case has `expected.txt`: the exact standard error of the build, French
  messages with path:line and the summary line. The build exits with status 1, prints no
  traceback, and the site built before is left byte for byte as it was.
- A `safe-*` case is legitimate content (a BOM, emoji, right-to-left text) or text
  carrying markup: it builds (status 0), and every page passes `assert_safe_html`:
  no script but the site's own, no event-handler attribute, no javascript: link.
  `safe.txt` lists `output path | text a visitor must read there`.

Most cases run in-process (fast); SUBPROCESS_CASES also run through `python build.py`
to prove the exit status and the absence of a traceback end to end.
After a deliberate change of wording, `UPDATE_HOSTILE=1 pytest tests/test_hostile.py`
rewrites the expected.txt files; review the change with `git diff tests/hostile`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CORPUS = ROOT / "tests" / "hostile"
BASE = CORPUS / "base"
TODAY = "2025-02-01"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "base")
ERROR_CASES = [name for name in CASES if not name.startswith("safe-")]
SAFE_CASES = [name for name in CASES if name.startswith("safe-")]
SUBPROCESS_CASES = ["file-50-mb", "yaml-billion-laughs", "yaml-python-tag", "not-utf8",
                    "nul-byte", "symlink-outside-content", "markdown-bracket-bomb",
                    "yaml-deep-keys"]


def _outside_file(tmp: Path) -> Path:
    """A valid event file outside content/, the target of the symbolic links below."""
    target = tmp / "ailleurs" / "evenement.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text((BASE / "agenda" / "2025-04-02-forum.md").read_text().replace(
        "d4e5f6", "0a0b0c"), encoding="utf-8")
    return target


def _make_huge_file(tmp: Path, content: Path) -> None:
    with open(content / "agenda" / "2025-06-01-enorme.md", "wb") as handle:
        handle.write(b"---\ntitre: x\n---\n")
        handle.truncate(50_000_000)  # sparse: instant, no disk space


def _make_symlink_outside(tmp: Path, content: Path) -> None:
    (content / "agenda" / "2025-06-01-lien.md").symlink_to(_outside_file(tmp))


def _make_symlinked_folder(tmp: Path, content: Path) -> None:
    _outside_file(tmp)
    shutil.rmtree(content / "agenda")
    (content / "agenda").symlink_to(tmp / "ailleurs", target_is_directory=True)


def _make_symlink_loop(tmp: Path, content: Path) -> None:
    link = content / "agenda" / "2025-06-01-boucle.md"
    link.symlink_to(link)


def _make_broken_symlink(tmp: Path, content: Path) -> None:
    (content / "agenda" / "2025-06-01-disparu.md").symlink_to(content / "agenda" / "parti.md")


GENERATED = {
    "symlink-broken": _make_broken_symlink,
    "file-50-mb": _make_huge_file,
    "symlink-outside-content": _make_symlink_outside,
    "symlink-folder-outside-content": _make_symlinked_folder,
    "symlink-loop": _make_symlink_loop,
}


def tree_digest(folder: Path) -> str:
    """One hash of every path under a folder, with each file's bytes or link's target."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        if path.is_symlink():
            digest.update(b"->" + os.readlink(path).encode())
        elif path.is_file():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def previous_site(tmp_path_factory) -> Path:
    """The base content built once: the site every case must leave untouched."""
    tmp = tmp_path_factory.mktemp("hostile-base")
    shutil.copytree(BASE, tmp / "content")
    old = Path.cwd()
    os.chdir(tmp)
    try:
        assert main(build_arguments()) == 0
    finally:
        os.chdir(old)
    return tmp / "site"


def build_arguments() -> list[str]:
    """The build command line, relative to the case folder (so paths read content/…)."""
    return ["build", "--content", "content", "--templates", str(TEMPLATES),
            "--output", "site", "--today", TODAY]


def prepare(name: str, tmp: Path, previous_site: Path) -> Path:
    """tmp/content = base + the case; tmp/site = a copy of the previous good site."""
    content = tmp / "content"
    shutil.copytree(BASE, content)
    case = CORPUS / name
    if (case / "content").is_dir():
        shutil.copytree(case / "content", content, dirs_exist_ok=True)
    if (case / "remove.txt").is_file():
        for rel in (case / "remove.txt").read_text(encoding="utf-8").split():
            (content / rel).unlink()
    if name in GENERATED:
        GENERATED[name](tmp, content)
    shutil.copytree(previous_site, tmp / "site", symlinks=True)
    return content


def check_error(name: str, err: str, out: str) -> None:
    """stderr is exactly expected.txt (or, with UPDATE_HOSTILE=1, becomes it)."""
    assert "Traceback" not in err + out
    expected_file = CORPUS / name / "expected.txt"
    if os.environ.get("UPDATE_HOSTILE"):
        expected_file.write_text(err, encoding="utf-8")
    assert expected_file.is_file(), f"{name}: expected.txt manque ; stderr :\n{err}"
    assert err == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ERROR_CASES)
def test_error_case(name, tmp_path, previous_site, monkeypatch, capsys):
    prepare(name, tmp_path, previous_site)
    before = tree_digest(tmp_path / "site")
    monkeypatch.chdir(tmp_path)
    status = main(build_arguments())
    captured = capsys.readouterr()
    assert status == 1, captured.err
    check_error(name, captured.err, captured.out)
    assert tree_digest(tmp_path / "site") == before


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_error_case_end_to_end(name, tmp_path, previous_site):
    prepare(name, tmp_path, previous_site)
    before = tree_digest(tmp_path / "site")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *build_arguments()],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr == (CORPUS / name / "expected.txt").read_text(encoding="utf-8")
    assert tree_digest(tmp_path / "site") == before


def test_corpus_is_large_enough():
    assert len(ERROR_CASES) >= 40
    assert set(SUBPROCESS_CASES) <= set(ERROR_CASES)
    assert set(GENERATED) <= set(CASES)
    for name in CASES:
        assert (CORPUS / name / "about.txt").is_file(), name


# ---------------------------------------------------------------- safe cases

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster",
                  "background", "srcset", "cite", "ping"}
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "form", "base", "frame", "frameset",
                      "applet", "style", "svg", "math"}  # none in the templates either
BAD_SCHEME = re.compile(r"^(?:javascript|vbscript|data):")


class PageScan(HTMLParser):
    """Every element, attribute, script body and visible text of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)

    def visible_text(self) -> str:
        text = " ".join(self.text).replace("\u00a0", " ").replace("\u202f", " ")
        return " ".join(text.split())


def assert_safe_html(html: str, where: str) -> PageScan:
    """No way for content to run script: elements, attributes, URLs and script bodies."""
    scan = PageScan()
    scan.feed(html)
    scan.close()
    for tag, attrs in scan.elements:
        assert tag not in FORBIDDEN_ELEMENTS, f"{where}: <{tag}>"
        if tag == "meta":
            assert "http-equiv" not in attrs, f"{where}: <meta http-equiv>"
        if tag == "link" and attrs.get("rel") == "stylesheet":
            assert (attrs.get("href") or "").startswith("/assets/"), f"{where}: {attrs}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{where}: <{tag} {name}=…>"
            assert name != "style", f"{where}: <{tag} style=…>"
            if name in URL_ATTRIBUTES and value:
                squeezed = re.sub(r"[\x00-\x20]", "", unescape(value)).lower()
                assert not BAD_SCHEME.match(squeezed), f"{where}: <{tag} {name}={value!r}>"
    for attrs, body in scan.scripts:
        if attrs.get("type") == "application/ld+json":
            assert "<" not in body, f"{where}: « < » dans le JSON-LD"
            json.loads(body)
        else:
            assert (attrs.get("src") or "").startswith("/assets/") and not body.strip(), \
                f"{where}: script {attrs} {body[:80]!r}"
    return scan


@pytest.mark.parametrize("name", SAFE_CASES)
def test_safe_case(name, tmp_path, previous_site, monkeypatch, capsys):
    prepare(name, tmp_path, previous_site)
    monkeypatch.chdir(tmp_path)
    status = main(build_arguments())
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "Traceback" not in captured.err + captured.out
    site = tmp_path / "site"
    pages = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        pages[rel] = assert_safe_html(path.read_text(encoding="utf-8"), rel)
    expected = CORPUS / name / "safe.txt"
    for line in expected.read_text(encoding="utf-8").splitlines() if expected.is_file() else []:
        if not line.strip() or line.startswith("#"):
            continue
        if " ! " in line and " | " not in line:
            rel, text = (part.strip() for part in line.split(" ! ", 1))
            assert text not in (site / rel).read_text(encoding="utf-8"), f"{rel} : « {text} »"
            continue
        rel, text = (part.strip() for part in line.split("|", 1))
        if rel.endswith(".html"):
            assert text in pages[rel].visible_text(), f"{rel} : « {text} » absent"
        else:
            assert text in (site / rel).read_text(encoding="utf-8"), f"{rel} : « {text} »"
