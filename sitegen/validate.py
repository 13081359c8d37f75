"""Validate stage: read every content file into the model, then check it as a whole.

Every problem is collected (never the first only) so the editor fixes them in one pass.
Nothing is written here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

from . import errors, ics
from .config import SiteConfig, load_config
from .errors import WARNING, Problem
from .load import ContentFileError, load_markdown_file, load_yaml_file
from .model import (
    CAMPAIGN_FIELDS,
    CONTACT_FIELDS,
    DOCUMENT_FIELDS,
    PARTNER_FIELDS,
    REQUIRED_TEMPLATES,
    SLUG_RE,
    THEME_FIELDS,
    Campaign,
    Contact,
    Document,
    Event,
    Page,
    Partner,
    Site,
    Theme,
    parse_event,
    parse_list,
    parse_page,
)

DATA_FILES = {  # file in content/ -> (fields, dataclass, what it lists)
    "campagnes.yaml": (CAMPAIGN_FIELDS, Campaign, "campagnes"),
    "partenaires.yaml": (PARTNER_FIELDS, Partner, "partenaires"),
    "contacts.yaml": (CONTACT_FIELDS, Contact, "contacts"),
    "thematiques.yaml": (THEME_FIELDS, Theme, "thématiques"),
    "documents.yaml": (DOCUMENT_FIELDS, Document, "documents"),
}
UNIQUE_TEMPLATES = REQUIRED_TEMPLATES + ("deposer", "thematiques", "partenaires", "contacts",
                                         "documents", "programme", "territoire")


class Reader:
    """Reads content files, turning unreadable ones into problems."""

    def __init__(self, content_dir: Path, root: Path):
        self.content_dir, self.root = content_dir, root
        self.problems: list[Problem] = []

    def shown(self, path: Path) -> str:
        """Path as the editor sees it, relative to the project."""
        # abspath, not resolve(): a symbolic link is shown by its own name, even in a loop
        absolute, root = Path(os.path.abspath(path)), Path(os.path.abspath(self.root))
        try:
            return absolute.relative_to(root).as_posix()
        except ValueError:
            return path.as_posix()

    def markdown_files(self, folder: str) -> list[tuple[Path, str]]:
        """Markdown files of a folder, sorted, with their display path."""
        directory = self.content_dir / folder
        if not directory.is_dir():
            return []
        return [(p, self.shown(p)) for p in sorted(directory.glob("*.md"))
                if not p.name.startswith((".", "~$"))]

    def markdown(self, path: Path, shown: str, data: bytes | None = None):
        try:
            return load_markdown_file(path, shown, self.content_dir, data)
        except ContentFileError as exc:
            self.problems.append(exc.problem)
            return None

    def data(self, name: str) -> tuple[Any, str]:
        path = self.content_dir / name
        shown = self.shown(path)
        if not path.exists():
            return None, shown
        try:
            return load_yaml_file(path, shown, self.content_dir), shown
        except ContentFileError as exc:
            self.problems.append(exc.problem)
            return None, shown


def read_site(content_dir: Path, root: Path, today: dt.date, preview: bool = False
              ) -> tuple[Site | None, list[Problem]]:
    """Load and validate all content. Returns the site (None on error) and every problem."""
    reader = Reader(content_dir, root)
    config = load_config(content_dir, reader.shown(content_dir / "site.yaml"))
    pages = _read_markdown_kind(reader, "pages", parse_page)
    events = _read_markdown_kind(reader, "agenda", parse_event)
    return assemble_site(reader, config, pages, events, today, preview)


def assemble_site(reader: Reader, config: SiteConfig, pages: list[Page], events: list[Event],
                  today: dt.date, preview: bool) -> tuple[Site | None, list[Problem]]:
    """Read the data files, check everything together, keep what is published.

    Shared by read_site and the cached reader (cache.read_site_cached), which differ only
    in how they read the Markdown files.
    """
    data = {}
    for name, (fields, cls, what) in DATA_FILES.items():
        raw, shown = reader.data(name)
        data[name] = parse_list(raw, fields, cls, shown, reader.problems, what)
    files = _content_files(reader.content_dir)
    problems = reader.problems
    problems += check_site(config, pages, events, data, files)
    if not preview:
        pages = [p for p in pages if _is_published(p, today)]
        events = [e for e in events if _is_published(e, today)]
    site = Site(config, pages, events, data["campagnes.yaml"], data["partenaires.yaml"],
                data["contacts.yaml"], data["thematiques.yaml"], data["documents.yaml"],
                files, today, preview)
    problems += warn_site(site)
    problems += skipped_files(reader)
    has_errors = any(p.is_error for p in problems)
    return (None if has_errors else site), sorted(problems, key=lambda p: p.sort_key)


def _read_markdown_kind(reader: Reader, folder: str, parse) -> list:
    records = []
    for path, shown in reader.markdown_files(folder):
        if not SLUG_RE.match(path.stem):
            reader.problems.append(Problem(shown, None, *errors.bad_file_name(path.name)))
            continue
        loaded = reader.markdown(path, shown)
        if loaded is not None:
            record = parse(*loaded, path.stem, shown, reader.problems)
            if record is not None:
                records.append(record)
    return records


def _content_files(content_dir: Path) -> dict[str, int]:
    """Files under content/fichiers/ (copied as-is), with their size."""
    folder = content_dir / "fichiers"
    if not folder.is_dir():
        return {}
    return {p.relative_to(content_dir).as_posix(): p.stat().st_size
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink() and not p.name.startswith(".")}


def _is_published(record: Page | Event, today: dt.date) -> bool:
    return not record.draft and (record.publish_on is None or record.publish_on <= today)


def check_site(config: SiteConfig, pages: list[Page], events: list[Event],
               data: dict[str, list], files: dict[str, int]) -> list[Problem]:
    """Rules that span several files: unique URLs and UIDs, templates, references."""
    problems = _check_templates(config, pages)
    problems += _check_unique_urls(pages, events)
    problems += _check_events(events)
    problems += _check_campaigns(data["campagnes.yaml"])
    problems += _check_files(config, data, files)
    return problems


def _check_templates(config: SiteConfig, pages: list[Page]) -> list[Problem]:
    problems, seen = [], {}
    for page in pages:
        if page.template in UNIQUE_TEMPLATES:
            if page.template in seen:
                problems.append(Problem(page.source.path, page.source.line_of("gabarit"),
                                        *errors.duplicate_role_page(page.template,
                                                                    seen[page.template])))
            seen[page.template] = page.source.path
    if pages:  # a missing pages/ folder is reported once, below, not once per template
        for template in REQUIRED_TEMPLATES:
            if template not in seen:
                problems.append(Problem(config.path.rsplit("/", 1)[0] + "/pages", None,
                                        *errors.missing_role_page(template)))
    return problems


def _check_unique_urls(pages: list[Page], events: list[Event]) -> list[Problem]:
    problems, owners = [], {}
    for record in [*pages, *events]:
        if record.url in owners:
            problems.append(Problem(record.source.path, None,
                                    *errors.duplicate_slug(record.url, owners[record.url])))
        owners.setdefault(record.url, record.source.path)
    return problems


def _check_events(events: list[Event]) -> list[Problem]:
    problems, uids = [], {}
    for event in events:
        if event.uid in uids:
            problems.append(Problem(event.source.path, event.source.line_of("identifiant"),
                                    *errors.duplicate_uid(event.uid, uids[event.uid])))
        uids.setdefault(event.uid, event.source.path)
        for key, time in (("heure_debut", event.start_time), ("heure_fin", event.end_time)):
            day = event.start if key == "heure_debut" else event.end
            if time is None:
                continue
            try:
                ics.local_datetime(day, time)
            except ics.NonexistentTimeError:
                problems.append(Problem(event.source.path, event.source.line_of(key),
                                        *errors.nonexistent_local_time(
                                            day.isoformat(), time.strftime("%H:%M"),
                                            "Europe/Paris")))
    return problems


def _check_campaigns(campaigns: list[Campaign]) -> list[Problem]:
    problems, numbers = [], {}
    for campaign in campaigns:
        src = campaign.source
        if campaign.closes < campaign.opens:
            problems.append(Problem(src.path, src.line_of("cloture"),
                                    *errors.end_before_start("ouverture", "cloture")))
        if campaign.number in numbers:
            problems.append(Problem(src.path, src.line_of("numero"), *errors.duplicate_campaign(
                campaign.number, numbers[campaign.number])))
        numbers.setdefault(campaign.number, src.line)
    return problems


def _check_files(config: SiteConfig, data: dict[str, list], files: dict[str, int]
                 ) -> list[Problem]:
    """Every referenced file (logos, documents) exists in content/fichiers/."""
    problems = []
    references = [(config.path, config.key_lines.get("logo"), "logo", config.logo)]
    for partner in data["partenaires.yaml"]:
        references.append((partner.source.path, partner.source.line_of("logo"), "logo",
                           partner.logo))
    for document in data["documents.yaml"]:
        src = document.source
        references.append((src.path, src.line_of("fichier"), "fichier", document.file))
        if document.file and document.url:
            problems.append(Problem(src.path, src.line_of("lien"),
                                    *errors.document_file_and_link(document.title)))
        if not document.file and not document.url:
            problems.append(Problem(src.path, src.line,
                                    *errors.document_without_target(document.title)))
    for path, line, key, value in references:
        if value and value not in files:
            problems.append(Problem(path, line, *errors.missing_file(key, value)))
    return problems


EDITOR_LEFTOVERS = re.compile(r"^(\.|~\$|4913$)|(~|\.swp|\.swx|\.tmp|\.bak)$")


def skipped_files(reader: Reader) -> list[Problem]:
    """Files in pages/ and agenda/ that are not read (not .md, or in a sub-folder)."""
    warnings = []
    for folder in ("pages", "agenda"):
        directory = reader.content_dir / folder
        if not directory.is_dir():
            continue
        others = [e for e in os.scandir(directory) if not e.name.endswith(".md")]
        for entry in sorted(others, key=lambda e: e.name):  # .md files: the reader's
            if EDITOR_LEFTOVERS.search(entry.name):
                continue
            warnings.append(Problem(reader.shown(Path(entry.path)), None,
                                    *errors.ignored_file(entry.name), severity=WARNING))
    return warnings


def warn_site(site: Site) -> list[Problem]:
    """Things that do not block the build but that an editor should fix."""
    warnings = []
    for contact in site.contacts:
        if not contact.is_reachable:
            warnings.append(Problem(contact.source.path, contact.source.line,
                                    *errors.contact_unreachable(contact.display_name),
                                    severity=WARNING))
    for theme in site.themes:
        if theme.to_confirm:
            warnings.append(Problem(theme.source.path, theme.source.line_of("a_confirmer"),
                                    *errors.to_confirm(theme.title), severity=WARNING))
    warnings += _warn_overlapping_campaigns(site.campaigns)
    config = site.config
    for key, value in (("directeur_publication", config.publication_director),
                       ("hebergeur", config.host)):
        if not value:
            warnings.append(Problem(config.path, None, *errors.missing_legal(key),
                                    severity=WARNING))
    return warnings


def _warn_overlapping_campaigns(campaigns: list[Campaign]) -> list[Problem]:
    """Two calls for projects open on the same days: the site shows only one of them."""
    ordered = sorted(campaigns, key=lambda c: (c.opens, c.number))
    return [Problem(later.source.path, later.source.line_of("ouverture"),
                    *errors.overlapping_campaigns(later.number, earlier.number), severity=WARNING)
            for earlier, later in zip(ordered, ordered[1:], strict=False)
            if later.opens <= earlier.closes]
