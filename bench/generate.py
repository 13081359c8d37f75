"""Seeded generator of synthetic content in our format, for the benchmark.

    python bench/generate.py 1000 bench/out/n1000          # 1,000 pages, 100 events

Writes DEST/content/ (site.yaml, data files, pages/, agenda/) and nothing else: the
benchmark builds it with the real templates/. Same N and seed -> same bytes.
Pages are about 500 words of French Markdown (headings, lists, links, emphasis, the odd
table and quotation); events are spread over 2024-2026, some timed, some on several days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

WORDS = ("numérique éducatif territoire école collège lycée projet enseignant élève famille "
         "formation ressource équipement réseau académie département commune usage pédagogie "
         "classe atelier parcours compétence lecture écriture calcul robotique programmation "
         "tablette ordinateur plateforme accompagnement partenaire collectivité financement "
         "continuité inclusion accessibilité citoyenneté média information sécurité donnée "
         "évaluation démarche rencontre séminaire webradio podcast vidéo laboratoire "
         "bibliothèque médiation coéducation parentalité orientation innovation expérimentation "
         "le la les un une des du de et à au aux pour avec sans dans sur par entre chaque "
         "notre votre leur nouveau premier grand petit commun local régional national durable "
         "permet propose accompagne développe favorise renforce soutient présente organise "
         "réunit construit partage découvre apprend travaille").split()
TOWNS = ("Quimper", "Brest", "Morlaix", "Landerneau", "Concarneau", "Douarnenez", "Quimperlé",
         "Carhaix-Plouguer", "Landivisiau", "Pont-l'Abbé", "Châteaulin", "Crozon")
PLACES = ("Collège la Tourelle", "Lycée de l'Élorn", "Médiathèque des Capucins",
          "Espace Vauban", "Salle des fêtes", "Maison du département", "Atelier Canopé 29")
KINDS = ("rencontre", "forum", "séminaire", "formation", "webinaire", "salon", "autre")
ROLE_PAGES = (  # slug, gabarit, menu, ordre
    ("accueil", "accueil", "Accueil", 1), ("programme", "programme", "Le programme", 2),
    ("territoire", "territoire", "Le territoire", 3), ("deposer-un-projet", "deposer",
                                                       "Déposer un projet", 4),
    ("thematiques", "thematiques", None, 5), ("agenda", "agenda", "Agenda", 6),
    ("abonnement", "abonnement", None, 7), ("partenaires", "partenaires", "Partenaires", 8),
    ("contacts", "contacts", "Contacts", 9), ("documents", "documents", None, 10),
    ("plan-du-site", "plan", None, 11), ("mentions-legales", "mentions-legales", None, 12),
    ("donnees-personnelles", "donnees-personnelles", None, 13),
    ("accessibilite", "accessibilite", None, 14),
)
SITE_YAML = """\
titre: "Territoire numérique éducatif de démonstration"
titre_court: "TNE démo"
description: "Site synthétique pour mesurer la vitesse du générateur."
url: https://tne-demo.example.org
editeur: "Académie de démonstration"
directeur_publication: "Prénom Nom, recteur"
hebergeur: "Hébergeur, 1 rue du Serveur, 29000 Quimper"
courriel_contact: contact@tne-demo.example.org
accessibilite: "non conforme"
mise_a_jour: 2025-02-01
nom_agenda: "Agenda du TNE démo"
description_agenda: "Rencontres et formations du TNE de démonstration."
"""
DATA_FILES = {
    "campagnes.yaml": """\
- numero: 5
  titre: "Appel à manifestation d'intérêt"
  ouverture: 2025-01-06
  cloture: 2025-03-14
  depot: https://e-demarches.example.org
  parcours:
    - "Mes demandes"
    - "Déposer une demande"
""",
    "contacts.yaml": """\
- sujet: pédagogique
  intitule: "Pour vos questions pédagogiques"
  nom: "Prénom Nom"
  courriel: pedagogie@tne-demo.example.org
- sujet: technique
  intitule: "Pour les questions techniques"
  telephone: "09 00 00 00 00"
""",
    "thematiques.yaml": """\
- titre: "Formation des enseignants"
  description: "Se former aux usages pédagogiques du **numérique**."
- titre: "Équipements et ressources"
  description: "Équiper les écoles et les établissements."
""",
    "documents.yaml": """\
- titre: "Guide du porteur de projet"
  lien: https://www.example.org/guide.pdf
  format: PDF
  taille: "1,2 Mo"
