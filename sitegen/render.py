"""Render stage: Jinja templates and Markdown -> {output path: bytes}.

Nothing here knows about a particular territory: every name, date and text comes from the
Site record. Markdown is converted once per distinct text (cached by content hash) and
sanitised, so raw HTML from a copy-paste can never carry a script into the site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import cmarkgfm
import jinja2
import nh3
from markupsafe import Markup

from . import french, ics, jsonld
from .cmark import markdown_to_html
from .model import Event, Page, Site, event_status

ALLOWED_TAGS = {"a", "abbr", "blockquote", "br", "code", "em", "strong", "h2", "h3", "h4", "h5",
                "h6", "hr", "li", "ol", "ul", "p", "pre", "span", "table", "thead", "tbody",
                "tr", "th", "td", "caption", "img", "dl", "dt", "dd", "sup", "sub", "q", "cite",
                "kbd", "figure", "figcaption", "del", "ins", "mark", "small", "s"}
ALLOWED_ATTRIBUTES = {"*": {"lang", "id", "title"}, "a": {"href", "hreflang"},
                      "img": {"src", "alt", "width", "height"}, "th": {"scope", "colspan",
                      "rowspan"}, "td": {"colspan", "rowspan"}, "ol": {"start"},
                      "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")
HEADING = re.compile(r"<h([2-6])>(.*?)</h\1>", re.S)
# GitHub-flavoured Markdown through cmark-gfm (C): CommonMark plus tables, ~~strike~~ and
# bare links; raw HTML (a <span lang>) is kept here and sanitised by nh3 below.
MARKDOWN_OPTIONS = cmarkgfm.Options.CMARK_OPT_UNSAFE | cmarkgfm.Options.CMARK_OPT_VALIDATE_UTF8
MARKDOWN_EXTENSIONS = ("table", "strikethrough", "autolink")
EXTERNAL_LINK = re.compile(r'<a href="(https?://[^"]+)"([^>]*)>(.*?)</a>', re.S)
TEMPLATE_FOR = {"programme": "page.html", "territoire": "page.html", "plan": "plan.html"}


@dataclass(frozen=True)
class Asset:
    """A static file of the theme, renamed with a hash of its bytes."""

    name: str  # source name, e.g. style.css
    url: str  # fingerprinted URL, e.g. /assets/style.3f9a2b1c.css
    data: bytes


class MarkdownRenderer:
    """Markdown -> safe HTML with French typography, cached by text hash."""

    def __init__(self, base_url: str, cache: dict[str, str] | None = None,
                 taken_ids: frozenset[str] = frozenset()):
        self._site_host = urlsplit(base_url).netloc
        self.cache = cache if cache is not None else {}
        self.taken_ids = taken_ids  # ids the templates use: no heading anchor may repeat one
        # What the HTML of a text depends on besides the text (part of every cache key).
        self.signature = f"{base_url}|{','.join(sorted(taken_ids))}"

    def __call__(self, text: str) -> Markup:
        key = hashlib.sha256(text.encode()).hexdigest()
        html = self.cache.get(key)
        if html is None:
            html = self._convert(text)
            self.cache[key] = html
        return Markup(html)

    def _convert(self, text: str) -> str:
        raw = markdown_to_html(text, MARKDOWN_OPTIONS, MARKDOWN_EXTENSIONS)
        raw = add_heading_ids(demote_headings(raw), self.taken_ids)
        clean = nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                          url_schemes=URL_SCHEMES, link_rel=None,
                          clean_content_tags={"script", "style", "iframe", "object"})
        return french.typography_html(mark_external_links(clean, self._site_host))


def demote_headings(html: str) -> str:
    """The page title is the only h1: a body written with « # » moves down one level."""
    if "<h1" not in html:
        return html
    return HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", html)


def add_heading_ids(html: str, taken_ids: frozenset[str] = frozenset()) -> str:
    """Give each heading an id made from its words, so a section can be linked to; an id
    the page already has (`taken_ids`) gets a number."""
    taken = set(taken_ids)

    def anchor(match: re.Match) -> str:
        level, inner = match.groups()
        words = html_lib.unescape(re.sub(r"<[^>]+>", "", inner))
        base = slugify(words) or "section"
        slug, number = base, 1
        while slug in taken:
            slug, number = f"{base}_{number}", number + 1
        taken.add(slug)
        return f'<h{level} id="{slug}">{inner}</h{level}>'

    return HEADING.sub(anchor, html)


