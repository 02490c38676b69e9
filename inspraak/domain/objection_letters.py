"""What the vote's aftermath says to whom (domain brief 7.2, B12-B17; BW 7:220 lid 3), in Dutch.

The kennisgeving (document 9) is a merge letter: the workflow makes its common half here without personal
data (:func:`kennisgeving_common`), the merge activity completes it per home from the register
(:func:`build_kennisgeving`, registered in ``inspraak.domain.merge``). So is the letter after a recorded receipt
with the home's exact last day (:func:`termijn_common`, :func:`build_termijn_kennisgeving`) and the mail that
carries it. The rest are notices to staff (the 6-week alert to legal, a term that ended, homes without a
recorded receipt) and timeline lines.
"""

from datetime import date
from typing import Any, TypeVar

from inspraak.domain.documents import DocumentRef
from inspraak.domain.dutch import aantal, datum, regel
from inspraak.domain.households import Household, Households
from inspraak.domain.letter_contexts import Brief, Geadresseerde, Kennisgeving70Brief, TermijnKennisgevingBrief
from inspraak.domain.objections import CourtParty, Notices, Ruling
from inspraak.domain.renovation import RenovationState
from inspraak.domain.renovation_letters import (
    _NOBODY,
    _base,
    _owner_mail,
    contact,
    household_address,
    kenmerk,
    percentage,
)
from inspraak.domain.terms import Audience, DeadlineSchedule, PlannedRung, RungKind
from inspraak.domain.trajectory import Mail, Notice
from inspraak.domain.vote import CONSENT_THRESHOLD_PERCENT, Tally

B = TypeVar("B", bound=Brief)

# ---- the kennisgeving (B12; document 9) -------------------------------------------------------------------


def kennisgeving_common(s: RenovationState, today: date, tally: Tally, expected: DeadlineSchedule,
                        given_contact: str | None) -> dict[str, Any]:
    """The kennisgeving's common part: the count, and the last day of the 8 weeks for a letter received on
    the expected day (``expected``, planned from it); the merge adds each home's address and contract."""
    context = Kennisgeving70Brief(
        **_base(s, today, _NOBODY), eenheid="-", contractnummer="-", complex_naam=s.renovation.complex.name,
        versie=tally.proposal_version, gesloten_op=tally.closed_on or today, totaal=tally.total,
        ingestemd=tally.agreed, percentage=percentage(tally), drempel=CONSENT_THRESHOLD_PERCENT,
        ontvangst_verwacht=expected.anchor, termijn_einde=expected.due_on,
        termijn_verlengd_reden=expected.extended_reason, contact=contact(s, given_contact))
    return context.model_dump(mode="json")


def _for_home(model: type[B], common: dict[str, Any], h: Household | None) -> B:
    """A merge letter's common half completed with one home's address, unit and contract (None: the copy)."""
    aan = household_address(h) if h else Geadresseerde.model_validate(common["geadresseerde"])
    extra = {"eenheid": h.unit_id, "contractnummer": h.contract_number} if h else {}
    return model.model_validate(common | {"geadresseerde": aan.model_dump()} | extra)


def build_kennisgeving(common: dict[str, Any], h: Household | None, register: Households) -> Kennisgeving70Brief:
    return _for_home(Kennisgeving70Brief, common, h)


# ---- after the receipt: the home's own last day ---------------------------------------------------------------


def termijn_common(s: RenovationState, today: date, sent_on: date, term: DeadlineSchedule) -> dict[str, Any]:
    """The common part of the letter to the homes of one receipt date: that date and its term's own last day
    (``term.due_on``, after the Atw); the merge adds each home's address and contract."""
    context = TermijnKennisgevingBrief(
        **_base(s, today, _NOBODY), eenheid="-", contractnummer="-", complex_naam=s.renovation.complex.name,
        verzonden_op=sent_on, ontvangen_op=term.anchor, termijn_einde=term.due_on,
        termijn_zonder_verlenging=term.unextended_due_on if term.unextended_due_on != term.due_on else None,
        contact=contact(s))
    return context.model_dump(mode="json")


def build_termijn_kennisgeving(common: dict[str, Any], h: Household | None,
                               register: Households) -> TermijnKennisgevingBrief:
    return _for_home(TermijnKennisgevingBrief, common, h)


def termijn_title(received_on: date) -> str:
    return f"Uw laatste dag voor de kantonrechter (kennisgeving ontvangen op {datum(received_on)})"


def term_end_mail(s: RenovationState, received_on: date, ends_on: date, ref: DocumentRef | None = None) -> Mail:
    """To a household that gave an e-mail address, once its receipt is recorded: its own last day; with
    ``ref``, the mail that carries the letter saying so (the same letter goes by post)."""
    lines = ["Beste bewoner,", "",
             f"{'Volgens onze gegevens hebt u' if ref else 'U hebt'} onze kennisgeving over de renovatie van "
             f"{s.renovation.complex.name} ontvangen op "
             f"{datum(received_on)}. Wilt u de kantonrechter vragen of het renovatievoorstel redelijk is? Dan is "
             f"{datum(ends_on)} de laatste dag waarop dat kan (artikel 7:220 lid 3 Burgerlijk Wetboek).", ""]
    if ref is not None:
        lines += ["In de bijlage vindt u onze brief hierover. Dezelfde brief krijgt u ook per post. Hebt u de "
                  f"kennisgeving niet op {datum(received_on)} ontvangen? Laat het ons dan zo snel mogelijk weten.", ""]
    lines += [f"Hebt u vragen? Neem contact op met {contact(s)}.", "", "Met vriendelijke groet,", "", s.owner.name,
              s.corporation.name]
    return Mail(subject=f"Uw termijn voor de kantonrechter: tot en met {datum(ends_on)} [{kenmerk(s)}]",
                body="\n".join(lines) + "\n")


