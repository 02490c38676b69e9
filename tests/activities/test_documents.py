"""Letters: rendering the committed templates, the render activity, and the template check."""

import hashlib
import io
import os
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document
from docxtpl import DocxTemplate
from lxml import etree
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from inspraak.activities.document_samples import sample_context
from inspraak.activities.documents import DocumentActivities, StoreTemplates
from inspraak.activities.rendering import (
    DOCX_CONTENT_TYPE,
    DocumentRenderer,
    TemplateMissingError,
    make_environment,
    zin,
)
from inspraak.activities.storage import LocalDocumentStore, StoredObject
from inspraak.activities.storage_s3 import S3DocumentStore
from inspraak.domain.documents import DocumentRef, DocumentType, TemplateSource, Visibility
from inspraak.domain.dutch import bedrag, datum, datum_lang
from inspraak.domain.letter_contexts import (
    LETTER_TYPES,
    AdviesaanvraagBrief,
    Adviespunt,
    ReactieBrief,
    TermijnVerstrekenBrief,
)
from inspraak.domain.render_requests import BatchRenderRequest, RenderRequest
from inspraak.services.cli.templates import run_check

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
T = DocumentType
NOW = datetime(2027, 3, 17, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def renderer() -> DocumentRenderer:
    return DocumentRenderer(TEMPLATES)


def _docx(data: bytes):  # noqa: ANN202 - python-docx's Document has no public type
    return Document(io.BytesIO(data))


def letter_text(data: bytes) -> str:
    """Everything a reader sees: body, tables, headers and footers."""
    doc = _docx(data)
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    for section in doc.sections:
        for part in (section.first_page_header, section.header, section.first_page_footer, section.footer):
            lines.extend(p.text for p in part.paragraphs)
    return "\n".join(lines)


# What each sample letter must say: its date in Dutch, the article it cites, its key fields.
EXPECTED: dict[DocumentType, list[str]] = {
    T.ADVIESAANVRAAG: [
        "17 maart 2027", "woensdag 28 april 2027", "artikel 4 van de Wet op het overleg huurders verhuurder",
        "artikel 4 lid 2 Wohv", "artikel 5 lid 1 Wohv", "artikel 3 lid 3 Wohv",
        "onderwerp b van artikel 3 lid 2 Wohv: het slopen, renoveren", "VERTROUWELIJK",
        "Wij willen de 144 woningen van complex 112", "Complex 112, Bloemenbuurt",
        "De woningen in complex 112 zijn slecht geïsoleerd", "Huurders krijgen een comfortabelere woning",
        "alleen het vervangen van het glas", "dinsdag 6 april 2027 om 19.30 uur",
        "Projectplan verduurzaming complex 112 (versie 1.3)", "Sociaal plan Bloemenbuurt 2028",
        "artikel 6.2 van de samenwerkingsovereenkomst van 1 maart 2025",
        "t.a.v. het bestuur, mevrouw A. de Vries (secretaris)", "Woonstichting De Voorbeeldhaven",
        "Met vriendelijke groet,", "Marieke Jansen",
    ],
    T.ONTVANGSTBEVESTIGING_ADVIES: [
        "23 april 2027", "22 april 2027", "20 april 2027", "donderdag 6 mei 2027", "artikel 5 lid 2",
        "Beperk de huurverhoging tot € 15 per maand.", "onafhankelijk bureau",
    ],
    T.HERINNERING: [
        "14 april 2027", "17 maart 2027", "woensdag 28 april 2027", "artikel 5 lid 1", "over 14 dagen",
        "maandag 19 april 2027 om 19.30 uur",
    ],
    T.TERMIJN_VERSTREKEN: [
        "29 april 2027", "17 maart 2027", "28 april 2027", "artikel 5 lid 3 onder b",
    ],
    T.REACTIE_ADVIES: [
        "4 mei 2027", "22 april 2027", "maandag 10 mei 2027", "artikel 5 lid 2", "artikel 5 lid 3 onder c",
        "artikel 8 lid 1", "Huurcommissie", "kantonrechter", "artikel 8a", "deels gevolgd",
        "managementoverleg van 3 mei 2027",
    ],
    T.INTERNE_ESCALATIE: [
        "Interne notitie", "4 mei 2027", "donderdag 6 mei 2027",
        "artikel 5 lid 2 Wet op het overleg huurders verhuurder", "termijn voor de gemotiveerde reactie",
        "Ingrid Bakker, manager Wonen", "Het advies van Huurdersvereniging Eendracht is op 22 april 2027",
        "advies ontvangen, besluit nog niet genomen", "Neem uiterlijk 5 mei 2027 een besluit",
    ],
    T.VERLENGING_TERMIJN: [
        "21 april 2027", "28 april 2027", "woensdag 12 mei 2027", "Verlenging termijn:",
        "bewonersavond in de Bloemenbuurt",
    ],
    T.INTREKKING: [
        "2 april 2027", "17 maart 2027", "Intrekking:", "deze adviesaanvraag", "subsidie",
    ],
    T.RENOVATIEVOORSTEL: [
        "J. de Boer en A. de Boer-Smit", "HO-2019-0031", "€\xa0812,50", "€\xa0857,50", "€\xa045,00", "1 juli 2028",
        "€\xa07.156,00", "Molenweg 90", "7K3QX-M9PZA", "15 september 2027", "70 procent", "8 weken",
        "artikel 7:220 lid 3 Burgerlijk Wetboek",
    ],
    T.HERINNERING_DRAAGVLAKMETING: [
        "J. de Boer en A. de Boer-Smit", "Molenweg 1", "woensdag 1 september 2027", "woensdag 15 september 2027",
        "Antwoordcode: 7K3QX-M9PZA (woning 301-001)", "https://inspraak.example.nl/antwoord", "70 procent",
        "'niet ingestemd'", "artikel 7:220 lid 3 Burgerlijk Wetboek",
        "Herinnering: uw antwoord op het renovatievoorstel",
    ],
    T.UITSLAG_DRAAGVLAK: [
        "alle 40 woningen", "1 september 2027", "20 september 2027", "Ingestemd: 29", "Niet ingestemd: 6",
        "Geen antwoord (telt als niet ingestemd): 5", "72,50 procent", "geldt daarom als redelijk",
    ],
    T.KENNISGEVING_70: [
        "eenheid 301-001", "HO-2019-0031", "maandag 20 september 2027", "Van de 40 woningen stemden er 29 in",
        "72,50 procent", "artikel 7:220 lid 3 Burgerlijk Wetboek", "zaterdag 25 september 2027",
        "maandag 22 november 2027 de laatste dag van uw termijn", "(reden: zaterdag)", "kantonrechter",
        "juridischloket.nl",
    ],
    T.TERMIJN_KENNISGEVING: [
        "eenheid 301-001", "HO-2019-0031", "J. de Boer en A. de Boer-Smit", "vrijdag 24 september 2027",
        "ontvangen op zaterdag 25 september 2027", "Uw laatste dag: maandag 22 november 2027",
        "artikel 7:220 lid 3 Burgerlijk Wetboek", "eigenlijk op zaterdag 20 november 2027", "Algemene termijnenwet",
        "Klopt de datum niet?", "Bel of mail ons dan zo snel mogelijk: Marieke Jansen", "28 september 2027",
        "Uw laatste dag voor de kantonrechter: renovatie complex 301 De Molen",
    ],
    T.UITNODIGING_RENOVATIE: [
        "J. de Boer en A. de Boer-Smit", "Molenweg 1", "dinsdag 20 april 2027", "19.30 uur", "dinsdag 4 mei 2027",
        "301-001", "Wet op het overleg huurders verhuurder", "AVG", "m.jansen@voorbeeldhaven.nl",
    ],
    T.PANEL_BEVESTIGING: [
        "dinsdag 11 mei 2027", "J. de Boer, Molenweg 1, 1236 EF Voorbeeldstad: voorzitter", "secretaris",
        "onafhankelijk adviseur", "artikel 1 lid 1 onder g",
    ],
    T.VERSLAG_BIJEENKOMST: [
        "bijeenkomst 1", "dinsdag 1 juni 2027", "F. El Amrani (secretaris)", "Kennismaking en werkwijze",
        "Wie: Marieke Jansen", "dinsdag 15 juni 2027", "13 juli 2027",
    ],
    T.MEDEDELING_UITVOERING: [
        "11 mei 2027", "maandag 10 mei 2027", "artikel 5 lid 3", "want drie dagen zijn verstreken",
        "De aannemer start in september 2027",
    ],
    T.OPLEVERINGSBRIEF: [
        "17 maart 2028", "woensdag 15 maart 2028", "HO-2019-0031", "€\xa0812,50", "€\xa0857,50", "€\xa045,00",
        "zaterdag 1 juli 2028", "donderdag 15 juni 2028", "artikel 7:255 lid 2 Burgerlijk Wetboek",
    ],
    T.EVALUATIEVERSLAG: [
        "maandag 2 oktober 2028", "Van de 40 woningen zijn er 39 opgeleverd", "Bij 36 woningen is",
        "De planning per woning", "Meer tijd tussen", "Wie: Marieke Jansen", "artikel 7:255 lid 2",
    ],
    T.OPHEFFING_PANEL: [
        "Einde projectafspraken", "dinsdag 11 mei 2027", "9 bijeenkomsten", "dinsdag 7 november 2028",
        "De bewonerscommissie zelf blijft bestaan", "Wet op het overleg huurders verhuurder",
        "het projectarchief van Voorbeeldhaven, Havenstraat 1; inzage op afspraak.",
    ],
    T.START_WERKZAAMHEDEN: [
        "dinsdag 1 februari 2028", "eenheid 301-001", "HO-2019-0031", "Isolatie van gevel en dak",
        "per woning drie weken", "niet in uw woning wonen", "Molenweg 90", "€\xa07.900,00", "in 2028",
        "artikel 7:220 lid 5", "Marieke Jansen, 010 123 45 67", "Noem daarbij ons kenmerk",
    ],
}


def _render(renderer: DocumentRenderer, doc_type: DocumentType, **changes: object) -> bytes:
    context = sample_context(doc_type)
    if changes:
        context = type(context).model_validate({**context.model_dump(), **changes})
    return renderer.render(doc_type, context)


# ---- rendering the committed templates ----------------------------------------------------------


@pytest.mark.parametrize("doc_type", list(LETTER_TYPES))
def test_letter_shows_its_kenmerk_dutch_dates_article_and_fields(renderer: DocumentRenderer,
                                                                 doc_type: DocumentType) -> None:
    text = letter_text(_render(renderer, doc_type))
    missing = [s for s in [sample_context(doc_type).kenmerk, *EXPECTED[doc_type]] if s not in text]
    assert not missing, f"{doc_type.value} lacks {missing}"


@pytest.mark.parametrize("doc_type", list(LETTER_TYPES))
def test_letter_shows_no_template_text(renderer: DocumentRenderer, doc_type: DocumentType) -> None:
    text = letter_text(_render(renderer, doc_type))
    for mark in ("{{", "}}", "{%", "%}", "None"):
        assert mark not in text


def test_reactie_advies_has_one_table_row_per_advice_point(renderer: DocumentRenderer) -> None:
    (table,) = _docx(_render(renderer, T.REACTIE_ADVIES)).tables[1:]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Nr.", "Uw advies", "Overgenomen", "Onze reactie"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert [r[2] for r in rows[1:]] == ["Deels", "Ja", "Nee"]
    assert rows[1][1] == "Beperk de huurverhoging tot € 15 per maand."
    assert rows[1][3].startswith("Wij verlagen de huurverhoging naar € 20 per maand.")
    assert rows[2][3] == "–"  # adopted: nothing to motivate


def test_adviesaanvraag_for_consent_cites_article_5a(renderer: DocumentRenderer) -> None:
    text = letter_text(_render(renderer, T.ADVIESAANVRAAG, instemming_gevraagd=True, categorie="j"))
    assert "artikel 5a Wohv alleen uit als u daar vooraf mee hebt ingestemd" in text
    assert "dit instemmingsverzoek op grond van de artikelen 3, 4, 5 en 5a Wohv" in text


def test_adviesaanvraag_for_consent_is_called_instemmingsverzoek_throughout(renderer: DocumentRenderer) -> None:
    data = _render(renderer, T.ADVIESAANVRAAG, instemming_gevraagd=True)
    text = letter_text(data)
    assert "Instemmingsverzoek: verduurzaming complex 112" in text
    assert _docx(data).core_properties.title == "Instemmingsverzoek: verduurzaming complex 112 (Bloemenbuurt)"
    assert "Adviesaanvraag" not in text and "adviesaanvraag" not in text
    assert "geldt dat niet als instemming" in text


@pytest.mark.parametrize(("doc_type", "subject"), [
    (T.ADVIESAANVRAAG, "Adviesaanvraag: "),
    (T.ONTVANGSTBEVESTIGING_ADVIES, "Ontvangstbevestiging advies: "),
    (T.HERINNERING, "Herinnering: "),
    (T.TERMIJN_VERSTREKEN, "Adviestermijn verstreken: "),
    (T.REACTIE_ADVIES, "Reactie op uw advies: "),
    (T.INTERNE_ESCALATIE, "Escalatie: "),
    (T.MEDEDELING_UITVOERING, "Uitvoering besluit: "),
])
def test_subject_line_names_the_letter(renderer: DocumentRenderer, doc_type: DocumentType, subject: str) -> None:
    data = _render(renderer, doc_type)
    assert subject + "verduurzaming complex 112 (Bloemenbuurt)" in letter_text(data)
    assert (_docx(data).core_properties.title or "").endswith(": verduurzaming complex 112 (Bloemenbuurt)")


def test_reply_to_followed_advice_leaves_out_the_dispute_paragraphs(renderer: DocumentRenderer) -> None:
    text = letter_text(_render(renderer, T.REACTIE_ADVIES, besluit="gevolgd", advies_gevolgd=True))
    for gone in ("kantonrechter", "Huurcommissie", "artikel 8", "Bent u het niet eens"):
        assert gone not in text
    assert "artikel 5 lid 3 onder c" in text


def test_reply_to_advice_not_followed_names_the_dispute_options(renderer: DocumentRenderer) -> None:
    text = letter_text(_render(renderer, T.REACTIE_ADVIES))
    assert "Huurcommissie of aan de kantonrechter (artikel 8 lid 1 Wohv)" in text


def test_two_signatories_sign_with_their_roles(renderer: DocumentRenderer) -> None:
    texts = [p.text for p in _docx(_render(renderer, T.HERINNERING)).paragraphs]
    assert "Ingrid Bakker\tMarieke Jansen" in texts
    assert "Manager Wonen\tAdviseur huurdersparticipatie" in texts


def test_one_signatory_signs_alone_with_the_role(renderer: DocumentRenderer) -> None:
    data = _render(renderer, T.HERINNERING, ondertekening=[{"naam": "Johan Smit", "functie": "Directeur-bestuurder"}])
    texts = [p.text for p in _docx(data).paragraphs]
    assert texts[texts.index("Johan Smit") + 1] == "Directeur-bestuurder"


def test_without_signatories_the_behandelaar_signs(renderer: DocumentRenderer) -> None:
    texts = [p.text for p in _docx(_render(renderer, T.HERINNERING, ondertekening=[])).paragraphs]
    closing = texts.index("Met vriendelijke groet,")
    assert [t for t in texts[closing:] if t] == ["Met vriendelijke groet,", "Woonstichting De Voorbeeldhaven",
                                                 "Marieke Jansen"]


def test_internal_escalation_is_a_memo_without_letterhead_or_closing(renderer: DocumentRenderer) -> None:
    text = letter_text(_render(renderer, T.INTERNE_ESCALATIE))
    assert "Interne notitie – alleen voor intern gebruik" in text
    for label in ("Aan:", "Van:", "Datum:", "Betreft:", "Traject:", "Termijn:"):
        assert label in text
    for letter_only in ("Havenkade 12", "3011 AB", "Met vriendelijke groet", "Geacht", "Hebt u vragen"):
        assert letter_only not in text


@pytest.mark.parametrize("doc_type", list(LETTER_TYPES))
def test_user_text_ending_in_a_full_stop_gives_no_double_full_stop(
        renderer: DocumentRenderer, doc_type: DocumentType) -> None:
    context = sample_context(doc_type)
    changes = {name: getattr(context, name) + "." for name in ("overeenkomst", "overleg_aanbod", "grondslag", "staat")
               if isinstance(getattr(context, name, None), str)}
    text = letter_text(_render(renderer, doc_type, **changes))
    assert ".." not in text.replace("...", "")


@pytest.mark.parametrize("doc_type", list(LETTER_TYPES))
def test_letters_say_u_hebt_never_u_heeft(renderer: DocumentRenderer, doc_type: DocumentType) -> None:
    text = letter_text(_render(renderer, doc_type)).lower()
    assert "u heeft" not in text and "heeft u" not in text


def test_zin_ends_a_sentence_exactly_once() -> None:
    assert [zin(t) for t in ("Om 19.30 uur", "Om 19.30 uur.", "Om 19.30 uur. ", "Klopt dat?", "", None)] == [
        "Om 19.30 uur.", "Om 19.30 uur.", "Om 19.30 uur.", "Klopt dat?", "", ""]


def test_termijn_verstreken_for_consent_says_nothing_is_deemed(renderer: DocumentRenderer) -> None:
    text = letter_text(_render(renderer, T.TERMIJN_VERSTREKEN, instemming_gevraagd=True))
    assert "artikel 5a" in text
    assert "er geldt niets als instemming" in text
    assert "nemen wij binnenkort contact met u op" in text
    assert "Met deze brief laten wij u weten dat wij dat gaan doen" not in text


def test_optional_paragraphs_leave_no_empty_lines(renderer: DocumentRenderer) -> None:
    full = sample_context(T.ADVIESAANVRAAG)
    assert isinstance(full, AdviesaanvraagBrief)
    bare = full.model_copy(update=dict(alternatieven=None, bijlagen=[], complexen=[], overleg_aanbod=None,
                                       vertrouwelijk=False, overeenkomst=None))
    bare = bare.model_copy(update={"geadresseerde": full.geadresseerde.model_copy(
        update=dict(ter_attentie_van="", adres="", postcode_plaats=""))})

    def empty_paragraphs(data: bytes) -> int:
        return sum(1 for p in _docx(data).paragraphs if not p.text.strip())

    assert empty_paragraphs(renderer.render(T.ADVIESAANVRAAG, bare)) == empty_paragraphs(
        renderer.render(T.ADVIESAANVRAAG, full))


def test_text_with_xml_characters_is_escaped(renderer: DocumentRenderer) -> None:
    data = _render(renderer, T.HERINNERING, onderwerp='Servicekosten "A&B" <2027>')
    assert 'Servicekosten "A&B" <2027>' in letter_text(data)


@pytest.mark.parametrize("char", ["\x07", "\x0c", "\x00", "\x0b", "\x1b"])
def test_a_control_character_in_a_value_still_gives_valid_xml(renderer: DocumentRenderer, char: str) -> None:
    # The API drops or refuses these already (domain/text.py); the renderer must not break on them either.
    data = _render(renderer, T.MEDEDELING_UITVOERING, onderwerp=f"Servicekosten{char} 2027",
                   toelichting=f"Eerste{char} alinea.")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                etree.fromstring(z.read(name))  # raises on a character XML 1.0 forbids
    assert "Servicekosten" in letter_text(data)


def test_free_text_with_blank_lines_becomes_paragraphs(renderer: DocumentRenderer) -> None:
    data = _render(renderer, T.MEDEDELING_UITVOERING, toelichting="Eerste alinea.\n\nTweede alinea.")
    texts = [p.text for p in _docx(data).paragraphs]
    assert "Eerste alinea." in texts and "Tweede alinea." in texts


def test_same_context_renders_the_same_bytes(renderer: DocumentRenderer) -> None:
    assert _render(renderer, T.REACTIE_ADVIES) == _render(renderer, T.REACTIE_ADVIES)


@pytest.mark.parametrize("doc_type", list(LETTER_TYPES))
def test_renderer_says_what_plain_docxtpl_says(renderer: DocumentRenderer, doc_type: DocumentType) -> None:
    context = sample_context(doc_type)
    tpl = DocxTemplate(renderer.path(doc_type))
    tpl.render({name: getattr(context, name) for name in type(context).model_fields}, make_environment())
    plain = io.BytesIO()
    tpl.save(plain)
    assert letter_text(renderer.render(doc_type, context)) == letter_text(plain.getvalue())


def test_template_version_is_the_start_of_the_files_sha256(renderer: DocumentRenderer) -> None:
    digest = hashlib.sha256(renderer.path(T.HERINNERING).read_bytes()).hexdigest()
    assert renderer.template_version(T.HERINNERING) == digest[:12]


def test_an_edited_template_is_picked_up_without_restart(tmp_path: Path) -> None:
    shutil.copy(TEMPLATES / "herinnering.docx", tmp_path / "herinnering.docx")
    renderer = DocumentRenderer(tmp_path)
    before = renderer.template_version(T.HERINNERING)
    _replace_in_template(tmp_path / "herinnering.docx", "Met vriendelijke groet,", "Hartelijke groet,")
    assert renderer.template_version(T.HERINNERING) != before
    assert "Hartelijke groet," in letter_text(_render(renderer, T.HERINNERING))


def test_a_missing_template_is_an_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(TemplateMissingError, match="herinnering.docx"):
        DocumentRenderer(tmp_path).render(T.HERINNERING, sample_context(T.HERINNERING))


def test_filters_write_dutch_dates_and_amounts() -> None:
    assert datum(date(2027, 1, 3)) == "3 januari 2027"
    assert datum("2027-04-28") == "28 april 2027"
    assert datum_lang(date(2027, 1, 3)) == "zondag 3 januari 2027"
    assert bedrag(1234.5).replace("\xa0", " ") == "€ 1.234,50"
    assert datum(None) == "" and bedrag(None) == ""


# ---- the activity -------------------------------------------------------------------------------


def _request(step: str = "adviesaanvraag", doc_type: DocumentType = T.ADVIESAANVRAAG,
             context: dict | None = None) -> RenderRequest:
    return RenderRequest(
        trajectory_id="adv-2027-014", organisation_id="ho-eendracht", step=step, type=doc_type,
        context=context if context is not None else sample_context(doc_type).model_dump(mode="json"),
    )


@pytest.fixture
def store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "store")


