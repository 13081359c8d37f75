"""Typed field parsing: what editors write, and the French message when it does not fit."""

from __future__ import annotations

import datetime as dt

import pytest

from sitegen.fields import Field, FieldError, parse_record, parse_value
from sitegen.load import parse_yaml


def value(kind: str, raw, **extra):
    return parse_value(Field("champ", "attr", kind, "Doc.", **extra), raw)


def error(kind: str, raw, **extra) -> str:
    with pytest.raises(FieldError) as caught:
        value(kind, raw, **extra)
    return caught.value.text[0]


def test_dates():
    assert value("date", "2025-02-05") == dt.date(2025, 2, 5)
    assert "n'existe pas" in error("date", "2025-02-30")
    assert "hors des années possibles" in error("date", "1899-01-01")
    assert "n'est pas reconnue" in error("date", "05/02/2025")


@pytest.mark.parametrize("raw, expected", [("14:30", dt.time(14, 30)), ("9h30", dt.time(9, 30)),
                                           ("9 h 30", dt.time(9, 30)), ("14h", dt.time(14, 0))])
def test_times(raw, expected):
    assert value("time", raw) == expected


def test_time_errors():
    assert "n'est pas reconnue" in error("time", "25:00")
    assert "n'est pas reconnue" in error("time", 570)


def test_booleans_in_french():
    assert value("bool", "oui") is True and value("bool", "non") is False
    assert value("bool", True) is True
    assert "doit valoir « oui » ou « non »" in error("bool", "on")


def test_choices_ignore_accents_and_case():
    assert value("choice", "Annule", choices=("confirmé", "annulé")) == "annulé"
    assert "n'est pas permise" in error("choice", "supprimé", choices=("confirmé", "annulé"))


def test_urls():
    assert value("url", "www.finistere.fr") == "https://www.finistere.fr"
    assert "n'est pas une adresse web valide" in error("url", "javascript:alert(1)")
    assert "n'est pas autorisé" in error("link", "javascript:alert(1)")
    assert value("link", "/agenda/") == "/agenda/"


def test_paths_never_escape_content():
    assert value("path", "fichiers/guide.pdf") == "fichiers/guide.pdf"
    for bad in ("../secret.txt", "/etc/passwd", "fichiers/../../x", "C:\\x"):
        assert "sort du dossier content/" in error("path", bad)


def test_text_length_limit():
    assert "trop long" in error("text", "x" * 5000, max_length=150)


def test_record_unknown_key_suggests_nearest():
    problems = []
    data = parse_yaml("tittre: X\n", "f.yaml")
    fields = (Field("titre", "title", "text", "Titre.", required=True),)
    assert parse_record(data, fields, "f.yaml", problems) is None
    assert [p.format().splitlines()[0] for p in problems] == [
        "f.yaml:1 : le champ « tittre » est inconnu. Vouliez-vous dire « titre » ?",
        "f.yaml:1 : le champ obligatoire « titre » manque.",
    ]


def test_word_processor_quotes_around_a_value_are_removed():
    assert value("text", "“Forum des webradios”") == "Forum des webradios"
    assert value("text", "« Forum »") == "« Forum »"  # French guillemets are text


def test_emails_copied_from_a_link_and_phone_numbers():
    assert value("email", "mailto:prenom.nom@exemple.fr") == "prenom.nom@exemple.fr"
    assert value("phone", "09 78 46 62 71") == "09 78 46 62 71"
    assert value("phone", "+33 9 78 46 62 71") == "+33 9 78 46 62 71"
    assert "n'est pas un numéro de téléphone complet" in error("phone", "09 78 46 62")
