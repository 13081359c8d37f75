"""Links written in page and event texts that lead nowhere on this site.

Every build and the preview warn of them, with the line where the link is written, so an
editor learns of a mistyped address on saving, not on publishing. (`check` goes further,
in the built HTML: links of templates and data files, #anchors, other hosts' spellings
of this site's address.) The cache entry of each content file keeps the
paths its text links to, so a rebuild of a large site costs a few set operations, not
reading every text again.
"""

from __future__ import annotations

import re
import sys
from urllib.parse import unquote, urljoin, urlsplit

from . import errors
from .errors import WARNING, Problem

INLINE = re.compile(r"\]\(\s*<?([^)\s>]*)")  # [text](address "title")
REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.M)  # [text]: address
CODE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?(?:^ {0,3}\1|\Z)"  # a fenced block
                  r"|(`+)(?:(?!\n[ \t]*\n).)+?\2", re.M | re.S)  # `code`, within a paragraph
PLAIN_PATH = re.compile(r"/(?!/)[^%?#.\\]*\Z")  # « /page/ »: no query, escape, dot segment
SUGGESTED = 20  # broken links given a suggestion (each compares with every address)


def link_paths(body: str, base: str) -> tuple[str, ...]:
    """The site paths the Markdown text of the page at `base` links to, each once."""
    body = _without_code(body)
    hrefs = INLINE.findall(body)
    if "]:" in body:
        hrefs += REFERENCE.findall(body)
    paths = {}
    for href in hrefs:  # read for every page of a first build: kept short
        if PLAIN_PATH.match(href):
            paths[sys.intern(href)] = None
        elif _is_internal(href):
            paths[sys.intern(_site_path(href, base))] = None
    return tuple(paths)


def broken_links(records: list, entries: list, files: dict[str, int]) -> list[Problem]:
    """Warnings for links of these pages and events (those of the site) to no page, event
    or file of the site. `entries`: the content files' entries (cache.FileEntry), which
    hold the paths each text links to; drafts and scheduled content among them are absent
    from a published site. Other addresses with a file name (the feed, the site map…) are
    left to `check`."""
    pages = {record.url for record in records}
    known = pages | {f"/{name}" for name in files}
    linked = set().union(*(entry.links for entry in entries)) - known
    unknown = {path for path in linked if not _found(path, known)}
    if not unknown:
        return []  # the usual case, decided in C: a large site is checked in a few ms
    by_url = {entry.record.url: entry.links for entry in entries if entry.record is not None}
    unpublished = by_url.keys() - pages
    problems: list[Problem] = []
    for record in records:
        if unknown.isdisjoint(by_url.get(record.url, ())):
            continue
        for href, path, offset in _internal_links(record.body, record.url):
            if path not in unknown:
                continue
            line = record.body_line + record.body.count("\n", 0, offset)
            text = _message(href, path, record.url, pages, unpublished,
                            suggest=len(problems) < SUGGESTED)
            problems.append(Problem(record.source.path, line, *text, severity=WARNING))
    return problems


def _internal_links(body: str, base: str) -> list[tuple[str, str, int]]:
    """(as written, site path, offset in the text) of each link to this site."""
    body = _without_code(body)
    found = [(m.group(1), m.start(1)) for m in INLINE.finditer(body)]
    if "]:" in body:
        found += [(m.group(1), m.start(1)) for m in REFERENCE.finditer(body)]
    links = []
    for href, offset in sorted(found, key=lambda link: link[1]):
        if _is_internal(href):
            links.append((href, _site_path(href, base), offset))
    return links


def _without_code(body: str) -> str:
    """The text with its code blanked out (a link written there is shown, not followed),
    each character but line ends replaced by a space: offsets and lines stay right."""
    if "`" not in body and "~~~" not in body:
        return body
    return CODE.sub(lambda code: re.sub(r"[^\n]", " ", code.group()), body)


def _is_internal(href: str) -> bool:
    """Not an anchor of the page itself, another site, mailto:, tel:…"""
    return bool(href) and not href.startswith(("#", "//")) and ":" not in href.split("/", 1)[0]


def _site_path(href: str, base: str) -> str:
    """The path of the site a link leads to, from the page at `base`."""
    if PLAIN_PATH.match(href):
        return href  # the usual « /page/ »: what urljoin would give, thirty times faster
    return unquote(urlsplit(urljoin(base, href)).path) or "/"


def _found(path: str, known: set[str]) -> bool:
    """Known here, or left to `check`: a file name (the feed, the site map…) other than one
    of content/fichiers/ or a Markdown file name written for a page."""
    if path in known or f"{path}/" in known:
        return True
    name = path.rsplit("/", 1)[1]
    return "." in name and not path.startswith("/fichiers/") and not name.endswith(".md")


def _message(href: str, path: str, page: str, pages: set[str], unpublished: set[str],
             suggest: bool) -> tuple[str, str]:
    if path.startswith("/fichiers/"):
        return errors.missing_file_link(href, page)
    if path in unpublished or f"{path}/" in unpublished:
        return errors.unpublished_link(href, page)
    import difflib  # only when a link is broken

    own = f"/{path.rsplit('/', 1)[1].removesuffix('.md')}/"  # [x](programme.md): a file name
    if own in pages:
        return errors.broken_link(href, page, own)
    close = difflib.get_close_matches(path, pages, n=1) if suggest else []  # ties: by text
    return errors.broken_link(href, page, close[0] if close else None)
