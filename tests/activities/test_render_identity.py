"""The fast paths of a big mail merge make what the slow ones make: the renderer what docxtpl makes, part by
part, for every template in templates/; letters rendered at the same time in several threads; the print file
what docxcompose makes; the merge's manifest every letter's reference."""

import io
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from docx import Document
from docxtpl import DocxTemplate
from lxml import etree
from temporalio.testing import ActivityEnvironment

from inspraak.activities.document_samples import sample_context
from inspraak.activities.documents import DocumentActivities
from inspraak.activities.print_file import _with_docxcompose, compose_letters
from inspraak.activities.register import store_register
from inspraak.activities.rendering import DocumentRenderer, make_environment
from inspraak.activities.storage import LocalDocumentStore
from inspraak.domain.documents import DocumentType
from inspraak.domain.households import parse_households
from inspraak.domain.render_requests import MergeRequest
from tests.activities.test_merge import COMMON
from tests.workflows.renovation_setup import households_csv

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _xml_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: etree.tostring(etree.fromstring(z.read(name)), method="c14n")
                for name in z.namelist() if name.endswith((".xml", ".rels"))}


@pytest.mark.parametrize("template", sorted(p.stem for p in TEMPLATES.glob("*.docx")))
def test_every_xml_part_is_what_plain_docxtpl_makes(template: str) -> None:
    doc_type = DocumentType(template)
    context = sample_context(doc_type)
    tpl = DocxTemplate(TEMPLATES / f"{template}.docx")
    tpl.render({name: getattr(context, name) for name in type(context).model_fields}, make_environment())
    plain = io.BytesIO()
    tpl.save(plain)
    ours = _xml_parts(DocumentRenderer(TEMPLATES).render(doc_type, context))
    theirs = _xml_parts(plain.getvalue())
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name


def test_letters_rendered_in_several_threads_at_once_are_each_whole() -> None:
    renderer = DocumentRenderer(TEMPLATES)
    doc_type = DocumentType.RENOVATIEVOORSTEL
    base = sample_context(doc_type)
    contexts = [base.model_copy(update={"kenmerk": f"REN-{n:04d}"}) for n in range(120)]
    with ThreadPoolExecutor(6) as pool:
        letters = list(pool.map(lambda c: renderer.render(doc_type, c), contexts))
    for n, data in enumerate(letters):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert z.testzip() is None
        assert data == renderer.render(doc_type, contexts[n])


def _paragraphs(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def test_the_print_file_has_what_docxcompose_puts_in_it_each_letter_in_its_own_section() -> None:
    renderer = DocumentRenderer(TEMPLATES)
    doc_type = DocumentType.RENOVATIEVOORSTEL
    base = sample_context(doc_type)
    letters = [renderer.render(doc_type, base.model_copy(update={"kenmerk": f"REN-{n:04d}"})) for n in range(12)]
    fast = compose_letters(letters)
    assert _paragraphs(fast) == _paragraphs(_with_docxcompose(letters, None))
    package = zipfile.ZipFile(io.BytesIO(fast))
    xml = package.read("word/document.xml").decode()
    # Each letter its own section (a new page, the first-page letterhead, pages counted from 1); the letters'
    # own page breaks stay.
    assert xml.count("<w:sectPr") == 12 and xml.count('w:start="1"') == 12 and "<w:titlePg/>" in xml
    assert xml.count('w:type="page"') == 12 * zipfile.ZipFile(io.BytesIO(letters[0])).read(
        "word/document.xml").decode().count('w:type="page"')
    footers = "".join(package.read(n).decode() for n in package.namelist() if n.startswith("word/footer"))
    assert 'instr="PAGE"' in footers and "NUMPAGES" not in footers  # "pagina 2", not "pagina 2 van 36"
    assert all(f"REN-{n:04d}" in "\n".join(_paragraphs(fast)) for n in range(12))


async def test_the_merge_keeps_every_letters_reference_in_a_staff_only_manifest(tmp_path: Path) -> None:
    store = LocalDocumentStore(tmp_path)
    register = await store_register(store, "ren-m", parse_households(households_csv(30)))
    acts = DocumentActivities(DocumentRenderer(TEMPLATES), store, concurrency=4)
    req = MergeRequest(trajectory_id="ren-m", organisation_id="bc", register_ref=register,
                       type=DocumentType.UITNODIGING_RENOVATIE, context=COMMON, step_prefix="01-uitnodiging",
                       unit_ids=register.unit_ids, print_file=True)
    result = await ActivityEnvironment().run(acts.merge_documents, req)
    assert result.letters == 30 and result.manifest is not None
    stored = await store.stat(result.manifest.key)
    assert stored.sha256 == result.manifest.sha256 and stored.metadata["visibility"] == "staff"
    manifest = json.loads(await store.get(result.manifest.key))
    assert [d["id"] for d in manifest["letters"]] == [f"ren-m.01-uitnodiging-{n:04d}" for n in range(1, 31)]
    assert [d["household_id"] for d in manifest["letters"]] == register.unit_ids
    for entry in manifest["letters"]:
        assert (await store.stat(entry["key"])).sha256 == entry["sha256"]
    # The print file holds the thirty letters in the register's order.
    assert result.print_file is not None
    text = "\n".join(_paragraphs(await store.get(result.print_file.key)))
    places = [text.index(f"Molenweg {n}\n") for n in (1, 15, 30)]
    assert places == sorted(places)
