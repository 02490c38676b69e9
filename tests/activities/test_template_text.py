"""Plain-text renderings of the templates: what they show, and that the committed ones are current."""

import shutil
from pathlib import Path

from docx import Document

from inspraak.activities.template_text import stale_texts, template_text, write_texts

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_committed_renderings_match_their_templates() -> None:
    stale = [p.name for p in stale_texts(TEMPLATES)]
    assert not stale, (
        f"out of date: {', '.join(stale)}. A template changed without its plain-text rendering; run "
        "`inspraak templates text` (or `.venv/bin/inspraak templates text`) and commit the .txt files")


def test_rendering_keeps_jinja_tags_as_written(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("{%p if overleg_aanbod %}")
    doc.add_paragraph("Wij stellen voor: {{ overleg_aanbod|zin }}")
    doc.save(str(tmp_path / "herinnering.docx"))
    text = template_text((tmp_path / "herinnering.docx").read_bytes(), "herinnering.docx")
    assert "{%p if overleg_aanbod %}\nWij stellen voor: {{ overleg_aanbod|zin }}\n" in text


def test_rendering_shows_a_table_row_per_line(tmp_path: Path) -> None:
    doc = Document()
    table = doc.add_table(rows=2, cols=2)
    for row, (a, b) in zip(table.rows, [("Nr.", "Uw advies"), ("{{ p.nummer }}", "{{ p.samenvatting }}")],
                           strict=True):
        row.cells[0].text, row.cells[1].text = a, b
    doc.save(str(tmp_path / "t.docx"))
    text = template_text((tmp_path / "t.docx").read_bytes(), "t.docx")
    assert "| Nr. | Uw advies |\n| {{ p.nummer }} | {{ p.samenvatting }} |" in text


def test_rendering_shows_headings_and_page_number_fields() -> None:
    text = template_text((TEMPLATES / "reactie_advies.docx").read_bytes(), "reactie_advies.docx")
    assert "\n## Uw adviespunten\n" in text
    assert "pagina [PAGE] van [NUMPAGES]" in text


def test_write_texts_rewrites_only_what_changed(tmp_path: Path) -> None:
    shutil.copy(TEMPLATES / "herinnering.docx", tmp_path)
    assert [p.name for p in write_texts(tmp_path)] == ["herinnering.txt"]
    assert write_texts(tmp_path) == []
    assert stale_texts(tmp_path) == []
    (tmp_path / "herinnering.txt").write_text("oud\n", encoding="utf-8")
    assert [p.name for p in stale_texts(tmp_path)] == ["herinnering.txt"]
