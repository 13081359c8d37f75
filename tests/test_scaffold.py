"""`build.py nouveau`: a correctly named draft with valid front matter, never overwritten."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sitegen import pipeline, scaffold
from sitegen.cli import main
from sitegen.model import UID_RE

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2025-03-01"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def new(capsys, content: Path, *arguments: str) -> tuple[int, str, str]:
    status = main(["nouveau", *arguments, "--content", str(content), "--today", TODAY])
    out = capsys.readouterr()
    return status, out.out, out.err


def load(content: Path, preview: bool):
    options = pipeline.BuildOptions(content_dir=content, templates_dir=ROOT / "templates",
                                    output_dir=content.parent / "site",
                                    today=dt.date.fromisoformat(TODAY), preview=preview)
    return pipeline.load_site(options)[0]


@pytest.mark.parametrize("title,slug", [
    ("Forum des usages", "forum-des-usages"),
    ("Forum des usages : l'École « numérique » en Œuvre",
     "forum-des-usages-l-ecole-numerique-en-oeuvre"),
    ("  Ça va ? Très bien !  ", "ca-va-tres-bien"),
    ("Séminaire Moodle 2025/2026", "seminaire-moodle-2025-2026"),
    ("Kreiz Breizh : Ti ar Vro", "kreiz-breizh-ti-ar-vro"),
    ("!!!", ""),
])
def test_slugify(title, slug):
    assert scaffold.slugify(title) == slug


def test_long_titles_are_cut_at_a_word():
    slug = scaffold.slugify("Rencontre départementale " * 10)
    assert len(slug) <= scaffold.MAX_SLUG and not slug.endswith("-")
    assert slug.startswith("rencontre-departementale-rencontre")


def test_new_event_is_a_valid_dated_draft(capsys, content):
    status, out, err = new(capsys, content, "evenement", "Forum des usages : l'École",
                           "--date", "2025-06-12", "--lieu", "Collège « la Tourelle »",
                           "--ville", "Quimper")
    assert status == 0, err
    path = content / "agenda" / "2025-06-12-forum-des-usages-l-ecole.md"
    assert path.is_file() and "2025-06-12-forum-des-usages-l-ecole.md créé, en brouillon" in out
    preview = load(content, preview=True)
    event = next(e for e in preview.events if e.slug == path.stem)
    assert event.title == "Forum des usages : l'École" and event.draft
    assert event.place == "Collège « la Tourelle »" and event.town == "Quimper"
    assert event.start == dt.date(2025, 6, 12) and event.updated == dt.date(2025, 3, 1)
    assert UID_RE.match(event.uid) and event.uid.startswith("2025-06-12-forum-des-usages")
    assert path.stem not in {e.slug for e in load(content, preview=False).events}


def test_new_page_is_a_valid_draft(capsys, content):
    status, out, _ = new(capsys, content, "page", "Foire aux questions")
    path = content / "pages" / "foire-aux-questions.md"
    assert status == 0 and path.is_file()
    assert "foire-aux-questions.md créé, en brouillon" in out
    page = next(p for p in load(content, preview=True).pages if p.slug == path.stem)
    assert page.title == "Foire aux questions" and page.draft and page.description


def test_publishing_a_new_page_without_replacing_placeholders_is_flagged(capsys, content):
    new(capsys, content, "page", "Foire aux questions")
    path = content / "pages" / "foire-aux-questions.md"
    path.write_text(path.read_text().replace("brouillon: oui\n", ""))
    status = main(["check", "--content", str(content), "--output", str(content.parent / "site"),
                   "--today", TODAY])
    err = capsys.readouterr().err
    assert status == 0
    assert "foire-aux-questions.md : avertissement : « Foire aux questions » contient encore " \
           "le texte « À compléter » du modèle." in err


def test_titles_with_quotes_and_backslashes_stay_exact(capsys, content):
    title = 'Le "numérique" \\ l\'école : #1'
    status, _, err = new(capsys, content, "page", title)
    assert status == 0, err
    page = next(p for p in load(content, preview=True).pages if p.slug == "le-numerique-l-ecole-1")
    assert page.title == title


def test_never_overwrites(capsys, content):
    path = content / "agenda" / "2025-02-05-rencontre-tne.md"
    before = path.read_text()
    status, _, err = new(capsys, content, "evenement", "Rencontre TNE", "--date", "2025-02-05",
                         "--lieu", "Collège", "--ville", "Quimper")
    assert status == 1 and path.read_text() == before
    assert "2025-02-05-rencontre-tne.md : ce fichier existe déjà : il n'a pas été modifié." in err


@pytest.mark.parametrize("arguments,expected", [
    (["evenement", "X", "--lieu", "L", "--ville", "V"], "--date : l'option --date est obligatoire"),
    (["evenement", "X", "--date", "12/06/2025", "--lieu", "L", "--ville", "V"],
     "--date : la date « 12/06/2025 » de --date n'est pas reconnue."),
    (["evenement", "X", "--date", "2025-02-30", "--lieu", "L", "--ville", "V"],
     "--date : la date « 2025-02-30 » de --date n'existe pas dans le calendrier."),
    (["evenement", "X", "--date", "2025-06-12", "--ville", "V"], "--lieu : l'option --lieu est"),
    (["evenement", "X", "--date", "2025-06-12", "--lieu", "L"], "--ville : l'option --ville est"),
    (["reunion", "X"], "nouveau : « reunion » n'est pas un type de contenu connu"),
    (["page"], "nouveau : le titre du nouveau contenu (page) manque."),
    (["page", "???"], "nouveau : le titre « ??? » ne contient aucune lettre"),
    (["page", "x" * 200], "le champ « titre » est trop long (200 caractères, au plus 150)."),
])
def test_refusals_are_explained_in_french_and_create_nothing(capsys, content, arguments,
                                                              expected):
    before = sorted(content.rglob("*"))
    status, out, err = new(capsys, content, *arguments)
    assert status == 1 and expected in err and "Traceback" not in err + out
    assert sorted(content.rglob("*")) == before


def test_no_kind_at_all_shows_examples(capsys, content):
    status, _, err = new(capsys, content)
    assert status == 1 and "le type de contenu manque" in err
    assert 'python build.py nouveau evenement "Forum des usages" --date' in err


def test_options_may_come_before_the_title(capsys, content):
    status, _, err = new(capsys, content, "evenement", "--date", "2025-06-12", "--lieu", "L",
                         "--ville", "V", "Atelier")
    assert status == 0, err
    assert (content / "agenda" / "2025-06-12-atelier.md").is_file()


def test_the_guide_example_works_as_shown(capsys, content):
    guide = (ROOT / "docs" / "guide-redaction.md").read_text(encoding="utf-8")
    section = guide[guide.index("## Ajouter un événement"):guide.index("## Annuler ou déplacer")]
    command = next(line.strip() for line in section.splitlines()
                   if "build.py nouveau evenement" in line)
    import shlex
    arguments = shlex.split(command)[3:]  # after .venv/bin/python build.py nouveau
    status, out, _ = new(capsys, content, *arguments)
    assert status == 0
    printed = out.replace(str(content.parent) + "/", "").strip().splitlines()
    assert all(line.strip() in section for line in printed), out
