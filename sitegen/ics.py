"""Events and campaign milestones -> the agenda.ics feed and one .ics file per event.

Built on the icalendar library. Each rule here avoids a client quirk listed in
/work/shared/reference/ics-pitfalls.md (numbers in comments refer to it).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from . import errors, french
from .config import SiteConfig
from .errors import Problem
from .model import Campaign, Event, Site

if TYPE_CHECKING:  # imported where a calendar is written or read: a page edit needs none
    import icalendar

ZONE = "Europe/Paris"
PARIS = ZoneInfo(ZONE)
UTC = dt.UTC
PRODID = "-//TNE//sitegen//FR"
ONE_DAY = dt.timedelta(days=1)
MIDNIGHT = dt.time(0, 0)

# Event status -> (iCalendar STATUS, SUMMARY prefix shown to subscribers).
STATUSES = {
    "confirmé": ("CONFIRMED", ""),
    "annulé": ("CANCELLED", "ANNULÉ – "),  # 19: Outlook ignores STATUS, so say it in the title
    "reporté": ("TENTATIVE", "REPORTÉ – "),  # postponed, new date not known yet
}
# What check_sequences reports as changed, in the editor's words.
CHANGE_LABELS = {"DTSTART": "début", "DTEND": "fin", "LOCATION": "lieu", "STATUS": "statut"}


@dataclass(frozen=True)
class CalendarEntry:
    """One feed item (an event or a campaign milestone), shared by the .ics and the JSON-LD."""

    uid: str  # stable across rebuilds and edits of title or date (16)
    title: str  # the plain title, without the status prefix
    summary: str  # SUMMARY: title, prefixed « ANNULÉ – » when cancelled
    description: str  # plain text, ends with the page URL
    url: str  # absolute URL of the page
    location: str | None  # LOCATION text
    address: str | None  # postal address, when known
    start: dt.date | dt.datetime  # all-day: date; timed: aware datetime in Europe/Paris
    end: dt.date | dt.datetime  # all-day: EXCLUSIVE date (1); timed: equals start if no end time
    all_day: bool
    status: str  # CONFIRMED, TENTATIVE or CANCELLED
    sequence: int
    categories: tuple[str, ...]
    geo: tuple[float, float] | None  # (latitude, longitude)
    organizer_name: str | None
    organizer_email: str | None  # never invented
    last_modified: dt.datetime  # aware UTC, taken from the content, never from the clock


class NonexistentTimeError(ValueError):
    """A local time that the clocks skip (spring-forward gap)."""

    def __init__(self, day: dt.date, time: dt.time):
        self.day, self.time = day, time
        self.message, self.hint = errors.nonexistent_local_time(
            french.format_date(day, weekday=False), french.format_time(time), ZONE)
        super().__init__(self.message)


# --- Dates and times --------------------------------------------------------------------------

def local_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """Aware Europe/Paris datetime; an ambiguous time is its first occurrence."""
    naive = dt.datetime.combine(day, time.replace(tzinfo=None, fold=0))
    aware = naive.replace(tzinfo=PARIS)
    if aware.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None) != naive:
        raise NonexistentTimeError(day, time)
    return aware


def event_bounds(event: Event) -> tuple[dt.date, dt.date] | tuple[dt.datetime, dt.datetime]:
    """(start, end): dates with an exclusive end, or aware datetimes for a timed event."""
    if event.start_time is None:
        return event.start, event.end + ONE_DAY
    start = local_datetime(event.start, event.start_time)
    if event.end_time is not None:
        return start, local_datetime(event.end, event.end_time)
    if event.end > event.start:  # several days, no end time: until the end of the last day
        return start, local_datetime(event.end + ONE_DAY, MIDNIGHT)
    return start, start


def moment(value: dt.date | dt.datetime) -> dt.datetime:
    """An aware datetime; a date stands for 00:00 Europe/Paris that day."""
    if isinstance(value, dt.datetime):
        return value
    return local_datetime(value, MIDNIGHT)


def content_timestamp(day: dt.date) -> dt.datetime:
    """00:00 Europe/Paris of a content date, in UTC (DTSTAMP, LAST-MODIFIED: 17)."""
    return local_datetime(day, MIDNIGHT).astimezone(UTC)


# --- Entries ----------------------------------------------------------------------------------

def site_host(config: SiteConfig) -> str:
    """Host name of the site, the right-hand side of every UID."""
    return urlsplit(config.base_url).hostname or config.base_url


def entry_for_event(config: SiteConfig, event: Event) -> CalendarEntry:
    """The feed item of an agenda event."""
    start, end = event_bounds(event)
    url = config.absolute(event.url)
    status, prefix = STATUSES[event.status]
    has_geo = event.latitude is not None and event.longitude is not None
    return CalendarEntry(
        uid=event.uid if "@" in event.uid else f"{event.uid}@{site_host(config)}",
        title=event.title, summary=prefix + event.title,
        description=event_description(event, url), url=url,
        location=event.location + (f", {event.address}" if event.address else ""),
        address=event.address, start=start, end=end, all_day=event.is_all_day,
        status=status, sequence=event.sequence, categories=(event.kind.capitalize(),),
        geo=(event.latitude, event.longitude) if has_geo else None,
        organizer_name=event.organizer, organizer_email=event.organizer_email,
        last_modified=content_timestamp(event.updated or config.updated),
    )


def campaign_entries(site: Site) -> list[CalendarEntry]:
    """Each campaign's opening and closing days, pointing to the page on submitting."""
    submit_page = site.page_for("deposer")
    page_url = submit_page.url if submit_page else "/"
    return [entry for campaign in site.campaigns
            for entry in entries_for_campaign(site.config, campaign, page_url)]


