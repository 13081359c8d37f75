"""`build.py check`: the build's validation plus links, anchors, files, feeds and editorial
warnings, in French with path:line; --strict makes warnings fail.

CI's strict check runs on tests/fixtures/exemple, a complete territory (no expected
warnings); the real content keeps known warnings (contacts without e-mail, legal fields
still unknown, themes to confirm), so it is checked without --strict.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from sitegen import check, errors
from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXEMPLE = ROOT / "tests" / "fixtures" / "exemple"
TEMPLATES = ROOT / "templates"
TODAY = "2025-10-01"  # the fixture's event is ahead, its « Mise à jour » under a year old
EVENT = "agenda/2025-10-08-atelier-radio.md"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A writable copy of the complete fixture."""
    target = tmp_path / "content"
    shutil.copytree(EXEMPLE, target)
    return target


def run(capsys, content: Path, *extra: str, today: str = TODAY,
        templates: Path = TEMPLATES) -> tuple[int, str, str]:
    """Run `check` in-process; (status, stdout, stderr)."""
    status = main(["check", "--content", str(content), "--templates", str(templates),
                   "--output", str(content.parent / "site"), "--today", today, *extra])
    out = capsys.readouterr()
    return status, out.out, out.err


def append(path: Path, text: str) -> None:
    """Append text to a file, as an editor would."""
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line of a file containing text."""
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text in line)


def test_strict_check_passes_on_the_complete_fixture(capsys, content):
    status, out, err = run(capsys, content, "--strict")
    assert status == 0, err
    assert out.strip() == "Vérification terminée : aucun problème." and err == ""


def test_real_content_passes_without_strict_and_fails_with_it(capsys, tmp_path):
    real = tmp_path / "content"
    shutil.copytree(ROOT / "content", real)
    status, out, err = run(capsys, real, today="2025-03-01")
    assert status == 0 and "erreur" not in out and "avertissement" in out
    assert all(" : avertissement : " in line for line in err.splitlines()
               if not line.startswith("  →")), err
    status, out, _ = run(capsys, real, "--strict", today="2025-03-01")
    assert status == 1 and "Mode strict" in out


def test_check_writes_nothing(capsys, content):
    before = sorted((p, p.stat().st_mtime_ns) for p in content.rglob("*"))
    run(capsys, content)
    assert not (content.parent / "site").exists()
    assert sorted((p, p.stat().st_mtime_ns) for p in content.rglob("*")) == before


def test_build_errors_are_reported_with_the_check_summary(capsys, content):
    event = content / EVENT
    event.write_text(event.read_text().replace("date: 2025-10-08", "date: 2025-10-32"))
    status, out, err = run(capsys, content)
    assert status == 1
    assert re.search(r"agenda/2025-10-08-atelier-radio\.md:4 : la date « 2025-10-32 »", err)
    assert out.strip() == "Vérification terminée : 1 erreur. Corrigez les erreurs avant de publier."


def test_broken_links_anchors_files_and_drafts_are_located(capsys, content):
    page = content / "pages" / "accueil.md"
    append(page, "\n[a](/contact/) [b](/agenda/#nulle-part) [c](/fichiers/absent.pdf) "
                        "[d](/en-preparation/) [e](/fichiers/guide.pdf) [f](/agenda/#contenu)\n")
    (content / "pages" / "en-preparation.md").write_text(
        '---\ntitre: "En préparation"\ndescription: "Bientôt."\nbrouillon: oui\n---\nTexte.\n',
        encoding="utf-8")
    status, out, err = run(capsys, content)
    assert status == 1
    line = line_of(page, "/contact/")
    shown = [line_ for line_ in err.splitlines() if "accueil.md" in line_]
    assert len(shown) == 4, err
    assert all(f"accueil.md:{line} : le lien" in text for text in shown), err
    assert "« /contact/ » (page /) mène à une page qui n'existe pas" in err
    assert "vouliez-vous dire « /contacts/ » ?" in err
    assert "vise l'ancre « nulle-part », absente de /agenda/" in err
    assert "« /fichiers/absent.pdf » (page /) mène à un fichier absent" in err
    assert "« /en-preparation/ » (page /) mène à un contenu en brouillon ou programmé" in err
    assert "4 erreurs" in out


def test_a_broken_link_from_a_data_file_or_a_template_is_located_there(capsys, content, tmp_path):
    partners = content / "partenaires.yaml"
    partners.write_text(partners.read_text().replace(
        "https://association.val-exemple.test", "https://tne.val-exemple.test/disparu/"))
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    footer = templates / "base.html"
    footer.write_text(footer.read_text().replace("</footer>", '<a href="/ailleurs/">x</a>\n'
                                                 "</footer>"))
    status, _, err = run(capsys, content, templates=templates)
    assert status == 1
    number = line_of(partners, "/disparu/")
    assert f"partenaires.yaml:{number} : le lien « https://tne.val-exemple.test/disparu/ »" in err
    assert re.search(r"templates/base\.html:\d+ : le lien « /ailleurs/ »", err), err
    assert err.count("« /ailleurs/ »") == err.count("templates/base.html")  # once per page


def test_links_to_other_sites_mail_and_phone_are_not_followed(capsys, content):
    append(content / "pages" / "accueil.md",
           "\n[x](https://ailleurs.example.org/rien/) [m](mailto:a@b.fr) [t](tel:0298000000)\n")
    status, _, err = run(capsys, content, "--strict")
    assert status == 0, err


def test_feed_defects_are_detected():
    good = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//FR\r\nBEGIN:VEVENT\r\n"
            b"UID:a@x\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;VALUE=DATE:20250102\r\n"
            b"DTEND;VALUE=DATE:20250103\r\nSUMMARY:Un\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert check.feed_defects(good) == []
    assert "fins de ligne autres que CRLF" in check.feed_defects(good.replace(b"\r\n", b"\n"))
    long_line = good.replace(b"SUMMARY:Un", b"SUMMARY:" + "é".encode() * 40)
    assert "ligne de plus de 75 octets" in check.feed_defects(long_line)
    assert "VEVENT sans UID" in check.feed_defects(good.replace(b"UID:a@x\r\n", b""))
    backwards = good.replace(b"DTEND;VALUE=DATE:20250103", b"DTEND;VALUE=DATE:20250101")
    assert "a@x finit avant de commencer" in check.feed_defects(backwards)
    event = good[good.index(b"BEGIN:VEVENT"):good.index(b"END:VCALENDAR")]
    twice = good.replace(b"END:VCALENDAR", event + b"END:VCALENDAR")
    assert "UID en double" in check.feed_defects(twice)
    assert check.feed_defects(b"") == ["fichier vide ou absent"]


def test_real_feeds_are_sound(capsys, content):
    options = check_options(content)
    from sitegen import pipeline
    site, _ = pipeline.load_site(options)
    files = pipeline.render_site(site, options.templates_dir, options.root)
    assert check.check_feeds(site, files, options.output_dir) == []
    assert "calendrier.ics" in files


def check_options(content: Path, today: str = TODAY):
    from sitegen.pipeline import BuildOptions
    return BuildOptions(content_dir=content, templates_dir=TEMPLATES,
                        output_dir=content.parent / "site", today=dt.date.fromisoformat(today))


def test_moved_event_without_sequence_raise_is_a_warning(capsys, content):
    site = content.parent / "site"
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                 "--output", str(site), "--today", TODAY]) == 0
    capsys.readouterr()
    event = content / EVENT
    event.write_text(event.read_text().replace("date: 2025-10-08", "date: 2025-10-09"))
    status, out, err = run(capsys, content)
    assert status == 0
    assert re.search(r"2025-10-08-atelier-radio\.md:\d+ : avertissement : "
                     r"« Atelier radio » a changé depuis l'agenda publié \(début, fin\)", err), err
    assert run(capsys, content, "--strict")[0] == 1
    event.write_text(event.read_text().replace("type: formation", "type: formation\nsequence: 1"))
    status, _, err = run(capsys, content, "--strict")
    assert status == 0, err


def test_editorial_warnings(capsys, content):
    (content / "pages" / "sans-description.md").write_text(
        '---\ntitre: "Sans description"\n---\nUn texte. À compléter : la suite.\n',
        encoding="utf-8")
    event = content / EVENT
    event.write_text(event.read_text().replace("type: formation", "type: formation\n"
                                               "statut: reporté"))
    status, out, err = run(capsys, content, today="2026-10-01")
    assert status == 0
    assert re.search(r"pages/sans-description\.md:2 : avertissement : la page « Sans description » "
                     "n'a pas de description", err), err
    assert "pages/sans-description.md : avertissement : « Sans description » contient encore " \
           "le texte « À compléter »" in err
    assert re.search(r"atelier-radio\.md:\d+ : avertissement : l'événement « Atelier radio » est "
                     "passé mais toujours marqué « reporté »", err), err
    assert re.search(r"site\.yaml:\d+ : avertissement : la date de mise à jour \(01/09/2025\) a "
                     "plus d'un an", err), err
    assert "4 avertissements" in out


def test_a_built_site_with_expired_statuses_is_reported(capsys, content):
    site = content.parent / "site"
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES),
                 "--output", str(site), "--today", TODAY]) == 0
    capsys.readouterr()
    assert run(capsys, content, "--strict")[0] == 0  # built today: nothing expired
    status, _, err = run(capsys, content, today="2025-10-20")
    assert "site/statut.json : avertissement : le site de" in err
    assert "généré avec la date du 01/10/2025" in err
    assert "« Atelier radio » désormais passé" in err and "make build" in err


def test_drafts_are_not_checked_as_published(capsys, content):
    (content / "pages" / "brouillon.md").write_text(
        '---\ntitre: "Brouillon"\nbrouillon: oui\n---\n[lien cassé](/nulle-part/) À compléter\n',
        encoding="utf-8")
    status, _, err = run(capsys, content, "--strict")
    assert status == 0, err


@pytest.mark.parametrize("counts,strict,expected", [
    ((0, 0), False, "Vérification terminée : aucun problème."),
    ((2, 1), False, "Vérification terminée : 2 erreurs et 1 avertissement. Corrigez les erreurs "
                    "avant de publier."),
    ((0, 3), False, "Vérification terminée : 3 avertissements (non bloquants)."),
    ((0, 1), True, "Vérification terminée : 1 avertissement. Mode strict (--strict) : les "
                   "avertissements comptent comme des erreurs."),
])
def test_summary_wording(counts, strict, expected):
    assert errors.check_summary(*counts, strict) == expected


def test_output_file_maps_urls_like_the_server():
    outputs = {"index.html", "agenda/index.html", "agenda.ics", "fichiers/guide.pdf"}
    assert check.output_file("/", outputs) == "index.html"
    assert check.output_file("/agenda/", outputs) == "agenda/index.html"
    assert check.output_file("/agenda", outputs) == "agenda/index.html"
    assert check.output_file("/agenda.ics", outputs) == "agenda.ics"
    assert check.output_file("/fichiers/guide.pdf", outputs) == "fichiers/guide.pdf"
    assert check.output_file("/rien/", outputs) is None
    assert check.internal_path("webcal://h/agenda.ics", "/", "h") == ("/agenda.ics", "")
    assert check.internal_path("https://autre/x", "/", "h") is None
    assert check.internal_path("#haut", "/agenda/", "h") == ("/agenda/", "haut")
    assert check.internal_path("mailto:x@y.fr", "/", "h") is None
