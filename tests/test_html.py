"""The built HTML without a browser: links, anchors, head tags, CSP, no third party, assets.

The real content/ is built once into a temporary folder with the fixed reference date; a
second build of a copy of content/ adds what the real content does not have yet (documents,
a Breton place name, a table) to check how the templates show them.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2025-02-01"
BASE_URL = "https://tne-finistere.example.org"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def build(content: Path, output: Path) -> Path:
    """Build content into output with the fixed date; fail with the generator's messages."""
    done = subprocess.run([sys.executable, "build.py", "--content", str(content), "--output",
                           str(output), "--today", TODAY], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, f"build.py a échoué :\n{done.stdout}\n{done.stderr}"
    return output


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    classes: set[str] = field(default_factory=set)


class PageParser(HTMLParser):
    """Elements with their attributes and text (text kept for a, title, h1-h6, li, span)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs})
        element.classes = set(element.attrs.get("class", "").split())
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                break

    def handle_data(self, data):
        for element in self.open:
            element.text += data


@dataclass
class Page:
    path: str  # URL path, e.g. /agenda/
    file: Path
    html: str
    elements: list[Element]

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag
                and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def meta(self, key: str, value: str) -> list[str]:
        return [e.attrs.get("content", "") for e in self.find("meta") if e.attrs.get(key) == value]

    @property
    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if "id" in e.attrs}


def read_pages(site: Path) -> dict[str, Page]:
    pages = {}
    for file in sorted(site.rglob("*.html")):
        rel = file.relative_to(site).as_posix()
        path = "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        parser = PageParser()
        html = file.read_text(encoding="utf-8")
        parser.feed(html)
        pages[path] = Page(path, file, html, parser.elements)
    return pages


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build(ROOT / "content", tmp_path_factory.mktemp("html") / "site")


@pytest.fixture(scope="module")
def pages(site) -> dict[str, Page]:
    found = read_pages(site)
    assert "/" in found and "/404.html" in found and len(found) > 10
    return found


def resolve(site: Path, path: str) -> Path | None:
    """The file a site path is served from, if any."""
    target = site / unquote(path).lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None


def local_references(page: Page) -> list[str]:
    """Every URL the page links to or loads, relative to the site or on its base URL."""
    refs = []
    for e in page.elements:
        for attr in ("href", "src"):
            url = e.attrs.get(attr)
            if url is None or (e.tag == "link" and e.attrs.get("rel") == "canonical"):
                continue
            if url.startswith(BASE_URL):
                url = url[len(BASE_URL):] or "/"
            if not urlsplit(url).scheme:
                refs.append(url)
    return refs


def test_every_internal_link_anchor_and_file_exists(site, pages):
    broken, checked = [], 0
    for page in pages.values():
        for url in local_references(page):
            checked += 1
            parts = urlsplit(url)
            target_path = parts.path or page.path
            if not target_path.startswith("/"):
                broken.append(f"{page.path} : lien relatif {url} (écrire /chemin/)")
                continue
            target = resolve(site, target_path)
            if target is None:
                broken.append(f"{page.path} → {url} : fichier absent")
            elif parts.fragment:
                ids = pages[target_path].ids if target_path in pages else set()
                if parts.fragment not in ids:
                    broken.append(f"{page.path} → {url} : ancre absente")
    assert broken == [] and checked > 20 * len(pages)


def test_canonical_urls_and_sitemap_point_to_existing_pages(site, pages):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    listed = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert listed and all(u.startswith(BASE_URL + "/") for u in listed)
    assert {u[len(BASE_URL):] for u in listed} == {p for p in pages if p != "/404.html"}
    for page in pages.values():
        canonical = [e.attrs["href"] for e in page.find("link", rel="canonical")]
        if page.path == "/404.html":
            assert canonical == [] and page.meta("name", "robots") == ["noindex"]
        else:
            assert canonical == [BASE_URL + page.path]
            assert page.meta("property", "og:url") == canonical
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in robots and "Disallow: /\n" not in robots


def test_each_page_has_lang_title_description_open_graph_and_one_h1(pages):
    for page in pages.values():
        assert page.find("html")[0].attrs.get("lang") == "fr", page.path
        assert len(page.find("title")) == 1 and page.find("title")[0].text.strip(), page.path
        assert len(page.find("h1")) == 1, f"{page.path} : {len(page.find('h1'))} h1"
        [description] = page.meta("name", "description")
        assert 30 <= len(description) <= 300, f"{page.path} : description de {len(description)}"
        for prop in ("og:title", "og:description", "og:type", "og:site_name", "og:locale"):
            assert page.meta("property", prop), f"{page.path} : {prop} manque"
        assert page.meta("name", "viewport") == ["width=device-width, initial-scale=1"]
        landmarks = [e.tag for e in page.elements if e.tag in ("header", "nav", "main", "footer")]
        assert landmarks.count("main") == 1 and "header" in landmarks and "footer" in landmarks
        assert page.find("a", class_="skip-link", href="#contenu") and "contenu" in page.ids


def test_titles_and_descriptions_are_unique(pages):
    titles = Counter(p.find("title")[0].text for p in pages.values())
    descriptions = Counter(p.meta("name", "description")[0] for p in pages.values())
    assert [t for t, n in titles.items() if n > 1] == []
    assert [d for d, n in descriptions.items() if n > 1] == []


def test_nothing_inline_that_the_content_security_policy_would_block(pages):
    for page in pages.values():
        assert page.find("style") == [], page.path
        for e in page.elements:
            assert "style" not in e.attrs, f"{page.path} : attribut style sur <{e.tag}>"
            handlers = [a for a in e.attrs if a.startswith("on")]
            assert handlers == [], f"{page.path} : {handlers} sur <{e.tag}>"
            if e.tag == "script":
                assert "src" in e.attrs or e.attrs.get("type") == "application/ld+json", page.path
            if e.tag == "a":
                assert not e.attrs.get("href", "").lower().startswith("javascript:")


def test_scripts_are_first_party_deferred_and_small(site, pages):
    for page in pages.values():
        for script in page.find("script"):
            if "src" in script.attrs:
                assert script.attrs["src"].startswith("/assets/") and "defer" in script.attrs
    for script in (site / "assets").glob("*.js"):
        assert script.stat().st_size < 4096, f"{script.name} dépasse 4 ko"


def test_no_request_can_leave_the_site(site, pages):
    """No CDN, no web font, no tracker: everything a page loads comes from the site itself."""
    for page in pages.values():
        for e in page.elements:
            loaded = e.attrs.get("src") if e.tag in ("img", "script", "iframe", "source",
                                                     "embed", "audio", "video") else None
            if e.tag == "link" and e.attrs.get("rel") in ("stylesheet", "icon", "preload",
                                                          "modulepreload", "manifest"):
                loaded = e.attrs.get("href")
            if loaded is not None:
                assert loaded.startswith("/") and not loaded.startswith("//"), \
                    f"{page.path} charge {loaded}"
    for css in (site / "assets").glob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text and not re.search(r"url\(\s*['\"]?(https?:)?//", text)
        assert "@font-face" not in text


def test_theme_uses_no_state_design_system_asset_or_font():
    """The DSFR, the Marianne font and the State logo are reserved to State services."""
    for file in (ROOT / "templates").rglob("*"):
        if file.is_file():
            text = file.read_text(encoding="utf-8").lower()
            for word in ("marianne", "dsfr", "gouvfr", "fr-header", "fr-footer", "spectral"):
                assert word not in text, f"{file.relative_to(ROOT)} mentionne {word}"


def test_templates_name_no_territory():
    """Every name comes from content/: another territory swaps the content folder only."""
    for file in (ROOT / "templates").rglob("*"):
        if file.is_file():
            text = file.read_text(encoding="utf-8")
            for word in ("Finistère", "Finistere", "Rennes", "Bretagne", "Quimper", "TNE ",
                         "example.org"):
                assert word not in text, f"{file.relative_to(ROOT)} contient « {word} »"


def test_assets_are_fingerprinted_with_their_content_hash(site, pages):
    assets = sorted((site / "assets").iterdir())
    assert assets
    for asset in assets:
        match = re.fullmatch(r"[a-z0-9-]+\.([0-9a-f]{10})\.(css|js|svg)", asset.name)
        assert match, f"{asset.name} n'est pas empreinté"
        assert hashlib.sha256(asset.read_bytes()).hexdigest()[:10] == match.group(1)
    home = pages["/"]
    assert home.find("link", rel="icon") and home.find("link", rel="stylesheet", media="print")


def test_external_links_say_so(pages):
    for page in pages.values():
        for a in page.find("a"):
            host = urlsplit(a.attrs.get("href", "")).hostname
            if urlsplit(a.attrs.get("href", "")).scheme in ("http", "https") and \
                    host != urlsplit(BASE_URL).hostname:
                assert "externe" in a.classes, f"{page.path} : {a.attrs['href']} non signalé"
                assert "(site externe)" in a.text, f"{page.path} : {a.attrs['href']}"


def test_link_texts_make_sense_out_of_context(pages):
    vague = {"ici", "cliquez ici", "lire la suite", "en savoir plus", "plus", "lien", "suite"}
    for page in pages.values():
        for a in page.find("a"):
            text = " ".join(a.text.split()).lower()
            assert text and text not in vague, f"{page.path} : lien « {text} »"


def test_statuses_are_written_out(pages):
    """A campaign or event status is a word, never only a colour."""
    found = 0
    for page in pages.values():
        for e in page.elements:
            if "statut" in e.classes:
                found += 1
                assert e.text.strip(), f"{page.path} : statut sans texte"
    assert found >= 5
    assert "Campagne ouverte" in pages["/"].html


def test_accessibility_status_on_home_and_every_page(pages):
    for page in pages.values():
        assert "Accessibilité\u00a0: non conforme" in page.html, page.path
    assert pages["/plan-du-site/"].find("a", href="/accessibilite/")


def test_two_navigation_systems_menu_and_site_map(pages):
    site_map = {a.attrs["href"] for a in pages["/plan-du-site/"].find("a")}
    for page in pages.values():
        assert page.find("nav", **{"aria-label": "Menu principal"}), page.path
        assert page.find("a", href="/plan-du-site/"), page.path
        if page.path not in ("/404.html",):
            assert page.path in site_map, f"{page.path} absent du plan du site"


@pytest.fixture(scope="module")
def variant(tmp_path_factory) -> dict[str, Page]:
    """A copy of content/ with a logo and colour, two documents, a Breton place, a table."""
    content = tmp_path_factory.mktemp("variant") / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "fichiers").mkdir(exist_ok=True)
    (content / "fichiers" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 1"><rect width="4" height="1"/>'
        "</svg>", encoding="utf-8")
    with (content / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write('\ncouleur_principale: "#7a1d5e"\nlogo: fichiers/logo.svg\n'
                       'texte_logo: "Éditeur exemple"\n')
    (content / "fichiers" / "guide.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 1250)
    (content / "documents.yaml").write_text(
        '- titre: "Guide du porteur de projet"\n  fichier: fichiers/guide.pdf\n'
        '- titre: "Présentation en breton"\n  lien: https://www.exemple.fr/br.pdf\n'
        '  format: PDF\n  taille: "2,5 Mo"\n  langue: br\n', encoding="utf-8")
    event = content / "agenda" / "2025-04-02-forum-des-webradios.md"
    event.write_text(event.read_text(encoding="utf-8").replace(
        'lieu: "L\'Arvest"', 'lieu: "Ti ar Vro"\nlieu_langue: br'), encoding="utf-8")
    programme = content / "pages" / "programme.md"
    programme.write_text(programme.read_text(encoding="utf-8") + "\n\n| Année | Projets |\n"
                         "|---|---:|\n| 2022 | 40 |\n| 2024 | 216 |\n", encoding="utf-8")
    return read_pages(build(content, content.parent / "site"))


def test_publisher_logo_and_colour_come_from_the_settings(variant):
    home = variant["/"]
    [logo] = [e for e in home.find("img") if "entete__logo" in e.classes]
    assert logo.attrs["src"] == "/fichiers/logo.svg" and logo.attrs["alt"] == "Éditeur exemple"
    assert resolve(home.file.parent, logo.attrs["src"]) is not None
    assert home.meta("property", "og:image") == [BASE_URL + "/fichiers/logo.svg"]
    [stylesheet] = [e.attrs["href"] for e in home.find("link", rel="stylesheet")
                    if "media" not in e.attrs]
    css = resolve(home.file.parent, stylesheet).read_text(encoding="utf-8")
    assert "--couleur: #7a1d5e;" in css


def test_documents_show_format_and_size_inside_their_link(variant):
    links = {a.attrs["href"]: a for a in variant["/documents/"].find("a")}
    assert " ".join(links["/fichiers/guide.pdf"].text.split()) == \
        "Guide du porteur de projet PDF – 1,3 ko"
    external = links["https://www.exemple.fr/br.pdf"]
    assert "PDF – 2,5 Mo – en breton" in external.text and "externe" in external.classes


def test_breton_place_names_carry_lang_br(variant):
    for path in ("/agenda/", "/agenda/2025-04-02-forum-des-webradios/"):
        spans = variant[path].find("span", lang="br")
        assert [s.text for s in spans] == ["Ti ar Vro"], path


def test_tables_have_column_headers(variant):
    headers = variant["/programme/"].find("th")
    assert [h.attrs.get("scope") for h in headers] == ["col", "col"]