def feed_entries(site: Site) -> list[CalendarEntry]:
    """Every item of the site's feed: its events, then its campaigns' days."""
    return event_entries(site) + campaign_entries(site)


# The entries last computed, by event record: (settings, {id(event): (event, entry)}).
_LAST_ENTRIES: list = [None, {}]


def event_entries(site: Site) -> list[CalendarEntry]:
    """The feed items of the site's events. A build asks for them three times (the moved
    events check, for the published and the new site; the feed), and an event's entry
    follows from its record and the settings alone: an entry is computed again only for a
    record that is not the one of the last call (an edited event, in the preview)."""
    settings, known = _LAST_ENTRIES
    if settings != site.config:
        known = {}
    entries, fresh = [], {}
    for event in site.events:
        found = known.get(id(event))
        entry = found[1] if found and found[0] is event else entry_for_event(site.config, event)
        fresh[id(event)] = (event, entry)
        entries.append(entry)
    _LAST_ENTRIES[:] = [site.config, fresh]
    return entries


def event_description(event: Event, url: str) -> str:
    """Plain-text DESCRIPTION: summary, organizer if named, then the page URL."""
    parts = [plain_text(event.summary)]
    if event.organizer:
        parts.append(f"Organisation : {plain_text(event.organizer)}")
    parts.append(f"Plus d'informations : {url}")
    return "\n\n".join(parts)


