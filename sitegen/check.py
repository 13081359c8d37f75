"""Check: everything the build validates, then what only the whole rendered site shows.

The published site (no drafts) is rendered in memory and nothing is written. On top of the
build's own errors and warnings, it checks internal links and their anchors, linked files,
the calendar feeds, and warns about pages without description, past events still
« reporté », an old « Mise à jour », leftover « À compléter », a built site/ whose statuses
have expired, and events moved since site/<agenda>.ics without a raised « sequence ».
"""

from __future__ import annotations

import difflib
import json
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import icalendar

from . import errors, ics, pipeline
from .errors import WARNING, ContentError, Problem
from .load import display_path
from .model import Site, event_status
from .options import BuildOptions

SKIPPED_SCHEMES = {"mailto", "tel", "data", "javascript"}
LINK_ATTRIBUTES = {"href", "src"}


def run_check(options: BuildOptions, strict: bool) -> int:
    """Print every problem and the summary; 1 on errors, or on warnings with --strict."""
    try:
        problems = check_site(options)
    except ContentError as exc:
        problems = exc.problems
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    n_errors = sum(p.is_error for p in problems)
    n_warnings = len(problems) - n_errors
    print(errors.check_summary(n_errors, n_warnings, strict))
    return 1 if n_errors or (strict and n_warnings) else 0


def check_site(options: BuildOptions) -> list[Problem]:
    """Every problem of the published site, sorted by file and line."""
    options = replace(options, preview=False)
    site, problems = pipeline.load_site(options)
    files = pipeline.render_site(site, options.templates_dir, options.root)
    finder = SourceFinder(site, options.root, options.templates_dir)
    problems += check_links(site, files, unpublished_urls(options, site), finder)
    problems += check_feeds(site, files, options.output_dir)
    problems += ics.moved_event_problems(site, options.output_dir)
    problems += check_editorial(site)
    problems += check_built_site(site, options.output_dir)
    return sorted(set(problems), key=lambda p: p.sort_key)


# --- Links and anchors ----------------------------------------------------------------------

class PageLinks(HTMLParser):
    """The links and the anchors (id attributes) of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.anchors.add(value)
            elif name in LINK_ATTRIBUTES and tag != "base":
                self.links.append(value)


def parse_pages(files: dict[str, bytes]) -> dict[str, PageLinks]:
    """Output path -> links and anchors, for every HTML file."""
    pages = {}
    for path, data in files.items():
        if path.endswith(".html"):
            parser = PageLinks()
            parser.feed(data.decode("utf-8"))
            pages[path] = parser
    return pages


def output_file(url_path: str, outputs: set[str]) -> str | None:
    """The output file a site path serves, as the web server maps it; None if none."""
    rel = unquote(url_path).lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    if rel in outputs:
        return rel
    return rel + "/index.html" if rel + "/index.html" in outputs else None


def page_url(output: str) -> str:
    """Site URL of an output file: agenda/index.html -> /agenda/."""
    return "/" + output.removesuffix("index.html")


def internal_path(href: str, base: str, host: str) -> tuple[str, str] | None:
    """(path, fragment) of a link to this site, or None for other sites and schemes."""
    parts = urlsplit(href)
    if parts.scheme in SKIPPED_SCHEMES:
        return None
    if parts.scheme or parts.netloc:
        if parts.netloc != host or parts.scheme not in ("http", "https", "webcal"):
            return None
        return parts.path or "/", parts.fragment
    joined = urlsplit(urljoin(base, href))
    return joined.path or "/", joined.fragment


def check_links(site: Site, files: dict[str, bytes], unpublished: set[str],
                finder: SourceFinder) -> list[Problem]:
    """Every internal link leads to a page or file, and every #anchor exists there."""
    outputs = set(files) | set(site.files)
    pages = parse_pages(files)
    host = urlsplit(site.config.base_url).netloc
    problems, seen = [], set()
    for output, parsed in sorted(pages.items()):
        for href in parsed.links:
            target = internal_path(href, page_url(output), host)
            if target is None or (output, href) in seen:
                continue
            seen.add((output, href))
            text = link_problem(href, target, page_url(output), outputs, pages, unpublished)
            if text:
                path, line = finder.find(href, output)
                problems.append(Problem(path, line, *text))
    return problems


