"""Sample letter contexts: one advice trajectory of a made-up corporation, for checks, tests and previews.

Woonstichting De Voorbeeldhaven asks Huurdersvereniging Eendracht for advice on making complex 112
more sustainable; the letters follow that trajectory from the request to the execution.
"""

from datetime import date
from decimal import Decimal

from inspraak.domain.advice_actions import Category
from inspraak.domain.documents import DocumentType
from inspraak.domain.letter_contexts import (
    AdviesaanvraagBrief,
    Adviespunt,
    Afspraak,
    Afzender,
    Brief,
    EscalatieBrief,
    EvaluatieverslagBrief,
    Geadresseerde,
    HerinneringBrief,
    HerinneringDraagvlakmetingBrief,
    IntrekkingBrief,
    Kennisgeving70Brief,
    Ondertekenaar,
    OntvangstbevestigingBrief,
    OpheffingPanelBrief,
    OpleveringBrief,
    PanelBevestigingBrief,
    Panellid,
    ReactieBrief,
    RenovatievoorstelBrief,
    StartWerkzaamhedenBrief,
    TermijnKennisgevingBrief,
    TermijnVerstrekenBrief,
    UitnodigingRenovatieBrief,
    UitslagDraagvlakBrief,
    UitvoeringBrief,
    VerlengingBrief,
    VerslagBijeenkomstBrief,
)

AFZENDER = Afzender(
    naam="Woonstichting De Voorbeeldhaven",
    adres="Havenkade 12",
    postcode_plaats="3011 AB  Rotterdam",
    telefoon="010 123 45 67",
    email="participatie@voorbeeldhaven.nl",
    website="www.voorbeeldhaven.nl",
)

HUURDERSORGANISATIE = Geadresseerde(
    naam="Huurdersvereniging Eendracht",
    soort="huurdersorganisatie",
    ter_attentie_van="het bestuur, mevrouw A. de Vries (secretaris)",
    adres="Eendrachtsweg 7",
    postcode_plaats="3012 LB  Rotterdam",
)

MANAGER = Geadresseerde(
    naam="Ingrid Bakker",
    soort="manager",
    ter_attentie_van="manager Wonen",
)

# Two signers, side by side: the manager and the staff member who handles the trajectory.
ONDERTEKENING = [Ondertekenaar(naam="Ingrid Bakker", functie="Manager Wonen"),
                 Ondertekenaar(naam="Marieke Jansen", functie="Adviseur huurdersparticipatie")]

KENMERK = "ADV-2027-014"
ONDERWERP = "verduurzaming complex 112 (Bloemenbuurt)"
OVEREENKOMST = "artikel 6.2 van de samenwerkingsovereenkomst van 1 maart 2025"
OVERLEG = ("dinsdag 6 april 2027 om 19.30 uur of donderdag 8 april 2027 om 14.00 uur, "
           "op ons kantoor aan de Havenkade 12")


def _common(onderwerp: str, datum: date) -> dict:
    return dict(
        kenmerk=KENMERK,
        datum=datum,
        afzender=AFZENDER,
        geadresseerde=HUURDERSORGANISATIE,
        onderwerp=onderwerp,
        behandelaar="Marieke Jansen",
        behandelaar_email="m.jansen@voorbeeldhaven.nl",
        overeenkomst=OVEREENKOMST,
        ondertekening=ONDERTEKENING,
    )


def _adviesaanvraag() -> AdviesaanvraagBrief:
    return AdviesaanvraagBrief(
        **_common(ONDERWERP, date(2027, 3, 17)),
        categorie="b",
        categorie_omschrijving=Category.b.description,
        complexen=["Complex 112, Bloemenbuurt: Anjerstraat 1-47 en Dahliastraat 2-96 (144 woningen)"],
        voornemen=(
            "Wij willen de 144 woningen van complex 112 in 2028 verduurzamen. Wij isoleren de gevels, "
            "daken en vloeren. Het enkel glas vervangen wij door HR++-glas, de cv-ketels door hybride "
            "warmtepompen. De woningen gaan daarmee van gemiddeld energielabel E naar label A.\n\n"
            "De werkzaamheden duren per woning ongeveer tien werkdagen. Huurders blijven tijdens de "
            "werkzaamheden in hun woning wonen."
        ),
        beweegredenen=(
            "De woningen in complex 112 zijn slecht geïsoleerd. De energielasten van de huurders zijn hoog. "
            "In de winter is het in veel woningen koud en vochtig. Met de verduurzaming voldoen wij "
            "bovendien aan de afspraak in de prestatieafspraken met de gemeente om in 2028 geen woningen "
            "met label E, F of G meer te hebben."
        ),
        gevolgen_voor_huurders=(
            "Huurders krijgen een comfortabelere woning en lagere energielasten: wij schatten de besparing "
            "op € 45 tot € 70 per maand. Wij vragen na de werkzaamheden een huurverhoging van € 25 per "
            "maand. Tijdens de werkzaamheden is er overlast van geluid en stof; wij bieden een "
            "logeerwoning aan in de straat."
        ),
        alternatieven=(
            "Wij hebben ook gekeken naar alleen het vervangen van het glas. Dat levert te weinig op om "
            "de woningen op label B of beter te brengen."
        ),
        bijlagen=["Projectplan verduurzaming complex 112 (versie 1.3)", "Sociaal plan Bloemenbuurt 2028",
                  "Berekening woonlasten per woningtype"],
        informatie_verstrekt_op=date(2027, 3, 17),
        adviestermijn_einde=date(2027, 4, 28),
        adviestermijn_verlengd_reden=None,
        overleg_aanbod=OVERLEG,
        vertrouwelijk=True,
        instemming_gevraagd=False,
    )


