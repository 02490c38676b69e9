"""What the renovation says to whom: its letters, mails, notices and timeline lines, in Dutch.

Two kinds of letter. Letters that name households (the invitation, the panel's confirmation) are built in
two halves: the workflow makes the common part here without any personal data (``*_common``), and the
merge activity completes it per household from the register with a pure builder (``build_*``, registered
in ``inspraak.domain.merge``). The minutes are an ordinary letter, from what staff entered.
"""

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from inspraak.domain.documents import DocumentRef, DocumentType
from inspraak.domain.dutch import aantal, datum, regel
from inspraak.domain.households import Household, Households
from inspraak.domain.letter_contexts import (
    Afspraak,
    Afzender,
    Geadresseerde,
    HerinneringDraagvlakmetingBrief,
    Ondertekenaar,
    PanelBevestigingBrief,
    Panellid,
    RenovatievoorstelBrief,
    UitnodigingRenovatieBrief,
    UitslagDraagvlakBrief,
    VerslagBijeenkomstBrief,
)
from inspraak.domain.panel import PanelLegalStatus
from inspraak.domain.renovation import Panel, RenovationState
from inspraak.domain.renovation_actions import Invite, MeetingRecorded, ProposalSent
from inspraak.domain.terms import Audience, PlannedRung, RungKind
from inspraak.domain.trajectory import Letter, Mail, Notice, Recipient
from inspraak.domain.vote import CONSENT_THRESHOLD_PERCENT, MINIMUM_HOMES, Tally

PANEL_SOORT = {
    PanelLegalStatus.BC_WOHV: "bewonerscommissie",
    PanelLegalStatus.KLANTENPANEL: "klantenpanel",
    PanelLegalStatus.KLANKBORDGROEP: "klankbordgroep",
}


def kenmerk(s: RenovationState) -> str:
    return s.id.upper()


def _afzender(s: RenovationState) -> Afzender:
    c = s.corporation
    return Afzender(naam=c.name, adres=c.address, postcode_plaats=c.postcode_city, telefoon=c.phone,
                    email=c.email, website=c.website)


def _aan_organisatie(s: RenovationState) -> Geadresseerde:
    o = s.organisation
    return Geadresseerde(naam=o.name, soort=o.kind.value, ter_attentie_van=o.contacts[0].name if o.contacts else "",
                         adres=o.address, postcode_plaats=o.postcode_city)


def organisation_address(s: RenovationState) -> Geadresseerde:
    """The organisation that receives the formal advice request, as a letter's addressee."""
    return _aan_organisatie(s)


def _base(s: RenovationState, today: date, aan: Geadresseerde) -> dict[str, Any]:
    return dict(
        kenmerk=kenmerk(s), datum=today, afzender=_afzender(s), geadresseerde=aan,
        onderwerp=s.subject, behandelaar=s.owner.name, behandelaar_email=s.owner.email,
        overeenkomst=s.organisation.agreement_reference,
        ondertekening=[Ondertekenaar(naam=x.name, functie=x.role) for x in s.corporation.signatories],
    )


def contact(s: RenovationState, given: str | None = None) -> str:
    if given:
        return given
    parts = [s.owner.name] + [x for x in (s.corporation.phone, s.owner.email) if x]
    return ", ".join(parts)


# A placeholder addressee for the common half; every letter gets its own in the builder.
_NOBODY = Geadresseerde(naam="-", soort="huurder")


def household_address(h: Household) -> Geadresseerde:
    """A household as a letter's addressee: tenant and co-tenant, street line and postcode line."""
    naam = h.tenant_name if not h.co_tenant_name else f"{h.tenant_name} en {h.co_tenant_name}"
    street, _, rest = h.address.partition(",")
    return Geadresseerde(naam=naam, soort="huurder", adres=street.strip(), postcode_plaats=rest.strip())


# ---- the invitation (B2; domain brief 7.2 document 1) ------------------------------------------------------


def uitnodiging_common(s: RenovationState, today: date, action: Invite, timezone: str) -> dict[str, Any]:
    """The invitation's common part: no household in it (the merge activity adds each one)."""
    r = s.renovation
    local = action.kickoff_at.astimezone(ZoneInfo(timezone))
    context = UitnodigingRenovatieBrief(
        **_base(s, today, _NOBODY), eenheid="-", complex_naam=r.complex.name, complex_adres=r.complex.address,
        reden=r.reason, aftrap_datum=local.date(), aftrap_tijd=f"{local:%H.%M} uur", aftrap_plaats=action.kickoff_place,
        panel_soort=PANEL_SOORT[r.panel_legal_status], wohv_rechten=r.panel_legal_status.has_wohv_rights,
        aanmelden_voor=action.sign_up_deadline, contact=contact(s, action.contact),
    )
    return context.model_dump(mode="json")


