"""Builds and the preview warn of links written in a text that lead nowhere on the site."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sitegen.cli import main
from sitegen.pipeline import Builder, BuildOptions

ROOT = Path(__file__).resolve().parent.parent
EXEMPLE = ROOT / "tests" / "fixtures" / "exemple"
TODAY = dt.date(2025, 10, 1)  # the fixture builds without a warning on that day
DRAFT = '---\ntitre: "En préparation"\ndescription: "Bientôt."\nbrouillon: oui\n---\nTexte.\n'


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(EXEMPLE, target)
    return target


def builder(content: Path, preview: bool = False, persist: bool = True) -> Builder:
    output = content.parent / ("apercu" if preview else "site")
    return Builder(BuildOptions(content, ROOT / "templates", output, TODAY, root=content.parent,
                                preview=preview), persist=persist)


def add_line(path: Path, text: str) -> int:
    """Append a line to a file as an editor would; its 1-based number."""
    lines = path.read_text("utf-8").splitlines()
    path.write_text("\n".join([*lines, "", text]) + "\n", "utf-8")
    return len(lines) + 2


def shown(result) -> list[str]:
    return [problem.format() for problem in result.warnings]


def test_the_fixture_builds_without_link_warnings(content):
    assert not [w for w in shown(builder(content).build()) if "le lien" in w]


def test_a_link_to_no_page_is_warned_at_its_line_and_the_site_still_built(content):
    page = content / "pages" / "accueil.md"
    line = add_line(page, "Voir [les contacts](/contact/) et [la radio](/agenda/).")
    result = builder(content).build()
    warnings = [w for w in shown(result) if "le lien" in w]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"{page.relative_to(content.parent)}:{line} : avertissement")
    assert "« /contact/ » (page /) mène à une page qui n'existe pas" in warnings[0]
    assert "vouliez-vous dire « /contacts/ » ?" in warnings[0]
    assert (content.parent / "site" / "index.html").is_file()


def test_missing_files_drafts_and_markdown_file_names(content):
    (content / "pages" / "en-preparation.md").write_text(DRAFT, "utf-8")
    page = content / "pages" / "contacts.md"
    add_line(page, "[a](/fichiers/absent.pdf) [b](/en-preparation/) [c](partenaires.md) "
                   "[d](mailto:x@exemple.test) [e](#haut) [f](https://ailleurs.test/x/)")
    warnings = [w for w in shown(builder(content).build()) if "le lien" in w]
    assert len(warnings) == 3, warnings
    text = "\n".join(warnings)
    assert "« /fichiers/absent.pdf » (page /contacts/) mène à un fichier absent" in text
    assert "« /en-preparation/ » (page /contacts/) mène à un contenu en brouillon" in text
    assert "« partenaires.md » (page /contacts/) mène à une page qui n'existe pas" in text
    assert "vouliez-vous dire « /partenaires/ » ?" in text
    preview = [w for w in shown(builder(content, preview=True).build()) if "le lien" in w]
    assert len(preview) == 2 and not any("en-preparation" in w for w in preview)  # shown there


def test_the_preview_drops_the_warning_once_the_link_is_fixed(content):
    page = content / "pages" / "accueil.md"
    add_line(page, "Voir [les contacts](/contact/).")
    preview = builder(content, preview=True, persist=False)
    assert any("/contact/" in w for w in shown(preview.build()))
    page.write_text(page.read_text("utf-8").replace("(/contact/)", "(/contacts/)"), "utf-8")
    assert not [w for w in shown(preview.build([page], complete=True)) if "le lien" in w]


def test_a_rebuild_from_the_cache_warns_alike(content):
    add_line(content / "pages" / "accueil.md", "Voir [les contacts](/contact/).")
    first = shown(builder(content).build())
    assert any("« /contact/ »" in warning for warning in first)
    (content / "pages" / "plan.md").write_text(
        (content / "pages" / "plan.md").read_text("utf-8") + "\nUne phrase.\n", "utf-8")
    assert shown(builder(content).build()) == first  # records from the cache: same warning
    assert shown(builder(content).build()) == first  # nothing changed: the same again


def test_check_reports_such_a_link_once_as_an_error(capsys, content):
    add_line(content / "pages" / "accueil.md", "Voir [les contacts](/contact/).")
    status = main(["check", "--content", str(content), "--templates", str(ROOT / "templates"),
                   "--output", str(content.parent / "site"), "--today", TODAY.isoformat()])
    err = capsys.readouterr().err
    assert status == 1 and err.count("« /contact/ »") == 1, err
    assert "avertissement" not in next(line for line in err.splitlines() if "/contact/" in line)


def test_links_shown_as_code_are_not_followed(content):
    page = content / "pages" / "accueil.md"
    add_line(page, "Écrivez `[texte](/votre-page/)`, par exemple :\n\n```\n[Contacts](/contact/)\n"
                   "```\n\nUne apostrophe ` seule, puis [un vrai lien](/nulle-part/).")
    warnings = [w for w in shown(builder(content).build()) if "le lien" in w]
    assert len(warnings) == 1 and "« /nulle-part/ »" in warnings[0], warnings
    assert f"accueil.md:{len(page.read_text('utf-8').splitlines())} :" in warnings[0]