# The renovation of complex 301 De Molen: the invitation to one household, the panel, its first meeting.
HUISHOUDEN = Geadresseerde(naam="J. de Boer en A. de Boer-Smit", soort="huurder", adres="Molenweg 1",
                           postcode_plaats="1236 EF  Voorbeeldstad")
BEWONERSCOMMISSIE = Geadresseerde(naam="Bewonerscommissie De Molen", soort="bewonerscommissie",
                                  ter_attentie_van="mevrouw F. El Amrani (secretaris)", adres="Molenweg 40",
                                  postcode_plaats="1236 EF  Voorbeeldstad")
RENOVATIE = "renovatie complex 301 De Molen"
CONTACT = "Marieke Jansen, 010 123 45 67, m.jansen@voorbeeldhaven.nl"


def _renovatie(geadresseerde: Geadresseerde, datum: date) -> dict:
    return _common(RENOVATIE, datum) | {"kenmerk": "REN-2027-3K8M2Q7X4P", "geadresseerde": geadresseerde}


def _renovation_sample(doc_type: DocumentType) -> Brief | None:
    if doc_type is DocumentType.UITNODIGING_RENOVATIE:
        return UitnodigingRenovatieBrief(
            **_renovatie(HUISHOUDEN, date(2027, 4, 6)) | {"overeenkomst": None}, eenheid="301-001",
            complex_naam="Complex 301 De Molen", complex_adres="Molenweg 1-95, Voorbeeldstad",
            reden="De woningen zijn ruim vijftig jaar oud. Wij willen ze isoleren, nieuwe kozijnen plaatsen en de "
                  "badkamers vernieuwen.\n\nZo worden de woningen comfortabeler en dalen de energiekosten.",
            aftrap_datum=date(2027, 4, 20), aftrap_tijd="19.30 uur", aftrap_plaats="buurthuis De Wieken, Molenweg 50",
            panel_soort="bewonerscommissie", wohv_rechten=True, aanmelden_voor=date(2027, 5, 4), contact=CONTACT)
    if doc_type is DocumentType.PANEL_BEVESTIGING:
        return PanelBevestigingBrief(
            **_renovatie(BEWONERSCOMMISSIE, date(2027, 5, 18)), complex_naam="Complex 301 De Molen",
            panel_soort="bewonerscommissie", wohv_rechten=True, opgericht_op=date(2027, 5, 11),
            leden=[Panellid(naam="J. de Boer", adres="Molenweg 1, 1236 EF Voorbeeldstad", rol="voorzitter"),
                   Panellid(naam="F. El Amrani", adres="Molenweg 3, 1236 EF Voorbeeldstad", rol="secretaris")],
            faciliteiten="Een vergaderruimte in buurthuis De Wieken, een budget van € 1.500 per jaar en een "
                         "onafhankelijk adviseur naar keuze van de commissie.",
            werkafspraken="Wij vergaderen eens per zes weken. Stukken krijgt u een week van tevoren.",
            advies_naar="Bewonerscommissie De Molen",
            advies_artikel="artikel 1 lid 1 onder g en artikel 5 Wet op het overleg huurders verhuurder",
            contact=CONTACT)
    if doc_type is DocumentType.RENOVATIEVOORSTEL:
        return RenovatievoorstelBrief(
            **_renovatie(HUISHOUDEN, date(2027, 9, 1)) | {"overeenkomst": None}, eenheid="301-001",
            contractnummer="HO-2019-0031", complex_naam="Complex 301 De Molen", versie=1,
            renovatie="Isolatie van gevel en dak, nieuwe kozijnen met HR++-glas.", onderhoud="Schilderwerk buiten.",
            planning="Start 1 februari 2028; per woning drie weken; klaar in juni 2028.", bewoond=False,
            wisselwoning="Molenweg 90, gemeubileerd, 65 m2, huur gelijk aan uw huidige huur.",
            huur_nu=Decimal("812.50"), huur_nieuw=Decimal("857.50"), huurverhoging=Decimal("45.00"),
            huurverhoging_per=date(2028, 7, 1), verhuisvergoeding=Decimal("7156.00"),
            verhuisvergoeding_van=date(2023, 3, 1), verhuisvergoeding_tot=date(2024, 2, 29),
            antwoorden_voor=date(2027, 9, 15), antwoordcode="7K3QX-M9PZA",
            antwoord_url="https://inspraak.example.nl/antwoord", contact=CONTACT)
    if doc_type is DocumentType.HERINNERING_DRAAGVLAKMETING:
        return HerinneringDraagvlakmetingBrief(
            **_renovatie(HUISHOUDEN, date(2027, 9, 10)) | {"overeenkomst": None}, eenheid="301-001",
            complex_naam="Complex 301 De Molen", versie=1, verzonden_op=date(2027, 9, 1),
            antwoorden_voor=date(2027, 9, 15), antwoordcode="7K3QX-M9PZA",
            antwoord_url="https://inspraak.example.nl/antwoord", contact=CONTACT)
    if doc_type is DocumentType.UITSLAG_DRAAGVLAK:
        return UitslagDraagvlakBrief(
            **_renovatie(BEWONERSCOMMISSIE, date(2027, 9, 20)), complex_naam="Complex 301 De Molen", versie=1,
            peildatum=date(2027, 9, 1),
            noemer_uitleg="alle 40 woningen van het complex die op de peildatum op de lijst stonden.",
            methode="schriftelijke antwoordstrook, huisbezoek of persoonlijke antwoordcode online",
            gesloten_op=date(2027, 9, 20), totaal=40, ingestemd=29, niet_ingestemd=6, geen_reactie=5,
            percentage="72,50", genoeg_woningen=True, bereikt=True, contact=CONTACT)
    if doc_type is DocumentType.KENNISGEVING_70:
        return Kennisgeving70Brief(
            **_renovatie(HUISHOUDEN, date(2027, 9, 24)) | {"overeenkomst": None}, eenheid="301-001",
            contractnummer="HO-2019-0031", complex_naam="Complex 301 De Molen", versie=1,
            gesloten_op=date(2027, 9, 20), totaal=40, ingestemd=29, percentage="72,50",
            ontvangst_verwacht=date(2027, 9, 25), termijn_einde=date(2027, 11, 22),
            termijn_verlengd_reden="zaterdag", contact=CONTACT)
    if doc_type is DocumentType.TERMIJN_KENNISGEVING:
        return TermijnKennisgevingBrief(
            **_renovatie(HUISHOUDEN, date(2027, 9, 28)) | {"overeenkomst": None}, eenheid="301-001",
            contractnummer="HO-2019-0031", complex_naam="Complex 301 De Molen", verzonden_op=date(2027, 9, 24),
            ontvangen_op=date(2027, 9, 25), termijn_einde=date(2027, 11, 22),
            termijn_zonder_verlenging=date(2027, 11, 20), contact=CONTACT)
    if doc_type is DocumentType.VERSLAG_BIJEENKOMST:
        return VerslagBijeenkomstBrief(
            **_renovatie(BEWONERSCOMMISSIE, date(2027, 6, 2)), complex_naam="Complex 301 De Molen", nummer=1,
            gehouden_op=date(2027, 6, 1), plaats="buurthuis De Wieken",
            aanwezigen=["J. de Boer (voorzitter)", "F. El Amrani (secretaris)", "Marieke Jansen (Voorbeeldhaven)"],
            punten=["Kennismaking en werkwijze", "Planning van het woonwensenonderzoek"],
            afspraken=[Afspraak(wat="Vragenlijst woonwensen opstellen", wie="Marieke Jansen",
                                wanneer=date(2027, 6, 15))],
            volgende_bijeenkomst="dinsdag 13 juli 2027 om 19.30 uur in buurthuis De Wieken")
    return _works_sample(doc_type)


