"""The real site's calendar feed, read as a teacher's calendar would read it (issue 3)."""

from __future__ import annotations

import datetime as dt
import json
import re

import icalendar
import vobject
from conftest import build, page_text

EXPECTED_DAYS = {  # summary -> (first day, last day), as a teacher sees them
    "Rencontre TNE": (dt.date(2025, 2, 5), dt.date(2025, 2, 5)),
    "Forum des webradios (2e édition)": (dt.date(2025, 4, 2), dt.date(2025, 4, 2)),
    "Faire Savoir-Savoir Faire": (dt.date(2025, 5, 14), dt.date(2025, 5, 14)),
    "Séminaire Moodle": (dt.date(2025, 5, 27), dt.date(2025, 5, 28)),
}
EXPECTED_PLACES = {
    "Rencontre TNE": "Collège la Tourelle, Quimper",
    "Forum des webradios (2e édition)": "L'Arvest, Pleyben",
    "Faire Savoir-Savoir Faire": "Ateliers des Capucins, Brest",
    "Séminaire Moodle": "Pôle Per Jakez Helias, Quimper",
}


def read_with_icalendar(data: bytes) -> dict[str, tuple[dt.date, dt.date, str]]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["SUMMARY"]): (e.decoded("DTSTART"),
                                e.decoded("DTEND") - dt.timedelta(days=1),
                                str(e.get("LOCATION", "")))
            for e in calendar.walk("VEVENT")}


def read_with_vobject(data: bytes) -> dict[str, tuple[dt.date, dt.date, str]]:
    calendar = vobject.readOne(data.decode("utf-8"))
    return {e.summary.value: (e.dtstart.value, e.dtend.value - dt.timedelta(days=1),
                              e.location.value if hasattr(e, "location") else "")
            for e in calendar.vevent_list}


def test_both_parsers_see_the_same_days_and_places(site_feb):
    data = (site_feb / "agenda.ics").read_bytes()
    for read in (read_with_icalendar, read_with_vobject):
        events = read(data)
        for summary, (first, last) in EXPECTED_DAYS.items():
            assert events[summary][:2] == (first, last), (read.__name__, summary)
            assert events[summary][2] == EXPECTED_PLACES[summary]
        assert events["Ouverture de la 5e campagne : Appel à manifestation d'intérêt pour le "
                      "Territoire numérique éducatif"][:2] == (dt.date(2025, 1, 6),) * 2


def test_two_day_event_has_exclusive_end_in_the_bytes(site_feb):
    data = (site_feb / "agenda.ics").read_bytes()
    assert b"DTSTART;VALUE=DATE:20250527\r\nDTEND;VALUE=DATE:20250529\r\n" in data


def test_byte_rules(site_feb):
    for path in [site_feb / "agenda.ics", *sorted((site_feb / "agenda").glob("*.ics"))]:
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        assert data.endswith(b"END:VCALENDAR\r\n")
        lines = data.split(b"\r\n")[:-1]
        assert b"\n" not in b"".join(lines)
        for line in lines:
            assert 0 < len(line) <= 75, line
            line.decode("utf-8")  # folding never splits a character
        assert data.count(b"METHOD:PUBLISH") == 1


def test_each_event_has_its_own_ics_linked_from_its_page(site_feb):
    for page in sorted((site_feb / "agenda").glob("*/index.html")):
        slug = page.parent.name
        html = page.read_text()
        assert f'href="/agenda/{slug}.ics"' in html and "Ajouter à mon agenda" in html
        single = icalendar.Calendar.from_ical((site_feb / "agenda" / f"{slug}.ics").read_bytes())
        assert len(single.walk("VEVENT")) == 1


def test_json_ld_matches_the_feed_for_every_event(site_feb):
    feed = icalendar.Calendar.from_ical((site_feb / "agenda.ics").read_bytes())
    by_url = {str(e["URL"]): e for e in feed.walk("VEVENT")}
    pages = sorted((site_feb / "agenda").glob("*/index.html"))
    assert len(pages) == 4
    for page in pages:
        html = page.read_text()
        match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        data = json.loads(match.group(1))
        event = by_url[data["url"]]
        assert data["@type"] == "Event"
        assert data["name"] == str(event["SUMMARY"])
        assert data["startDate"] == event.decoded("DTSTART").isoformat()
        inclusive_end = event.decoded("DTEND") - dt.timedelta(days=1)
        assert data["endDate"] == inclusive_end.isoformat()
        assert data["location"]["name"] + ", " + data["location"]["address"][
            "addressLocality"] == str(event["LOCATION"])
        assert data["eventStatus"] == "https://schema.org/EventScheduled"


def uids(site) -> dict[str, str]:
    feed = icalendar.Calendar.from_ical((site / "agenda.ics").read_bytes())
    return {str(e["URL"]).rsplit("/", 2)[-2]: str(e["UID"]) for e in feed.walk("VEVENT")
            if "/agenda/" in str(e["URL"])}


