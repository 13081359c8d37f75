"""Each validation error an editor can make: French message, path:line, site/ untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import build

EVENT = "agenda/2025-02-05-rencontre-tne.md"
EVENT_TEXT = """---
identifiant: 2025-02-05-rencontre-tne-561057
titre: "Rencontre TNE"
date: 2025-02-05
lieu: "Collège la Tourelle"
ville: Quimper
resume: "Une rencontre."
type: rencontre
---
Texte.
"""


def tree_digest(folder: Path) -> str:
    """One hash of every file's path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def built(tmp_path, content_copy):
    """A content copy with a first good build in tmp_path/site."""
    output = tmp_path / "site"
    assert build(output, "2025-02-01", content_copy) == 0
    return content_copy, output


def event_with(**changes: str | None) -> str:
    """The event file with some lines replaced (None removes the key)."""
    lines = []
    for line in EVENT_TEXT.splitlines():
        key = line.split(":", 1)[0]
        if key in changes:
            if changes[key] is not None:
                lines.append(f"{key}: {changes[key]}")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


CASES = {
    "unknown key, nearest suggested": (
        EVENT, EVENT_TEXT.replace("titre:", "tittre:"),
        "content/agenda/2025-02-05-rencontre-tne.md:3 : le champ « tittre » est inconnu. "
        "Vouliez-vous dire « titre » ?"),
    "missing required field": (
        EVENT, event_with(lieu=None),
        "content/agenda/2025-02-05-rencontre-tne.md:2 : le champ obligatoire « lieu » manque."),
    "wrong type": (
        EVENT, event_with(type="rencontre\nsequence: deux"),
        "content/agenda/2025-02-05-rencontre-tne.md:9 : le champ « sequence » doit être un "
        "nombre entier (et non « deux »)."),
    "impossible date": (
        EVENT, event_with(date="2025-02-30"),
        "content/agenda/2025-02-05-rencontre-tne.md:4 : la date « 2025-02-30 » du champ « date » "
        "n'existe pas dans le calendrier."),
    "date in another format": (
        EVENT, event_with(date='"5 février 2025"'),
        "content/agenda/2025-02-05-rencontre-tne.md:4 : la date « 5 février 2025 » du champ "
        "« date » n'est pas reconnue."),
    "end before start": (
        EVENT, event_with(date="2025-02-05\ndate_fin: 2025-02-04"),
        "content/agenda/2025-02-05-rencontre-tne.md:5 : « date_fin » est avant « date »."),
    "French colon in an unquoted title": (
        EVENT, event_with(titre="Date limite : 15 mars"),
        "content/agenda/2025-02-05-rencontre-tne.md:3 : un « : » dans une valeur empêche de lire "
        "la ligne"),
    "on is not a boolean": (
        EVENT, event_with(type="rencontre\nbrouillon: on"),
        "content/agenda/2025-02-05-rencontre-tne.md:9 : le champ « brouillon » doit valoir "
        "« oui » ou « non » (et non « on »)."),
    "time in the daylight-saving gap": (
        EVENT, event_with(date="2025-03-30\nheure_debut: \"02:30\""),
        "content/agenda/2025-02-05-rencontre-tne.md:5 : l'heure 02:30 du 2025-03-30 n'existe pas "
        "dans le fuseau Europe/Paris"),
    "missing identifier gets a suggestion": (
        EVENT, event_with(identifiant=None),
        "content/agenda/2025-02-05-rencontre-tne.md:1 : l'événement n'a pas d'identifiant"),
    "duplicate identifier": (
        "agenda/2025-02-06-copie.md", EVENT_TEXT,
        "content/agenda/2025-02-06-copie.md:2 : l'identifiant « 2025-02-05-rencontre-tne-561057 »"
        " est déjà utilisé par content/agenda/2025-02-05-rencontre-tne.md."),
    "unknown template (gabarit)": (
        "pages/nouvelle.md", "---\ntitre: Nouvelle\ngabarit: galerie\n---\nTexte.\n",
        "content/pages/nouvelle.md:3 : la valeur « galerie » du champ « gabarit » n'est pas "
        "permise."),
    "duplicate output path": (
        "pages/autre-accueil.md", "---\ntitre: Accueil bis\ngabarit: accueil\n---\nTexte.\n",
        "content/pages/autre-accueil.md : l'adresse / est déjà produite par "
        "content/pages/accueil.md."),
    "file name unfit for a URL": (
        "pages/Ma Page.md", "---\ntitre: Ma page\n---\nTexte.\n",
        "content/pages/Ma Page.md : le nom de fichier « Ma Page.md » ne convient pas"),
    "referenced file missing": (
        "documents.yaml", "- titre: Guide\n  fichier: fichiers/guide.pdf\n",
        "content/documents.yaml:2 : le fichier « fichiers/guide.pdf » du champ « fichier » est "
        "introuvable."),
    "campaign closes before it opens": (
        "campagnes.yaml",
        "- numero: 6\n  titre: Sixième\n  ouverture: 2025-09-01\n  cloture: 2025-08-01\n",
        "content/campagnes.yaml:4 : « cloture » est avant « ouverture »."),
    "list expected": (
        "partenaires.yaml", "nom: Réseau Canopé\nrole: Forme.\n",
        "content/partenaires.yaml:1 : le fichier doit contenir une liste de partenaires"),
    "tab indentation": (
        "contacts.yaml", "- sujet: technique\n\tintitule: Aide\n",
        "content/contacts.yaml:2 : la ligne est indentée avec une tabulation."),
    "front matter not closed": (
        EVENT, EVENT_TEXT.replace("---\nTexte.", "Texte."),
        "content/agenda/2025-02-05-rencontre-tne.md:1 : l'en-tête commencé par « --- » n'est "
        "jamais refermé."),
    "half of the coordinates": (
        EVENT, event_with(type="rencontre\nlatitude: 47.99"),
        "content/agenda/2025-02-05-rencontre-tne.md:9 : les coordonnées du lieu sont "
        "incomplètes : « longitude » manque."),
    "document with both a file and a link": (
        "documents.yaml", "- titre: Guide\n  lien: https://exemple.fr/g.pdf\n"
                          "  fichier: fichiers/g.pdf\n",
        "content/documents.yaml:2 : le document « Guide » a à la fois un fichier et un lien."),
    "bad e-mail": (
        "contacts.yaml", "- sujet: technique\n  intitule: Aide\n  courriel: aide-at-exemple\n",
        "content/contacts.yaml:3 : l'adresse électronique « aide-at-exemple » du champ "
        "« courriel » n'est pas valide."),
}


