"""Time-dependent statuses, computed against one reference date."""

from __future__ import annotations

import datetime as dt

from sitegen.model import Campaign, Source, event_status

D = dt.date


def campaign(opens: dt.date, closes: dt.date, number: int = 5) -> Campaign:
    return Campaign(number, "Appel", opens, closes, None, None, Source("c.yaml", 1))


def test_campaign_status_boundaries_are_inclusive():
    c = campaign(D(2025, 1, 6), D(2025, 3, 14))
    assert c.status(D(2025, 1, 5)) == "à venir"
    assert c.status(D(2025, 1, 6)) == "ouverte"
    assert c.status(D(2025, 3, 14)) == "ouverte"
    assert c.status(D(2025, 3, 15)) == "clôturée"


def test_event_status_over_a_two_day_event():
    class Event:  # only the fields event_status reads
        start, end = D(2025, 5, 27), D(2025, 5, 28)

    assert event_status(Event, D(2025, 5, 26)) == "à venir"
    assert event_status(Event, D(2025, 5, 28)) == "en cours"
    assert event_status(Event, D(2025, 5, 29)) == "passé"
