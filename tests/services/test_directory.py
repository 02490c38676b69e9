"""The organisations file is checked at start-up: a broken file stops the start, naming every wrong field."""

from pathlib import Path

import pytest

from inspraak.services.directory import DirectoryError, load_directory

BROKEN = """
[corporation]
name = "Woonstichting X"
email = "not an address"
manager_email = "m@x.nl"
manager_nmae = "typo"

[[organisations]]
id = "HV Eendracht"
name = "Huurdersvereniging\\nEendracht"
kind = "vereniging"
contacts = [{ name = "Anna", email = 42 }]
advice_term_weeks = "acht"
"""


def test_a_broken_file_names_every_wrong_field(tmp_path: Path) -> None:
    path = tmp_path / "organisations.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(DirectoryError) as e:
        load_directory(path)
    message = str(e.value)
    assert str(path) in message
    for field in ("corporation.email", "corporation.manager_nmae", "organisations[0].id", "organisations[0].name",
                  "organisations[0].kind", "organisations[0].contacts[0].email", "organisations[0].advice_term_weeks"):
        assert f"  {field}: " in message, field


def test_a_file_that_is_not_toml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "organisations.toml"
    path.write_text("[corporation\nname=", encoding="utf-8")
    with pytest.raises(DirectoryError, match="not valid TOML"):
        load_directory(path)


def test_a_missing_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match="INSPRAAK_ORGANISATIONS_FILE"):
        load_directory(tmp_path / "nowhere.toml")