@pytest.fixture
def activities(renderer: DocumentRenderer, store: LocalDocumentStore) -> DocumentActivities:
    return DocumentActivities(renderer, store, clock=lambda: NOW)


async def test_render_document_stores_the_letter_under_its_key_with_metadata(
        activities: DocumentActivities, store: LocalDocumentStore, renderer: DocumentRenderer) -> None:
    ref = await ActivityEnvironment().run(activities.render_document, _request())

    assert ref.id == "adv-2027-014.adviesaanvraag"
    assert ref.key == "trajectories/adv-2027-014/adviesaanvraag.docx"
    assert (ref.type, ref.title, ref.created_at) == (T.ADVIESAANVRAAG, "Adviesaanvraag", NOW)
    data = await store.get(ref.key)
    assert (ref.size, ref.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    stored = await store.stat(ref.key)
    assert (stored.content_type, stored.sha256) == (DOCX_CONTENT_TYPE, ref.sha256)
    assert stored.metadata == {
        "trajectory": "adv-2027-014", "organisation": "ho-eendracht", "document-type": "adviesaanvraag",
        "template-version": renderer.template_version(T.ADVIESAANVRAAG), "template-source": "builtin",
        "title": "Adviesaanvraag", "visibility": "staff",
    }
    assert ref.template_source is TemplateSource.BUILTIN
    assert ref.visibility is Visibility.STAFF  # who may read it is set where it is made; staff only by default
    assert all(v.isascii() for v in stored.metadata.values())
    assert "ADV-2027-014" in letter_text(data)


async def test_a_letter_for_the_organisation_says_so_in_its_metadata_and_reference(
        activities: DocumentActivities, store: LocalDocumentStore) -> None:
    req = _request().model_copy(update={"visibility": Visibility.ORGANISATION, "title": "Instemmingsverzoek"})
    ref = await ActivityEnvironment().run(activities.render_document, req)
    assert (ref.visibility, ref.title) == (Visibility.ORGANISATION, "Instemmingsverzoek")
    assert (await store.stat(ref.key)).metadata["visibility"] == "organisation"


def _batch(n: int) -> BatchRenderRequest:
    return BatchRenderRequest(items=[_request(step=f"{i:03d}-herinnering", doc_type=T.HERINNERING)
                                     for i in range(n)])


async def test_a_batch_renders_and_stores_every_letter_in_order_heartbeating_progress(
        activities: DocumentActivities, store: LocalDocumentStore) -> None:
    env = ActivityEnvironment()
    beats: list[int] = []
    env.on_heartbeat = lambda *details: beats.append(details[0])
    refs = await env.run(activities.render_documents, _batch(5))
    assert [r.id for r in refs] == [f"adv-2027-014.{i:03d}-herinnering" for i in range(5)]
    assert beats == [1, 2, 3, 4, 5]
    for ref in refs:
        assert (await store.stat(ref.key)).sha256 == ref.sha256


class _FailingAfter:
    """A store that breaks down after ``n`` writes, like a worker that dies half-way through a batch."""

    def __init__(self, store: LocalDocumentStore, n: int) -> None:
        self.store, self.left, self.puts = store, n, 0

    async def put(self, key: str, data: bytes, **kw: object) -> StoredObject:
        if self.left == 0:
            raise ConnectionError("store went away")
        self.left -= 1
        self.puts += 1
        return await self.store.put(key, data, **kw)  # type: ignore[arg-type]

    async def get(self, key: str) -> bytes:
        return await self.store.get(key)

    async def stat(self, key: str) -> StoredObject:
        return await self.store.stat(key)


async def test_a_retried_batch_resumes_after_the_last_reported_letter_none_lost_none_twice(
        renderer: DocumentRenderer, store: LocalDocumentStore) -> None:
    failing = _FailingAfter(store, 3)
    first = ActivityEnvironment()
    beats: list[int] = []
    first.on_heartbeat = lambda *details: beats.append(details[0])
    with pytest.raises(ConnectionError):
        await first.run(DocumentActivities(renderer, failing, clock=lambda: NOW).render_documents, _batch(6))
    assert beats == [1, 2, 3]
    # The retry gets the last heartbeat, as Temporal hands it to the next attempt.
    retry = ActivityEnvironment()
    retry.info = retry.info.__class__(**{**retry.info.__dict__, "heartbeat_details": [beats[-1]]})
    again = _FailingAfter(store, 100)
    refs = await retry.run(DocumentActivities(renderer, again, clock=lambda: NOW).render_documents, _batch(6))
    assert len(refs) == 6 and len({r.id for r in refs}) == 6
    assert again.puts == 3  # only the three letters the first attempt did not store
    assert [r.sha256 for r in refs[:3]] == [(await store.stat(r.key)).sha256 for r in refs[:3]]


async def test_a_retry_of_the_same_step_overwrites_its_object(
        activities: DocumentActivities, tmp_path: Path) -> None:
    first = await ActivityEnvironment().run(activities.render_document, _request())
    second = await ActivityEnvironment().run(activities.render_document, _request())

    assert first.key == second.key and first.sha256 == second.sha256
    assert [p.name for p in (tmp_path / "store").rglob("*.docx")] == ["adviesaanvraag.docx"]


async def test_an_invalid_context_fails_without_retry(activities: DocumentActivities) -> None:
    context = sample_context(T.REACTIE_ADVIES).model_dump(mode="json")
    del context["punten"]
    with pytest.raises(ApplicationError, match="punten") as e:
        await ActivityEnvironment().run(activities.render_document,
                                        _request("reactie", T.REACTIE_ADVIES, context))
    assert e.value.non_retryable


async def test_a_template_error_fails_without_retry(tmp_path: Path, store: LocalDocumentStore) -> None:
    acts = DocumentActivities(DocumentRenderer(tmp_path / "leeg"), store)
    with pytest.raises(ApplicationError, match="adviesaanvraag.docx") as e:
        await ActivityEnvironment().run(acts.render_document, _request())
    assert e.value.non_retryable


async def test_a_storage_error_propagates_to_be_retried(renderer: DocumentRenderer) -> None:
    class BrokenStore:
        async def put(self, key: str, data: bytes, *, content_type: str,
                      metadata: dict[str, str]) -> StoredObject:
            raise ConnectionError("object store unreachable")

        async def get(self, key: str) -> bytes:
            raise NotImplementedError

        async def stat(self, key: str) -> StoredObject:
            raise NotImplementedError

    acts = DocumentActivities(renderer, BrokenStore())
    with pytest.raises(ConnectionError):
        await ActivityEnvironment().run(acts.render_document, _request())


# ---- checking templates -------------------------------------------------------------------------


def _write_template(path: Path, *paragraphs: str) -> None:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(str(path))


def _replace_in_template(path: Path, old: str, new: str) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    xml = parts["word/document.xml"].decode()
    assert old in xml
    parts["word/document.xml"] = xml.replace(old, new).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    # A later modification time even on file systems with coarse timestamps; no waiting.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _broken_templates(folder: Path) -> Path:
    for doc_type in LETTER_TYPES:
        shutil.copy(TEMPLATES / f"{doc_type.value}.docx", folder)
    _write_template(folder / "herinnering.docx",
                    "Kenmerk {{ kenmerk }} van {{ datum|datum }}: {{ onderwerpp }}")
    return folder


def test_check_reports_a_variable_the_context_does_not_have(tmp_path: Path) -> None:
    problems = DocumentRenderer(_broken_templates(tmp_path)).check()
    (problem,) = [p for p in problems if p.kind == "undeclared_variable"]
    assert (problem.template, problem.severity) == ("herinnering.docx", "error")
    assert problem.variable == "onderwerpp"
    assert "HerinneringBrief" in problem.message and "did you mean 'onderwerp'" in problem.message


def test_check_warns_about_a_field_the_template_does_not_use(tmp_path: Path) -> None:
    problems = DocumentRenderer(_broken_templates(tmp_path)).check()
    unused = {p.variable: p for p in problems if p.kind == "unused_field"}
    assert unused["dagen_resterend"].severity == "warning"
    assert unused["dagen_resterend"].template == "herinnering.docx"
    assert "dagen_resterend" in str(unused["dagen_resterend"])
    assert {p.template for p in problems} == {"herinnering.docx"}


def test_check_reports_an_unknown_attribute_of_a_nested_model(tmp_path: Path) -> None:
    _broken_templates(tmp_path)
    _write_template(tmp_path / "reactie_advies.docx", "{{ afzender.nam }}", "{%p for p in punten %}",
                    "{{ p.samenvating }}", "{%p endfor %}")
    problems = DocumentRenderer(tmp_path).check()
    found = {p.variable for p in problems if p.kind == "unknown_attribute"}
    assert found == {"afzender.nam", "p.samenvating"}


def test_check_reports_a_broken_tag_and_a_missing_file(tmp_path: Path) -> None:
    _write_template(tmp_path / "herinnering.docx", "{% if kenmerk %}zonder einde")
    problems = {p.template: p for p in DocumentRenderer(tmp_path).check() if p.severity == "error"}
    assert problems["herinnering.docx"].kind == "syntax_error"
    assert "zonder einde" in problems["herinnering.docx"].message
    assert problems["adviesaanvraag.docx"].kind == "missing_template"


def test_check_reports_a_file_that_is_not_a_word_document(tmp_path: Path) -> None:
    _broken_templates(tmp_path)
    (tmp_path / "herinnering.docx").write_text("geen Word-bestand")
    problems = [p for p in DocumentRenderer(tmp_path).check() if p.severity == "error"]
    assert [(p.template, p.kind) for p in problems] == [("herinnering.docx", "syntax_error")]
    assert "not a readable Word (.docx) file" in problems[0].message


def test_check_finds_nothing_wrong_with_the_committed_templates(renderer: DocumentRenderer) -> None:
    assert [str(p) for p in renderer.check()] == []


def test_run_check_passes_the_committed_templates(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(TEMPLATES) == 0
    assert f"all {len(LETTER_TYPES)} templates render; no undeclared or unused variables" in capsys.readouterr().out


def test_run_check_fails_on_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(_broken_templates(tmp_path)) == 1
    assert "herinnering.docx: uses 'onderwerpp'" in capsys.readouterr().out


# ---- as a reader gets them ----------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not on PATH; cannot convert letters to PDF")
def test_every_letter_converts_to_pdf_with_libreoffice(renderer: DocumentRenderer, tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    letters.mkdir()
    for doc_type in LETTER_TYPES:
        (letters / f"{doc_type.value}.docx").write_bytes(_render(renderer, doc_type))
    extra = ReactieBrief.model_validate({
        **sample_context(T.REACTIE_ADVIES).model_dump(), "besluit": "gevolgd", "advies_gevolgd": True,
        "punten": [Adviespunt(nummer=1, samenvatting="Plan buiten de zomer.", overgenomen="ja")],
    })
    (letters / "reactie_gevolgd.docx").write_bytes(renderer.render(T.REACTIE_ADVIES, extra))
    consent = TermijnVerstrekenBrief.model_validate(
        {**sample_context(T.TERMIJN_VERSTREKEN).model_dump(), "instemming_gevraagd": True})
    (letters / "termijn_instemming.docx").write_bytes(renderer.render(T.TERMIJN_VERSTREKEN, consent))
    out = tmp_path / "pdf"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), *sorted(str(p) for p in letters.glob("*.docx"))],
        check=True, capture_output=True, timeout=300,
    )
    for docx_file in letters.glob("*.docx"):
        pdf = out / (docx_file.stem + ".pdf")
        assert pdf.exists(), f"no PDF for {docx_file.name}"
        assert pdf.read_bytes().startswith(b"%PDF")