def build_uitnodiging(common: dict[str, Any], h: Household | None, register: Households) -> UitnodigingRenovatieBrief:
    aan = household_address(h) if h else Geadresseerde.model_validate(common["geadresseerde"])
    return UitnodigingRenovatieBrief.model_validate(
        common | {"geadresseerde": aan.model_dump(), "eenheid": h.unit_id if h else "-"})


# ---- the panel's confirmation (B4; document 2) --------------------------------------------------------------


def panel_common(s: RenovationState, today: date, panel: Panel) -> dict[str, Any]:
    """The confirmation's common part; members by unit id, their names come from the register."""
    context = PanelBevestigingBrief(
        **_base(s, today, _aan_organisatie(s)), complex_naam=s.renovation.complex.name,
        panel_soort=PANEL_SOORT[panel.legal_status], wohv_rechten=panel.legal_status.has_wohv_rights,
        opgericht_op=panel.constituted_on, leden=[], faciliteiten=panel.facilities,
        werkafspraken=panel.working_agreements, advies_naar=s.organisation.name, advies_artikel=s.addressee.article,
        contact=contact(s),
    )
    return context.model_dump(mode="json") | {"leden_eenheden": [m.model_dump() for m in panel.members]}


def build_panel_bevestiging(common: dict[str, Any], h: Household | None, register: Households) -> PanelBevestigingBrief:
    leden = []
    for m in common.get("leden_eenheden", []):
        member = register.get(m["unit_id"])
        if member is not None:
            a = household_address(member)
            leden.append(Panellid(naam=member.tenant_name, adres=f"{a.adres}, {a.postcode_plaats}".strip(", "),
                                  rol=m["role"]))
    aan = household_address(h) if h else Geadresseerde.model_validate(common["geadresseerde"])
    fields = {k: v for k, v in common.items() if k != "leden_eenheden"}
    return PanelBevestigingBrief.model_validate(fields | {"geadresseerde": aan.model_dump(),
                                                          "leden": [x.model_dump() for x in leden]})


# ---- the minutes (B5; document 3) ------------------------------------------------------------------------------


def verslag(s: RenovationState, today: date, meeting: MeetingRecorded, number: int) -> Letter:
    context = VerslagBijeenkomstBrief(
        **_base(s, today, _aan_organisatie(s)), complex_naam=s.renovation.complex.name, nummer=number,
        gehouden_op=meeting.held_on, plaats=meeting.place, aanwezigen=list(meeting.attendees),
        punten=list(meeting.points),
        afspraken=[Afspraak(wat=a.what, wie=a.owner, wanneer=a.due_on) for a in meeting.agreements],
        volgende_bijeenkomst=meeting.next_meeting,
    )
    return Letter(type=DocumentType.VERSLAG_BIJEENKOMST, context=context, audience=Audience.ORGANISATION,
                  title=f"Verslag panelbijeenkomst {number} ({datum(meeting.held_on)})", step_hint=f"{number:03d}")


# ---- the renovatievoorstel (B9; document 5) -------------------------------------------------------------------


def voorstel_common(s: RenovationState, today: date, action: ProposalSent, reply_by: date,
                    reply_url: str) -> dict[str, Any]:
    """The proposal's common part; the merge adds each home's figures and reply code ("eigen")."""
    allowance = action.moving_allowance if not action.occupied else None
    context = RenovatievoorstelBrief(
        **_base(s, today, _NOBODY), eenheid="-", contractnummer="-", complex_naam=s.renovation.complex.name,
        versie=action.version, renovatie=action.works.renovation, onderhoud=action.works.maintenance,
        planning=action.schedule, bewoond=action.occupied, wisselwoning=action.temporary_home,
        huur_nu=Decimal(0), huur_nieuw=Decimal(0), huurverhoging=Decimal(0),
        huurverhoging_per=action.rent_increase_from,
        verhuisvergoeding=allowance.amount if allowance else None,
        verhuisvergoeding_van=allowance.valid_from if allowance else None,
        verhuisvergoeding_tot=allowance.valid_until if allowance else None,
        antwoorden_voor=reply_by, antwoordcode="-", antwoord_url=reply_url, drempel=CONSENT_THRESHOLD_PERCENT,
        minimum_woningen=MINIMUM_HOMES, contact=contact(s, action.contact),
    )
    return context.model_dump(mode="json")


