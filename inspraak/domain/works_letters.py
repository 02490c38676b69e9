"""What the renovation says from the works to its dissolution and erasure (B18-B22), in Dutch: the letter
when the works start in a home, the opleveringsbrief per home, the evaluatieverslag, the dissolution letter, the
notices of the rent term and the retention term, and the timeline lines.

As in ``renovation_letters``: letters that name households are made in two halves, the common part here
(``*_common``, no personal data) and the household's part by the merge activity with a builder (``build_*``,
registered in ``inspraak.domain.merge``).
"""

from datetime import date
from decimal import Decimal
from typing import Any

from inspraak.domain.documents import DocumentType
from inspraak.domain.dutch import aantal, bedrag, datum, regel
from inspraak.domain.households import Household, Households
from inspraak.domain.letter_contexts import (
    Afspraak,
    EvaluatieverslagBrief,
    Geadresseerde,
    OpheffingPanelBrief,
    OpleveringBrief,
    StartWerkzaamhedenBrief,
)
from inspraak.domain.panel import PanelLegalStatus
from inspraak.domain.renovation import RenovationState
from inspraak.domain.renovation_letters import (
    PANEL_SOORT,
    _base,
    contact,
    household_address,
    kenmerk,
    organisation_address,
)
from inspraak.domain.terms import Audience, PlannedRung, RungKind
from inspraak.domain.trajectory import Letter, Mail, Notice
from inspraak.domain.works import EvaluationRecorded, PanelDissolved, WorksTotals

_NOBODY = Geadresseerde(naam="-", soort="huurder")
WITH_ARTICLE = {PanelLegalStatus.BC_WOHV: "de bewonerscommissie", PanelLegalStatus.KLANTENPANEL: "het klantenpanel",
                PanelLegalStatus.KLANKBORDGROEP: "de klankbordgroep"}


# ---- the works start (B18) -----------------------------------------------------------------------------


def start_common(s: RenovationState, today: date, started_on: date) -> dict[str, Any]:
    """The works-start letter's common part, from the proposal's facts and what the start confirmed (the
    moving allowance of that year when the works are done unoccupied); the merge adds each home's own."""
    proposal, execution = s.proposal, s.execution
    if proposal is None or execution is None:
        raise ValueError("the works start letter needs the proposal and the works")
    allowance = execution.moving_allowance if not execution.occupied else None
    context = StartWerkzaamhedenBrief(
        **_base(s, today, _NOBODY), eenheid="-", contractnummer="-", complex_naam=s.renovation.complex.name,
        gestart_op=started_on, renovatie=proposal.works.renovation, planning=proposal.schedule,
        bewoond=execution.occupied, wisselwoning=execution.temporary_home or "",
        verhuisvergoeding=allowance.amount if allowance else None,
        verhuisvergoeding_jaar=allowance.valid_from.year if allowance else None, contact=contact(s))
    if allowance is not None:
        context.artikel_verhuisvergoeding = allowance.article
    return context.model_dump(mode="json")


def build_start_werkzaamheden(common: dict[str, Any], h: Household | None,
                              register: Households) -> StartWerkzaamhedenBrief:
    """One household's works-start letter: its address, its home and its contract."""
    if h is None:
        return StartWerkzaamhedenBrief.model_validate(common)
    return StartWerkzaamhedenBrief.model_validate(common | {
        "geadresseerde": household_address(h).model_dump(), "eenheid": h.unit_id,
        "contractnummer": h.contract_number})


def start_title(started_on: date) -> str:
    return f"Start van de werkzaamheden ({datum(started_on)})"


# ---- the opleveringsbrief (B19; document 10) ---------------------------------------------------------------


def oplevering_common(s: RenovationState, today: date, completed_on: date, rent_from: date,
                      huurcommissie_by: date) -> dict[str, Any]:
    """The completion letter's common part; the merge adds each home's own rent figures ("eigen")."""
    context = OpleveringBrief(
        **_base(s, today, _NOBODY), eenheid="-", contractnummer="-", complex_naam=s.renovation.complex.name,
        opgeleverd_op=completed_on, huur_nu=Decimal(0), huur_nieuw=Decimal(0), huurverhoging=Decimal(0),
        huur_nieuw_per=rent_from, huurcommissie_uiterlijk=huurcommissie_by, contact=contact(s))
    return context.model_dump(mode="json")


