"""The content model: one dataclass per kind of content, and the French keys that fill it.

Each FIELDS tuple is the schema of its kind (key, type, documentation). parse_* functions
turn a loaded file into dataclasses, appending a located Problem for each mistake.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import Problem
from .fields import Field, parse_record
from .load import Mapping, Sequence

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
UID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.@_-]{7,99}$")

# Page templates ("gabarits"). Those marked required must exist exactly once.
PAGE_TEMPLATES = ("page", "accueil", "programme", "territoire", "deposer", "thematiques",
                  "agenda", "abonnement", "partenaires", "contacts", "documents", "plan",
                  "mentions-legales", "donnees-personnelles", "accessibilite")
REQUIRED_TEMPLATES = ("accueil", "agenda", "abonnement", "plan", "mentions-legales",
                      "donnees-personnelles", "accessibilite")
EVENT_STATUSES = ("confirmé", "annulé", "reporté")
EVENT_KINDS = ("rencontre", "forum", "séminaire", "formation", "webinaire", "salon", "autre")
CONTACT_TOPICS = ("pédagogique", "administratif", "technique", "autre")


@dataclass(frozen=True)
class Source:
    """Where a record was written: file shown to the editor, first line, key lines."""

    path: str
    line: int
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def line_of(self, key: str) -> int:
        """Line of a key, or of the record when the key is absent."""
        return self.key_lines.get(key, self.line)


PUBLISHING_FIELDS = (
    Field("brouillon", "draft", "bool", "« oui » : visible seulement dans l'aperçu, jamais publié.",
          "oui", default=False),
    Field("publication", "publish_on", "date", "Date à partir de laquelle le contenu est publié.",
          "2025-03-01"),
)

PAGE_FIELDS = (
    Field("titre", "title", "text", "Titre de la page (balise h1 et onglet du navigateur).",
          '"Déposer un projet"', required=True, max_length=150),
    Field("description", "description", "text",
          "Une phrase résumant la page, pour les moteurs de recherche et le partage.",
          '"Comment déposer un projet TNE."', max_length=300),
    Field("gabarit", "template", "choice", "Mise en page : " + ", ".join(PAGE_TEMPLATES) + ".",
          "page", choices=PAGE_TEMPLATES, default="page"),
    Field("menu", "menu_label", "text", "Libellé court dans le menu ; absent : pas dans le menu.",
          "Agenda", max_length=40),
    Field("ordre", "order", "int", "Position dans le menu et le plan du site (1 en premier).",
          "3", default=100, bounds=(0, 10_000)),
    Field("mise_a_jour", "updated", "date", "Date de dernière mise à jour du texte.",
          "2025-02-01"),
    *PUBLISHING_FIELDS,
)

EVENT_FIELDS = (
    Field("identifiant", "uid", "text", "Identifiant permanent, écrit à la création ; "
          "ne jamais le modifier.", "2025-02-05-rencontre-3f9c2a", max_length=100),
    Field("titre", "title", "text", "Titre de l'événement.", '"Rencontre TNE"', required=True,
          max_length=150),
    Field("date", "start", "date", "Premier jour (AAAA-MM-JJ).", "2025-02-05", required=True),
    Field("date_fin", "end", "date", "Dernier jour, pour un événement sur plusieurs jours.",
          "2025-05-28"),
    Field("heure_debut", "start_time", "time", "Heure de début, entre guillemets ; absente : "
          "toute la journée.", '"14:30"'),
    Field("heure_fin", "end_time", "time", "Heure de fin, entre guillemets.", '"16:30"'),
    Field("lieu", "place", "text", "Nom du lieu.", '"Collège Jean-Moulin"', required=True,
          max_length=150),
    Field("lieu_langue", "place_lang", "choice", "Langue du nom du lieu s'il n'est pas en "
          "français (br : breton), pour les lecteurs d'écran.", "br", choices=("br", "fr")),
    Field("ville", "town", "text", "Commune.", "Amiens", required=True, max_length=80),
    Field("adresse", "address", "text", "Adresse postale (rue et code postal).",
          '"2 rue de l\'École, 80000 Amiens"', max_length=200),
    Field("latitude", "latitude", "float", "Latitude du lieu (degrés décimaux).", "47.9960",
          bounds=(-90, 90)),
    Field("longitude", "longitude", "float", "Longitude du lieu (degrés décimaux).", "-4.1000",
          bounds=(-180, 180)),
    Field("resume", "summary", "text", "Une ou deux phrases, reprises dans l'agenda et le "
          "calendrier.", '"Forum des webradios, 2e édition."', required=True, max_length=400),
    Field("type", "kind", "choice", "Genre d'événement : " + ", ".join(EVENT_KINDS) + ".",
          "rencontre", choices=EVENT_KINDS, default="autre"),
    Field("statut", "status", "choice", "État de l'événement : confirmé, annulé ou reporté.",
          "confirmé", choices=EVENT_STATUSES, default="confirmé"),
    Field("sequence", "sequence", "int", "Numéro de version, à augmenter de 1 quand la date, "
          "l'heure ou le lieu change.", "1", default=0, bounds=(0, 10_000)),
    Field("organisateur", "organizer", "text", "Organisateur, s'il n'est pas l'éditeur du site.",
          '"Association partenaire"', max_length=150),
    Field("courriel_organisateur", "organizer_email", "email",
          "Adresse électronique de l'organisateur.", "contact@exemple.fr"),
    Field("mise_a_jour", "updated", "date", "Date de la dernière modification.", "2025-02-01"),
    *PUBLISHING_FIELDS,
)

CAMPAIGN_FIELDS = (
    Field("numero", "number", "int", "Numéro de la campagne (1, 2, 3…).", "5", required=True,
          bounds=(1, 1000)),
    Field("titre", "title", "text", "Intitulé de l'appel.", '"Appel à manifestation d\'intérêt"',
          required=True, max_length=200),
    Field("ouverture", "opens", "date", "Premier jour de dépôt.", "2025-01-06", required=True),
    Field("cloture", "closes", "date", "Dernier jour de dépôt.", "2025-03-14", required=True),
    Field("depot", "apply_url", "url", "Adresse de la plateforme de dépôt.",
          "https://demarches.exemple.fr"),
    Field("parcours", "apply_steps", "texts", "Étapes à suivre sur la plateforme, une par ligne.",
          '["Mes demandes", "Déposer une demande"]'),
)

PARTNER_FIELDS = (
    Field("nom", "name", "text", "Nom du partenaire.", '"Association partenaire"', required=True),
    Field("role", "role", "markdown", "Ce que fait le partenaire dans le TNE (Markdown).",
          '"Forme les enseignants."', required=True),
    Field("site_web", "website", "url", "Adresse de son site.", "https://www.exemple.fr"),
    Field("logo", "logo", "path", "Logo dans content/fichiers/.", "fichiers/logo.png"),
    Field("texte_logo", "logo_alt", "text", "Texte de remplacement du logo.",
          '"Association partenaire"'),
)

CONTACT_FIELDS = (
    Field("sujet", "topic", "choice", "Questions traitées : " + ", ".join(CONTACT_TOPICS) + ".",
          "pédagogique", required=True, choices=CONTACT_TOPICS),
    Field("intitule", "label", "text", "Phrase d'introduction.",
          '"Pour vos questions pédagogiques"', required=True),
    Field("nom", "name", "text", "Prénom et nom.", '"Camille Martin"'),
    Field("fonction", "role", "text", "Fonction.", '"Cheffe de projet TNE"'),
    Field("organisation", "organisation", "text", "Organisme.", '"Conseil départemental"'),
    Field("courriel", "email", "email", "Adresse électronique (jamais inventée).",
          "prenom.nom@exemple.fr"),
    Field("telephone", "phone", "phone", "Numéro de téléphone (dix chiffres).", '"02 98 00 00 00"',
          max_length=30),
)

THEME_FIELDS = (
    Field("titre", "title", "text", "Nom de la thématique.", '"Formation des enseignants"',
          required=True),
    Field("description", "description", "markdown", "Ce que recouvre la thématique.", '"…"',
          required=True),
    Field("a_confirmer", "to_confirm", "bool", "« oui » tant que le texte n'est pas validé "
          "(la vérification le signale).", "oui", default=False),
)

DOCUMENT_FIELDS = (
    Field("titre", "title", "text", "Titre du document.", '"Guide du porteur de projet"',
          required=True),
    Field("fichier", "file", "path", "Fichier déposé dans content/fichiers/.",
          "fichiers/guide.pdf"),
    Field("lien", "url", "url", "Ou : adresse du document sur un autre site.",
          "https://www.exemple.fr/guide.pdf"),
    Field("format", "format", "text", "Format (PDF, ODT…) ; déduit du fichier s'il est déposé.",
          "PDF", max_length=10),
    Field("taille", "size", "text", "Poids, pour un lien (calculé pour un fichier déposé).",
          '"1,2 Mo"', max_length=20),
    Field("langue", "language", "text", "Langue du document s'il n'est pas en français.", "br",
          max_length=10),
)


@dataclass(frozen=True)
class Page:
    """A Markdown page of content/pages/."""

    slug: str
    title: str
    description: str | None
    template: str
    menu_label: str | None
    order: int
    updated: dt.date | None
    draft: bool
    publish_on: dt.date | None
    body: str
    body_line: int
    source: Source

    @functools.cached_property  # asked for tens of thousands of times on a large site
    def url(self) -> str:
        """Site-relative URL; the home page is /."""
        return "/" if self.template == "accueil" else f"/{self.slug}/"


@dataclass(frozen=True)
class Event:
    """An agenda event: one Markdown file of content/agenda/."""

    slug: str
    uid: str
    title: str
    start: dt.date
    end: dt.date  # last day, inclusive (equals start for a one-day event)
    start_time: dt.time | None
    end_time: dt.time | None
    place: str
    place_lang: str | None
    town: str
    address: str | None
    latitude: float | None
    longitude: float | None
    summary: str
    kind: str
    status: str
    sequence: int
    organizer: str | None
    organizer_email: str | None
    updated: dt.date | None
    draft: bool
    publish_on: dt.date | None
    body: str
    body_line: int
    source: Source

    @functools.cached_property
    def url(self) -> str:
        """Site-relative URL of the event page."""
        return f"/agenda/{self.slug}/"

    @property
    def is_all_day(self) -> bool:
        """True when no start time is given."""
        return self.start_time is None

    @property
    def is_cancelled(self) -> bool:
        return self.status == "annulé"

    @property
    def location(self) -> str:
        """Place and town, as written in the feed and on the page."""
        return f"{self.place}, {self.town}"


@dataclass(frozen=True)
class Campaign:
    """A call for projects, open between two dates (both inclusive)."""

    number: int
    title: str
    opens: dt.date
    closes: dt.date
    apply_url: str | None
    apply_steps: list[str] | None
    source: Source

    def status(self, today: dt.date) -> str:
        """« à venir », « ouverte » or « clôturée » on the given day."""
        if today < self.opens:
            return "à venir"
        return "ouverte" if today <= self.closes else "clôturée"


@dataclass(frozen=True)
class Partner:
    name: str
    role: str
    website: str | None
    logo: str | None
    logo_alt: str | None
    source: Source


@dataclass(frozen=True)
class Contact:
    topic: str
    label: str
    name: str | None
    role: str | None
    organisation: str | None
    email: str | None
    phone: str | None
    source: Source

    @property
    def display_name(self) -> str:
        return self.name or self.organisation or self.label

    @property
    def is_reachable(self) -> bool:
        return bool(self.email or self.phone)


@dataclass(frozen=True)
class Theme:
    title: str
    description: str
    to_confirm: bool
    source: Source


@dataclass(frozen=True)
class Document:
    title: str
    file: str | None
    url: str | None
    format: str | None
    size: str | None
    language: str | None
    source: Source


def build_record(cls: type, values: dict[str, Any], shown: str, line: int, **extra: Any) -> Any:
    """Instantiate a dataclass from parsed values plus derived fields."""
    lines = values.pop("_lines", {})
    return cls(**values, **extra, source=Source(shown, line, lines))


def parse_list(data: Any, fields: tuple[Field, ...], cls: type, shown: str,
               problems: list[Problem], what: str) -> list[Any]:
    """Parse a YAML list of records (partners, contacts, campaigns…)."""
    from . import errors

    if data is None:
        return []
    if not isinstance(data, Sequence):
        problems.append(Problem(shown, getattr(data, "line", 1), *errors.not_a_list(what)))
        return []
    records = []
    for item, line in zip(data, data.item_lines, strict=True):
        values = parse_record(item, fields, shown, problems, line)
        if values is not None:
            records.append(build_record(cls, values, shown, line))
    return records


def parse_page(front: Mapping, body: str, body_line: int, slug: str, shown: str,
               problems: list[Problem]) -> Page | None:
    """A page from its front matter and Markdown body."""
    values = parse_record(front, PAGE_FIELDS, shown, problems)
    if values is None:
        return None
    return build_record(Page, values, shown, 1, slug=slug, body=body, body_line=body_line)


def parse_event(front: Mapping, body: str, body_line: int, slug: str, shown: str,
                problems: list[Problem]) -> Event | None:
    """An event from its front matter; checks its dates and times hang together."""
    from . import errors

    values = parse_record(front, EVENT_FIELDS, shown, problems)
    if values is None:
        return None
    lines = values["_lines"]
    if values["end"] is None:
        values["end"] = values["start"]
    elif values["end"] < values["start"]:
        problems.append(Problem(shown, lines.get("date_fin"),
                                *errors.end_before_start("date", "date_fin")))
        return None
    if values["end_time"] and not values["start_time"]:
        problems.append(Problem(shown, lines.get("heure_fin"), *errors.end_time_without_start()))
        return None
    if (values["start_time"] and values["end_time"] and values["end"] == values["start"]
            and values["end_time"] <= values["start_time"]):
        problems.append(Problem(shown, lines.get("heure_fin"), *errors.end_time_before_start()))
        return None
    if (values["latitude"] is None) != (values["longitude"] is None):
        missing = "longitude" if values["longitude"] is None else "latitude"
        present = "latitude" if missing == "longitude" else "longitude"
        problems.append(Problem(shown, lines.get(present), *errors.coordinates_incomplete(missing)))
        return None
    if values["uid"] is None:
        problems.append(Problem(shown, 1, *errors.missing_uid(
            suggest_uid(values["start"], slug, seed=shown))))
        return None
    if not UID_RE.match(values["uid"]):
        problems.append(Problem(shown, lines.get("identifiant"), *errors.bad_uid(values["uid"])))
        return None
    return build_record(Event, values, shown, 1, slug=slug, body=body, body_line=body_line)


def suggest_uid(start: dt.date | None, slug: str, seed: str | None = None) -> str:
    """A fresh identifier: date, slug and a suffix (written once, then kept).

    The suffix is random, or derived from `seed` so that a message suggests the same
    identifier at every run.
    """
    import hashlib
    import secrets

    prefix = f"{start.isoformat()}-" if start and not slug.startswith(start.isoformat()) else ""
    suffix = hashlib.sha256(seed.encode()).hexdigest()[:6] if seed else secrets.token_hex(3)
    return f"{prefix}{slug[:60]}-{suffix}"


@dataclass(frozen=True)
class Site:
    """Everything loaded and validated: what the render stage needs, and nothing else."""

    config: Any  # SiteConfig
    pages: list[Page]
    events: list[Event]
    campaigns: list[Campaign]
    partners: list[Partner]
    contacts: list[Contact]
    themes: list[Theme]
    documents: list[Document]
    files: dict[str, int]  # content/fichiers/ paths -> size in bytes
    today: dt.date  # reference date of every time-dependent status
    preview: bool  # drafts and scheduled content shown (live preview only)

    def page_for(self, template: str) -> Page | None:
        """The page that uses a given template (gabarit), if any."""
        return next((p for p in self.pages if p.template == template), None)

    @property
    def menu(self) -> list[Page]:
        """Pages of the main menu, in order."""
        return sorted((p for p in self.pages if p.menu_label), key=lambda p: (p.order, p.slug))

    @property
    def upcoming_events(self) -> list[Event]:
        """Events not over yet on the reference date, soonest first."""
        return sorted((e for e in self.events if e.end >= self.today),
                      key=lambda e: (e.start, e.start_time or dt.time(0), e.slug))

    @property
    def past_events(self) -> list[Event]:
        """Events over before the reference date, most recent first."""
        return sorted((e for e in self.events if e.end < self.today),
                      key=lambda e: (e.start, e.start_time or dt.time(0), e.slug), reverse=True)

    @property
    def current_campaign(self) -> Campaign | None:
        """The open campaign, else the next one, else the last one closed."""
        ordered = sorted(self.campaigns, key=lambda c: c.opens)
        for status in ("ouverte", "à venir"):
            found = [c for c in ordered if c.status(self.today) == status]
            if found:
                return found[0]
        return ordered[-1] if ordered else None


def event_status(event: Event, today: dt.date) -> str:
    """« à venir », « en cours » or « passé » on the reference date."""
    if event.start > today:
        return "à venir"
    return "en cours" if event.end >= today else "passé"