""",
}


def partners(count: int, rng: random.Random) -> str:
    """partenaires.yaml with `count` partners (the data file edited by the benchmark)."""
    items = []
    for number in range(1, count + 1):
        items.append(f'- nom: "Partenaire {number}"\n  role: "{sentence(rng, 18)}"\n'
                     f"  site_web: https://partenaire-{number}.example.org\n")
    return "".join(items)


def sentence(rng: random.Random, length: int) -> str:
    """A capitalised sentence of `length` words."""
    words = [rng.choice(WORDS) for _ in range(length)]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, slugs: list[str]) -> str:
    """A paragraph with the usual inline Markdown: emphasis, links, code."""
    parts = []
    for _ in range(rng.randint(3, 5)):
        text = sentence(rng, rng.randint(10, 18))
        roll = rng.random()
        if roll < 0.2:
            word = rng.choice(WORDS)
            text = text.replace(f" {word} ", f" **{word}** ", 1)
        elif roll < 0.35:
            word = rng.choice(WORDS)
            text = text.replace(f" {word} ", f" *{word}* ", 1)
        elif roll < 0.5 and slugs:
            text = text[:-1] + f", voir [{rng.choice(WORDS)}](/{rng.choice(slugs)}/)."
        elif roll < 0.55:
            text = text[:-1] + " sur [le site du ministère](https://www.education.gouv.fr/)."
        parts.append(text)
    return " ".join(parts)


def body(rng: random.Random, slugs: list[str], words: int = 500) -> str:
    """About `words` words of Markdown."""
    blocks, count = [], 0
    while count < words:
        roll = rng.random()
        if roll < 0.15:
            block = f"## {sentence(rng, rng.randint(3, 6))[:-1]}"
        elif roll < 0.3:
            block = "\n".join(f"- {sentence(rng, rng.randint(4, 9))}" for _ in range(4))
        elif roll < 0.37:
            block = "\n".join(f"{i}. {sentence(rng, rng.randint(4, 8))}" for i in range(1, 4))
        elif roll < 0.41:
            rows = [f"| {rng.choice(WORDS)} | {rng.randint(1, 900)} |" for _ in range(3)]
            block = "| Élément | Nombre |\n| --- | ---: |\n" + "\n".join(rows)
        elif roll < 0.45:
            block = "> " + sentence(rng, 14)
        else:
            block = paragraph(rng, slugs)
        blocks.append(block)
        count += len(block.split())
    return "\n\n".join(blocks) + "\n"


def page_file(rng: random.Random, title: str, template: str, menu: str | None, order: int,
              slugs: list[str]) -> str:
    """A page: front matter and Markdown body."""
    front = [f'titre: "{title}"', f'description: "{sentence(rng, 12)}"', f"gabarit: {template}"]
    if menu:
        front.append(f'menu: "{menu}"')
    front += [f"ordre: {order}", f"mise_a_jour: 2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"]
    return "---\n" + "\n".join(front) + "\n---\n" + body(rng, slugs)


def event_file(rng: random.Random, number: int, start: dt.date, slug: str) -> str:
    """An event: front matter and a short Markdown body."""
    front = [f"identifiant: {slug}-{number:06x}", f'titre: "{sentence(rng, 5)[:-1]}"',
             f"date: {start.isoformat()}"]
    if rng.random() < 0.15:
        front.append(f"date_fin: {(start + dt.timedelta(days=rng.randint(1, 3))).isoformat()}")
    elif rng.random() < 0.6:
        hour = rng.randint(8, 16)
        front += [f'heure_debut: "{hour}:30"', f'heure_fin: "{hour + 2}:00"']
    front += [f'lieu: "{rng.choice(PLACES)}"', f'ville: "{rng.choice(TOWNS)}"',
              f'resume: "{sentence(rng, 16)}"', f"type: {rng.choice(KINDS)}",
              f"statut: {rng.choice(('confirmé',) * 8 + ('annulé', 'reporté'))}",
              "mise_a_jour: 2025-01-15"]
    return "---\n" + "\n".join(front) + "\n---\n" + body(rng, [], words=150)


def generate(pages: int, dest: Path, seed: int = 2025) -> Path:
    """Write DEST/content/ with `pages` pages and pages // 10 events; return the folder."""
    rng = random.Random(seed)
    content = dest / "content"
    shutil.rmtree(content, ignore_errors=True)
    (content / "pages").mkdir(parents=True)
    (content / "agenda").mkdir()
    (content / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for name, text in DATA_FILES.items():
        (content / name).write_text(text, encoding="utf-8")
    (content / "partenaires.yaml").write_text(partners(6, rng), encoding="utf-8")
    plain = [f"page-{number:05d}" for number in range(1, pages - len(ROLE_PAGES) + 1)]
    for slug, template, menu, order in ROLE_PAGES:
        text = page_file(rng, slug.replace("-", " ").capitalize(), template, menu, order, plain)
        (content / "pages" / f"{slug}.md").write_text(text, encoding="utf-8")
    for number, slug in enumerate(plain, start=1):
        text = page_file(rng, f"{sentence(rng, 4)[:-1]} ({number})", "page", None,
                         100 + number % 1000, plain)
        (content / "pages" / f"{slug}.md").write_text(text, encoding="utf-8")
    first = dt.date(2024, 1, 8)
    for number in range(1, pages // 10 + 1):
        start = first + dt.timedelta(days=rng.randint(0, 3 * 365))
        slug = f"{start.isoformat()}-evenement-{number:05d}"
        (content / "agenda" / f"{slug}.md").write_text(event_file(rng, number, start, slug),
                                                       encoding="utf-8")
    return content


def main() -> None:
    """Command line: N and destination folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    generate(args.pages, args.dest, args.seed)


if __name__ == "__main__":
    main()
