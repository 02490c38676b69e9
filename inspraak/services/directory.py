"""Reading the organisations file (TOML): the corporation and the tenant organisations it consults."""

import tomllib
from pathlib import Path

from pydantic import ValidationError

from inspraak.domain.organisations import Directory


class DirectoryError(Exception):
    """The organisations file cannot be used; the message names the file and every wrong field."""


def _where(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "the file"


def load_directory(path: Path) -> Directory:
    """Parse and validate the organisations file; a bad file fails loudly at start, naming each field.

    Raises:
        DirectoryError: the file is missing, is no TOML, or has wrong fields (each one named).
    """
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise DirectoryError(f"organisations file {path} cannot be read ({e.strerror}); set "
                             "INSPRAAK_ORGANISATIONS_FILE") from e
    except tomllib.TOMLDecodeError as e:
        raise DirectoryError(f"organisations file {path} is not valid TOML: {e}") from e
    try:
        return Directory.model_validate(data)
    except ValidationError as e:
        lines = [f"  {_where(tuple(err['loc']))}: {err['msg']}" for err in e.errors()]
        raise DirectoryError(f"organisations file {path} has {len(lines)} wrong field(s):\n" + "\n".join(lines)) from e
