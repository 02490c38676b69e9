"""Everything the action forms say, in plain Dutch (B1), in one place: each action's name, what was done, the
fields' labels and hints, the choices, the errors, and why an action cannot be taken now.

The rules themselves (which state allows which action, which date is too early) are the trajectory's own
(its state × action table and its validators); this module only words them. The refusal is built from the table:
the state the trajectory is in and the states the action needs, by their labels (``STATE_LABELS``).
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from inspraak.domain.dutch import datum_lang


@dataclass(frozen=True)
class Words:
    staff: str  # the button and the page's title, as staff read it
    done: str  # what the detail page says after it was done
    organisation: str = ""  # as the organisation reads it, when it may take the action itself
    intro: str = ""  # one or two sentences on the form page: what happens when it is sent


ADVICE: dict[str, Words] = {
    "confirm_receipt": Words("Ontvangst door de organisatie vastleggen", "De ontvangst is vastgelegd.",
                             "Laten weten dat u de aanvraag hebt ontvangen"),
    "request_overleg": Words("Verzoek om overleg vastleggen", "Het verzoek om overleg is vastgelegd.",
                             "Om overleg vragen",
                             "De termijn loopt door. Na het overleg geeft de organisatie haar antwoord."),
    "extend_term": Words("De termijn verlengen", "De termijn is verlengd. De organisatie krijgt een brief.",
                         intro="De organisatie krijgt een brief met de nieuwe laatste dag en de reden."),
    "record_advice": Words("Ontvangen advies vastleggen", "Het advies is vastgelegd. De organisatie krijgt een "
                           "ontvangstbevestiging.", "Geef uw advies",
                           "De organisatie krijgt een ontvangstbevestiging. Daarna hebt u 14 dagen voor het besluit "
                           "(artikel 5 lid 2 Wohv)."),
    "record_no_objection": Words("'Geen bezwaar' vastleggen", "'Geen bezwaar' is vastgelegd. Het besluit mag nu "
                                 "worden uitgevoerd.", "Laten weten dat u geen bezwaar hebt",
                                 "Met 'geen bezwaar' mag het besluit meteen worden uitgevoerd (artikel 5 lid 3 "
                                 "Wohv)."),
    "record_consent": Words("Instemming of weigering vastleggen", "Het antwoord is vastgelegd.",
                            "Laten weten of u instemt"),
    "decide": Words("Besluit nemen op het advies", "Het besluit is vastgelegd. De organisatie krijgt het in een "
                    "brief.", intro="De organisatie krijgt het besluit met de motivering per punt in een brief "
                                    "(artikel 5 lid 2 Wohv)."),
    "confirm_reply_receipt": Words("Ontvangst van het besluit vastleggen", "De ontvangst van het besluit is "
                                   "vastgelegd. De wachttijd van drie dagen loopt.",
                                   "Laten weten dat u ons besluit hebt ontvangen",
                                   "Daarna wachten wij drie dagen voordat wij het besluit uitvoeren (artikel 5 lid 3 "
                                   "Wohv)."),
    "file_dispute": Words("Een geschil vastleggen", "Het geschil is vastgelegd."),
    "resolve_dispute": Words("De afloop van het geschil vastleggen", "De afloop van het geschil is vastgelegd."),
    "record_execution": Words("De uitvoering vastleggen", "De uitvoering is vastgelegd. De organisatie krijgt een "
                              "brief."),
    "withdraw": Words("De aanvraag intrekken", "De aanvraag is ingetrokken. De organisatie krijgt een brief.",
                      intro="De organisatie krijgt een brief met de reden. Daarna kan er niets meer aan de aanvraag "
                            "veranderen."),
    "close": Words("Het dossier sluiten", "Het dossier is gesloten.",
                   intro="Na het sluiten kan er geen geschil meer worden vastgelegd."),
}

RENOVATION: dict[str, Words] = {
    "invite": Words("Alle huishoudens uitnodigen", "De uitnodigingen zijn gemaakt.",
                    intro="Elk huishouden krijgt een brief, en een mail als het een e-mailadres gaf."),
    "record_sign_up": Words("Een aanmelding voor het panel vastleggen", "De aanmelding is vastgelegd."),
    "constitute_panel": Words("Het panel samenstellen", "Het panel is samengesteld."),
    "record_meeting": Words("Een panelvergadering vastleggen", "De vergadering is vastgelegd. Het verslag is "
                            "gemaakt."),
    "hand_in_plan": Words("Projectplan of sociaal plan toevoegen", "Het plan is toegevoegd."),
    "start_advice_request": Words("De adviesaanvraag over de plannen versturen", "De adviesaanvraag is verstuurd.",
                                  intro="De organisatie krijgt het projectplan en het sociaal plan met deze "
                                        "adviesaanvraag (artikel 4 Wohv)."),
    "send_proposals": Words("De renovatievoorstellen versturen", "De voorstellen zijn verstuurd."),
    "record_answer": Words("Een antwoord op het voorstel vastleggen", "Het antwoord is vastgelegd.",
                           intro="Een later antwoord van dezelfde woning vervangt het eerdere."),
    "close_vote": Words("De telling sluiten", "De telling is gesloten. De organisatie krijgt de uitslag."),
    "stop": Words("De renovatie stoppen", "De renovatie is gestopt."),
    "send_notices": Words("De kennisgeving versturen", "De kennisgevingen zijn gemaakt.",
                          intro="Elke woning die niet instemde krijgt een aangetekende kennisgeving (artikel 7:220 "
                                "lid 3 BW)."),
    "record_receipts": Words("Ontvangst van de kennisgeving vastleggen", "De ontvangst is vastgelegd. De acht "
                             "weken lopen vanaf die dag."),
    "record_court_claim": Words("Een rechtszaak van een huurder vastleggen", "De rechtszaak is vastgelegd."),
    "record_landlord_claims": Words("Rechtszaken van de verhuurder vastleggen", "De rechtszaken zijn vastgelegd."),
    "record_ruling": Words("Een uitspraak van de rechter vastleggen", "De uitspraak is vastgelegd."),
    "follow_rulings": Words("De uitspraken volgen", "Vastgelegd: de werkzaamheden volgen de uitspraken."),
    "adjust_proposal": Words("Het voorstel aanpassen", "Vastgelegd: het voorstel wordt aangepast."),
    "start_works": Words("De start van de werkzaamheden vastleggen", "De start is vastgelegd."),
    "complete_homes": Words("Opgeleverde woningen vastleggen", "De oplevering is vastgelegd."),
    "settle_rent": Words("De huur na de werkzaamheden vastleggen", "De huur is vastgelegd."),
    "record_evaluation": Words("De evaluatie vastleggen", "De evaluatie is vastgelegd. Het verslag is gemaakt."),
    "dissolve_panel": Words("Het panel opheffen", "Het panel is opgeheven. De leden krijgen een brief."),
    "close": Words("De renovatie sluiten", "De renovatie is gesloten."),
    "erase_personal_data": Words("Persoonsgegevens wissen", "De persoonsgegevens zijn gewist.",
                                 intro="Namen, adressen en brieven aan huishoudens worden gewist. De totalen "
                                       "blijven."),
}

# What is done elsewhere than in a form of the portal, and where (staff only).
ELSEWHERE: dict[str, str] = {
    "constitute_panel": "via de API: POST /v1/renovations/{id}/panel (de leden met hun rol)",
    "hand_in_plan": "via de API: POST /v1/renovations/{id}/plans (een Word-bestand of PDF)",
    "send_proposals": "via de API: POST /v1/renovations/{id}/proposals (de nieuwe huur per woning)",
}


@dataclass(frozen=True)
class Label:
    label: str
    hint: str = ""
    today: bool = False  # filled in with today's date on an empty form
    optional_said: bool = True  # an optional field says "(mag leeg blijven)"; not when its hint says when needed


# Field name → label; (action, field) for a field whose meaning differs per action. A hint may name {due}: the
# last day of the running term, and {today}.
FIELDS: dict[str, Label] = {
    "received_on": Label("Datum van ontvangst", "Niet in de toekomst.", today=True),
    "requested_on": Label("Gevraagd op", "De dag waarop de organisatie om overleg vroeg.", today=True),
    "planned_on": Label("Datum van het overleg", "Als er al een dag is afgesproken."),
    "note": Label("Toelichting"),
    "new_end": Label("Nieuwe laatste dag van de termijn", "Nu is de laatste dag {due}. Kies een latere dag."),
    "reason": Label("Reden", "Dit staat in de brief aan de organisatie."),
    "advice_dated": Label("Datum van de adviesbrief"),
    "points": Label("De punten", "Elk punt in een eigen alinea. Laat een lege regel tussen twee punten."),
    "given": Label("Stemt de organisatie in?"),
    "forum": Label("Waar loopt het geschil?"),
    "filed_on": Label("Ingediend op", today=True),
    "description": Label("Waar gaat het geschil over?"),
    "execution_suspended": Label("De kantonrechter heeft de uitvoering geschorst of verboden",
                                 "Alleen dan mag het besluit niet worden uitgevoerd (artikel 8 lid 2 en 3 Wohv)."),
    "resolved_on": Label("Afgelopen op", today=True),
    "outcome": Label("Afloop"),
    "executed_on": Label("Uitgevoerd op", today=True),
    "kickoff_at": Label("Datum en tijd van de startbijeenkomst"),
    "kickoff_place": Label("Plaats van de startbijeenkomst"),
    "sign_up_deadline": Label("Laatste dag om zich aan te melden", "Minstens 14 dagen na vandaag."),
    "contact": Label("Contact voor vragen", "Zonder invulling: de behandelaar."),
    "unit_id": Label("Eenheid", "Het nummer van de woning, zoals op de lijst van huishoudens."),
    "role_wish": Label("Gewenste rol", "Bijvoorbeeld voorzitter of lid."),
    "signed_up_on": Label("Aangemeld op", today=True),
    "held_on": Label("Datum", today=True),
    "place": Label("Plaats"),
    "attendees": Label("Aanwezigen", "Eén persoon per regel, met de rol."),
    "agreements": Label("Afspraken"),
    "next_meeting": Label("Volgende vergadering"),
    "choice": Label("Antwoord"),
    "channel": Label("Hoe kwam het antwoord binnen?"),
    "answered_on": Label("Beantwoord op", today=True),
    "method": Label("Hoe is geteld?"),
    "units": Label("Eenheden", "Eén eenheid per regel."),
    "unit_ids": Label("Eenheden", "Eén eenheid per regel."),
    "ruling": Label("Uitspraak"),
    "ruled_on": Label("Datum van de uitspraak", today=True),
    "reference": Label("Zaaknummer"),
    "completed_on": Label("Opgeleverd op", today=True),
    "recorded_on": Label("Datum", "De dag waarop de huurder akkoord ging, of waarop de Huurcommissie het verzoek "
                         "kreeg.", today=True),
    "went_well": Label("Wat ging goed", "Elk punt in een eigen alinea."),
    "to_improve": Label("Wat kan beter", "Elk punt in een eigen alinea."),
    "dissolved_on": Label("Opgeheven op", today=True),
    "archive": Label("Waar is het archief?", "Waar het archief van het project ligt en hoe men het kan inzien."),
    "started_on": Label("Gestart op", today=True),
    "intention": Label("Het voornemen"),
    "reasons": Label("De beweegredenen", "Artikel 4 lid 2 Wohv."),
    "consequences": Label("De gevolgen voor de huurders", "Artikel 4 lid 2 Wohv."),
    "alternatives": Label("Andere mogelijkheden"),
    "advice_term_ends_on": Label("Laatste dag van de adviestermijn", "Alleen als die later is dan de wettelijke "
                                 "termijn."),
    "meeting_offer": Label("Voorstel voor een overleg", "Data waarop wij kunnen overleggen."),
    "confidential": Label("Vertrouwelijk"),
    "adopted": Label("Wordt dit punt overgenomen?"),
    "motivation": Label("Motivering", "Nodig als het punt niet of maar deels wordt overgenomen (artikel 5 lid 2 "
                        "Wohv). Dit staat in de brief aan de organisatie.", optional_said=False),
    "decision": Label("Het besluit als geheel", "Alle punten ja: gevolgd. Alle punten nee: niet gevolgd. Anders: "
                      "deels gevolgd."),
    "explanation": Label("Toelichting bij het besluit", "Dit staat in de brief aan de organisatie."),
}
# When the organisation sends the action itself, its day is today (the day we receive it), as with its advice form:
# no date field to puzzle over.
TODAY_FOR_ORGANISATION = frozenset({("request_overleg", "requested_on"), ("record_no_objection", "received_on"),
                                    ("record_consent", "received_on"), ("record_advice", "received_on")})
# The order of a form's fields where the model's order does not read well (the points before the whole).
ORDER: dict[str, tuple[str, ...]] = {"decide": ("points", "decision", "explanation")}
ACTION_FIELDS: dict[tuple[str, str], Label] = {
    ("confirm_receipt", "received_on"): Label("Ontvangen op", "De dag waarop de organisatie de aanvraag kreeg.",
                                              today=True),
    ("confirm_reply_receipt", "received_on"): Label("Ontvangen op", "De dag waarop de organisatie het besluit "
                                                    "kreeg. Vanaf die dag lopen de drie dagen.", today=True),
    ("record_advice", "points"): Label("De adviespunten", "Elk punt in een eigen alinea. Laat een lege regel "
                                       "tussen twee punten."),
    ("decide", "points"): Label("Adviespunt"),
    ("extend_term", "reason"): Label("Waarom de termijn langer wordt", "Dit staat in de brief aan de organisatie."),
    ("withdraw", "reason"): Label("Waarom de aanvraag wordt ingetrokken", "Dit staat in de brief aan de "
                                  "organisatie."),
    ("stop", "reason"): Label("Waarom de renovatie stopt"),
    ("adjust_proposal", "reason"): Label("Waarom het voorstel wordt aangepast"),
    ("record_meeting", "points"): Label("Wat is besproken", "Elk punt in een eigen alinea. Laat een lege regel "
                                        "tussen twee punten."),
    ("record_receipts", "method"): Label("Hoe is de ontvangst bewezen?"),
    ("resolve_dispute", "outcome"): Label("Hoe is het geschil afgelopen?"),
    ("settle_rent", "outcome"): Label("Uitkomst"),
    ("start_works", "unit_ids"): Label("Alleen in deze eenheden", "Laat leeg bij de start in alle woningen. Later: "
                                       "de woningen die eerst geblokkeerd waren, één per regel."),
}

OPTIONS: dict[str, dict[str, str]] = {
    "given": {"ja": "Ja, de organisatie stemt in", "nee": "Nee, de organisatie stemt niet in"},
    "forum": {"huurcommissie": "De Huurcommissie", "kantonrechter": "De kantonrechter",
              "contractueel": "De geschillenregeling uit de samenwerkingsovereenkomst"},
    "choice": {"agreed": "Eens met het voorstel", "not_agreed": "Niet eens met het voorstel"},
    "channel": {"paper": "Antwoordstrook op papier", "home_visit": "Bij een huisbezoek",
                "staff": "Telefoon of balie"},
    "method": {"registered_mail": "Bewijs van aangetekende verzending", "signature": "Handtekening van de huurder"},
    "ruling": {"reasonable": "Het voorstel is redelijk: de werkzaamheden mogen door",
               "unreasonable": "Het voorstel is niet redelijk: de woning doet niet mee"},
    "outcome": {"agreed": "De huurder is akkoord", "disputed": "Voorgelegd aan de Huurcommissie"},
    "adopted": {"ja": "Ja, overgenomen", "deels": "Deels overgenomen", "nee": "Niet overgenomen"},
    "decision": {"followed": "Advies gevolgd", "partly": "Advies deels gevolgd",
                 "not_followed": "Advies niet gevolgd"},
    "legal_status": {"bc_wohv": "Bewonerscommissie (Wohv)", "klantenpanel": "Klantenpanel",
                     "klankbordgroep": "Klankbordgroep"},
}
YES_NO = {"ja": "Ja", "nee": "Nee"}


def for_organisation(text: str) -> str:
    """A label or hint as the organisation reads it about itself."""
    return text.replace("de organisatie", "uw organisatie").replace("De organisatie", "Uw organisatie")


def label_of(action: str, field: str) -> Label:
    return ACTION_FIELDS.get((action, field)) or FIELDS.get(field) or Label(field.replace("_", " ").capitalize())


def options_of(field: str, values: tuple[str, ...]) -> list[tuple[str, str]]:
    words = OPTIONS.get(field, {})
    return [(v, words.get(v) or YES_NO.get(v, v)) for v in values]


# ---- errors ----------------------------------------------------------------------------------------------

ERRORS: dict[str, str] = {
    "required": "Vul dit in.",
    "min_length": "Vul dit in.",
    "min_items": "Vul er minstens één in.",
    "max_length": "Dit is te lang: hoogstens {max_length} tekens.",
    "max_items": "Dit zijn er te veel: hoogstens {max_length}.",
    "date": "Vul een datum in.",
    "date_time": "Vul een datum en een tijd in.",
    "date_out_of_range": "Deze datum kan niet: kies een dag tussen 1970 en 2100.",
    "date_in_future": "Deze datum ligt in de toekomst. Vul de dag in waarop het gebeurde: vandaag of eerder.",
    "date_in_past": "Deze datum ligt te vroeg. Kies een latere dag.",
    "before_event": "Deze datum ligt te vroeg. Kies {date} of later.",
    "before_event_": "Deze datum ligt te vroeg. Kies een latere dag.",
    "extension_not_later": "Kies een dag na {date}. Een termijn kan alleen langer worden, niet korter.",
    "extension_too_long": "Kies {date} of eerder. Een termijn wordt per keer hoogstens {days} dagen verlengd.",
    "enum": "Kies een van de mogelijkheden.",
    "boolean": "Kies ja of nee.",
    "integer": "Vul een heel getal in.",
    "control_character": "Gebruik in dit veld geen tabs of regeleinden.",
    "pattern": "Gebruik alleen letters, cijfers en de tekens . _ / - (zonder spaties).",
    "motivation_required": "Schrijf waarom dit punt niet of maar deels wordt overgenomen (artikel 5 lid 2 Wohv).",
    "unknown_unit": "Deze eenheid staat niet op de lijst van huishoudens van deze renovatie.",
    "duplicate_unit": "Deze eenheid staat er twee keer in.",
    "not_notified": "Deze eenheid kreeg geen kennisgeving: het huishouden stemde in, of staat niet op de lijst.",
    "receipt_recorded": "De ontvangst van deze eenheid is al vastgelegd.",
    "case_recorded": "Voor deze eenheid loopt al een rechtszaak.",
    "no_case": "Voor deze eenheid loopt geen rechtszaak.",
    "ruling_recorded": "De uitspraak voor deze eenheid is al vastgelegd.",
    "decision_mismatch": "Dit past niet bij de punten hierboven: kies ‘{expected}’.",
    "one_per_advice_point": "Neem een besluit over elk adviespunt.",
    "term_ended": "De acht weken van deze eenheid waren toen al voorbij (artikel 7:220 lid 3 BW).",
}
# A missing answer, by the kind of field (form_fields.FormField.kind).
REQUIRED = {"date": "Vul een datum in.", "datetime": "Vul een datum en een tijd in.",
            "choice": "Kies een van de mogelijkheden.", "yesno": "Kies ja of nee.",
            "lines": "Vul er minstens één in.", "paragraphs": "Schrijf er minstens één."}
ITEM = {"points": "Punt", "went_well": "Punt", "to_improve": "Punt"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DAYS = re.compile(r"at most (\d+) days")


def error_text(field: str, item: int | None, code: str, reason: str, context: dict[str, Any], kind: str = "") -> str:
    """One error in plain Dutch: by its code, with the date or number the rule names; else the rule's reason."""
    if kind in ("text", "multiline") and code in ("min_items", "max_items"):
        code = code.replace("_items", "_length")  # pydantic counts an optional text's length as a list's
    template = REQUIRED.get(kind) if code in ("required", "min_items") and kind in REQUIRED else ERRORS.get(code)
    if template and "{date}" in template and not ISO_DATE.search(reason):
        template = ERRORS.get(f"{code}_", template)  # the rule names no day: the words without one
    found = ISO_DATE.search(reason)
    days = DAYS.search(reason)
    if "expected" in context:
        context = {**context, "expected": OPTIONS.get(field, {}).get(context["expected"], context["expected"])}
    values = {**context, "date": datum_lang(date.fromisoformat(found.group())) if found else "",
              "days": days.group(1) if days else ""}
    try:
        text = template.format(**values) if template else reason
    except (KeyError, IndexError):
        text = reason
    if item is not None:
        text = f"{ITEM.get(field, 'Regel')} {item}: {text}"
    return text


