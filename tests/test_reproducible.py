"""Reproducible builds: same content and SOURCE_DATE_EPOCH, byte-identical site.

Two builds of the real content run as separate processes that differ in everything that
must not matter: time zone (UTC and UTC+14), locale (C and French), Python's hash seed,
the order in which the content files were created, the moment they were written (their
mtimes), the number of rendering processes, and the output folder's history (one is
built fresh, the other over an earlier build of other content). Every byte of every
file must match.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"
EPOCH = "1738368000"  # 2025-02-01 00:00 UTC
MANIFEST = ".sitegen.json"  # the write stage's own record, not a published file
ENVIRONMENTS = {
    "a": {"TZ": "UTC", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "0"},
    "b": {"TZ": "Pacific/Kiritimati", "LANG": "fr_FR.UTF-8", "LC_ALL": "fr_FR.UTF-8",
          "LANGUAGE": "fr", "PYTHONHASHSEED": "12345"},
}


def copy_in_order(source: Path, target: Path, reverse: bool) -> None:
    """Copy a tree creating its files in sorted or reverse order (directory order differs)."""
    files = sorted((p for p in source.rglob("*") if p.is_file()), reverse=reverse)
    for path in files:
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def run_build(work: Path, environment: dict[str, str], *extra: str) -> None:
    """python build.py in a clean environment, from the folder `work`."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work),
           "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT),
           **environment}
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content",
                             "content", "--templates", str(TEMPLATES), "--output", "site",
                             *extra], cwd=work, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, hidden ones included, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Site a: fresh. Site b: over an earlier build of other content, in another world."""
    tmp_path = tmp_path_factory.mktemp("reproducible")
    first, second = tmp_path / "a", tmp_path / "b"
    copy_in_order(CONTENT, first / "content", reverse=False)
    (first / "content" / "fichiers" / "note.txt").write_text("Note à télécharger.\n")
    run_build(first, ENVIRONMENTS["a"], "--jobs", "1")

    copy_in_order(CONTENT, second / "content", reverse=True)
    events = sorted((second / "content" / "agenda").glob("*.md"))
    removed = events[0].read_bytes()
    events[0].unlink()  # an earlier state: one event fewer, another status date
    run_build(second, {**ENVIRONMENTS["b"], "SOURCE_DATE_EPOCH": "1767225600"}, "--jobs", "3")
    events[0].write_bytes(removed)
    (second / "content" / "fichiers" / "note.txt").write_text("Note à télécharger.\n")
    run_build(second, ENVIRONMENTS["b"], "--jobs", "3")
    return read_tree(first / "site"), read_tree(second / "site")


def test_same_content_same_bytes(two_sites):
    a, b = two_sites
    published_a = {k: v for k, v in a.items() if k != MANIFEST}
    published_b = {k: v for k, v in b.items() if k != MANIFEST}
    assert sorted(published_a) == sorted(published_b)
    differing = [path for path in published_a if published_a[path] != published_b[path]]
    assert not differing, f"fichiers différents d'une génération à l'autre : {differing}"
    assert any(path.endswith(".ics") for path in published_a)
    assert any(path.startswith("assets/") for path in published_a)
    assert "sitemap.xml" in published_a and "fichiers/note.txt" in published_a


def test_output_manifest_is_reproducible_too(two_sites):
    """The manifest is published with the folder (rsync): it must not vary either."""
    a, b = two_sites
    assert a[MANIFEST] == b[MANIFEST], (
        "site/.sitegen.json diffère entre deux générations du même contenu :\n"
        + "\n".join(sorted(set(a[MANIFEST].decode().splitlines())
                           ^ set(b[MANIFEST].decode().splitlines()))))