def link_problem(href: str, target: tuple[str, str], page: str, outputs: set[str],
                 pages: dict[str, PageLinks], unpublished: set[str]) -> tuple[str, str] | None:
    """The message for a broken link or anchor, or None when it works."""
    path, fragment = target
    found = output_file(path, outputs)
    if found is None:
        if path.startswith("/fichiers/"):
            return errors.missing_file_link(href, page)
        if path in unpublished or path + "/" in unpublished:
            return errors.unpublished_link(href, page)
        known = sorted(page_url(p) for p in pages)
        suggestion = difflib.get_close_matches(path, known, n=1)
        return errors.broken_link(href, page, suggestion[0] if suggestion else None)
    if fragment and found in pages and unquote(fragment) not in pages[found].anchors:
        anchors = sorted(pages[found].anchors)
        close = difflib.get_close_matches(unquote(fragment), anchors, n=3)
        return errors.missing_anchor(href, page, page_url(found),
                                     close + [a for a in anchors if a not in close])
    return None


def unpublished_urls(options: BuildOptions, site: Site) -> set[str]:
    """URLs of drafts and scheduled content, which the published site does not have."""
    try:
        preview, _ = pipeline.load_site(replace(options, preview=True))
    except ContentError:
        return set()
    published = {r.url for r in [*site.pages, *site.events]}
    return {r.url for r in [*preview.pages, *preview.events]} - published


class SourceFinder:
    """Finds the file and line where a link was written: the page, content, templates."""

    def __init__(self, site: Site, root: Path, templates_dir: Path):
        self.root = root
        self.owner = {page_url_to_output(r.url): r.source.path for r in [*site.pages, *site.events]}
        content = sorted({r.source.path for r in [*site.pages, *site.events]})
        data = [site.config.path.rsplit("/", 1)[0] + f"/{name}" for name in (
            "site.yaml", "partenaires.yaml", "contacts.yaml", "campagnes.yaml",
            "documents.yaml", "thematiques.yaml")]
        templates = [display_path(p, root) for p in sorted(templates_dir.rglob("*.html"))]
        self.everywhere = content + data + templates

    def find(self, href: str, output: str) -> tuple[str, int | None]:
        """(path, line) of the first file containing the link; the page's own source first."""
        own = self.owner.get(output)
        for shown in ([own] if own else []) + self.everywhere:
            line = self.line_of(shown, href)
            if line:
                return shown, line
        return (own or f"page {page_url(output)}"), None

    def line_of(self, shown: str, text: str) -> int | None:
        try:
            lines = (self.root / shown).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        return next((n for n, line in enumerate(lines, 1) if text in line), None)


def page_url_to_output(url: str) -> str:
    """Output file of a site URL: /agenda/ -> agenda/index.html."""
    return url.strip("/") + "/index.html" if url != "/" else "index.html"


# --- Calendar feeds -----------------------------------------------------------------------

def check_feeds(site: Site, files: dict[str, bytes], output_dir: Path) -> list[Problem]:
    """The subscribed feed and each event's .ics: RFC 5545 shape, every event present."""
    problems = []
    main_feed = site.config.calendar_file
    names = [main_feed] + sorted(p for p in files if p.startswith("agenda/") and
                                 p.endswith(".ics"))
    for name in names:
        shown = f"{output_dir.as_posix().rstrip('/')}/{name}"
        for detail in feed_defects(files.get(name, b"")):
            problems.append(Problem(shown, None, *errors.feed_problem(detail)))
    expected = {ics.entry_for_event(site.config, event).uid for event in site.events}
    present = feed_uids(files.get(main_feed, b""))
    for uid in sorted(expected - present):
        problems.append(Problem(f"{output_dir.as_posix()}/{main_feed}", None,
                                *errors.feed_problem(f"l'événement {uid} manque")))
    return problems