# ---- templates overridden per installation ------------------------------------------------------


def _override(folder: Path, doc_type: DocumentType = T.HERINNERING) -> Path:
    """A copy of a built-in template, edited as an installation would: a different closing."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{doc_type.value}.docx"
    shutil.copy(TEMPLATES / path.name, path)
    _replace_in_template(path, "Met vriendelijke groet,", "Hartelijke groet,")
    return path


def test_a_template_in_the_override_folder_replaces_the_built_in_one(tmp_path: Path) -> None:
    override = _override(tmp_path / "eigen")
    renderer = DocumentRenderer(TEMPLATES, override_dir=tmp_path / "eigen")
    rendered = renderer.render_with_version(T.HERINNERING, sample_context(T.HERINNERING))
    assert "Hartelijke groet," in letter_text(rendered.data)
    assert rendered.template_source is TemplateSource.OVERRIDE_DIR
    assert rendered.template_version == hashlib.sha256(override.read_bytes()).hexdigest()[:12]


def test_a_type_missing_from_the_override_folder_uses_the_built_in_template(tmp_path: Path) -> None:
    _override(tmp_path / "eigen")
    renderer = DocumentRenderer(TEMPLATES, override_dir=tmp_path / "eigen")
    rendered = renderer.render_with_version(T.TERMIJN_VERSTREKEN, sample_context(T.TERMIJN_VERSTREKEN))
    assert rendered.template_source is TemplateSource.BUILTIN
    assert "Met vriendelijke groet," in letter_text(rendered.data)


async def _render_with_store_override(store: LocalDocumentStore | S3DocumentStore, tmp_path: Path,
                                      renderer: DocumentRenderer) -> tuple[DocumentRef, bytes]:
    template = _override(tmp_path / "upload").read_bytes()
    await store.put("sjablonen/herinnering.docx", template, content_type=DOCX_CONTENT_TYPE, metadata={})
    acts = DocumentActivities(renderer, store, clock=lambda: NOW,
                              store_templates=StoreTemplates(store, "sjablonen"))
    ref = await ActivityEnvironment().run(acts.render_document, _request("herinnering-1", T.HERINNERING))
    return ref, template


async def test_an_override_in_the_local_store_is_used_and_recorded(
        local_store: LocalDocumentStore, tmp_path: Path, renderer: DocumentRenderer) -> None:
    ref, template = await _render_with_store_override(local_store, tmp_path, renderer)
    assert "Hartelijke groet," in letter_text(await local_store.get(ref.key))
    assert ref.template_source is TemplateSource.STORE
    assert ref.template_version == hashlib.sha256(template).hexdigest()[:12]
    metadata = (await local_store.stat(ref.key)).metadata
    assert (metadata["template-source"], metadata["template-version"]) == ("store", ref.template_version)


async def test_an_override_in_s3_is_used_and_recorded(
        s3_store: S3DocumentStore, tmp_path: Path, renderer: DocumentRenderer) -> None:
    ref, template = await _render_with_store_override(s3_store, tmp_path, renderer)
    assert "Hartelijke groet," in letter_text(await s3_store.get(ref.key))
    assert (ref.template_source, ref.template_version) == (
        TemplateSource.STORE, hashlib.sha256(template).hexdigest()[:12])
    metadata = (await s3_store.stat(ref.key)).metadata
    assert (metadata["template-source"], metadata["template-version"]) == ("store", ref.template_version)


async def test_a_store_override_wins_over_the_override_folder(
        local_store: LocalDocumentStore, tmp_path: Path) -> None:
    _override(tmp_path / "eigen")
    renderer = DocumentRenderer(TEMPLATES, override_dir=tmp_path / "eigen")
    ref, _ = await _render_with_store_override(local_store, tmp_path, renderer)
    assert ref.template_source is TemplateSource.STORE


async def test_a_store_override_uploaded_later_is_used_once_the_cache_has_aged(
        local_store: LocalDocumentStore, tmp_path: Path) -> None:
    now = [0.0]
    templates = StoreTemplates(local_store, "sjablonen/", max_age_seconds=60, clock=lambda: now[0])
    assert await templates.get(T.HERINNERING) is None
    template = _override(tmp_path / "upload").read_bytes()
    await local_store.put("sjablonen/herinnering.docx", template, content_type=DOCX_CONTENT_TYPE, metadata={})
    assert await templates.get(T.HERINNERING) is None  # still cached: no fetch per letter
    now[0] = 61.0
    assert await templates.get(T.HERINNERING) == template


def test_check_reports_a_broken_override_in_the_folder(tmp_path: Path) -> None:
    _write_template(tmp_path / "herinnering.docx", "{{ onderwerpp }}")
    problems = DocumentRenderer(TEMPLATES, override_dir=tmp_path).check()
    assert "onderwerpp" in {p.variable for p in problems if p.severity == "error"}


def test_check_reports_a_broken_override_from_the_store(tmp_path: Path) -> None:
    _write_template(tmp_path / "herinnering.docx", "{{ onderwerpp }}")
    problems = DocumentRenderer(TEMPLATES).check(
        overrides={T.HERINNERING: (tmp_path / "herinnering.docx").read_bytes()})
    assert "onderwerpp" in {p.variable for p in problems if p.severity == "error"}
