"""What a visitor reads on the real site, as of two reference dates (issue 2's golden tests)."""

from __future__ import annotations

import json

from conftest import page_text

EVENT_URLS = ["/agenda/2025-02-05-rencontre-tne/", "/agenda/2025-04-02-forum-des-webradios/",
              "/agenda/2025-05-14-faire-savoir-savoir-faire/",
              "/agenda/2025-05-27-seminaire-moodle/"]
PAGES = ["/", "/programme/", "/tne-finistere/", "/deposer-un-projet/", "/thematiques/",
         "/agenda/", "/abonnement/", "/partenaires/", "/contacts/", "/documents/",
         "/mentions-legales/", "/donnees-personnelles/", "/accessibilite/", "/plan-du-site/"]


def test_every_page_exists(site_feb):
    for url in PAGES + EVENT_URLS:
        assert (site_feb / url.strip("/") / "index.html").exists() or url == "/", url
    for name in ("index.html", "404.html", "sitemap.xml", "robots.txt", "agenda.ics"):
        assert (site_feb / name).is_file(), name


def test_campaign_open_on_first_february_2025(site_feb):
    text = page_text(site_feb, "/deposer-un-projet/")
    assert "Campagne ouverte" in text
    assert "du lundi 6 janvier au vendredi 14 mars 2025" in text
    assert "Statuts établis au 1er février 2025" in text


def test_campaign_upcoming_then_open_on_its_last_day(tmp_path):
    from conftest import build

    assert build(tmp_path / "before", "2025-01-05") == 0
    assert "Campagne à venir" in page_text(tmp_path / "before", "/deposer-un-projet/")
    assert build(tmp_path / "last", "2025-03-14") == 0  # the closing day is still open
    assert "Campagne ouverte" in page_text(tmp_path / "last", "/deposer-un-projet/")


def test_campaign_closed_after(site_nov):
    text = page_text(site_nov, "/")
    assert "Campagne clôturée" in text
    assert "Statuts établis au 29 novembre 2026" in text


def test_agenda_upcoming_in_date_order_in_february_2025(site_feb):
    text = page_text(site_feb, "/agenda/")
    upcoming, past = text.split("Événements passés")
    order = [upcoming.index(title) for title in
             ("Rencontre TNE", "Forum des webradios", "Faire Savoir-Savoir Faire",
              "Séminaire Moodle")]
    assert order == sorted(order)
    assert "Aucun événement passé" in past


def test_agenda_past_in_reverse_order_in_november_2026(site_nov):
    text = page_text(site_nov, "/agenda/")
    upcoming, past = text.split("Événements passés")
    assert "Aucun événement à venir" in upcoming
    order = [past.index(title) for title in
             ("Séminaire Moodle", "Faire Savoir-Savoir Faire", "Forum des webradios",
              "Rencontre TNE")]
    assert order == sorted(order)


def test_event_statuses(site_feb, site_nov):
    assert "À venir" in page_text(site_feb, EVENT_URLS[3])
    assert "Passé" in page_text(site_nov, EVENT_URLS[3])


def test_home_lists_next_events_only_when_upcoming(site_feb, site_nov):
    assert "Rencontre TNE" in page_text(site_feb, "/")
    assert "Aucun rendez-vous n'est annoncé" in page_text(site_nov, "/")


def test_two_day_event_date_in_french(site_feb):
    assert "mardi 27 et mercredi 28 mai 2025" in page_text(site_feb, EVENT_URLS[3])


def test_footer_accessibility_status_and_update_on_every_page(site_feb):
    for url in PAGES + EVENT_URLS:
        text = page_text(site_feb, url)
        assert "Accessibilité : non conforme" in text, url
        assert "Mise à jour : février 2025" in text, url


def test_navigation_reaches_every_page(site_feb):
    html = (site_feb / "plan-du-site" / "index.html").read_text()
    home = (site_feb / "index.html").read_text()
    for url in PAGES + EVENT_URLS:
        assert f'href="{url}"' in html or f'href="{url}"' in home, url


def test_documents_page_empty_list_is_graceful(site_feb):
    assert "Aucun document n'est publié pour le moment" in page_text(site_feb, "/documents/")


def test_reading_time_and_update_date_come_from_content(site_feb, site_nov):
    feb = page_text(site_feb, "/tne-finistere/")
    assert "Temps de lecture : 1 min" in feb
    assert "Temps de lecture : 1 min · Mise à jour : février 2025" in feb
    assert "min · Mise à jour : février 2025" in page_text(site_nov, "/tne-finistere/")


def test_french_typography_nbsp_before_colon_not_in_urls(site_feb):
    html = (site_feb / "deposer-un-projet" / "index.html").read_text()
    assert "Vous avez un projet\u202f?" in html
    assert "https://e-demarches.finistere.fr" in html


def test_status_file_tells_next_change(site_feb):
    data = json.loads((site_feb / "statut.json").read_text())
    assert data["date_de_reference"] == "2025-02-01"
    assert data["prochain_changement"].startswith("2025-02-05T00:00")


def test_same_content_same_bytes(site_feb, tmp_path):
    from conftest import build

    again = tmp_path / "site"
    assert build(again, "2025-02-01") == 0
    first = {p.relative_to(site_feb): p.read_bytes() for p in site_feb.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second


def test_themes_awaiting_confirmation_say_so_to_visitors(site_feb):
    text = page_text(site_feb, "/thematiques/")
    assert text.count("en attente de validation par l'équipe du programme") == 3
