"""Every fact of the programme's source page is on the built site (issue 2)."""

from __future__ import annotations

import pytest
from conftest import visible_text

FACTS = [
    # Presentation of the programme
    "continuité pédagogique", "fracture numérique", "transformation numérique de l'École",
    "rentrée 2020", "Aisne", "Val-d'Oise", "2021", "dix autres départements",
    "programme d'investissements d'avenir (PIA)",
    "ministère de l'Éducation nationale et de la Jeunesse",
    # The TNE in the Finistère
    "plus de 10 millions d'euros sur 3 ans", "co-financement", "7 territoires prioritaires",
    "2022", "diagnostic scolaire, économique et sociologique", "une quarantaine",
    "Depuis septembre 2023", "écoles", "collèges", "lycées professionnels",
    "quatre campagnes", "décembre 2024", "216 projets",
    # Submitting a project
    "collectivité référente", "inspecteur ou l'inspectrice de votre circonscription",
    "https://e-demarches.finistere.fr", "Mes demandes", "Déposer une demande",
    "numérique - AMI TNE - Appel à manifestation d'intérêt pour le Territoire numérique éducatif",
    "5 e campagne", "du lundi 6 janvier au vendredi 14 mars 2025",
    # (« 5<sup>e</sup> campagne » reads « 5 e campagne » once tags are removed)
    # Contacts (no e-mail address: the source hides them)
    "Mathilde Jégou", "cheffe de projet Territoire numérique éducatif", "Hélène Trellu",
    "Conseil départemental du Finistère", "09 78 46 62 71",
    # Partners
    "Banque des Territoires", "Créée en 2018", "cinq métiers de la Caisse des Dépôts",
    "Réseau Canopé", "formation des enseignants", "GIP Trousse à projets",
    "volet parentalité", "https://www.banquedesterritoires.fr", "https://www.finistere.fr",
    "https://tne.reseau-canope.fr/", "https://tne.trousseaprojets.fr/",
    # Agenda
    "mercredi 5 février 2025", "Collège la Tourelle", "Quimper",
    "mercredi 2 avril 2025", "L'Arvest", "Pleyben", "Forum des webradios", "2e édition",
    "mercredi 14 mai 2025", "Ateliers des Capucins", "Brest", "Faire Savoir-Savoir Faire",
    "mardi 27 et mercredi 28 mai 2025", "Pôle Per Jakez Helias", "Séminaire Moodle",
    # Last update of the source page
    "Mise à jour : février 2025",
]


@pytest.fixture(scope="module")
def whole_site(site_feb) -> str:
    """Visible text of every page, with the links' addresses (a visitor can follow them)."""
    texts = []
    for path in sorted(site_feb.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        texts.append(visible_text(html))
        texts.extend(part.split('"', 1)[0] for part in html.split('href="')[1:])
    return "\n".join(texts).replace("’", "'")


@pytest.mark.parametrize("fact", FACTS)
def test_fact_is_on_the_site(whole_site, fact):
    assert fact in whole_site


def test_no_email_address_is_invented(site_feb):
    for path in site_feb.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ics", ".json", ".xml"):
            assert "mailto:" not in path.read_text(encoding="utf-8"), path