def slugify(text: str) -> str:
    """« Dépôt des projets d'école ! » -> depot-des-projets-decole: the anchors the site had
    with Python-Markdown's table of contents, so links to a section keep working."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_text).strip().lower())


def mark_external_links(html: str, site_host: str) -> str:
    """Give links to other sites a class and a hidden « (site externe) » for screen readers."""

    def mark(match: re.Match) -> str:
        href, attrs, label = match.groups()
        if urlsplit(href).netloc == site_host:
            return match.group(0)
        return (f'<a href="{href}"{attrs} class="externe">{label}'
                '<span class="visually-hidden"> (site externe)</span></a>')

    return EXTERNAL_LINK.sub(mark, html)


def make_environment(templates_dir: Path,
                     environment_class: type[jinja2.Environment] = jinja2.Environment
                     ) -> jinja2.Environment:
    """Jinja environment: autoescape, undefined variables are errors, French filters.

    environment_class: track.TrackingEnvironment for builds that record dependencies.
    """
    env = environment_class(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        date_fr=french.format_date, date_range_fr=french.format_date_range,
        time_fr=french.format_time, time_range_fr=french.format_time_range,
        month_year_fr=french.format_month_year, number_fr=french.format_number,
        size_fr=french.format_size, typo=_typography_filter, plain=_plain_text,
        table_scopes=_table_scopes,
    )
    return env


def _typography_filter(text: str) -> Markup:
    """Escape then apply French spacing to a plain text value."""
    return Markup(french.typography(str(Markup.escape(text))))


def _plain_text(html: str) -> str:
    """Strip tags: the text of an HTML fragment (for meta descriptions)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(html))).strip()


def _table_scopes(html: Markup) -> Markup:
    """Give the column headers of Markdown tables scope="col" (RGAA criterion 5.7)."""
    return Markup(re.sub(r"<thead>.*?</thead>", lambda head: head.group().replace(
        "<th>", '<th scope="col">'), str(html), flags=re.S))


TEMPLATE_ID = re.compile(r'\bid="([^"{}]+)"')


def template_ids(env: jinja2.Environment) -> frozenset[str]:
    """The ids written in the HTML templates (read once per environment)."""
    found = getattr(env, "sitegen_template_ids", None)
    if found is None:
        ids: set[str] = set()
        for name in env.list_templates(extensions=["html"]):
            ids.update(TEMPLATE_ID.findall(env.loader.get_source(env, name)[0]))
        found = env.sitegen_template_ids = frozenset(ids)
    return found


def load_assets(templates_dir: Path, env: jinja2.Environment, site: Site) -> dict[str, Asset]:
    """Render the theme's assets (CSS gets the site's colours) and fingerprint them."""
    assets = {}
    for path in sorted((templates_dir / "assets").iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix in (".css", ".svg"):
            data = env.get_template(f"assets/{path.name}").render(config=site.config).encode()
        else:
            data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:10]
        url = f"/assets/{path.stem}.{digest}{path.suffix}"
        assets[path.name] = Asset(path.name, url, data)
    return assets