def plain_text(text: str) -> str:
    """Text with Unix newlines only (icalendar escapes them as \\n)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def entries_for_campaign(config: SiteConfig, campaign: Campaign,
                         page_url: str = "/") -> list[CalendarEntry]:
    """Opening day and closing day of a call for projects, as two all-day items.

    The date is part of the UID: campaigns have no « sequence » to raise, so a moved
    milestone becomes a new item and the old one leaves the feed (18).
    """
    url = config.absolute(page_url)
    description = campaign_description(campaign, url)
    ordinal = "1re" if campaign.number == 1 else f"{campaign.number}e"
    milestones = (("ouverture", "Ouverture", campaign.opens),
                  ("cloture", "Clôture", campaign.closes))
    return [
        CalendarEntry(
            uid=f"campagne-{campaign.number}-{key}-{day:%Y%m%d}@{site_host(config)}",
            title=f"{label} de la {ordinal} campagne : {campaign.title}",
            summary=f"{label} de la {ordinal} campagne : {campaign.title}",
            description=description, url=url, location=None, address=None,
            start=day, end=day + ONE_DAY, all_day=True, status="CONFIRMED", sequence=0,
            categories=("Campagne",), geo=None, organizer_name=None, organizer_email=None,
            last_modified=content_timestamp(config.updated),
        )
        for key, label, day in milestones
    ]


def campaign_description(campaign: Campaign, url: str) -> str:
    """Plain-text DESCRIPTION of both milestones of a campaign."""
    dates = french.format_date_range(campaign.opens, campaign.closes)
    parts = [f"Dépôt des projets : {dates}."]
    if campaign.apply_url:
        parts.append(f"Plateforme de dépôt : {campaign.apply_url}")
    parts.append(f"Plus d'informations : {url}")
    return "\n\n".join(parts)


# --- Calendars --------------------------------------------------------------------------------

def build_calendar(config: SiteConfig, entries: list[CalendarEntry]) -> bytes:
    """The subscribed feed: same entries, same bytes."""
    ordered = sorted(entries, key=lambda e: (moment(e.start), e.uid))
    return _with_events(new_calendar(config, entries, listing=True), ordered)


def build_event_calendar(config: SiteConfig, entry: CalendarEntry) -> bytes:
    """A one-event file to download; no calendar name, or Outlook opens a new calendar."""
    return _with_events(new_calendar(config, [entry], listing=False), [entry])


CALENDAR_END = b"END:VCALENDAR\r\n"


def _with_events(calendar: icalendar.Calendar, entries: list[CalendarEntry]) -> bytes:
    """The calendar's bytes with these VEVENTs at its end, as icalendar would write them
    (a component writes the same lines alone or inside another)."""
    head = calendar.to_ical(sorted=False)
    return head[:-len(CALENDAR_END)] + b"".join(map(vevent_bytes, entries)) + CALENDAR_END


@functools.lru_cache(maxsize=50_000)
def vevent_bytes(entry: CalendarEntry) -> bytes:
    """One VEVENT, written once per process: the feed and the event's own file share it, and
    the preview writes the feed again after each edit with mostly the same events. (Entries
    always hold Europe/Paris times, so equal entries write equal bytes.)"""
    return vevent(entry).to_ical(sorted=False)


def new_calendar(config: SiteConfig, entries: list[CalendarEntry],
                 listing: bool) -> icalendar.Calendar:
    """VCALENDAR header properties, plus the VTIMEZONE when a timed entry needs it (4)."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")  # 20: once, never REQUEST
    if listing:
        # 14, 21: no , ; \ in the name (checked in config)
        calendar.add("name", icalendar.vText(config.calendar_name))
        calendar.add("x-wr-calname", icalendar.vText(config.calendar_name))
        calendar.add("description", icalendar.vText(config.calendar_description))
        calendar.add("x-wr-caldesc", icalendar.vText(config.calendar_description))
        refresh = dt.timedelta(hours=config.refresh_hours)
        calendar.add("refresh-interval", icalendar.vDuration(refresh),
                     parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(refresh))  # 22: Apple, then Outlook
    calendar.add("x-wr-timezone", ZONE)
    if any(not entry.all_day for entry in entries):
        calendar.add_component(paris_timezone())
    return calendar


def paris_timezone() -> icalendar.Timezone:
    """Static RRULE-based VTIMEZONE for Europe/Paris (5: no comma-separated RDATE)."""
    import icalendar

    zone = icalendar.Timezone()
    zone.add("tzid", ZONE)
    zone.add("x-lic-location", ZONE)
    rules = ((icalendar.TimezoneDaylight, "CEST", 1, 2, dt.datetime(1970, 3, 29, 2), 3),
             (icalendar.TimezoneStandard, "CET", 2, 1, dt.datetime(1970, 10, 25, 3), 10))
    for cls, name, before, after, onset, month in rules:
        part = cls()
        part.add("tzname", name)
        part.add("tzoffsetfrom", dt.timedelta(hours=before))
        part.add("tzoffsetto", dt.timedelta(hours=after))
        part.add("dtstart", onset)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1SU"})
        zone.add_component(part)
    return zone


def feed_end(entry: CalendarEntry) -> dt.date | dt.datetime | None:
    """DTEND as written: None for a timed instant (no end time; RFC 5545 3.6.1)."""
    return entry.end if entry.all_day or entry.end != entry.start else None


def vevent(entry: CalendarEntry) -> icalendar.Event:
    """One VEVENT; dates carry VALUE=DATE (2), times TZID=Europe/Paris without Z (7)."""
    import icalendar

    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", entry.last_modified.astimezone(UTC))
    event.add("last-modified", entry.last_modified.astimezone(UTC))
    event.add("sequence", entry.sequence)
    event.add("dtstart", entry.start)
    if feed_end(entry) is not None:
        event.add("dtend", entry.end)
    event.add("summary", entry.summary)
    event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    if entry.geo:
        event.add("geo", entry.geo)  # 15: lat;lon
    event.add("url", entry.url)
    event.add("categories", list(entry.categories))
    event.add("status", entry.status)
    if entry.organizer_email:
        organizer = icalendar.vCalAddress(f"mailto:{entry.organizer_email}")
        if entry.organizer_name:
            organizer.params["CN"] = entry.organizer_name
        event.add("organizer", organizer)
    return event


# --- Checks on what is published --------------------------------------------------------------

@dataclass(frozen=True)
class Published:
    """What a feed says of one item, as the checks below compare it."""

    sequence: int
    values: dict[str, object]  # CHANGE_LABELS names -> value ("" absent, None unreadable)
    summary: str
    url: str


