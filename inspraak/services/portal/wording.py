"""What the portal says, in plain Dutch (B1): what is asked of the reader, by when, and what happens now.

Pages only show this; the state, the terms and who may see what come from the trajectory's own view.
"""

from dataclasses import dataclass
from datetime import date

from inspraak.domain.advice import AdviceRequestView
from inspraak.domain.advice import State as Advice
from inspraak.domain.dutch import datum_lang
from inspraak.domain.renovation import State as Renovation
from inspraak.domain.renovation_view import RenovationView
from inspraak.domain.trajectory import TermView

# Terms in which the tenant organisation has to do something, and those in which households (tenants) do;
# every other term is the corporation's.
ORGANISATION_TERMS = frozenset({"advice_term", "consent_term"})
HOUSEHOLD_TERMS = frozenset({"sign_up", "proposal_reply", "renovation_objection"})

TERM_STATUS = {"running": "loopt", "met": "gehaald", "expired": "verstreken", "cancelled": "vervallen"}

DOCUMENT_KIND = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word-document",
    "application/pdf": "PDF-bestand",
}


@dataclass(frozen=True)
class Countdown:
    text: str  # "nog 12 dagen", "vandaag is de laatste dag", "3 dagen te laat"
    overdue: bool
    urgent: bool  # a week or less left


def countdown(due_on: date, today: date) -> Countdown:
    left = (due_on - today).days
    if left < 0:
        late = -left
        return Countdown(f"{late} {'dag' if late == 1 else 'dagen'} te laat", True, True)
    if left == 0:
        return Countdown("vandaag is de laatste dag", False, True)
    if left == 1:
        return Countdown("nog 1 dag (morgen is de laatste dag)", False, True)
    return Countdown(f"nog {left} dagen", False, left <= 7)


@dataclass(frozen=True)
class Task:
    """One thing someone has to do by a date: the reader's own organisation, or the corporation."""

    who: str  # "u" or "ons" (staff read "de organisatie" or "ons")
    what: str
    due_on: date
    countdown: Countdown

    @property
    def due_text(self) -> str:
        return datum_lang(self.due_on)


# What each term asks, as the organisation reads it and as staff read it.
TERM_TASKS: dict[str, tuple[str, str]] = {
    "advice_term": ("uw advies geven", "advies geven"),
    "consent_term": ("laten weten of u instemt", "laten weten of zij instemt"),
    "reply_term": ("u ons besluit sturen, met de redenen", "het besluit sturen, met de redenen"),
    "execution_wait": ("drie dagen wachten voordat wij het besluit uitvoeren", "drie dagen wachten voor de uitvoering"),
    "sign_up": ("zich aanmelden voor het bewonerspanel", "zich aanmelden voor het bewonerspanel"),
    "proposal_reply": ("laten weten of zij het eens zijn met het voorstel",
                       "laten weten of zij het eens zijn met het voorstel"),
    "renovation_objection": ("de rechter vragen of het voorstel redelijk is",
                             "de rechter vragen of het voorstel redelijk is"),
}


def task(t: TermView, today: date, for_staff: bool = False) -> Task:
    """What one term asks of whom, by when, worded for its reader."""
    own = t.term in ORGANISATION_TERMS
    who = "de huishoudens" if t.term in HOUSEHOLD_TERMS else \
        ("de organisatie" if own else "ons") if for_staff else ("u" if own else "ons")
    what = TERM_TASKS.get(t.term, (t.name, t.name))[1 if for_staff else 0]
    return Task(who, what, t.due_on, countdown(t.due_on, today))


def tasks(deadlines: list[TermView], today: date, for_staff: bool = False) -> list[Task]:
    """The running terms, the organisation's first, each with its countdown; worded for its reader."""
    out = [task(t, today, for_staff) for t in deadlines if t.status.value == "running"]
    return sorted(out, key=lambda t: (t.who != ("de organisatie" if for_staff else "u"), t.due_on))


def staff_summary(state_label: str) -> str:
    return f"Stand van zaken: {state_label}."


ADVICE_NOW: dict[Advice, str] = {
    Advice.ADVIES_ONTVANGEN: "Wij hebben uw advies ontvangen. U hoeft nu niets te doen: wij sturen u ons besluit.",
    Advice.REACTIE_VERZONDEN: "Wij hebben u ons besluit gestuurd. Laat ons weten dat u het hebt ontvangen.",
    Advice.WACHTTIJD_3_DAGEN: "U hebt ons besluit ontvangen. Na drie dagen mogen wij het uitvoeren.",
    Advice.UITVOERBAAR: "Het besluit mag nu worden uitgevoerd. U hoeft niets te doen.",
    Advice.UITGEVOERD: "Het besluit is uitgevoerd. U hoeft niets te doen.",
    Advice.INSTEMMING_GEWEIGERD: "U hebt niet ingestemd. Wij voeren dit plan niet uit zonder uw instemming.",
    Advice.GEEN_INSTEMMING_ESCALATIE: "De termijn is voorbij zonder uw instemming. Wij nemen contact met u op.",
    Advice.INGETROKKEN: "Wij hebben deze aanvraag ingetrokken. U hoeft niets meer te doen.",
    Advice.GESLOTEN: "Deze aanvraag is afgesloten.",
}


def advice_summary(view: AdviceRequestView) -> str:
    """What this advice or consent request asks of the organisation now, in one or two sentences."""
    s = view.state
    if s in (Advice.VERZONDEN, Advice.IN_BEHANDELING):
        if view.consent_requested:
            return "Wij vragen uw instemming met dit plan. Laat ons uiterlijk op de datum hieronder weten of u instemt."
        return "Wij vragen uw advies over dit plan. Geef uw advies uiterlijk op de datum hieronder."
    if s == Advice.OVERLEG_GEPLAND:
        asked = "uw instemming" if view.consent_requested else "uw advies"
        return f"U hebt gevraagd om overleg. Daarna vragen wij {asked}."
    return ADVICE_NOW.get(s, f"Stand van zaken: {view.state_label}.")


def renovation_summary(view: RenovationView) -> str:
    s = view.state
    if s in (Renovation.VOORBEREIDING, Renovation.UITNODIGING_ALLE_HUURDERS, Renovation.PANEL_IN_OPRICHTING):
        return "De huurders van het complex worden uitgenodigd voor een bewonerspanel. U hoeft nu niets te doen."
    if s in (Renovation.VOORSTELLEN_VERZONDEN, Renovation.DRAAGVLAKMETING):
        return "Alle huishoudens hebben een renovatievoorstel gekregen. Zij laten weten of zij het ermee eens zijn."
    if s == Renovation.DRAAGVLAK_BEREIKT:
        return "Minstens 70 procent van de huishoudens is het eens met het voorstel."
    if s == Renovation.DRAAGVLAK_NIET_BEREIKT:
        return "Minder dan 70 procent van de huishoudens is het eens met het voorstel."
    if s in (Renovation.GESLOTEN, Renovation.GESTOPT, Renovation.PANEL_OPGEHEVEN):
        return "Deze renovatie is afgesloten of gestopt."
    return "U hoeft nu niets te doen."


def file_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