# ---- notices to staff ----------------------------------------------------------------------------------------


def legal_audience(s: RenovationState) -> Audience:
    """Legal staff; a renovation started before they were in the organisations file tells the manager."""
    return Audience.LEGAL if s.audiences.get(Audience.LEGAL) else Audience.MANAGER


def week_six_alert(s: RenovationState, term_key: str, rung: PlannedRung) -> list[Notice]:
    """Six weeks after receipt: legal hears which homes' terms end when, and which went to court."""
    notices = s.notices
    term = s.terms[term_key].schedule
    if notices is None:
        return []
    homes = [h.unit_id for h in notices.homes if h.term_key == term_key]
    in_court = [c.unit_id for c in s.court_cases if c.unit_id in homes]
    text = (f"Zes weken geleden, op {datum(term.anchor)}, ontvingen {aantal(len(homes), 'woning', 'woningen')} van "
            f"{s.renovation.complex.name} de kennisgeving van 70 procent (eenheden: {', '.join(homes)}). Hun "
            f"termijn om naar de kantonrechter te gaan eindigt op {datum(term.due_on)} ({term.article}). "
            + (f"Naar de rechter gegaan: {', '.join(in_court)}. " if in_court else
               "Van geen van deze woningen weten wij dat zij naar de rechter gingen. ")
            + "Controleer of er een dagvaarding of verzoek binnenkwam en leg die vast.")
    return [Notice(kind=RungKind.ALERT, audience=legal_audience(s),
                   timeline=line("week_six", count=len(homes), received_on=term.anchor, due_on=term.due_on),
                   mail=Mail(subject=f"Bezwaartermijn renovatie: nog twee weken [{kenmerk(s)}]",
                             body=f"Beste collega,\n\n{text}\n\nBehandelaar: {s.owner.name} ({s.owner.email}). "
                                  f"Traject: {s.subject} ({kenmerk(s)})\n"))]


def term_ended(s: RenovationState, term_key: str, ready: bool) -> Notice:
    """A receipt date's 8 weeks have ended; staff hear whether the project is now ready for the works."""
    term = s.terms[term_key].schedule
    notices = s.notices
    count = sum(1 for h in notices.homes if h.term_key == term_key) if notices else 0
    missing = notices.without_receipt() if notices else []
    if ready:
        what = "Alle termijnen zijn voorbij: het project is klaar voor de uitvoering. Woningen waarvan de huurder " \
               "naar de rechter ging, blijven geblokkeerd tot de rechter het voorstel redelijk vindt."
    elif missing:
        what = (f"Van {aantal(len(missing), 'woning', 'woningen')} is de ontvangst van de kennisgeving nog niet "
                f"vastgelegd ({', '.join(missing[:20])}). Hun termijn loopt pas vanaf de ontvangst: leg die vast. Tot "
                "dan "
                "blijft de bezwaartermijn open.")
    else:
        what = "Andere termijnen lopen nog."
    return Notice(kind=RungKind.ALERT, audience=Audience.OWNER,
                  timeline=line("term_ended", count=count, received_on=term.anchor, due_on=term.due_on),
                  mail=_owner_mail(s, "Bezwaartermijn renovatie verstreken",
                                   f"De termijn van {aantal(count, 'woning', 'woningen')} die de kennisgeving op "
                                   f"{datum(term.anchor)} ontvingen, is op {datum(term.due_on)} geëindigd. {what}"))


def receipts_missing(s: RenovationState, notices: Notices) -> str:
    missing = notices.without_receipt()
    return (f"nog {aantal(len(missing), 'woning', 'woningen')} zonder vastgelegde ontvangst" if missing
            else "van alle woningen is de ontvangst vastgelegd")


# ---- timeline lines ------------------------------------------------------------------------------------------

PARTIES = {CourtParty.TENANT: "de huurder", CourtParty.LANDLORD: "de verhuurder"}
RULINGS = {Ruling.REASONABLE: "voorstel redelijk", Ruling.UNREASONABLE: "voorstel niet redelijk"}

TIMELINE = {
    "notices_sent": "Kennisgeving 70% aangetekend verzonden aan {letters:woning|woningen} die niet instemden; bij "
                    "ontvangst op {expected} eindigt hun termijn op {due_on}",
    "receipts": "Ontvangst van de kennisgeving vastgelegd voor {count:woning|woningen} op {received_on}; hun termijn "
                "eindigt op {due_on}; {missing}",
    "week_six": "Bericht aan juridische zaken: termijn van {count:woning|woningen} (ontvangen op {received_on}) "
                "eindigt "
                "op {due_on}",
    "term_ended": "Bezwaartermijn verstreken voor {count:woning|woningen} die de kennisgeving op {received_on} "
                  "ontvingen (laatste dag {due_on})",
    "ready": "Alle bezwaartermijnen verstreken: klaar voor de uitvoering ({blocked:woning|woningen} geblokkeerd "
             "zolang de rechter beslist of na een uitspraak dat het voorstel niet redelijk is)",
    "court_claim": "Eenheid {unit}: {party} is naar de kantonrechter gegaan op {filed_on}{reference}",
    "ruling": "Eenheid {unit}: uitspraak van de kantonrechter op {ruled_on}: {ruling}",
    "adjusting": "Draagvlak niet bereikt; het voorstel wordt aangepast: {reason}",
    "rulings_followed": "Alle woningen die niet instemden hebben een uitspraak; de uitvoering volgt de "
                        "uitspraken ({cleared:woning|woningen} mogen, {blocked} niet)",
}


def line(event: str, **facts: object) -> str:
    return regel(TIMELINE[event], **facts)


def reference(ref: str | None) -> str:
    return f" (zaaknummer {ref})" if ref else ""