@pytest.mark.parametrize("name", CASES)
def test_error_is_reported_in_french_and_site_untouched(name, built, capsys):
    content, output = built
    relative, text, expected = CASES[name]
    before = tree_digest(output)
    (content / relative).write_text(text, encoding="utf-8")
    capsys.readouterr()
    status = build(output, "2025-02-01", content)
    err = capsys.readouterr().err.replace(str(content.parent) + "/", "")
    assert status == 1
    assert expected in err, err
    assert "Traceback" not in err
    assert "le site n'a pas été régénéré, l'ancien site/ est intact" in err
    assert tree_digest(output) == before


def test_all_errors_are_reported_at_once(built, capsys):
    content, output = built
    (content / EVENT).write_text(event_with(date="2025-02-30"), encoding="utf-8")
    (content / "contacts.yaml").write_text("- sujet: inconnu\n  intitule: Aide\n",
                                           encoding="utf-8")
    assert build(output, "2025-02-01", content) == 1
    err = capsys.readouterr().err
    assert "2025-02-30" in err and "« inconnu »" in err
    assert "2 erreurs" in err


def test_hint_tells_how_to_fix(built, capsys):
    content, output = built
    (content / EVENT).write_text(event_with(titre="Date limite : 15 mars"), encoding="utf-8")
    build(output, "2025-02-01", content)
    assert '→ Mettez la valeur entre guillemets, par exemple : titre: "Date limite : 15 mars".' \
        in capsys.readouterr().err


def test_unquoted_time_is_read_as_a_time_not_a_number(built):
    content, output = built
    (content / EVENT).write_text(event_with(date="2025-02-05\nheure_debut: 9:30"),
                                 encoding="utf-8")
    assert build(output, "2025-02-01", content) == 0
    page = (output / "agenda/2025-02-05-rencontre-tne/index.html").read_text()
    assert "à 9\u00a0h\u00a030" in page


def test_non_and_on_stay_text_in_text_fields(built):
    content, output = built
    (content / EVENT).write_text(event_with(ville="non", titre="on"), encoding="utf-8")
    assert build(output, "2025-02-01", content) == 0
    page = (output / "agenda/2025-02-05-rencontre-tne/index.html").read_text()
    assert "Collège la Tourelle</span>, non" in page


def test_content_files_are_never_modified_by_a_build(built):
    content, output = built
    before = tree_digest(content)
    assert build(output, "2025-02-01", content) == 0
    assert tree_digest(content) == before


def test_files_that_are_not_read_are_reported(built, capsys):
    content, output = built
    (content / "agenda" / "2025-06-12-forum.md.txt").write_text("---\ntitre: x\n---\n")
    (content / "pages" / "brouillons").mkdir()
    (content / "pages" / ".programme.md.swp").write_bytes(b"vim")
    (content / "pages" / "programme.md~").write_text("copie")
    assert build(output, "2025-02-01", content) == 0
    err = capsys.readouterr().err
    assert ("content/agenda/2025-06-12-forum.md.txt : avertissement : le fichier "
            "« 2025-06-12-forum.md.txt » est ignoré") in err
    assert "content/pages/brouillons : avertissement : le fichier « brouillons » est ignoré" in err
    assert ".swp" not in err and "programme.md~" not in err


def test_campaigns_open_at_the_same_time_are_reported(built, capsys):
    content, output = built
    with (content / "campagnes.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n- numero: 6\n  titre: Sixième\n  ouverture: 2025-03-01\n"
                     "  cloture: 2025-06-30\n")
    assert build(output, "2025-02-01", content) == 0
    assert ("avertissement : la campagne n° 6 est ouverte en même temps que la campagne n° 5"
            in capsys.readouterr().err)