def _works_sample(doc_type: DocumentType) -> Brief | None:
    if doc_type is DocumentType.OPLEVERINGSBRIEF:
        return OpleveringBrief(
            **_renovatie(HUISHOUDEN, date(2028, 3, 17)) | {"overeenkomst": None}, eenheid="301-001",
            contractnummer="HO-2019-0031", complex_naam="Complex 301 De Molen", opgeleverd_op=date(2028, 3, 15),
            huur_nu=Decimal("812.50"), huur_nieuw=Decimal("857.50"), huurverhoging=Decimal("45.00"),
            huur_nieuw_per=date(2028, 7, 1), huurcommissie_uiterlijk=date(2028, 6, 15), contact=CONTACT)
    if doc_type is DocumentType.EVALUATIEVERSLAG:
        return EvaluatieverslagBrief(
            **_renovatie(BEWONERSCOMMISSIE, date(2028, 10, 3)), complex_naam="Complex 301 De Molen",
            gehouden_op=date(2028, 10, 2), plaats="buurthuis De Wieken",
            aanwezigen=["J. de Boer (voorzitter)", "F. El Amrani (secretaris)", "Marieke Jansen (Voorbeeldhaven)"],
            goed=["De planning per woning werd goed gecommuniceerd."],
            beter=["Meer tijd tussen het voorstel en de antwoorddatum."],
            afspraken=[Afspraak(wat="Lessen delen met het volgende project", wie="Marieke Jansen",
                                wanneer=date(2028, 11, 1))],
            woningen=40, opgeleverd=39, huur_afgesproken=36, huur_huurcommissie=2, huur_termijn_verstreken=1)
    if doc_type is DocumentType.OPHEFFING_PANEL:
        return OpheffingPanelBrief(
            **_renovatie(BEWONERSCOMMISSIE, date(2028, 11, 7)), complex_naam="Complex 301 De Molen",
            panel_soort="bewonerscommissie", panel_lidwoord="de bewonerscommissie", bc_wohv=True,
            opgericht_op=date(2027, 5, 11), opgeheven_op=date(2028, 11, 7), bijeenkomsten=9,
            archief="het projectarchief van Voorbeeldhaven, Havenstraat 1; inzage op afspraak",
            persoonlijk="Dank voor de vele avonden die u in dit project hebt gestoken.", contact=CONTACT,
            # flipped: a klantenpanel after a stop (B17)
            reden="De gemeente trekt de subsidie in. Zonder die subsidie kunnen wij de renovatie niet betalen",
            bewaard_tot=date(2030, 11, 7))
    if doc_type is DocumentType.START_WERKZAAMHEDEN:
        return StartWerkzaamhedenBrief(
            **_renovatie(HUISHOUDEN, date(2028, 2, 1)) | {"overeenkomst": None}, eenheid="301-001",
            contractnummer="HO-2019-0031", complex_naam="Complex 301 De Molen", gestart_op=date(2028, 2, 1),
            renovatie="Isolatie van gevel en dak, nieuwe kozijnen met HR++-glas.",
            planning="Start 1 februari 2028; per woning drie weken; klaar in juni 2028.", bewoond=False,
            wisselwoning="Molenweg 90, gemeubileerd, 65 m2, huur gelijk aan uw huidige huur.",
            verhuisvergoeding=Decimal("7900.00"), verhuisvergoeding_jaar=2028, contact=CONTACT)
    return None