def build_oplevering(common: dict[str, Any], h: Household | None, register: Households) -> OpleveringBrief:
    """One household's completion letter: its address, contract and its own rent before and after the works."""
    own = dict(common.get("eigen", {}))
    fields = {k: v for k, v in common.items() if k != "eigen"}
    if h is None:
        return OpleveringBrief.model_validate(fields)
    if "huur_nieuw" not in own:
        raise ValueError(f"unit {h.unit_id} has no rent after the works in the proposal's figures")
    return OpleveringBrief.model_validate(fields | own | {
        "geadresseerde": household_address(h).model_dump(), "eenheid": h.unit_id,
        "contractnummer": h.contract_number})


# ---- the evaluatieverslag (B21; document 11) --------------------------------------------------------------


def evaluatieverslag(s: RenovationState, today: date, action: EvaluationRecorded, homes: int,
                     totals: WorksTotals) -> Letter:
    context = EvaluatieverslagBrief(
        **_base(s, today, organisation_address(s)), complex_naam=s.renovation.complex.name,
        gehouden_op=action.held_on, plaats=action.place, aanwezigen=list(action.attendees),
        goed=list(action.went_well), beter=list(action.to_improve),
        afspraken=[Afspraak(wat=a.what, wie=a.owner, wanneer=a.due_on) for a in action.agreements],
        woningen=homes, opgeleverd=totals.completed, huur_afgesproken=totals.rent_agreed,
        huur_huurcommissie=totals.rent_disputed, huur_termijn_verstreken=totals.rent_term_ended)
    return Letter(type=DocumentType.EVALUATIEVERSLAG, context=context, audience=Audience.ORGANISATION,
                  title=f"Evaluatieverslag renovatie ({datum(action.held_on)})")


# ---- the dissolution letter (B22, and after a stop B17; document 11) -------------------------------------------


def opheffing_common(s: RenovationState, today: date, action: PanelDissolved) -> dict[str, Any]:
    """The dissolution letter's common part, addressed to the organisation (its copy); the merge readdresses it
    to every member. For a bewonerscommissie under the Wohv it says that only the project arrangement ends."""
    return _opheffing(s, today, action.dissolved_on, archief=action.archive, persoonlijk=action.note)


def stopped_opheffing_common(s: RenovationState, today: date, reason: str, kept_until: date) -> dict[str, Any]:
    """The dissolution letter after a stop (B17): why the project stopped, in staff's words, and until when the
    personal data is kept (the retention term's last day) before it is erased. The panel ends today."""
    return _opheffing(s, today, today, archief="", gestopt=True, reden=reason, bewaard_tot=kept_until)


def _opheffing(s: RenovationState, today: date, dissolved_on: date, **facts: Any) -> dict[str, Any]:
    panel = s.panel
    status = panel.legal_status if panel else s.renovation.panel_legal_status
    context = OpheffingPanelBrief(
        **_base(s, today, organisation_address(s)), complex_naam=s.renovation.complex.name,
        panel_soort=PANEL_SOORT[status], panel_lidwoord=WITH_ARTICLE[status],
        bc_wohv=status == PanelLegalStatus.BC_WOHV,
        opgericht_op=panel.constituted_on if panel else today, opgeheven_op=dissolved_on,
        bijeenkomsten=len(s.meetings), contact=contact(s), **facts)
    return context.model_dump(mode="json")


def build_opheffing(common: dict[str, Any], h: Household | None, register: Households) -> OpheffingPanelBrief:
    aan = household_address(h) if h else Geadresseerde.model_validate(common["geadresseerde"])
    return OpheffingPanelBrief.model_validate(common | {"geadresseerde": aan.model_dump()})


def dissolution_title(s: RenovationState, stopped: bool = False) -> str:
    status = s.panel.legal_status if s.panel else s.renovation.panel_legal_status
    if status == PanelLegalStatus.BC_WOHV:
        title = "Einde projectafspraken met de bewonerscommissie"
    else:
        title = f"Opheffing {PANEL_SOORT[status]}"
    return f"Project gestopt: {title[0].lower()}{title[1:]}" if stopped else title


# ---- notices ---------------------------------------------------------------------------------------------------


def _owner_mail(s: RenovationState, subject: str, text: str) -> Mail:
    return Mail(subject=f"{subject} [{kenmerk(s)}]", body=f"Beste {s.owner.name},\n\n{text}\n\nTraject: {s.subject} "
                f"({kenmerk(s)})\n")


def waiting_for_court(held: int) -> str:
    """The tail of the "works started" line for homes that wait for the court (empty when none do)."""
    if not held:
        return ""
    return f"; {aantal(held, 'woning wacht', 'woningen wachten')} op de rechter"


