"""The corporation and organisations as read from the organisations file."""

import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from inspraak.domain.organisations import Corporation, Directory, Signatory

DEMO = Path(__file__).resolve().parents[2] / "demo" / "organisations.toml"
BASE = dict(name="Woonstichting X", email="info@x.nl", manager_name="Ingrid Bakker", manager_email="ib@x.nl")


def test_without_signatories_the_manager_signs() -> None:
    assert Corporation(**BASE).signatories == [Signatory(name="Ingrid Bakker", role="Manager")]


def test_more_than_two_signatories_are_refused() -> None:
    three = [Signatory(name=f"N{i}", role="R") for i in range(3)]
    with pytest.raises(ValidationError, match="signatories"):
        Corporation(**BASE, signatories=three)


def test_demo_file_names_two_signatories_with_roles() -> None:
    directory = Directory.model_validate(tomllib.loads(DEMO.read_text(encoding="utf-8")))
    assert [(s.name, s.role) for s in directory.corporation.signatories] == [
        ("Marieke de Vries", "Manager Wonen"), ("Johan Smit", "Directeur-bestuurder")]
