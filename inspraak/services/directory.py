"""Reading the organisations file (TOML): the corporation and the tenant organisations it consults."""

import tomllib
from pathlib import Path

from inspraak.domain.organisations import Directory


def load_directory(path: Path) -> Directory:
    """Parse and validate the organisations file; a bad file fails loudly at start, naming the field."""
    with path.open("rb") as f:
        return Directory.model_validate(tomllib.load(f))