def feed_defects(data: bytes) -> list[str]:
    """What is wrong with one .ics file (empty list when it is sound)."""
    if not data:
        return ["fichier vide ou absent"]
    defects = []
    if b"\n" in data.replace(b"\r\n", b""):
        defects.append("fins de ligne autres que CRLF")
    if any(len(line) > 75 for line in data.split(b"\r\n")):
        defects.append("ligne de plus de 75 octets")
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        return defects + [f"illisible : {exc}"]
    uids = []
    for item in calendar.walk("VEVENT"):
        missing = [n for n in ("UID", "DTSTAMP", "DTSTART", "SUMMARY") if n not in item]
        if missing:
            defects.append("VEVENT sans " + ", ".join(missing))
            continue
        uids.append(str(item["UID"]))
        if "DTEND" in item and item.decoded("DTEND") <= item.decoded("DTSTART"):
            defects.append(f"{item['UID']} finit avant de commencer")
    if len(uids) != len(set(uids)):
        defects.append("UID en double")
    return defects


def feed_uids(data: bytes) -> set[str]:
    """UIDs of the VEVENTs of a feed (empty when unreadable)."""
    try:
        return {str(item["UID"]) for item in icalendar.Calendar.from_ical(data).walk("VEVENT")
                if "UID" in item}
    except ValueError:
        return set()


# --- Editorial warnings -------------------------------------------------------------------

def check_editorial(site: Site) -> list[Problem]:
    """Descriptions, postponed past events, old « Mise à jour », leftover placeholders."""
    warnings = []
    for page in site.pages:
        if not page.description:
            warnings.append(Problem(page.source.path, page.source.line_of("titre"),
                                    *errors.missing_description(page.title), severity=WARNING))
    for event in site.events:
        if event.end < site.today and event.status == "reporté":
            warnings.append(Problem(event.source.path, event.source.line_of("statut"),
                                    *errors.postponed_in_past(event.title), severity=WARNING))
    for record in [*site.pages, *site.events]:
        texts = [record.title, getattr(record, "description", None) or "",
                 getattr(record, "summary", ""), record.body]
        if any(errors.PLACEHOLDER in text for text in texts):
            warnings.append(Problem(record.source.path, None,
                                    *errors.placeholder_left(record.title), severity=WARNING))
    config = site.config
    if config.updated < one_year_before(site.today):
        warnings.append(Problem(config.path, config.key_lines.get("mise_a_jour"),
                                *errors.stale_update_date(config.updated.strftime("%d/%m/%Y")),
                                severity=WARNING))
    return warnings


def one_year_before(day):
    """The same day a year earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def check_built_site(site: Site, output_dir: Path) -> list[Problem]:
    """A built site/ whose statuses (upcoming, open…) have expired since it was generated."""
    try:
        built = json.loads((output_dir / "statut.json").read_text(encoding="utf-8"))
        built_on = type(site.today).fromisoformat(built["date_de_reference"])
    except (OSError, ValueError, KeyError, TypeError):
        return []
    if built_on >= site.today:
        return []
    changed = [f"« {e.title} » désormais {event_status(e, site.today)}" for e in site.events
               if event_status(e, built_on) != event_status(e, site.today)]
    changed += [f"campagne n° {c.number} désormais {c.status(site.today)}" for c in site.campaigns
                if c.status(built_on) != c.status(site.today)]
    if not changed:
        return []
    output = output_dir.as_posix().rstrip("/")
    return [Problem(f"{output}/statut.json", None,
                    *errors.published_site_stale(output, built_on.strftime("%d/%m/%Y"), changed),
                    severity=WARNING)]