class SiteRenderer:
    """Renders every output of a Site with one Jinja environment."""

    def __init__(self, site: Site, env: jinja2.Environment, assets: dict[str, Asset],
                 markdown_cache: dict[str, str] | None = None):
        self.site, self.env, self.assets = site, env, assets
        self.markdown = MarkdownRenderer(site.config.base_url, markdown_cache,
                                         template_ids(env))
        self._entries: dict[str, ics.CalendarEntry] = {}  # by UID, made when first needed
        self.globals = self._globals()

    def _globals(self) -> dict[str, Any]:
        site = self.site
        return {
            "site": site, "config": site.config, "today": site.today, "menu": site.menu,
            "asset": lambda name: self.assets[name].url, "markdown": self.markdown,
            "event_status": lambda event: event_status(event, site.today),
            "page_for": site.page_for, "reading_time": french.reading_time,
            "calendar_url": "/" + site.config.calendar_file,
        }

    def outputs(self) -> dict[str, Callable[[], bytes]]:
        """Every output path of the site, with the function that renders it."""
        plan: dict[str, Callable[[], bytes]] = {}
        for page in self.site.pages:
            plan[_index_path(page.url)] = lambda page=page: self.render_page(page)
        for event in self.site.events:
            plan[_index_path(event.url)] = lambda event=event: self.render_event(event)
            plan[f"agenda/{event.slug}.ics"] = lambda event=event: self.render_event_ics(event)
        plan[self.site.config.calendar_file] = self.render_calendar
        plan["404.html"] = lambda: self.render_template("404.html", title="Page introuvable",
                                                        page=None, canonical=None)
        plan["sitemap.xml"] = self.render_sitemap
        plan["robots.txt"] = lambda: self.env.get_template("robots.txt").render(
            config=self.site.config).encode()
        plan["statut.json"] = self.render_status
        for asset in self.assets.values():
            plan[asset.url.lstrip("/")] = lambda asset=asset: asset.data
        return plan

    def render_template(self, name: str, **context: Any) -> bytes:
        """Render one template with the site-wide globals."""
        return self.env.get_template(name).render(**self.globals, **context).encode()

    def render_page(self, page: Page) -> bytes:
        """A Markdown page, in the template named by its gabarit."""
        name = TEMPLATE_FOR.get(page.template, f"{page.template}.html")
        if page.template == "page" or not _exists(self.env, name):
            name = "page.html"
        return self.render_template(name, page=page, title=page.title, canonical=page.url,
                                    body=self.markdown(page.body))

    def render_event(self, event: Event) -> bytes:
        """An event page, with its JSON-LD drawn from the same record as the feed."""
        entry = self.calendar_entry(event)
        data = jsonld.event_jsonld(self.site.config, event, entry)
        return self.render_template("event.html", page=None, event=event, title=event.title,
                                    canonical=event.url, body=self.markdown(event.body),
                                    jsonld=Markup(jsonld.to_script(data)))

    def calendar_entries(self) -> list[ics.CalendarEntry]:
        """Feed entries: every event plus each campaign's opening and closing days."""
        entries = ics.event_entries(self.site)
        self._entries.update((e.uid, entry) for e, entry in zip(self.site.events, entries,
                                                                  strict=True))
        return entries + ics.campaign_entries(self.site)

    def render_calendar(self) -> bytes:
        return ics.build_calendar(self.site.config, self.calendar_entries())

    def render_event_ics(self, event: Event) -> bytes:
        return ics.build_event_calendar(self.site.config, self.calendar_entry(event))

    def calendar_entry(self, event: Event) -> ics.CalendarEntry:
        """The feed's view of an event (page, JSON-LD and feeds all read this one)."""
        entry = self._entries.get(event.uid)
        if entry is None:
            entry = self._entries[event.uid] = ics.entry_for_event(self.site.config, event)
        return entry

    def render_sitemap(self) -> bytes:
        urls = [p.url for p in self.site.pages] + [e.url for e in self.site.events]
        return self.env.get_template("sitemap.xml").render(
            config=self.site.config, urls=sorted(urls)).encode()

    def render_status(self) -> bytes:
        """When the next time-dependent status flips, for a scheduled rebuild."""
        now = dt.datetime.combine(self.site.today, dt.time(0), ics.PARIS)
        change = ics.next_status_change(self.site.events, self.site.campaigns, now)
        data = {"date_de_reference": self.site.today.isoformat(),
                "prochain_changement": change.isoformat() if change else None}
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def _exists(env: jinja2.Environment, name: str) -> bool:
    try:
        env.get_template(name)
    except jinja2.TemplateNotFound:
        return False
    return True


def _index_path(url: str) -> str:
    """Output file of a site URL: /agenda/ -> agenda/index.html."""
    return url.strip("/") + "/index.html" if url != "/" else "index.html"
