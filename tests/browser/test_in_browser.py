"""Every page of the real site in headless Chromium: axe-core, requests, console, layout.

Run with `pytest -m browser`. The server sends the production Content-Security-Policy
(`default-src 'self'`), so an inline script or style attribute is a console error here.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.browser

# WCAG 2.0 and 2.1, levels A and AA (what RGAA 4.1 maps to), plus the touch-target rule of
# WCAG 2.2 AA and axe's best practices (one main, one h1, heading order, landmarks, skip link).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PARIS = ZoneInfo("Europe/Paris")
FIRST_EVENT = "/agenda/2025-02-05-rencontre-tne/"


def open_page(watched, base_url: str, path: str):
    """Load path in a watched page, forgetting what earlier pages recorded."""
    watched.reset()
    response = watched.page.goto(base_url + path)
    assert response is not None and response.status == 200, f"{path}: HTTP {response.status}"
    return watched.page


def run_axe(page, axe_source: str) -> list[dict]:
    """axe-core's violations on the loaded page, reduced to what a failure message needs."""
    page.evaluate(axe_source)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                    resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5)
                    .map(n => n.target.join(" ") + " : " + n.failureSummary)}));
        }""",
        AXE_TAGS,
    )


def describe(violations: list[dict]) -> str:
    return "\n".join(f"- {v['id']} ({v['impact']}) {v['help']}\n    " + "\n    ".join(v["nodes"])
                     for v in violations)


def test_axe_finds_nothing_and_nothing_leaves_the_machine(js_page, base_url, axe_source, path):
    page = open_page(js_page, base_url, path)
    violations = run_axe(page, axe_source)
    assert violations == [], f"{path} :\n{describe(violations)}"
    assert js_page.outside == [], f"{path} : requêtes hors de 127.0.0.1 : {js_page.outside}"
    assert js_page.errors == [], f"{path} : erreurs dans la console : {js_page.errors}"


@pytest.fixture(scope="session", params=[320, 390], ids=lambda w: f"{w}px")
def phone_page(request, browser, base_url):
    from .conftest import watch

    context = browser.new_context(viewport={"width": request.param, "height": 700},
                                  is_mobile=True, has_touch=True, device_scale_factor=2,
                                  locale="fr-FR", timezone_id="Europe/Paris")
    yield watch(context)
    context.close()


def test_no_horizontal_scrolling_on_a_phone(phone_page, base_url, path):
    page = open_page(phone_page, base_url, path)
    widths = page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
                                      client: document.documentElement.clientWidth,
                                      inner: window.innerWidth})""")
    assert widths["scroll"] <= widths["client"], f"{path} défile horizontalement : {widths}"
    wide = page.evaluate("""() => [...document.querySelectorAll("body *")]
        .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))""")
    assert wide == [], f"{path} : éléments qui dépassent à droite : {wide[:5]}"
    assert phone_page.errors == [], f"{path} : erreurs dans la console : {phone_page.errors}"


def headings(page) -> list[str]:
    return page.eval_on_selector_all(
        "main h1, main h2, main h3, main h4", "els => els.map(e => e.tagName + ' ' + e.innerText)")


def test_main_content_is_there_without_javascript(nojs_page, js_page, base_url, path):
    page = open_page(nojs_page, base_url, path)
    without_js = headings(page)
    assert page.locator("main h1").count() == 1, f"{path} : il faut un seul h1 dans main"
    assert page.locator("main h1").is_visible()
    assert len(page.locator("main").inner_text().strip()) > 40
    assert nojs_page.outside == []
    with_js = headings(open_page(js_page, base_url, path))
    assert without_js == with_js, f"{path} : le contenu dépend de JavaScript"


def test_skip_link_is_first_visible_on_focus_and_moves_to_main(js_page, base_url):
    page = open_page(js_page, base_url, "/agenda/")
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const el = document.activeElement, box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        return {cls: el.className, text: el.innerText, top: box.top, left: box.left,
                width: box.width, outline: style.outlineStyle, outlineWidth: style.outlineWidth};
    }""")
    assert focused["cls"] == "skip-link", focused
    assert focused["text"] == "Aller au contenu"
    assert focused["left"] >= 0 and focused["top"] >= 0 and focused["width"] > 0, focused
    assert focused["outline"] != "none" and focused["outlineWidth"] != "0px", focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_every_focusable_element_shows_where_the_focus_is(js_page, base_url):
    page = open_page(js_page, base_url, "/")
    count = page.locator("a[href], button:not([hidden]), input").count()
    for _ in range(count):
        page.keyboard.press("Tab")
        style = page.evaluate("""() => {
            const el = document.activeElement, s = getComputedStyle(el);
            return {tag: el.tagName, text: el.innerText, outline: s.outlineStyle,
                    width: parseFloat(s.outlineWidth)};
        }""")
        if style["tag"] == "BODY":
            break
        assert style["outline"] != "none" and style["width"] >= 2, style


def set_clock(context, day: dt.date):
    page = context.new_page()
    page.clock.install(time=dt.datetime.combine(day, dt.time(10), PARIS))
    return page


def test_statuses_are_recomputed_when_the_page_is_viewed(fresh_context, base_url):
    page = set_clock(fresh_context, dt.date(2025, 2, 6))
    page.goto(base_url + FIRST_EVENT)
    status = page.locator(".evenement__infos .statut")
    assert status.inner_text() == "Passé"
    assert "statut--passe" in status.get_attribute("class")
    assert page.locator(".date-reference").inner_text() == "Statuts établis au 6 février 2025."
    page.goto(base_url + "/")
    assert page.locator(".campagne .statut").inner_text() == "Campagne ouverte"
    page.clock.set_fixed_time(dt.datetime(2025, 3, 15, 9, tzinfo=PARIS))
    page.goto(base_url + "/")
    assert page.locator(".campagne .statut").inner_text() == "Campagne clôturée"


def test_without_javascript_the_statuses_of_the_build_date_stay(nojs_page, base_url):
    page = open_page(nojs_page, base_url, FIRST_EVENT)
    assert page.locator(".evenement__infos .statut").inner_text() == "À venir"
    assert page.locator(".date-reference").inner_text() == "Statuts établis au 1er février 2025."


def test_copy_button_appears_only_with_javascript(js_page, nojs_page, base_url):
    assert not open_page(nojs_page, base_url, "/abonnement/").locator(".copie__bouton").is_visible()
    assert open_page(js_page, base_url, "/abonnement/").locator(".copie__bouton").is_visible()


def test_print_hides_navigation_and_writes_link_addresses(fresh_context, base_url, built_site):
    page = fresh_context.new_page()
    page.emulate_media(media="print")
    page.goto(base_url + "/")
    assert not page.locator("nav.menu").is_visible()
    assert not page.locator(".skip-link").is_visible()
    after = page.evaluate("""() => getComputedStyle(
        document.querySelector("main .texte a[href^='/']"), "::after").content""")
    assert "https://tne-finistere.example.org/" in after, after


def test_missing_page_answers_404_with_a_useful_page(fresh_context, base_url):
    page = fresh_context.new_page()
    response = page.goto(base_url + "/cette-page-n-existe-pas/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page introuvable"
    targets = page.eval_on_selector_all("main a", "els => els.map(e => e.getAttribute('href'))")
    assert "/" in targets and any("plan" in t for t in targets), targets
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
