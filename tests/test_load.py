"""The strict YAML loader and the front-matter splitter."""

from __future__ import annotations

import pytest

from sitegen.load import ContentFileError, parse_yaml, split_front_matter


def message(text: str) -> str:
    with pytest.raises(ContentFileError) as caught:
        parse_yaml(text, "f.yaml")
    return caught.value.problem.format()


def test_yaml_1_1_traps_stay_text():
    data = parse_yaml("heure: 9:30\nouvert: on\nferme: non\ncode: 012\njour: 2025-02-05\n",
                      "f.yaml")
    assert data == {"heure": "9:30", "ouvert": "on", "ferme": "non", "code": "012",
                    "jour": "2025-02-05"}


def test_numbers_and_booleans_still_work():
    assert parse_yaml("a: 12\nb: 48.39\nc: true\nd: -4.48\n", "f.yaml") == {
        "a": 12, "b": 48.39, "c": True, "d": -4.48}


def test_lines_are_recorded_one_based_with_offset():
    data = parse_yaml("a: 1\nliste:\n  - x\n  - y\n", "f.yaml", line_offset=1)
    assert data.key_lines == {"a": 2, "liste": 3}
    assert data["liste"].item_lines == [4, 5]


@pytest.mark.parametrize("text, expected", [
    ("a: 1\na: 2\n", "f.yaml:2 : le champ « a » apparaît deux fois (déjà ligne 1)."),
    ("titre: Date : demain\n", "f.yaml:1 : un « : » dans une valeur"),
    ("a:\n\tb: 1\n", "f.yaml:2 : la ligne est indentée avec une tabulation."),
    ('a: "ouvert\nb: 2\n', "des guillemets ouverts ne sont pas refermés"),
    ("a: &x [1]\nb: *x\n", "les alias YAML (« & » et « * ») ne sont pas acceptés."),
    ("a: " + "[" * 100 + "]" * 100 + "\n", "f.yaml:1 : la structure est imbriquée trop"),
    ("a: @moi\n", "f.yaml:1 : la valeur commence par un caractère réservé"),
])
def test_errors_in_french(text, expected):
    assert expected in message(text)


def test_billion_laughs_is_refused_quickly():
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    assert "alias" in message("\n".join(lines) + "\n")


def test_front_matter_split_keeps_body_line():
    head, body, body_line = split_front_matter("---\ntitre: T\n---\nCorps\n", "p.md")
    assert (head, body, body_line) == ("titre: T\n", "Corps\n", 4)


def test_front_matter_missing_or_unclosed():
    with pytest.raises(ContentFileError, match="ne commence pas par un en-tête"):
        split_front_matter("titre: T\n", "p.md")
    with pytest.raises(ContentFileError, match="n'est jamais refermé"):
        split_front_matter("---\ntitre: T\nCorps\n", "p.md")


def test_a_value_starting_with_hash_is_not_silently_dropped():
    assert ('f.yaml:2 : la valeur du champ « couleur » commence par « # »'
            in message("titre: T\ncouleur: #8a0000\n"))
    assert parse_yaml('couleur: "#8a0000"  # rouge\nvide:\n', "f.yaml") == {
        "couleur": "#8a0000", "vide": None}


@pytest.mark.parametrize("text, expected", [
    ("- nom: a\n– nom: b\n", "f.yaml:2 : la ligne commence par un tiret long ou une puce"),
    ("- nom: a\n-nom: b\n  role: x\n", "f.yaml:2 : le tiret qui commence l'élément de liste n'est "
                                       "pas suivi d'une espace ordinaire."),
    ("lieu:\u00a0\"L'Arvest\"\nville: x\n", "f.yaml:1 : la ligne contient une espace insécable"),
])
def test_characters_pasted_from_a_word_processor(text, expected):
    assert expected in message(text)
