"""The embedded default's data folder: a folder of an older generation is refused with the way out."""

from pathlib import Path

import pytest

from inspraak.services.cli.devstack import DATA_GENERATION, check_data_generation


def test_a_new_data_folder_is_marked_with_this_generation(tmp_path: Path) -> None:
    check_data_generation(tmp_path)
    assert (tmp_path / ".inspraak-generation").read_text().strip() == DATA_GENERATION


def test_a_data_folder_of_an_older_generation_is_refused_naming_the_way_out(tmp_path: Path) -> None:
    (tmp_path / "temporal.db").write_bytes(b"")
    with pytest.raises(SystemExit, match="rm -rf"):
        check_data_generation(tmp_path)
