"""``inspraak renovation check-csv``: the same row errors as the API."""

from pathlib import Path

import pytest

from inspraak.services.cli.main import main


def test_check_csv_names_every_bad_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "h.csv"
    f.write_text("eenheid;adres;huurder;contractnummer;huur\n1;Weg 1, 1000 AA Stad;A;C1;abc\n"
                 "2;Weg 2, 1000 AA Stad;;C2;700\n", encoding="utf-8")
    assert main(["renovation", "check-csv", str(f)]) == 1
    out = capsys.readouterr().out
    assert "households[2].huur" in out and "rent_format" in out
    assert "households[3].huurder" in out and "missing" in out


def test_check_csv_passes_a_good_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "h.csv"
    f.write_text("eenheid;adres;huurder;contractnummer;huur\n1;Weg 1, 1000 AA Stad;A;C1;700,00\n", encoding="utf-8")
    assert main(["renovation", "check-csv", str(f)]) == 0
    assert "1 households, no errors" in capsys.readouterr().out