def rent_alert(s: RenovationState, completed_on: date, open_homes: int, due_on: date, rung: PlannedRung) -> Notice:
    """Two months after completion: homes of that group whose rent after the works is not settled yet."""
    text = (f"Van de woningen die op {datum(completed_on)} zijn opgeleverd, is bij "
            f"{aantal(open_homes, 'woning', 'woningen')} de nieuwe huur nog niet afgesproken. Tot en met "
            f"{datum(due_on)} kunnen huurder en verhuurder de "
            "Huurcommissie vragen om een uitspraak (artikel 7:255 lid 2 Burgerlijk Wetboek). Leg een afspraak of "
            "een verzoek aan de Huurcommissie vast.")
    return Notice(kind=rung.kind, audience=Audience.OWNER,
                  timeline=line("rent_alert", completed_on=completed_on, open=open_homes, due_on=due_on),
                  mail=_owner_mail(s, "Nieuwe huur na renovatie nog niet afgesproken", text))


def rent_term_ended(s: RenovationState, completed_on: date, open_homes: int) -> Notice:
    return Notice(kind=RungKind.ALERT, audience=Audience.OWNER,
                  timeline=line("rent_term_ended", completed_on=completed_on, open=open_homes),
                  mail=_owner_mail(s, "Termijn huurverhoging na renovatie verstreken", (
                      f"De drie maanden na de oplevering op {datum(completed_on)} zijn voorbij. Bij "
                      f"{aantal(open_homes, 'woning', 'woningen')} is geen afspraak over de nieuwe huur en geen "
                      "verzoek aan de Huurcommissie "
                      "vastgelegd (artikel 7:255 lid 2 Burgerlijk Wetboek).")))


def retention_ended(s: RenovationState, due_on: date) -> Notice:
    return Notice(kind=RungKind.ALERT, audience=Audience.OWNER, timeline=line("retention_ended", due_on=due_on),
                  mail=_owner_mail(s, "Bewaartermijn persoonsgegevens verstreken", (
                      f"De bewaartermijn van de persoonsgegevens van dit project is op {datum(due_on)} verstreken. "
                      "Wis ze nu (erase_personal_data): de aantallen blijven bewaard.")))


# ---- timeline lines ------------------------------------------------------------------------------------------------

TIMELINE = {
    "works_started": "Werkzaamheden gestart op {started_on} in {homes:woning|woningen}{held}",
    "works_started_later": "Werkzaamheden alsnog gestart op {started_on} in {homes:woning|woningen}",
    "moving_allowance": "Bevestigd: verhuiskostenvergoeding {amount} (minimum {year}, {article}) en de "
                        "wisselwoning uit het voorstel",
    "homes_completed": "{homes:woning|woningen} opgeleverd op {completed_on}; opleveringsbrief verstuurd; termijn "
                       "voor de "
                       "Huurcommissie tot en met {due_on} (artikel 7:255 lid 2 BW)",
    "rent_settled": "Nieuwe huur na renovatie: {homes:woning|woningen} {outcome} op {recorded_on}",
    "rent_alert": "Twee maanden na oplevering op {completed_on}: bij {open:woning|woningen} is de nieuwe huur nog niet "
                  "afgesproken (Huurcommissie tot en met {due_on})",
    "rent_term_ended": "Drie maanden na oplevering op {completed_on} verstreken; {open:woning|woningen} zonder "
                       "afspraak",
    "rent_settled_all": "Alle opgeleverde woningen hebben een afspraak over de nieuwe huur of hun termijn is voorbij",
    "evaluation": "Evaluatie met het panel gehouden op {held_on}; evaluatieverslag gemaakt",
    "dissolved": "{what} op {dissolved_on}; brief aan {letters:lid|leden} en een kopie aan de organisatie",
    "closed": "Project gesloten; persoonsgegevens worden bewaard tot en met {until}",
    "stopped_retention": "Persoonsgegevens worden bewaard tot en met {until}",
    "retention_ended": "Bewaartermijn persoonsgegevens verstreken op {due_on}",
    "erased": "Persoonsgegevens gewist: {deleted:document|documenten} verwijderd; alleen de aantallen zijn bewaard",
}

OUTCOMES = {"agreed": "afgesproken met de huurder", "disputed": "voorgelegd aan de Huurcommissie"}


def line(event: str, **facts: object) -> str:
    return regel(TIMELINE[event], **facts)


def allowance_line(amount: Decimal, year: int, article: str) -> str:
    return line("moving_allowance", amount=bedrag(amount), year=year, article=article)
