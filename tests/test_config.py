"""Site settings: a broken site.yaml stops the build with a located French message."""

from __future__ import annotations

import pytest
from conftest import build


@pytest.mark.parametrize("change, expected", [
    (("nom_agenda: \"Agenda du TNE Finistère\"", "nom_agenda: \"Agenda, TNE\""),
     "site.yaml:25 : le nom de l'agenda contient une virgule"),
    (("url: https://tne-finistere.example.org", "url: tne finistere"),
     "site.yaml:12 : l'adresse « tne finistere » du champ « url » n'est pas une adresse web"),
    (("accessibilite: \"non conforme\"", "accessibilite: \"conforme\""),
     "site.yaml:20 : la valeur « conforme » du champ « accessibilite » n'est pas permise."),
    (("nom_agenda:", "couleur_principale: \"#77aaff\"\nnom_agenda:"),
     "site.yaml:25 : la couleur « #77aaff » est trop claire : son contraste avec le blanc est de "
     "2,3:1, il faut au moins 4,5:1"),
    (("editeur: \"Académie de Rennes\"\n", ""),
     "site.yaml:4 : le champ obligatoire « editeur » manque."),
])
def test_broken_settings(change, expected, content_copy, tmp_path, capsys):
    site_yaml = content_copy / "site.yaml"
    text = site_yaml.read_text()
    assert change[0] in text
    site_yaml.write_text(text.replace(change[0], change[1]))
    assert build(tmp_path / "site", "2025-02-01", content_copy) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert not (tmp_path / "site").exists()


def test_missing_settings_file(content_copy, tmp_path, capsys):
    (content_copy / "site.yaml").unlink()
    assert build(tmp_path / "site", "2025-02-01", content_copy) == 1
    assert "site.yaml est introuvable" in capsys.readouterr().err


def test_bad_reference_date_option(tmp_path, capsys):
    assert build(tmp_path / "site", "2025-13-01") == 1
    assert "--today : la date « 2025-13-01 » n'est pas reconnue." in capsys.readouterr().err


def test_command_line_mistakes_are_explained_in_french(capsys):
    from sitegen.cli import main as cli_main

    for argv, expected in ((["--strikt"], "option inconnue : --strikt"),
                           (["construire"], "commande inconnue : « construire »"),
                           (["serve", "--port", "abc"], "--port attend un nombre entier")):
        with pytest.raises(SystemExit) as stop:
            cli_main(argv)
        assert stop.value.code == 2
        assert expected in capsys.readouterr().err
