"""The Nu Html Checker (vnu.jar from npm, on the installed Java) finds 0 errors on every page.

The CSS files are checked too (`--also-check-css`), and the SVG favicon (`--also-check-svg`).
Warnings are shown in the failure message but do not fail the test; info messages are ignored.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.browser


def run_vnu(jar, site) -> tuple[list[str], list[dict]]:
    """Files vnu.jar checked, and every message it gave, over the built site."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("java est introuvable : le validateur HTML (vnu.jar) a besoin d'un Java 11+ "
                    "(paquet Debian « default-jre-headless »).", pytrace=False)
    done = subprocess.run([java, "-jar", str(jar), "--format", "json", "--verbose",
                           "--skip-non-html", "--also-check-css", "--also-check-svg", str(site)],
                          capture_output=True, text=True, check=False, timeout=240)
    try:
        messages = json.loads(done.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"sortie illisible de vnu.jar ({done.returncode}) :\n{done.stderr[-2000:]}")
    return done.stdout.split(), messages


def test_every_page_stylesheet_and_svg_is_valid(vnu_jar, built_site):
    checked, messages = run_vnu(vnu_jar, built_site)
    expected = {str(p) for p in built_site.rglob("*") if p.suffix in (".html", ".css", ".svg")}
    assert expected <= set(checked), f"non vérifiés : {sorted(expected - set(checked))}"
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    shown = "\n".join(f"{m.get('url', '').replace(built_site.as_uri(), '')}:{m.get('lastLine')}"
                      f" [{m['type']}] {m['message']}"
                      for m in messages if m["type"] != "info")
    assert errors == [], f"{len(errors)} erreur(s) du Nu Html Checker :\n{shown}"