def _own(common: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A merge context's household part ("eigen": figures, reply code) and the common part without it."""
    return dict(common.get("eigen", {})), {k: v for k, v in common.items() if k != "eigen"}


def build_renovatievoorstel(common: dict[str, Any], h: Household | None, register: Households
                            ) -> RenovatievoorstelBrief:
    """One household's proposal: its address, contract, its own rent figures and its reply code."""
    own, fields = _own(common)
    if h is None:
        return RenovatievoorstelBrief.model_validate(fields)
    if "huur_nieuw" not in own or "antwoordcode" not in own:
        raise ValueError(f"unit {h.unit_id} has no figures or no reply code for its proposal")
    return RenovatievoorstelBrief.model_validate(fields | own | {
        "geadresseerde": household_address(h).model_dump(), "eenheid": h.unit_id,
        "contractnummer": h.contract_number})


# ---- the result of the vote (B11; document 8) --------------------------------------------------------------


DENOMINATOR = ("alle {total} woningen van het complex die op de peildatum {reference} op de lijst stonden, "
               "de dag waarop de voorstellen zijn verzonden. Eén antwoord per woning: huurder en medehuurder "
               "antwoorden samen. Een woning die niet antwoordde, telt als niet ingestemd.")


def percentage(tally: Tally) -> str:
    """The percentage agreed as letters print it: "72,50"."""
    return f"{tally.percent_agreed:.2f}".replace(".", ",")


def uitslag(s: RenovationState, today: date, tally: Tally, method: str) -> Letter:
    context = UitslagDraagvlakBrief(
        **_base(s, today, _aan_organisatie(s)), complex_naam=s.renovation.complex.name,
        versie=tally.proposal_version, peildatum=tally.reference_date,
        noemer_uitleg=DENOMINATOR.format(total=tally.total, reference=datum(tally.reference_date)),
        methode=method, gesloten_op=tally.closed_on or today, totaal=tally.total, ingestemd=tally.agreed,
        niet_ingestemd=tally.not_agreed, geen_reactie=tally.no_answer,
        percentage=percentage(tally), genoeg_woningen=tally.enough_homes,
        bereikt=tally.reached, allen_ingestemd=tally.agreed == tally.total, contact=contact(s))
    return Letter(type=DocumentType.UITSLAG_DRAAGVLAK, context=context, audience=Audience.ORGANISATION,
                  title=f"Uitslag draagvlakmeting renovatievoorstel versie {tally.proposal_version}",
                  step_hint=f"v{tally.proposal_version:03d}")


def reply_reminder_mail(s: RenovationState) -> Mail:
    """To a household that has not answered; no name, no code (the code is on its reply slip only)."""
    p = s.proposal
    by = datum(p.reply_by) if p else ""
    lines = ["Beste bewoner,", "",
             f"U hebt van ons een renovatievoorstel ontvangen voor {s.renovation.complex.name}. Wij hebben uw "
             f"antwoord nog niet. Wilt u uiterlijk {by} laten weten of u instemt? Dat kan met de antwoordstrook "
             "bij de brief, of online met de persoonlijke antwoordcode die op de antwoordstrook staat.", "",
             "Antwoordt u niet, dan telt uw woning als 'niet ingestemd'.", "",
             f"Hebt u vragen? Neem contact op met {contact(s)}.", "", "Met vriendelijke groet,", "", s.owner.name,
             s.corporation.name]
    return Mail(subject=f"Herinnering: uw antwoord op het renovatievoorstel [{kenmerk(s)}]",
                body="\n".join(lines) + "\n")


def reply_reminder(s: RenovationState, mailed: int, posted: int = 0) -> Notice:
    t = s.vote.tally() if s.vote else None
    no_answer = t.no_answer if t else 0
    text = (f"De antwoorddatum van het renovatievoorstel is over vijf dagen. Nog "
            f"{aantal(no_answer, 'woning heeft', 'woningen hebben')} niet geantwoord; {mailed} daarvan kregen een "
            f"herinnering per mail en {posted} een herinneringsbrief per post "
            "(het printbestand staat bij de documenten). Bel ze of ga langs. Er zijn nog "
            f"{aantal(t.still_needed if t else 0, 'instemming', 'instemmingen')} nodig voor 70%.")
    return Notice(kind=RungKind.REMINDER, audience=Audience.OWNER,
                  timeline=line("reply_reminder", no_answer=no_answer, mailed=mailed, posted=posted),
                  mail=_owner_mail(s, "Antwoorddatum renovatievoorstel nadert", text))


def herinnering_common(s: RenovationState, today: date) -> dict[str, Any]:
    """The paper reminder's common part; the merge adds each home's address and reply code."""
    p = s.proposal
    if p is None:
        raise ValueError("a reminder needs the proposal it reminds of")
    return HerinneringDraagvlakmetingBrief(
        **_base(s, today, _NOBODY) | {"overeenkomst": None}, eenheid="-", complex_naam=s.renovation.complex.name,
        versie=p.version, verzonden_op=p.sent_on, antwoorden_voor=p.reply_by, antwoordcode="-",
        antwoord_url=p.reply_url or "-", drempel=CONSENT_THRESHOLD_PERCENT, contact=contact(s),
    ).model_dump(mode="json")


def build_herinnering_draagvlakmeting(common: dict[str, Any], h: Household | None, register: Households
                                      ) -> HerinneringDraagvlakmetingBrief:
    """One home's paper reminder: its address and its reply code (the same code as on its proposal)."""
    own, fields = _own(common)
    if h is None:
        return HerinneringDraagvlakmetingBrief.model_validate(fields)
    if "antwoordcode" not in own:
        raise ValueError(f"unit {h.unit_id} has no reply code for its reminder")
    return HerinneringDraagvlakmetingBrief.model_validate(fields | {
        "antwoordcode": own["antwoordcode"], "geadresseerde": household_address(h).model_dump(),
        "eenheid": h.unit_id})


def reply_term_ended(s: RenovationState) -> Notice:
    t = s.vote.tally() if s.vote else None
    return Notice(kind=RungKind.ALERT, audience=Audience.OWNER,
                  timeline=line("reply_ended", pct=f"{t.percent_agreed}" if t else "0"),
                  mail=_owner_mail(s, "Antwoorddatum renovatievoorstel verstreken",
                                   "De antwoorddatum is verstreken. Sluit de telling (close_vote) wanneer de laatste "
                                   "antwoorden zijn verwerkt."))


# ---- mails -------------------------------------------------------------------------------------------------------


def household_mail(s: RenovationState, ref: DocumentRef) -> Mail:
    """The mail that carries a household's own letter. It greets no one by name: no name enters the history."""
    c = s.corporation
    lines = ["Beste bewoner,", "",
             f"In de bijlage vindt u onze brief '{ref.title}' over de renovatie van {s.renovation.complex.name}. "
             "Dezelfde brief ontvangt u ook per post.", "",
             f"Hebt u vragen? Neem contact op met {contact(s)}.", "",
             "Met vriendelijke groet,", "", s.owner.name, c.name]
    return Mail(subject=f"{ref.title}: {s.renovation.complex.name} [{kenmerk(s)}]", body="\n".join(lines) + "\n")


def covering_mail(s: RenovationState, letter: Letter, ref: DocumentRef, to: list[Recipient]) -> Mail:
    greeting = ", ".join(f"Beste {r.name}" if n == 0 else f"beste {r.name}" for n, r in enumerate(to)) + "," \
        if to else "Beste lezer,"
    lines = [greeting, "", f"In de bijlage vindt u '{ref.title}' over '{s.subject}' (kenmerk {kenmerk(s)}).", ""]
    if ref.type == DocumentType.PANEL_BEVESTIGING and not s.panel_has_rights():
        lines += [f"Het panel is een {PANEL_SOORT[s.panel.legal_status] if s.panel else 'panel'} zonder de rechten "
                  "van de Wet op het overleg huurders verhuurder. De formele adviesaanvraag over het projectplan en "
                  f"het sociaal plan gaat daarom naar {s.organisation.name} ({s.addressee.article}).", ""]
    lines += [f"Hebt u vragen? Neem contact op met {contact(s)}.", "", "Met vriendelijke groet,", "", s.owner.name,
              s.corporation.name]
    return Mail(subject=f"{ref.title}: {s.subject} [{kenmerk(s)}]", body="\n".join(lines) + "\n")


def _owner_mail(s: RenovationState, subject: str, text: str) -> Mail:
    return Mail(subject=f"{subject} [{kenmerk(s)}]", body=f"Beste {s.owner.name},\n\n{text}\n\nTraject: {s.subject} "
                f"({kenmerk(s)})\n")


# ---- the sign-up term's ladder and end ----------------------------------------------------------------------


def rung_notices(s: RenovationState, term_key: str, rung: PlannedRung) -> list[Notice]:
    if term_key != "sign_up":  # the reply term's reminder is told by the workflow, with the mails it sent
        return []
    term = s.terms[term_key].schedule
    count = len(s.sign_ups)
    text = (f"De aanmelding voor het bewonerspanel van {s.renovation.complex.name} sluit op {datum(term.due_on)}. "
            f"Er zijn nu {aantal(count, 'aanmelding', 'aanmeldingen')}. Overweeg een herinnering of een huisbezoek "
            "bij bewoners die nog "
            "niet reageerden.")
    return [Notice(kind=rung.kind, audience=Audience.OWNER,
                   timeline=f"Herinnering aan de behandelaar: de aanmelding sluit op {datum(term.due_on)} "
                            f"({aantal(count, 'aanmelding', 'aanmeldingen')})",
                   mail=_owner_mail(s, "Aanmelding bewonerspanel sluit bijna", text))]


def sign_up_closed(s: RenovationState) -> Notice:
    count = len(s.sign_ups)
    what = ("Stel het panel samen uit de aanmeldingen." if count
            else "Niemand heeft zich aangemeld. Overweeg een nieuwe oproep of stop het traject.")
    return Notice(kind=RungKind.ALERT, audience=Audience.OWNER,
                  timeline=line("sign_up_closed", count=count),
                  mail=_owner_mail(s, "Aanmelding bewonerspanel gesloten",
                                   "De aanmeldtermijn is verstreken met "
                                   f"{aantal(count, 'aanmelding', 'aanmeldingen')}. {what}"))


# ---- timeline lines -------------------------------------------------------------------------------------------

TIMELINE = {
    "created": "Renovatie van {complex} aangemaakt met {homes} woningen (bouwkundige eenheid van ten minste 10: "
               "{ten}; wooncomplex van ten minste 25: {twentyfive}); adviesaanvraag later naar {addressee}",
    "invited": "Alle {letters} huishoudens uitgenodigd (brief per post, {mailed} ook per mail); aftrap op {kickoff}, "
               "aanmelden tot en met {deadline}",
    "sign_up": "Aanmelding voor het panel ontvangen op {signed_up_on} (eenheid {unit}{wish})",
    "sign_up_closed": "Aanmeldtermijn verstreken met {count:aanmelding|aanmeldingen}",
    "panel_constituted": "Panel opgericht op {constituted_on} als {soort} met {members:lid|leden}",
    "meeting": "Panelbijeenkomst {number} gehouden op {held_on}; verslag gemaakt",
    "stopped": "Traject gestopt: {reason}",
    "proposals_sent": "Renovatievoorstel versie {version} verzonden aan alle {letters} woningen ({mailed} ook per "
                      "mail); lijst bevroren op {reference} met {letters} woningen; antwoorden tot en met {reply_by}",
    "answer": "Antwoord van eenheid {unit} vastgelegd ({channel}, {answered_on})",
    "answer_by_code": "Antwoord met persoonlijke antwoordcode ontvangen van eenheid {unit}",
    "reply_reminder": "Herinnering antwoorddatum: {no_answer:woning|woningen} zonder antwoord, {mailed} per mail en "
                      "{posted} per brief herinnerd",
    "reply_ended": "Antwoorddatum verstreken ({pct}% ingestemd)",
    "vote_closed": "Telling gesloten: {agreed} van {total} woningen ingestemd ({pct}%); draagvlak {reached}",
    "plans_ready": "Conceptprojectplan en sociaal plan zijn gereed",
    "advice_request_started": "Adviesaanvraag {id} over het projectplan en het sociaal plan verzonden aan {org}; "
                              "de adviestermijn loopt tot en met {due_on}",
    "advice_executable": "Adviesaanvraag {id} is uitvoerbaar ({because}); het renovatievoorstel is definitief",
    "advice_ended": "Adviesaanvraag {id} is beëindigd ({label}) zonder uitvoerbaar te worden; {next}",
    "advice_withdrawal_asked": "Adviesaanvraag {id} wordt ingetrokken omdat de renovatie stopt",
}


def line(event: str, **facts: object) -> str:
    return regel(TIMELINE[event], **facts)


CHANNELS = {"paper": "antwoordstrook op papier", "home_visit": "huisbezoek", "staff": "door medewerker"}


def ja(flag: bool) -> str:
    return "ja" if flag else "nee"