def read_feed(feed: bytes) -> dict[str, Published]:
    """The items of a published feed by UID (none when it cannot be read at all)."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(feed)
        return {str(item["UID"]): Published(
                    published_sequence(item),
                    {name: published_value(item, name) for name in CHANGE_LABELS},
                    str(item.get("SUMMARY", "")), str(item.get("URL", "")))
                for item in calendar.walk("VEVENT") if "UID" in item}
    except Exception:  # whatever was published before, it must not stop the build
        return {}


def as_published(entries: Iterable[CalendarEntry]) -> dict[str, Published]:
    """What read_feed finds in the feed made of these entries, without writing it."""
    return {entry.uid: Published(entry.sequence, feed_values(entry), entry.summary, entry.url)
            for entry in entries}


def check_sequences(previous: bytes | dict[str, Published],
                    entries: Iterable[CalendarEntry]) -> list[tuple[str, str, str]]:
    """(uid, summary, what changed) for items moved since the last feed without a SEQUENCE raise."""
    published = previous if isinstance(previous, dict) else read_feed(previous)
    warnings = []
    for entry in entries:
        before = published.get(entry.uid)
        if before is None or entry.sequence > before.sequence:
            continue
        changed = [CHANGE_LABELS[name] for name, value in feed_values(entry).items()
                   if before.values[name] not in (value, None)]
        if changed:
            warnings.append((entry.uid, entry.summary, ", ".join(changed)))
    return warnings


def vanished_events(previous: bytes | dict[str, Published], entries: Iterable[CalendarEntry],
                    event_path: str = "/agenda/") -> list[tuple[str, str]]:
    """(uid, summary) of published agenda events that are no longer in the feed."""
    published = previous if isinstance(previous, dict) else read_feed(previous)
    current = {entry.uid for entry in entries}
    return [(uid, item.summary) for uid, item in published.items()
            if event_path in item.url and uid not in current]


def feed_values(entry: CalendarEntry) -> dict[str, object]:
    """DTSTART, DTEND, LOCATION and STATUS as the feed writes them ("" when absent)."""
    end = feed_end(entry)
    return {"DTSTART": entry.start, "DTEND": "" if end is None else end,
            "LOCATION": entry.location or "", "STATUS": entry.status}


def published_value(item: icalendar.Event, name: str) -> object:
    """A property of a published VEVENT ("" when absent, None when unreadable)."""
    import icalendar

    prop = item.get(name)
    if prop is None:
        return ""
    if name in ("LOCATION", "STATUS"):
        return str(prop)
    try:
        return prop.dt
    except (AttributeError, icalendar.BrokenCalendarProperty):
        return None


def published_sequence(item: icalendar.Event) -> int:
    """SEQUENCE of a published VEVENT, 0 when absent or unreadable."""
    import icalendar

    try:
        return int(item.get("SEQUENCE", 0))
    except (TypeError, ValueError, icalendar.BrokenCalendarProperty):
        return 0


def next_status_change(events: Iterable[Event], campaigns: Iterable[Campaign],
                       now: dt.datetime) -> dt.datetime | None:
    """Next moment an event starts or ends, or a campaign opens or closes (for rebuilds)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    moments = [moment(bound) for event in events for bound in event_bounds(event)]
    for campaign in campaigns:
        moments += [moment(campaign.opens), moment(campaign.closes + ONE_DAY)]
    upcoming = [m for m in moments if m > now]
    return min(upcoming).astimezone(PARIS) if upcoming else None


def moved_event_problems(site: Site, output_dir: Path,
                         published: dict[str, Published] | None = None) -> list[Problem]:
    """Events moved since the feed last built in output_dir, with the same « sequence ».

    `published`: that feed's items when the caller knows them (it wrote the feed itself).
    """
    if published is None:
        previous = output_dir / site.config.calendar_file
        if not previous.is_file():
            return []
        published = read_feed(previous.read_bytes())
    entries = event_entries(site)
    by_uid = {entry.uid: event for entry, event in zip(entries, site.events, strict=True)}
    problems = []
    for uid, _summary, changed in check_sequences(published, entries):
        event = by_uid[uid]
        problems.append(Problem(event.source.path, event.source.line_of("sequence"),
                                *errors.sequence_not_raised(event.title, changed),
                                severity=errors.WARNING))
    agenda = site.config.path.rsplit("/", 1)[0] + "/agenda"
    for uid, summary in vanished_events(published, entries):
        problems.append(Problem(agenda, None, *errors.event_vanished(summary, uid),
                                severity=errors.WARNING))
    return problems