def test_uid_survives_an_edit_of_title_date_and_file_name(tmp_path, content_copy):
    first = tmp_path / "first"
    assert build(first, "2025-02-01", content_copy) == 0
    old = content_copy / "agenda" / "2025-04-02-forum-des-webradios.md"
    text = old.read_text().replace("date: 2025-04-02", "date: 2025-04-09")
    text = re.sub(r'titre: ".*"', 'titre: "Forum des webradios reporté"', text, count=1)
    old.unlink()
    (content_copy / "agenda" / "2025-04-09-forum-webradios.md").write_text(text)
    second = tmp_path / "second"
    assert build(second, "2025-02-01", content_copy) == 0
    assert uids(first)["2025-04-02-forum-des-webradios"] == uids(second)[
        "2025-04-09-forum-webradios"]
    assert sorted(uids(first).values()) == sorted(uids(second).values())


def test_cancelled_event_stays_in_the_feed_and_says_so(tmp_path, content_copy):
    path = content_copy / "agenda" / "2025-02-05-rencontre-tne.md"
    path.write_text(path.read_text().replace("statut: confirmé", "statut: annulé\nsequence: 1"))
    out = tmp_path / "site"
    assert build(out, "2025-02-01", content_copy) == 0
    feed = icalendar.Calendar.from_ical((out / "agenda.ics").read_bytes())
    event = next(e for e in feed.walk("VEVENT") if "Rencontre TNE" in str(e["SUMMARY"]))
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]).startswith("ANNULÉ")
    assert "Annulé" in page_text(out, "/agenda/2025-02-05-rencontre-tne/")


def test_subscribe_page_and_alternate_links(site_feb):
    html = (site_feb / "abonnement" / "index.html").read_text()
    assert 'href="webcal://tne-finistere.example.org/agenda.ics"' in html
    assert 'value="https://tne-finistere.example.org/agenda.ics"' in html and "readonly" in html
    for client in ("Google Agenda", "Outlook", "Apple", "Thunderbird"):
        assert client in html
    assert 'href="/abonnement/"' in (site_feb / "agenda" / "index.html").read_text()
    for page in site_feb.rglob("*.html"):
        assert '<link rel="alternate" type="text/calendar"' in page.read_text(), page


def test_feed_calendar_properties(site_feb):
    data = (site_feb / "agenda.ics").read_bytes()
    for line in (b"VERSION:2.0", b"CALSCALE:GREGORIAN", b"X-WR-CALNAME:Agenda du TNE Finist",
                 b"NAME:Agenda du TNE Finist", b"REFRESH-INTERVAL;VALUE=DURATION:PT12H",
                 b"X-PUBLISHED-TTL:PT12H", b"X-WR-TIMEZONE:Europe/Paris", b"PRODID:"):
        assert b"\r\n" + line in data, line
    assert b"DTSTAMP:20250131T230000Z" in data  # from content (mise_a_jour), not the clock


def test_build_warns_when_an_event_moves_without_a_sequence_raise(tmp_path, content_copy,
                                                                  capsys):
    out = tmp_path / "site"
    assert build(out, "2025-02-01", content_copy) == 0
    path = content_copy / "agenda" / "2025-04-02-forum-des-webradios.md"
    path.write_text(path.read_text().replace("date: 2025-04-02", "date: 2025-04-09"))
    capsys.readouterr()
    assert build(out, "2025-02-01", content_copy) == 0
    err = capsys.readouterr().err
    assert ("content/agenda/2025-04-02-forum-des-webradios.md" in err
            and "avertissement : « Forum des webradios (2e édition) » a changé depuis l'agenda "
                "publié (début, fin), mais pas son numéro « sequence »." in err), err
    path.write_text(path.read_text().replace("date: 2025-04-09", "date: 2025-04-16\nsequence: 1"))
    capsys.readouterr()
    assert build(out, "2025-02-01", content_copy) == 0
    assert "sequence" not in capsys.readouterr().err


def test_build_warns_when_an_event_is_deleted_or_cancelled_without_sequence(tmp_path,
                                                                            content_copy, capsys):
    out = tmp_path / "site"
    assert build(out, "2025-02-01", content_copy) == 0
    cancelled = content_copy / "agenda" / "2025-02-05-rencontre-tne.md"
    cancelled.write_text(cancelled.read_text().replace("statut: confirmé", "statut: annulé"))
    (content_copy / "agenda" / "2025-04-02-forum-des-webradios.md").unlink()
    capsys.readouterr()
    assert build(out, "2025-02-01", content_copy) == 0
    err = capsys.readouterr().err
    assert "« Rencontre TNE » a changé depuis l'agenda publié (statut)" in err, err
    assert ("avertissement : l'événement « Forum des webradios (2e édition) » (identifiant "
            "2025-04-02-forum-des-webradios-f86077@tne-finistere.example.org) a disparu de "
            "l'agenda publié") in err, err
