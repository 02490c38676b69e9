"""``inspraak templates ...``: the commands staff and CI run on the templates."""

import shutil
from pathlib import Path

import pytest

from inspraak.domain.letter_contexts import LETTER_TYPES
from inspraak.services.cli.main import main

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def test_templates_text_writes_a_rendering_beside_each_template(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for docx in TEMPLATES.glob("*.docx"):
        shutil.copy(docx, tmp_path)
    monkeypatch.setenv("INSPRAAK_TEMPLATES_DIR", str(tmp_path))
    assert main(["templates", "text"]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.txt")) == sorted(p.name for p in TEMPLATES.glob("*.txt"))
    assert (tmp_path / "herinnering.txt").read_text(encoding="utf-8") == (
        TEMPLATES / "herinnering.txt").read_text(encoding="utf-8")
    assert "wrote" in capsys.readouterr().out


def test_templates_check_passes_the_committed_templates(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INSPRAAK_TEMPLATES_DIR", str(TEMPLATES))
    assert main(["templates", "check"]) == 0
    assert f"all {len(LETTER_TYPES)} templates render" in capsys.readouterr().out


def test_templates_check_checks_the_override_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("{{ onderwerpp }}")
    doc.save(str(tmp_path / "herinnering.docx"))
    monkeypatch.setenv("INSPRAAK_TEMPLATES_DIR", str(TEMPLATES))
    monkeypatch.setenv("INSPRAAK_TEMPLATES_OVERRIDE_DIR", str(tmp_path))
    assert main(["templates", "check"]) == 1
    out = capsys.readouterr().out
    assert f"herinnering.docx: checking the override in {tmp_path}" in out
    assert "uses 'onderwerpp'" in out


def test_templates_check_checks_overrides_in_the_local_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "documents" / "sjablonen").mkdir(parents=True)
    shutil.copy(TEMPLATES / "herinnering.docx", tmp_path / "documents" / "sjablonen")
    monkeypatch.setenv("INSPRAAK_TEMPLATES_DIR", str(TEMPLATES))
    monkeypatch.setenv("INSPRAAK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("INSPRAAK_TEMPLATES_OVERRIDE_PREFIX", "sjablonen/")
    assert main(["templates", "check"]) == 0
    assert "herinnering.docx: checking the override from the document store" in capsys.readouterr().out
