"""Another territory publishes its own site by swapping the content folder (issue 2, §4)."""

from __future__ import annotations

import re

from conftest import EXEMPLE, ROOT, build, page_text

TERRITORY_WORDS = re.compile(r"Finist[eè]re|Quimper|Brest|Rennes|Canop[ée]|e-demarches|Jégou",
                             re.IGNORECASE)


def test_nothing_of_the_finistere_in_code_or_templates():
    for folder in ("sitegen", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".xml", ".txt",
                                                  ".svg"):
                found = TERRITORY_WORDS.search(path.read_text(encoding="utf-8"))
                assert found is None, f"{path.relative_to(ROOT)} mentions « {found.group()} »"


def test_second_territory_builds_with_its_own_names(tmp_path):
    output = tmp_path / "site"
    assert build(output, "2025-10-01", EXEMPLE) == 0
    home = page_text(output, "/")
    assert "Territoire numérique éducatif de Val-Exemple" in home
    assert "Campagne ouverte" in home
    assert "Accessibilité : partiellement conforme" in home
    assert (output / "calendrier.ics").is_file()  # the feed's file name is a setting
    assert not (output / "agenda.ics").exists()
    everything = "".join(p.read_text(encoding="utf-8") for p in output.rglob("*")
                         if p.suffix in (".html", ".ics", ".xml", ".txt"))
    assert TERRITORY_WORDS.search(everything) is None


def test_second_territory_timed_event_and_document(tmp_path):
    output = tmp_path / "site"
    assert build(output, "2025-10-01", EXEMPLE) == 0
    event = page_text(output, "/agenda/2025-10-08-atelier-radio/")
    assert "mercredi 8 octobre 2025, de 14 h 30 à 16 h 30" in event
    assert "3 rue des Ondes, 99000 Val-Exemple" in event
    documents = page_text(output, "/documents/")
    assert "Guide du projet PDF – 28 o" in documents
    assert (output / "fichiers" / "guide.pdf").read_bytes().startswith(b"%PDF")
    legal = page_text(output, "/mentions-legales/")
    assert "Camille Exemple, rectrice" in legal
