"""Markdown rendering: sanitised, French typography, external links marked."""

from __future__ import annotations

import os

import cmarkgfm
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitegen.cmark import markdown_to_html
from sitegen.render import (
    MARKDOWN_EXTENSIONS,
    MARKDOWN_OPTIONS,
    MarkdownRenderer,
    mark_external_links,
)

render = MarkdownRenderer("https://tne.exemple.fr")


def test_script_and_event_handlers_are_removed():
    html = str(render('Texte <script>alert(1)</script> <img src="x.png" onerror="alert(2)">'
                      '<a href="javascript:alert(3)">lien</a> <b onclick="x()">gras</b>'))
    assert "<script" not in html and "alert(1)" not in html
    assert "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html


def test_body_headings_stay_under_the_page_title():
    assert '<h2 id="section">Section</h2>' in str(render("## Section\n"))
    html = str(render("# Titre\n\n## Sous-titre\n"))
    assert '<h2 id="titre">Titre</h2>' in html
    assert '<h3 id="sous-titre">Sous-titre</h3>' in html


def test_french_spacing_in_text_not_in_code_or_urls():
    html = str(render("Vraiment ? Voir https://exemple.fr/a:b et `a : b`"))
    assert "Vraiment\u202f?" in html
    assert "https://exemple.fr/a:b" in html
    assert "<code>a : b</code>" in html


def test_breton_name_keeps_its_language():
    html = str(render('Au <span lang="br">Ti ar Vro</span>.'))
    assert '<span lang="br">Ti ar Vro</span>' in html


def test_external_links_are_marked_internal_ones_not():
    html = mark_external_links('<a href="https://ailleurs.fr/">A</a> '
                               '<a href="https://tne.exemple.fr/x/">B</a>', "tne.exemple.fr")
    assert 'class="externe">A<span class="visually-hidden"> (site externe)</span></a>' in html
    assert '<a href="https://tne.exemple.fr/x/">B</a>' in html


def test_tables_keep_header_cells():
    html = str(render("| Jour | Lieu |\n|---|---|\n| 5 | Quimper |\n"))
    assert "<th>Jour</th>" in html


def test_headings_get_unique_anchors_without_accents():
    html = str(render("## Dépôt des projets !\n\n## Dépôt des projets !\n\n## 2025\n"
                      "\n## Calendrier d'Apple (Mac)\n"))
    assert '<h2 id="depot-des-projets">' in html
    assert '<h2 id="depot-des-projets_1">' in html
    assert '<h2 id="calendrier-dapple-mac">' in html  # as Python-Markdown made them
    assert '<h2 id="2025">' in html


def test_a_pasted_address_becomes_a_marked_link():
    html = str(render("Inscriptions sur https://ailleurs.exemple.fr/inscription."))
    assert '<a href="https://ailleurs.exemple.fr/inscription" class="externe">' in html


def test_editors_markdown_as_on_common_platforms():
    html = str(render("Date ~~reportée~~ maintenue.\n\n- un\n  - sous-point\n- deux\n"))
    assert "<del>reportée</del>" in html
    assert "<ul>\n<li>sous-point</li>\n</ul>" in html  # two spaces are enough to nest


def test_heading_anchors_never_repeat_an_id_of_the_templates():
    taken = MarkdownRenderer("https://tne.exemple.fr", taken_ids=frozenset({"contenu"}))
    html = str(taken("## Contenu\n\n## Contenu\n"))
    assert '<h2 id="contenu_1">' in html and '<h2 id="contenu_2">' in html
    assert 'id="contenu"' not in html


def test_the_ids_of_the_templates_are_known():
    from pathlib import Path

    from sitegen.render import make_environment, template_ids

    ids = template_ids(make_environment(Path(__file__).resolve().parent.parent / "templates"))
    assert {"contenu", "prochains"} <= ids  # the skip link's target, a home section


def test_converting_markdown_does_not_grow_memory():
    """cmarkgfm's converter keeps ~40 KB a page (500 MB for a 10,000-page build in one
    process); ours frees the C library's tree and buffer."""
    page = "\n\n".join(f"## Partie {i}\n\nDu **texte** et [un lien](/page-{i}/). " * 12
                       for i in range(8))  # about 6 KB, like a long page
    for _ in range(200):  # let the allocators reach their working size first
        markdown_to_html(page, MARKDOWN_OPTIONS, MARKDOWN_EXTENSIONS)
    before = _resident_kb()
    for _ in range(2000):
        markdown_to_html(page, MARKDOWN_OPTIONS, MARKDOWN_EXTENSIONS)
    assert _resident_kb() - before < 8_000  # leaking, it grows by about 350 MB


def _resident_kb() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


@settings(max_examples=300, deadline=None)
@example("| Date | Lieu |\n| --- | --- |\n| 12 juin | ~~Brest~~ Quimper |\n")
@example("Adresse collée : https://www.ac-rennes.fr et <span lang=\"br\">Penn-ar-Bed</span>\n")
@example("# Titre\n\n- un\n- deux\n\n1. trois\n\n> cité\n\n    bloc de code\n")
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
       | st.lists(st.sampled_from(["# ", "## ", "- ", "1. ", "> ", "| a | b |\n|---|---|\n",
                                   "**", "_", "~~", "`", "[x](", ")", "<", "www.", "\n",
                                   "\n\n", "    ", "é", "\t", "&amp;"]), max_size=60
                  ).map("".join))
def test_markdown_is_converted_as_cmarkgfm_converts_it(text):
    """sitegen.cmark makes cmarkgfm's own calls, only freeing what they return."""
    expected = cmarkgfm.markdown_to_html_with_extensions(
        text, options=MARKDOWN_OPTIONS, extensions=MARKDOWN_EXTENSIONS)
    assert markdown_to_html(text, MARKDOWN_OPTIONS, MARKDOWN_EXTENSIONS) == expected
