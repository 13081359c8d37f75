"""schema.org Event JSON-LD, checked against the feed built from the same entries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import icalendar
import pytest

from sitegen import ics
from sitegen.config import SiteConfig
from sitegen.jsonld import event_jsonld, to_script
from sitegen.model import Event, Source

HOST = "tne.exemple.fr"


def make_config(**changes: Any) -> SiteConfig:
    """A valid SiteConfig; keyword arguments override fields."""
    values: dict[str, Any] = dict(
        title="TNE du Finistère", short_title="TNE Finistère", description="…",
        base_url=f"https://{HOST}", language="fr", time_zone="Europe/Paris",
        publisher="Académie de Rennes", publisher_url="https://www.ac-rennes.fr",
        publication_director=None, publisher_address=None, host=None, contact_email=None,
        accessibility_status="non conforme", accessibility_rate=None, audit_date=None,
        updated=dt.date(2025, 1, 20), calendar_file="agenda.ics",
        calendar_name="Agenda TNE Finistère", calendar_description="Agenda du TNE",
        refresh_hours=12, primary_colour="#1d4e89", logo=None, logo_alt=None,
        path="content/site.yaml", key_lines={},
    )
    values.update(changes)
    return SiteConfig(**values)


def make_event(**changes: Any) -> Event:
    """The two-day forum of 27-28 May 2025; keyword arguments override fields."""
    values: dict[str, Any] = dict(
        slug="forum-des-usages", uid="2025-05-27-forum-3f9c2a",
        title="Forum des usages, 2 jours ; Pléyben", start=dt.date(2025, 5, 27),
        end=dt.date(2025, 5, 28), start_time=None, end_time=None,
        place="Pôle Per Jakez Helias", place_lang=None, town="Quimper", address=None,
        latitude=None, longitude=None, summary="Deux jours d'ateliers.", kind="forum",
        status="confirmé", sequence=0, organizer=None, organizer_email=None, updated=None,
        draft=False, publish_on=None, body="", body_line=1,
        source=Source("content/agenda/forum-des-usages.md", 1),
    )
    values.update(changes)
    return Event(**values)


EVENTS = {
    "forum": make_event(),
    "one-day": make_event(uid="2025-03-12-rencontre-00aa11", slug="rencontre",
                          start=dt.date(2025, 3, 12), end=dt.date(2025, 3, 12),
                          address="2 rue de la Tourelle, 29000 Quimper", status="annulé"),
    "winter": make_event(uid="2025-02-05-webinaire-a1b2c3", slug="webinaire",
                         start=dt.date(2025, 2, 5), end=dt.date(2025, 2, 5),
                         start_time=dt.time(14, 30), end_time=dt.time(16, 0)),
    "summer": make_event(uid="2025-06-12-seminaire-d4e5f6", slug="seminaire",
                         start=dt.date(2025, 6, 12), end=dt.date(2025, 6, 12),
                         start_time=dt.time(14, 30), end_time=None, status="reporté"),
}


def jsonld(event: Event, config: SiteConfig | None = None) -> dict[str, Any]:
    """JSON-LD of an event through its CalendarEntry."""
    config = config or make_config()
    return event_jsonld(config, event, ics.entry_for_event(config, event))


def test_all_day_end_date_is_inclusive_while_feed_dtend_is_exclusive() -> None:
    config = make_config()
    entry = ics.entry_for_event(config, EVENTS["forum"])
    data = event_jsonld(config, EVENTS["forum"], entry)
    assert (data["startDate"], data["endDate"]) == ("2025-05-27", "2025-05-28")
    assert b"DTEND;VALUE=DATE:20250529\r\n" in ics.build_calendar(config, [entry])


def test_one_day_event_starts_and_ends_the_same_day() -> None:
    data = jsonld(EVENTS["one-day"])
    assert data["startDate"] == data["endDate"] == "2025-03-12"


def test_timed_dates_carry_the_paris_offset() -> None:
    winter, summer = jsonld(EVENTS["winter"]), jsonld(EVENTS["summer"])
    assert (winter["startDate"], winter["endDate"]) == (
        "2025-02-05T14:30:00+01:00", "2025-02-05T16:00:00+01:00")
    assert summer["startDate"] == "2025-06-12T14:30:00+02:00"
    assert "endDate" not in summer


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_jsonld_matches_the_feed(name: str) -> None:
    config = make_config()
    event = EVENTS[name]
    entry = ics.entry_for_event(config, event)
    data = event_jsonld(config, event, entry)
    calendar = icalendar.Calendar.from_ical(ics.build_calendar(config, [entry]))
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]).endswith(data["name"]) and data["name"] == event.title
    start = vevent["DTSTART"].dt
    assert dt.datetime.fromisoformat(data["startDate"]) == (
        start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time()))
    if entry.all_day:
        last_day = vevent["DTEND"].dt - dt.timedelta(days=1)
        assert data["endDate"] == last_day.isoformat()
    elif "DTEND" in vevent:
        assert dt.datetime.fromisoformat(data["endDate"]) == vevent["DTEND"].dt
    location = str(vevent["LOCATION"])
    assert location.startswith(data["location"]["name"] + ", ")
    assert data["location"]["address"]["addressLocality"] in location
    assert location.endswith(data["location"]["address"].get("streetAddress", event.town))
    assert data["url"] == str(vevent["URL"])


def test_status_and_attendance_mode() -> None:
    statuses = {name: jsonld(event)["eventStatus"] for name, event in EVENTS.items()}
    assert statuses["forum"] == "https://schema.org/EventScheduled"
    assert statuses["one-day"] == "https://schema.org/EventCancelled"
    assert statuses["summer"] == "https://schema.org/EventPostponed"
    assert jsonld(EVENTS["forum"])["eventAttendanceMode"] == (
        "https://schema.org/OfflineEventAttendanceMode")


def test_place_and_postal_address() -> None:
    data = jsonld(EVENTS["one-day"])
    assert data["location"] == {
        "@type": "Place", "name": "Pôle Per Jakez Helias",
        "address": {"@type": "PostalAddress",
                    "streetAddress": "2 rue de la Tourelle, 29000 Quimper",
                    "addressLocality": "Quimper", "addressCountry": "FR"},
    }
    assert "streetAddress" not in jsonld(EVENTS["forum"])["location"]["address"]
    geo = jsonld(make_event(latitude=48.0, longitude=-4.1))["location"]["geo"]
    assert (geo["latitude"], geo["longitude"]) == (48.0, -4.1)


def test_organizer_is_the_named_one_or_the_publisher() -> None:
    assert jsonld(EVENTS["forum"])["organizer"] == {
        "@type": "Organization", "name": "Académie de Rennes", "url": "https://www.ac-rennes.fr"}
    named = jsonld(make_event(organizer="Réseau Canopé", organizer_email="contact@canope.fr"))
    assert named["organizer"] == {"@type": "Organization", "name": "Réseau Canopé",
                                  "email": "contact@canope.fr"}


def test_description_and_url() -> None:
    data = jsonld(EVENTS["forum"])
    assert data["description"] == "Deux jours d'ateliers."
    assert data["url"] == f"https://{HOST}/agenda/forum-des-usages/"
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"


def test_to_script_cannot_close_the_script_element() -> None:
    hostile = make_event(title="</script><script>alert(1)</script> & <!-- Pléyben",
                         summary="a\u2028b")
    text = to_script(jsonld(hostile))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert "\\u003c/script\\u003e" in text
    assert json.loads(text)["name"] == hostile.title
    assert json.loads(text)["description"] == "a\u2028b"
    assert "Pléyben" in text  # accents stay readable