# ---- why not now -----------------------------------------------------------------------------------------

# Refused by what the state alone does not say (a dispute's flags, Wohv art. 8): the view leaves them out of
# ``allowed_actions`` although the table allows them.
FLAGS: dict[str, str] = {
    "file_dispute": "Er loopt al een geschil. Leg eerst de afloop daarvan vast.",
    "resolve_dispute": "Er loopt geen geschil.",
    "record_execution": "De kantonrechter heeft de uitvoering geschorst of verboden zolang het geschil loopt "
                        "(artikel 8 lid 2 en 3 Wohv).",
    "withdraw": "Er loopt een geschil. Leg eerst de afloop daarvan vast.",
    "close": "Er loopt een geschil. Leg eerst de afloop daarvan vast.",
}


# A 409 of a validator while the state itself allows the action (a rule about a date and the state together).
CONFLICTS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"the advice term ended on (\d{4}-\d{2}-\d{2}) and the decision became executable"), "received_on",
     "De adviestermijn eindigde op {date} en het besluit mag nu worden uitgevoerd (artikel 5 lid 3 sub b Wohv). "
     "Alleen advies dat op of vóór die dag binnenkwam, kan nog worden vastgelegd."),
]
CHANGED = "De stand van zaken is veranderd. Ga terug naar het traject en kijk wat er nu kan."


def conflict_text(detail: str) -> tuple[str, str]:
    """A refusal the table does not explain: (the field it is about or "", what it means in Dutch when we know
    it, else that the state changed)."""
    for pattern, field, text in CONFLICTS:
        m = pattern.search(detail)
        if m:
            return field, text.format(date=datum_lang(date.fromisoformat(m.group(1))))
    return "", CHANGED


def _either(items: list[str]) -> str:
    quoted = [f"‘{i}’" for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " of " + quoted[-1]


def refusal(*, action: str, noun: str, kind: str, state_label: str, states: list[str],
            allowed_by_table: bool) -> tuple[str, str]:
    """Why ``action`` cannot be taken now, from the table: (the state it is in, "kan alleen als" and the states it
    needs, by their labels in the order of the state machine). A refusal by a flag the state does not show (a
    dispute) is a sentence of its own."""
    now = f"Dit kan nu niet: {noun} staat op ‘{state_label}’."
    if allowed_by_table:
        return now, FLAGS.get(action, "")
    if not states:
        return f"Dit kan niet bij {kind}.", ""
    return now, f"kan alleen als {noun} staat op {_either(states)}."