def sample_context(doc_type: DocumentType) -> Brief:
    """A realistic, fully filled-in context for a letter of this type."""
    doc_type = DocumentType(doc_type)
    renovation = _renovation_sample(doc_type)
    if renovation is not None:
        return renovation
    if doc_type is DocumentType.ADVIESAANVRAAG:
        return _adviesaanvraag()
    if doc_type is DocumentType.ONTVANGSTBEVESTIGING_ADVIES:
        return OntvangstbevestigingBrief(
            **_common(ONDERWERP, date(2027, 4, 23)),
            advies_datum=date(2027, 4, 20),
            advies_ontvangen_op=date(2027, 4, 22),
            adviespunten=[
                "Beperk de huurverhoging tot € 15 per maand.",
                "Bied huurders die dat willen een logeerwoning aan, ook voor een halve dag.",
                "Laat een onafhankelijk bureau de besparing op de energielasten per woning berekenen.",
            ],
            uiterste_reactiedatum=date(2027, 5, 6),
        )
    if doc_type is DocumentType.HERINNERING:
        return HerinneringBrief(
            **_common(ONDERWERP, date(2027, 4, 14)),
            informatie_verstrekt_op=date(2027, 3, 17),
            adviestermijn_einde=date(2027, 4, 28),
            dagen_resterend=14,
            instemming_gevraagd=False,
            overleg_aanbod="maandag 19 april 2027 om 19.30 uur, op ons kantoor aan de Havenkade 12",
        )
    if doc_type is DocumentType.TERMIJN_VERSTREKEN:
        return TermijnVerstrekenBrief(
            **_common(ONDERWERP, date(2027, 4, 29)),
            informatie_verstrekt_op=date(2027, 3, 17),
            adviestermijn_einde=date(2027, 4, 28),
            instemming_gevraagd=False,
        )
    if doc_type is DocumentType.REACTIE_ADVIES:
        return ReactieBrief(
            **_common(ONDERWERP, date(2027, 5, 4)),
            advies_ontvangen_op=date(2027, 4, 22),
            besluit="deels gevolgd",
            advies_gevolgd=False,
            punten=[
                Adviespunt(nummer=1, samenvatting="Beperk de huurverhoging tot € 15 per maand.",
                           overgenomen="deels",
                           motivering="Wij verlagen de huurverhoging naar € 20 per maand. Lager kan niet: "
                                      "dan kunnen wij de investering niet verantwoorden."),
                Adviespunt(nummer=2, samenvatting="Bied huurders die dat willen een logeerwoning aan, ook "
                                                  "voor een halve dag.",
                           overgenomen="ja"),
                Adviespunt(nummer=3, samenvatting="Laat een onafhankelijk bureau de besparing op de "
                                                  "energielasten per woning berekenen.",
                           overgenomen="nee",
                           motivering="De berekening is gemaakt volgens de landelijke rekenmethode "
                                      "(NTA 8800) en door een gecertificeerd adviseur gecontroleerd. Een "
                                      "tweede berekening voegt volgens ons weinig toe."),
            ],
            toelichting="Wij hebben uw advies besproken in ons managementoverleg van 3 mei 2027.",
            vroegste_uitvoeringsdatum=date(2027, 5, 10),
        )
    if doc_type is DocumentType.INTERNE_ESCALATIE:
        return EscalatieBrief(
            **{**_common(ONDERWERP, date(2027, 5, 4)), "geadresseerde": MANAGER, "ondertekening": []},
            reden=("Het advies van Huurdersvereniging Eendracht is op 22 april 2027 ontvangen. Er is nog "
                   "geen besluit vastgelegd en de gemotiveerde reactie is nog niet verzonden."),
            termijn="termijn voor de gemotiveerde reactie",
            termijn_artikel="artikel 5 lid 2 Wet op het overleg huurders verhuurder",
            termijn_einde=date(2027, 5, 6),
            traject_onderwerp=ONDERWERP,
            organisatie="Huurdersvereniging Eendracht",
            staat="advies ontvangen, besluit nog niet genomen",
            actie=("Neem uiterlijk 5 mei 2027 een besluit over de drie adviespunten, zodat de reactie op "
                   "6 mei 2027 kan worden verzonden. Een te late reactie verzwakt onze positie bij de "
                   "kantonrechter (artikel 8 lid 3 Wet op het overleg huurders verhuurder)."),
        )
    if doc_type is DocumentType.MEDEDELING_UITVOERING:
        return UitvoeringBrief(
            **_common(ONDERWERP, date(2027, 5, 11)),
            uitgevoerd_op=date(2027, 5, 10),
            grondslag=("drie dagen zijn verstreken nadat u onze gemotiveerde reactie van 4 mei 2027 "
                       "ontving (artikel 5 lid 3 onder c Wohv)"),
            toelichting=("De aannemer start in september 2027 met de eerste woningen aan de Anjerstraat. "
                         "Alle huurders ontvangen vooraf een persoonlijke planning."),
        )
    if doc_type is DocumentType.VERLENGING_TERMIJN:
        return VerlengingBrief(
            **_common(ONDERWERP, date(2027, 4, 21)),
            informatie_verstrekt_op=date(2027, 3, 17),
            oude_einddatum=date(2027, 4, 28),
            nieuwe_einddatum=date(2027, 5, 12),
            reden="Het bestuur wil eerst een bewonersavond in de Bloemenbuurt houden.",
            instemming_gevraagd=False,
        )
    if doc_type is DocumentType.INTREKKING:
        return IntrekkingBrief(
            **_common(ONDERWERP, date(2027, 4, 2)),
            informatie_verstrekt_op=date(2027, 3, 17),
            reden="De gemeente heeft de subsidie voor de verduurzaming ingetrokken. Wij maken een nieuw plan.",
            instemming_gevraagd=False,
        )
    raise ValueError(f"no sample for {doc_type!r}")
