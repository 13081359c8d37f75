"""schema.org Event JSON-LD for event pages, built from the same CalendarEntry as the feed."""

from __future__ import annotations

import json
from typing import Any

from .config import SiteConfig
from .ics import ONE_DAY, CalendarEntry, feed_end
from .model import Event

SCHEMA = "https://schema.org"
EVENT_STATUSES = {
    "confirmé": "EventScheduled",
    "annulé": "EventCancelled",
    "reporté": "EventPostponed",
}
# Characters that could end the <script> element or open a comment, and the JS line breaks.
SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                  "\u2028": "\\u2028", "\u2029": "\\u2029"}


def event_jsonld(config: SiteConfig, event: Event, entry: CalendarEntry) -> dict[str, Any]:
    """A schema.org Event; dates come from the feed entry, with an inclusive endDate."""
    start, end = jsonld_dates(entry)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": entry.title,
        "startDate": start,
    }
    if end is not None:
        data["endDate"] = end
    data.update({
        "eventStatus": f"{SCHEMA}/{EVENT_STATUSES[event.status]}",
        "eventAttendanceMode": f"{SCHEMA}/OfflineEventAttendanceMode",
        "location": place(event, entry),
        "organizer": organizer(config, event),
        "description": event.summary,
        "url": entry.url,
    })
    return data


def jsonld_dates(entry: CalendarEntry) -> tuple[str, str | None]:
    """ISO startDate and endDate; the feed's exclusive DTEND becomes the last day (inclusive)."""
    if entry.all_day:
        return entry.start.isoformat(), (entry.end - ONE_DAY).isoformat()
    end = feed_end(entry)
    return entry.start.isoformat(), None if end is None else end.isoformat()


def place(event: Event, entry: CalendarEntry) -> dict[str, Any]:
    """A Place with its PostalAddress, and its coordinates when known."""
    address: dict[str, Any] = {"@type": "PostalAddress"}
    if event.address:
        address["streetAddress"] = event.address
    address.update({"addressLocality": event.town, "addressCountry": "FR"})
    data: dict[str, Any] = {"@type": "Place", "name": event.place, "address": address}
    if entry.geo:
        data["geo"] = {"@type": "GeoCoordinates",
                       "latitude": entry.geo[0], "longitude": entry.geo[1]}
    return data


def organizer(config: SiteConfig, event: Event) -> dict[str, Any]:
    """The named organizer, or else the site's publisher."""
    if event.organizer:
        data: dict[str, Any] = {"@type": "Organization", "name": event.organizer}
        if event.organizer_email:
            data["email"] = event.organizer_email
        return data
    data = {"@type": "Organization", "name": config.publisher}
    if config.publisher_url:
        data["url"] = config.publisher_url
    return data


def to_script(data: Any) -> str:
    """JSON safe inside <script type="application/ld+json"> (no "</script>", no "<!--")."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    for char, escape in SCRIPT_ESCAPES.items():
        text = text.replace(char, escape)
    return text
