"""The iCalendar feed, read back by two independent parsers (icalendar and vobject)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

import icalendar
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import ics
from sitegen.config import SiteConfig
from sitegen.model import Campaign, Event, Source

UTC = dt.UTC
HOST = "tne.exemple.fr"
TRICKY = "Forum des usages, 2 jours ; Pléyben"


def make_config(**changes: Any) -> SiteConfig:
    """A valid SiteConfig; keyword arguments override fields."""
    values: dict[str, Any] = dict(
        title="Territoire numérique éducatif du Finistère", short_title="TNE Finistère",
        description="Le TNE dans le Finistère.", base_url=f"https://{HOST}", language="fr",
        time_zone="Europe/Paris", publisher="Académie de Rennes",
        publisher_url="https://www.ac-rennes.fr", publication_director=None,
        publisher_address=None, host=None, contact_email=None,
        accessibility_status="non conforme", accessibility_rate=None, audit_date=None,
        updated=dt.date(2025, 1, 20), calendar_file="agenda.ics",
        calendar_name="Agenda TNE Finistère",
        calendar_description="Rencontres, forums ; campagnes du TNE", refresh_hours=12,
        primary_colour="#1d4e89", logo=None, logo_alt=None, path="content/site.yaml",
        key_lines={},
    )
    values.update(changes)
    return SiteConfig(**values)


def make_event(**changes: Any) -> Event:
    """The two-day forum of 27-28 May 2025; keyword arguments override fields."""
    values: dict[str, Any] = dict(
        slug="forum-des-usages", uid="2025-05-27-forum-3f9c2a", title=TRICKY,
        start=dt.date(2025, 5, 27), end=dt.date(2025, 5, 28), start_time=None, end_time=None,
        place="Pôle Per Jakez Helias", place_lang=None, town="Quimper", address=None,
        latitude=None, longitude=None, summary="Deux jours d'ateliers, de démonstrations.",
        kind="forum", status="confirmé", sequence=0, organizer=None, organizer_email=None,
        updated=None, draft=False, publish_on=None, body="", body_line=1,
        source=Source("content/agenda/forum-des-usages.md", 1),
    )
    values.update(changes)
    return Event(**values)


def make_webinar(**changes: Any) -> Event:
    """A timed event, 2025-02-05 14:30-16:00 (winter time)."""
    values: dict[str, Any] = dict(
        slug="webinaire-ent", uid="2025-02-05-webinaire-ent-a1b2c3", title="Webinaire ENT",
        start=dt.date(2025, 2, 5), end=dt.date(2025, 2, 5), start_time=dt.time(14, 30),
        end_time=dt.time(16, 0), kind="webinaire",
    )
    values.update(changes)
    return make_event(**values)


def make_campaign(**changes: Any) -> Campaign:
    """The 5th call for projects, 6 January to 14 March 2025."""
    values: dict[str, Any] = dict(
        number=5, title="Appel à projets TNE", opens=dt.date(2025, 1, 6),
        closes=dt.date(2025, 3, 14), apply_url="https://e-demarches.exemple.fr",
        apply_steps=None, source=Source("content/campagnes.yaml", 1),
    )
    values.update(changes)
    return Campaign(**values)


def feed(*events: Event, config: SiteConfig | None = None) -> bytes:
    """The feed of some events."""
    config = config or make_config()
    return ics.build_calendar(config, [ics.entry_for_event(config, e) for e in events])


def read_icalendar(data: bytes) -> dict[str, icalendar.Event]:
    """VEVENTs by UID, as icalendar reads them."""
    calendar = icalendar.Calendar.from_ical(data)
    return {str(item["UID"]): item for item in calendar.walk("VEVENT")}


def read_vobject(data: bytes) -> dict[str, Any]:
    """VEVENTs by UID, as vobject reads them."""
    calendar = vobject.readOne(data.decode("utf-8"))
    return {item.uid.value: item for item in calendar.vevent_list}


def days_covered(start: dt.date, end: dt.date) -> list[dt.date]:
    """The days a teacher sees an all-day event on (DTEND exclusive)."""
    return [start + dt.timedelta(days=n) for n in range((end - start).days)]


def lines(data: bytes) -> list[bytes]:
    """Physical lines, without their CRLF."""
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


UID = f"2025-05-27-forum-3f9c2a@{HOST}"
WEBINAR_UID = f"2025-02-05-webinaire-ent-a1b2c3@{HOST}"


# --- Dates and times, as a teacher sees them --------------------------------------------------

def test_two_day_event_has_exclusive_dtend_and_covers_both_days() -> None:
    data = feed(make_event())
    assert b"\r\nDTSTART;VALUE=DATE:20250527\r\n" in data
    assert b"\r\nDTEND;VALUE=DATE:20250529\r\n" in data
    mine = read_icalendar(data)[UID]
    theirs = read_vobject(data)[UID]
    expected = [dt.date(2025, 5, 27), dt.date(2025, 5, 28)]
    assert days_covered(mine["DTSTART"].dt, mine["DTEND"].dt) == expected
    assert days_covered(theirs.dtstart.value, theirs.dtend.value) == expected
    assert not isinstance(theirs.dtstart.value, dt.datetime)


def test_one_day_event_ends_the_next_day() -> None:
    data = feed(make_event(end=dt.date(2025, 5, 27)))
    assert b"DTSTART;VALUE=DATE:20250527\r\nDTEND;VALUE=DATE:20250528\r\n" in data
    theirs = read_vobject(data)[UID]
    assert days_covered(theirs.dtstart.value, theirs.dtend.value) == [dt.date(2025, 5, 27)]


@pytest.mark.parametrize(("day", "utc_hour"), [
    (dt.date(2025, 2, 5), 13),  # winter: UTC+1
    (dt.date(2025, 6, 12), 12),  # summer: UTC+2
])
def test_timed_event_is_at_the_right_instant_in_both_parsers(day: dt.date, utc_hour: int) -> None:
    data = feed(make_webinar(start=day, end=day))
    assert f"\r\nDTSTART;TZID=Europe/Paris:{day:%Y%m%d}T143000\r\n".encode() in data
    expected_start = dt.datetime.combine(day, dt.time(utc_hour, 30), tzinfo=UTC)
    expected_end = expected_start + dt.timedelta(minutes=90)  # 16:00 Paris
    mine = read_icalendar(data)[WEBINAR_UID]
    theirs = read_vobject(data)[WEBINAR_UID]
    assert mine["DTSTART"].dt.astimezone(UTC) == expected_start
    assert theirs.dtstart.value.astimezone(UTC) == expected_start
    assert mine["DTEND"].dt.astimezone(UTC) == expected_end
    assert theirs.dtend.value.astimezone(UTC) == expected_end


def test_timed_values_never_mix_tzid_and_utc() -> None:
    for line in lines(feed(make_webinar())):
        if b"TZID=" in line:
            assert not line.endswith(b"Z")


def test_start_time_without_end_time_is_an_instant() -> None:
    data = feed(make_webinar(end_time=None))
    assert b"DTSTART;TZID=Europe/Paris:20250205T143000" in data
    assert b"DTEND" not in data
    assert b"\r\nDURATION" not in data


def test_several_days_with_start_time_only_end_at_midnight_after_last_day() -> None:
    entry = ics.entry_for_event(make_config(), make_webinar(end=dt.date(2025, 2, 6), end_time=None))
    assert entry.end == dt.datetime(2025, 2, 7, 0, 0, tzinfo=ics.PARIS)


def test_timed_event_on_the_day_clocks_change() -> None:
    data = feed(make_webinar(start=dt.date(2025, 3, 30), end=dt.date(2025, 3, 30)))
    expected = dt.datetime(2025, 3, 30, 12, 30, tzinfo=UTC)
    assert read_icalendar(data)[WEBINAR_UID]["DTSTART"].dt.astimezone(UTC) == expected
    assert read_vobject(data)[WEBINAR_UID].dtstart.value.astimezone(UTC) == expected


# --- Text -------------------------------------------------------------------------------------

def test_commas_semicolons_and_accents_survive_both_parsers() -> None:
    event = make_event(place=TRICKY, address="2 rue de l'Église, 29190 Pléyben")
    data = feed(event)
    assert b"SUMMARY:Forum des usages\\, 2 jours \\; Pl\xc3\xa9yben\r\n" in data
    location = f"{TRICKY}, Quimper, 2 rue de l'Église, 29190 Pléyben"
    description = ("Deux jours d'ateliers, de démonstrations.\n\n"
                   f"Plus d'informations : https://{HOST}/agenda/forum-des-usages/")
    mine, theirs = read_icalendar(data)[UID], read_vobject(data)[UID]
    assert str(mine["SUMMARY"]) == theirs.summary.value == TRICKY
    assert str(mine["LOCATION"]) == theirs.location.value == location
    assert str(mine["DESCRIPTION"]) == theirs.description.value == description
    assert str(mine["URL"]) == theirs.url.value == f"https://{HOST}/agenda/forum-des-usages/"


def test_location_is_place_and_town() -> None:
    mine = read_icalendar(feed(make_event()))[UID]
    assert str(mine["LOCATION"]) == "Pôle Per Jakez Helias, Quimper"


def test_category_is_the_french_label() -> None:
    data = feed(make_event(kind="séminaire"))
    assert read_vobject(data)[UID].categories.value == ["Séminaire"]
    assert "Séminaire" in read_icalendar(data)[UID]["CATEGORIES"].cats


def test_geo_is_latitude_semicolon_longitude() -> None:
    data = feed(make_event(latitude=48.2, longitude=-3.95))
    assert b"\r\nGEO:48.2;-3.95\r\n" in data
    geo = read_icalendar(data)[UID]["GEO"]
    assert (geo.latitude, geo.longitude) == (48.2, -3.95)


def test_organizer_with_email_is_a_mailto_with_name() -> None:
    data = feed(make_event(organizer="Réseau Canopé", organizer_email="contact@canope.fr"))
    organizer = read_icalendar(data)[UID]["ORGANIZER"]
    assert str(organizer) == "mailto:contact@canope.fr"
    assert organizer.params["CN"] == "Réseau Canopé"


def test_organizer_without_email_is_only_named_in_description() -> None:
    data = feed(make_event(organizer="Réseau Canopé"))
    assert b"ORGANIZER" not in data
    description = read_vobject(data)[UID].description.value
    assert "Réseau Canopé" in description
    assert description.endswith(f"Plus d'informations : https://{HOST}/agenda/forum-des-usages/")


def test_cancelled_event() -> None:
    data = feed(make_event(status="annulé", sequence=2))
    mine, theirs = read_icalendar(data)[UID], read_vobject(data)[UID]
    assert str(mine["STATUS"]) == theirs.status.value == "CANCELLED"
    assert theirs.summary.value == f"ANNULÉ – {TRICKY}"
    assert int(mine["SEQUENCE"]) == 2


def test_postponed_event_is_tentative_and_says_so() -> None:
    entry = ics.entry_for_event(make_config(), make_event(status="reporté"))
    assert (entry.status, entry.summary) == ("TENTATIVE", f"REPORTÉ – {TRICKY}")


# --- Bytes and lines --------------------------------------------------------------------------

LONG_TITLE = ("Journée « éducation numérique » : " + "é" * 80 + " 🎉 "
              + "àéèêëîïôöùûüç" * 6 + " 🧑‍🏫")


def assert_byte_rules(data: bytes) -> None:
    """CRLF everywhere, ≤ 75 octets, each line valid UTF-8 alone, no BOM, no blank line."""
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    for line in lines(data):
        assert line.strip(), "blank line"
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a fold split a character


def test_byte_rules_with_a_long_accented_title() -> None:
    event = make_event(title=LONG_TITLE, summary=LONG_TITLE * 2, organizer="Réseau Canopé")
    data = feed(event, make_webinar(title=LONG_TITLE))
    assert_byte_rules(data)
    assert read_icalendar(data)[UID]["SUMMARY"] == LONG_TITLE
    assert read_vobject(data)[UID].summary.value == LONG_TITLE
    assert read_vobject(data)[UID].description.value.startswith(LONG_TITLE * 2)


TITLE_TEXT = st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs")),
                     min_size=1, max_size=200).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None, database=None)
@given(title=TITLE_TEXT, place=TITLE_TEXT)
def test_any_title_round_trips_and_keeps_byte_rules(title: str, place: str) -> None:
    data = feed(make_event(title=title, place=place))
    assert_byte_rules(data)
    assert str(read_icalendar(data)[UID]["SUMMARY"]) == title
    assert read_vobject(data)[UID].summary.value == title
    assert read_vobject(data)[UID].location.value == f"{place}, Quimper"


def test_newlines_in_text_are_escaped() -> None:
    data = feed(make_event(summary="Ligne un\r\nLigne deux"))
    assert_byte_rules(data)
    assert read_vobject(data)[UID].description.value.startswith("Ligne un\nLigne deux\n\n")


# --- Calendar-level properties ----------------------------------------------------------------

def test_calendar_properties() -> None:
    data = feed(make_event(), config=make_config(refresh_hours=6))
    for line in (b"VERSION:2.0", b"PRODID:-//TNE//sitegen//FR", b"CALSCALE:GREGORIAN",
                 b"NAME:Agenda TNE Finist\xc3\xa8re", b"X-WR-CALNAME:Agenda TNE Finist\xc3\xa8re",
                 b"REFRESH-INTERVAL;VALUE=DURATION:PT6H", b"X-PUBLISHED-TTL:PT6H",
                 b"X-WR-TIMEZONE:Europe/Paris"):
        assert lines(data).count(line) == 1, line
    assert [line for line in lines(data) if line.startswith(b"METHOD")] == [b"METHOD:PUBLISH"]
    calendar = vobject.readOne(data.decode("utf-8"))
    assert calendar.x_wr_caldesc.value == "Rencontres, forums ; campagnes du TNE"


def test_vtimezone_only_when_a_timed_event_exists() -> None:
    assert b"VTIMEZONE" not in feed(make_event())
    data = feed(make_event(), make_webinar())
    assert data.count(b"BEGIN:VTIMEZONE\r\n") == 1
    assert b"TZID:Europe/Paris\r\n" in data
    assert b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n" in data
    assert b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n" in data
    assert b"RDATE" not in data


def test_vtimezone_rules_give_paris_offsets_to_vobject() -> None:
    data = feed(make_webinar())
    calendar = vobject.readOne(data.decode("utf-8"))
    zone = calendar.vtimezone.gettzinfo()
    for when, hours in ((dt.datetime(2025, 1, 15, 12), 1), (dt.datetime(2025, 7, 15, 12), 2),
                        (dt.datetime(2030, 3, 31, 12), 2), (dt.datetime(2030, 10, 27, 12), 1)):
        assert when.replace(tzinfo=zone).utcoffset() == dt.timedelta(hours=hours)


def test_same_content_same_bytes_in_any_order() -> None:
    config = make_config()
    entries = [ics.entry_for_event(config, e) for e in (make_event(), make_webinar())]
    entries += ics.entries_for_campaign(config, make_campaign())
    first = ics.build_calendar(config, entries)
    shuffled = entries[:]
    random.Random(4).shuffle(shuffled)
    assert ics.build_calendar(config, shuffled) == first
    starts = [line for line in lines(first) if line.startswith(b"DTSTART;")]
    assert starts[0] == b"DTSTART;VALUE=DATE:20250106"
    assert starts[-1] == b"DTSTART;VALUE=DATE:20250527"


def test_dtstamp_and_last_modified_come_from_the_content() -> None:
    data = feed(make_event(updated=dt.date(2025, 4, 2)), make_webinar())
    mine = read_icalendar(data)
    assert mine[UID]["DTSTAMP"].dt == dt.datetime(2025, 4, 1, 22, 0, tzinfo=UTC)
    assert mine[UID]["LAST-MODIFIED"].dt == dt.datetime(2025, 4, 1, 22, 0, tzinfo=UTC)
    assert mine[WEBINAR_UID]["DTSTAMP"].dt == dt.datetime(2025, 1, 19, 23, 0, tzinfo=UTC)
    assert b"DTSTAMP:20250401T220000Z\r\n" in data


# --- Identity ---------------------------------------------------------------------------------

def test_uid_survives_a_change_of_title_and_date() -> None:
    config = make_config()
    before = ics.entry_for_event(config, make_event())
    after = ics.entry_for_event(config, make_event(title="Nouveau titre",
                                                   start=dt.date(2025, 6, 3),
                                                   end=dt.date(2025, 6, 3), slug="autre"))
    assert before.uid == after.uid == UID


def test_uid_with_a_domain_is_kept_as_is() -> None:
    entry = ics.entry_for_event(make_config(), make_event(uid="ancien-123@autre.fr"))
    assert entry.uid == "ancien-123@autre.fr"


def test_campaign_milestones() -> None:
    opening, closing = ics.entries_for_campaign(make_config(), make_campaign(), "/deposer/")
    assert opening.uid == f"campagne-5-ouverture-20250106@{HOST}"
    assert closing.uid == f"campagne-5-cloture-20250314@{HOST}"
    assert opening.summary == "Ouverture de la 5e campagne : Appel à projets TNE"
    assert closing.summary == "Clôture de la 5e campagne : Appel à projets TNE"
    assert (closing.start, closing.end, closing.all_day) == (
        dt.date(2025, 3, 14), dt.date(2025, 3, 15), True)
    assert closing.description.endswith(f"Plus d'informations : https://{HOST}/deposer/")
    assert closing.description.startswith(
        "Dépôt des projets : du lundi 6 janvier au vendredi 14 mars 2025.\n\n"
        "Plateforme de dépôt : https://e-demarches.exemple.fr\n\n")
    first = ics.entries_for_campaign(make_config(), make_campaign(number=1))[0]
    assert first.summary.startswith("Ouverture de la 1re campagne")


def test_single_event_file_has_no_calendar_name() -> None:
    config = make_config()
    data = ics.build_event_calendar(config, ics.entry_for_event(config, make_webinar()))
    assert_byte_rules(data)
    assert data.count(b"BEGIN:VEVENT") == 1
    assert data.count(b"BEGIN:VTIMEZONE") == 1
    assert b"X-WR-CALNAME" not in data and b"\r\nNAME:" not in data
    assert b"METHOD:PUBLISH\r\n" in data
    assert list(read_vobject(data)) == [WEBINAR_UID]


# --- SEQUENCE check ---------------------------------------------------------------------------

def published_then(before: Event, after: Event) -> list[tuple[str, str, str]]:
    """check_sequences of `after` against a feed that published `before`."""
    config = make_config()
    return ics.check_sequences(feed(before), [ics.entry_for_event(config, after)])


def test_moved_date_without_sequence_raise_is_reported() -> None:
    moved = make_event(start=dt.date(2025, 6, 3), end=dt.date(2025, 6, 4))
    assert published_then(make_event(), moved) == [(UID, TRICKY, "début, fin")]


def test_moved_date_with_sequence_raise_is_fine() -> None:
    moved = make_event(start=dt.date(2025, 6, 3), end=dt.date(2025, 6, 4), sequence=1)
    assert published_then(make_event(), moved) == []


def test_changed_place_or_time_is_reported() -> None:
    assert published_then(make_event(), make_event(town="Brest")) == [(UID, TRICKY, "lieu")]
    later = make_webinar(start_time=dt.time(15, 0))
    assert published_then(make_webinar(), later) == [(WEBINAR_UID, "Webinaire ENT", "début")]


def test_unchanged_or_new_events_are_fine() -> None:
    assert published_then(make_event(), make_event(title="Autre titre")) == []
    assert published_then(make_event(), make_webinar()) == []


def test_events_written_once_make_the_feed_icalendar_would_write_whole() -> None:
    config = make_config()
    entries = [ics.entry_for_event(config, e) for e in (make_webinar(), make_event())]
    entries += ics.entries_for_campaign(config, make_campaign(), "/deposer/")
    ics.build_calendar(config, entries)  # the VEVENTs are now remembered
    whole = ics.new_calendar(config, entries, listing=True)
    for entry in sorted(entries, key=lambda e: (ics.moment(e.start), e.uid)):
        whole.add_component(ics.vevent(entry))
    assert ics.build_calendar(config, entries) == whole.to_ical(sorted=False)
    single = ics.new_calendar(config, entries[:1], listing=False)
    single.add_component(ics.vevent(entries[0]))
    assert ics.build_event_calendar(config, entries[0]) == single.to_ical(sorted=False)


def test_the_feed_a_build_wrote_is_known_without_reading_it() -> None:
    """The preview compares with the entries it wrote instead of parsing its own feed:
    both must say the same of every kind of item."""
    config = make_config()
    events = [make_event(), make_webinar(), make_event(uid="annule", status="annulé"),
              make_event(uid="reporte", status="reporté", sequence=2, address="2 rue Kéréon")]
    entries = [ics.entry_for_event(config, e) for e in events]
    entries += ics.entries_for_campaign(config, make_campaign(), "/deposer/")
    published = ics.read_feed(ics.build_calendar(config, entries))
    assert len(published) == len(entries) == 6
    assert ics.as_published(entries) == published


@pytest.mark.parametrize("previous", [b"", b"<html>404</html>", b"\xff\xfe\x00garbage",
                                      b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n"])
def test_unreadable_previous_feed_is_ignored(previous: bytes) -> None:
    entry = ics.entry_for_event(make_config(), make_event())
    assert ics.check_sequences(previous, [entry]) == []


def test_unreadable_published_date_is_not_reported() -> None:
    previous = feed(make_event()).replace(b"DTSTART;VALUE=DATE:20250527", b"DTSTART:demain")
    moved = ics.entry_for_event(make_config(), make_event(start=dt.date(2025, 5, 28)))
    assert ics.check_sequences(previous, [moved]) == []
    broken_sequence = feed(make_event()).replace(b"SEQUENCE:0", b"SEQUENCE:un")
    assert ics.check_sequences(broken_sequence, [moved]) == [(UID, TRICKY, "début")]


@settings(max_examples=40, deadline=None, database=None)
@given(noise=st.binary(max_size=300), cut=st.integers(min_value=0, max_value=2000))
def test_check_sequences_never_fails_on_a_damaged_feed(noise: bytes, cut: int) -> None:
    published = feed(make_event(), make_webinar())
    entries = [ics.entry_for_event(make_config(), e) for e in (make_event(), make_webinar())]
    for previous in (noise, published[:cut] + noise, published[:cut]):
        assert isinstance(ics.check_sequences(previous, entries), list)


# --- Local times and status changes -----------------------------------------------------------

def test_time_in_the_spring_gap_does_not_exist() -> None:
    with pytest.raises(ics.NonexistentTimeError) as caught:
        ics.local_datetime(dt.date(2025, 3, 30), dt.time(2, 30))
    assert isinstance(caught.value, ValueError)
    assert "l'heure 2\u00a0h\u00a030 du 30 mars 2025 n'existe pas" in caught.value.message
    assert caught.value.hint
    with pytest.raises(ics.NonexistentTimeError):
        ics.entry_for_event(make_config(), make_webinar(start=dt.date(2025, 3, 30),
                                                        end=dt.date(2025, 3, 30),
                                                        start_time=dt.time(2, 30)))


def test_ambiguous_autumn_time_is_the_first_occurrence() -> None:
    first = ics.local_datetime(dt.date(2025, 10, 26), dt.time(2, 30))
    assert first.astimezone(UTC) == dt.datetime(2025, 10, 26, 0, 30, tzinfo=UTC)


def test_next_status_change() -> None:
    events = [make_event(), make_webinar()]
    campaigns = [make_campaign()]
    paris = ics.PARIS
    steps = [
        (dt.datetime(2025, 1, 1, 12, tzinfo=UTC), dt.datetime(2025, 1, 6, tzinfo=paris)),
        (dt.datetime(2025, 1, 6, tzinfo=paris), dt.datetime(2025, 2, 5, 14, 30, tzinfo=paris)),
        (dt.datetime(2025, 2, 5, 15, tzinfo=paris), dt.datetime(2025, 2, 5, 16, tzinfo=paris)),
        (dt.datetime(2025, 2, 6, tzinfo=paris), dt.datetime(2025, 3, 15, tzinfo=paris)),
        (dt.datetime(2025, 3, 15, tzinfo=paris), dt.datetime(2025, 5, 27, tzinfo=paris)),
        (dt.datetime(2025, 5, 27, 9, tzinfo=paris), dt.datetime(2025, 5, 29, tzinfo=paris)),
        (dt.datetime(2025, 5, 29, tzinfo=paris), None),
    ]
    for now, expected in steps:
        result = ics.next_status_change(events, campaigns, now)
        assert result == expected, now
        assert result is None or result.tzinfo == paris


def test_next_status_change_needs_an_aware_now() -> None:
    with pytest.raises(ValueError):
        ics.next_status_change([], [], dt.datetime(2025, 1, 1))


def test_entries_are_frozen() -> None:
    entry = ics.entry_for_event(make_config(), make_event())
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.uid = "autre"  # type: ignore[misc]
