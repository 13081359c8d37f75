"""Site settings: content/site.yaml -> SiteConfig.

The settings hold everything that differs from one territory to another: another TNE
département swaps the content folder and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from . import errors
from .errors import ContentError, Problem
from .fields import Field, parse_record
from .load import ContentFileError, load_yaml_file

ACCESSIBILITY_STATUSES = ("non conforme", "partiellement conforme", "totalement conforme")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

SITE_FIELDS = (
    Field("titre", "title", "text", "Nom du site.", '"Territoire numérique éducatif de la Somme"',
          required=True, max_length=120),
    Field("titre_court", "short_title", "text", "Nom court (en-tête sur téléphone).",
          '"TNE Somme"', required=True, max_length=40),
    Field("description", "description", "text", "Phrase de présentation du site.", '"…"',
          required=True),
    Field("url", "base_url", "url", "Adresse publique du site, sans / final.",
          "https://tne.exemple.fr", required=True),
    Field("langue", "language", "choice", "Langue des pages.", "fr", choices=("fr",),
          default="fr"),
    Field("fuseau_horaire", "time_zone", "choice", "Fuseau horaire des événements.",
          "Europe/Paris", choices=("Europe/Paris",), default="Europe/Paris"),
    Field("editeur", "publisher", "text", "Qui édite le site (nom de l'organisme).",
          '"Académie d\'Amiens"', required=True),
    Field("site_editeur", "publisher_url", "url", "Site de l'éditeur.", "https://www.exemple.fr"),
    Field("directeur_publication", "publication_director", "text",
          "Directeur ou directrice de la publication (mentions légales).",
          '"Prénom Nom, fonction"'),
    Field("adresse_editeur", "publisher_address", "text", "Adresse postale de l'éditeur.", '"…"'),
    Field("hebergeur", "host", "text", "Nom et adresse de l'hébergeur (mentions légales).",
          '"Nom, adresse"'),
    Field("courriel_contact", "contact_email", "email",
          "Adresse pour signaler un problème d'accessibilité ou de données personnelles.",
          "contact@exemple.fr"),
    Field("accessibilite", "accessibility_status", "choice",
          "État de conformité RGAA : non conforme, partiellement conforme, totalement conforme.",
          '"non conforme"', required=True, choices=ACCESSIBILITY_STATUSES),
    Field("taux_conformite", "accessibility_rate", "int", "Pourcentage de critères RGAA respectés "
          "lors du dernier audit.", "75", bounds=(0, 100)),
    Field("date_audit", "audit_date", "date", "Date du dernier audit d'accessibilité.",
          "2025-01-15"),
    Field("mise_a_jour", "updated", "date", "Date de la dernière mise à jour du site.",
          "2025-02-01", required=True),
    Field("fichier_agenda", "calendar_file", "text", "Nom du fichier du calendrier (ne plus le "
          "changer une fois publié).", "agenda.ics", default="agenda.ics", max_length=60),
    Field("nom_agenda", "calendar_name", "text", "Nom du calendrier dans les agendas abonnés "
          "(sans virgule ni point-virgule).", '"Agenda du TNE Somme"', required=True,
          max_length=60),
    Field("description_agenda", "calendar_description", "text", "Description du calendrier.",
          '"…"', required=True),
    Field("actualisation_heures", "refresh_hours", "int", "Fréquence d'actualisation suggérée "
          "aux agendas abonnés, en heures.", "12", default=12, bounds=(1, 168)),
    Field("couleur_principale", "primary_colour", "text", "Couleur des titres et liens "
          "(contraste d'au moins 4,5:1 sur blanc).", '"#1d4e89"', default="#1d4e89"),
    Field("logo", "logo", "path", "Logo de l'éditeur dans content/fichiers/.",
          "fichiers/logo.svg"),
    Field("texte_logo", "logo_alt", "text", "Texte de remplacement du logo.", '"Académie"'),
)


@dataclass(frozen=True)
class SiteConfig:
    """Settings of one territory's site."""

    title: str
    short_title: str
    description: str
    base_url: str
    language: str
    time_zone: str
    publisher: str
    publisher_url: str | None
    publication_director: str | None
    publisher_address: str | None
    host: str | None
    contact_email: str | None
    accessibility_status: str
    accessibility_rate: int | None
    audit_date: dt.date | None
    updated: dt.date
    calendar_file: str
    calendar_name: str
    calendar_description: str
    refresh_hours: int
    primary_colour: str
    logo: str | None
    logo_alt: str | None
    path: str
    key_lines: dict

    def absolute(self, url: str) -> str:
        """Absolute URL of a site path."""
        return self.base_url + url

    @property
    def calendar_url(self) -> str:
        return self.absolute("/" + self.calendar_file)


def load_config(content_dir: Path, shown: str) -> SiteConfig:
    """Read and check site.yaml; any problem here stops the build at once."""
    problems: list[Problem] = []
    try:
        data = load_yaml_file(content_dir / "site.yaml", shown, content_dir)
    except FileNotFoundError:
        raise ContentError([Problem(shown, None, *errors.missing_settings(shown))]) from None
    except ContentFileError as exc:
        raise ContentError([exc.problem]) from None
    values = parse_record(data, SITE_FIELDS, shown, problems)
    if values is not None:
        _check_settings(values, shown, problems)
    if problems or values is None:
        raise ContentError(problems)
    lines = values.pop("_lines")
    values["base_url"] = values["base_url"].rstrip("/")
    return SiteConfig(**values, path=shown, key_lines=lines)


def _check_settings(values: dict, shown: str, problems: list[Problem]) -> None:
    """Cross-field rules that a single field type cannot express."""
    lines: dict = values["_lines"]
    if not COLOUR.match(values["primary_colour"]):
        problems.append(Problem(shown, lines.get("couleur_principale"),
                                *errors.bad_colour(values["primary_colour"])))
    elif contrast_with_white(values["primary_colour"]) < 4.5:
        problems.append(Problem(shown, lines.get("couleur_principale"), *errors.low_contrast(
            values["primary_colour"], contrast_with_white(values["primary_colour"]))))
    if any(char in values["calendar_name"] for char in ",;\\"):
        problems.append(Problem(shown, lines.get("nom_agenda"), *errors.CALENDAR_NAME_CHARACTERS))
    if not re.match(r"^[a-z0-9-]+\.ics$", values["calendar_file"]):
        problems.append(Problem(shown, lines.get("fichier_agenda"), *errors.CALENDAR_FILE_NAME))




def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of a #RRGGBB colour against white (links, white button text)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)

