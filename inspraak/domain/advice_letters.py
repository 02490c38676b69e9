"""What the advice request says to whom: its letters, mails, notices and timeline lines, in Dutch.

Pure functions of the trajectory's state, so the workflow calls them deterministically; the Word
templates decide the layout. The workflow module holds no Dutch text: it is all here.
"""

from datetime import date

from inspraak.domain.advice import STATE_LABELS, AdviceState, ExecutableBecause, RecordedAdvice, State
from inspraak.domain.advice_actions import DecisionTaken
from inspraak.domain.documents import DocumentRef, DocumentType
from inspraak.domain.dutch import datum, regel
from inspraak.domain.letter_contexts import (
    AdviesaanvraagBrief,
    Adviespunt,
    Afzender,
    EscalatieBrief,
    Geadresseerde,
    HerinneringBrief,
    IntrekkingBrief,
    Ondertekenaar,
    OntvangstbevestigingBrief,
    ReactieBrief,
    TermijnVerstrekenBrief,
    UitvoeringBrief,
    VerlengingBrief,
)
from inspraak.domain.terms import Audience, DeadlineSchedule, PlannedRung, RungKind
from inspraak.domain.trajectory import Letter, Mail, Notice, Recipient

DECISION_NL = {"followed": "gevolgd", "partly": "deels gevolgd", "not_followed": "niet gevolgd"}

GROUNDS_NL = {
    ExecutableBecause.GEEN_BEZWAAR: "u hebt schriftelijk laten weten geen bezwaar te hebben "
    "(artikel 5 lid 3 onder a Wohv)",
    ExecutableBecause.TERMIJN_VERSTREKEN: "de adviestermijn is verstreken zonder dat wij een advies "
    "ontvingen (artikel 5 lid 3 onder b Wohv)",
    ExecutableBecause.WACHTTIJD_VERSTREKEN: "drie dagen zijn verstreken nadat u onze gemotiveerde reactie "
    "ontving (artikel 5 lid 3 onder c Wohv)",
    ExecutableBecause.ADVIES_GEVOLGD: "wij hebben uw advies gevolgd (artikel 5 Wohv)",
    ExecutableBecause.INSTEMMING: "u hebt ingestemd met het voorstel (artikel 5a Wohv)",
}


def kenmerk(s: AdviceState) -> str:
    return s.id.upper()


def soort(s: AdviceState) -> str:
    """"Adviesaanvraag" or "Instemmingsverzoek": what the request is called everywhere it is named."""
    return "Instemmingsverzoek" if s.consent else "Adviesaanvraag"


# ---- letters ------------------------------------------------------------------------------------


def _afzender(s: AdviceState) -> Afzender:
    c = s.corporation
    return Afzender(naam=c.name, adres=c.address, postcode_plaats=c.postcode_city, telefoon=c.phone,
                    email=c.email, website=c.website)


def _aan_organisatie(s: AdviceState) -> Geadresseerde:
    o = s.organisation
    return Geadresseerde(naam=o.name, soort=o.kind.value, ter_attentie_van=o.contacts[0].name,
                         adres=o.address, postcode_plaats=o.postcode_city)


def _base(s: AdviceState, today: date, aan: Geadresseerde | None = None) -> dict:
    # The subject bare: each template names its letter before it ("Herinnering: ...").
    return dict(
        kenmerk=kenmerk(s), datum=today, afzender=_afzender(s), geadresseerde=aan or _aan_organisatie(s),
        onderwerp=s.subject, behandelaar=s.owner.name, behandelaar_email=s.owner.email,
        overeenkomst=s.organisation.agreement_reference,
        ondertekening=[Ondertekenaar(naam=x.name, functie=x.role) for x in s.corporation.signatories],
    )


def _letter(doc_type: DocumentType, context: object, audience: Audience = Audience.ORGANISATION,
            title: str | None = None, step_hint: str | None = None) -> Letter:
    return Letter.model_validate({"type": doc_type, "context": context, "audience": audience, "title": title,
                                  "step_hint": step_hint})


def adviesaanvraag(s: AdviceState, today: date) -> Letter:
    r, term = s.request, s.terms[s.main_term].schedule
    context = AdviesaanvraagBrief(
        **_base(s, today), categorie=r.category.value, categorie_omschrijving=r.category.description,
        complexen=r.complexes, voornemen=r.intention, beweegredenen=r.reasons,
        gevolgen_voor_huurders=r.consequences, alternatieven=r.alternatives,
        bijlagen=[a.title for a in r.attachments], informatie_verstrekt_op=r.information_provided_on,
        adviestermijn_einde=term.due_on, adviestermijn_verlengd_reden=term.extended_reason,
        overleg_aanbod=r.meeting_offer, vertrouwelijk=r.confidential, instemming_gevraagd=r.consent_requested,
    )
    return _letter(DocumentType.ADVIESAANVRAAG, context, title=soort(s))


def ontvangstbevestiging(s: AdviceState, today: date, advice: RecordedAdvice, reply: DeadlineSchedule) -> Letter:
    context = OntvangstbevestigingBrief(
        **_base(s, today), advies_datum=advice.advice_dated,
        advies_ontvangen_op=advice.received_on, adviespunten=[p.summary for p in advice.points],
        uiterste_reactiedatum=reply.due_on,
    )
    return _letter(DocumentType.ONTVANGSTBEVESTIGING_ADVIES, context)


def herinnering(s: AdviceState, today: date, rung: PlannedRung) -> Letter:
    term = s.terms[s.main_term].schedule
    context = HerinneringBrief(
        **_base(s, today), informatie_verstrekt_op=s.request.information_provided_on,
        adviestermijn_einde=term.due_on, dagen_resterend=(term.due_on - today).days,
        instemming_gevraagd=s.consent, overleg_aanbod=s.request.meeting_offer,
    )
    return _letter(DocumentType.HERINNERING, context, step_hint=rung.key)


def termijn_verstreken(s: AdviceState, today: date) -> Letter:
    term = s.terms[s.main_term].schedule
    context = TermijnVerstrekenBrief(
        **_base(s, today), informatie_verstrekt_op=s.request.information_provided_on,
        adviestermijn_einde=term.due_on, instemming_gevraagd=s.consent,
    )
    return _letter(DocumentType.TERMIJN_VERSTREKEN, context)


def verlenging(s: AdviceState, today: date, old: DeadlineSchedule, new: DeadlineSchedule, reden: str) -> Letter:
    context = VerlengingBrief(
        **_base(s, today), informatie_verstrekt_op=s.request.information_provided_on,
        oude_einddatum=old.due_on, nieuwe_einddatum=new.due_on, reden=reden, instemming_gevraagd=s.consent,
    )
    return _letter(DocumentType.VERLENGING_TERMIJN, context)


def intrekking(s: AdviceState, today: date, reden: str) -> Letter:
    context = IntrekkingBrief(
        **_base(s, today), informatie_verstrekt_op=s.request.information_provided_on,
        reden=reden, instemming_gevraagd=s.consent,
    )
    return _letter(DocumentType.INTREKKING, context)


def reactie(s: AdviceState, today: date, advice: RecordedAdvice, decision: DecisionTaken,
            earliest_execution: date) -> Letter:
    punten = [
        Adviespunt(nummer=n + 1, samenvatting=a.summary, overgenomen=d.adopted.value, motivering=d.motivation)
        for n, (a, d) in enumerate(zip(advice.points, decision.points, strict=True))
    ]
    context = ReactieBrief(
        **_base(s, today), advies_ontvangen_op=advice.received_on,
        besluit=DECISION_NL[decision.decision], advies_gevolgd=decision.decision == "followed", punten=punten,
        toelichting=decision.explanation, vroegste_uitvoeringsdatum=earliest_execution,
    )
    return _letter(DocumentType.REACTIE_ADVIES, context)


def uitvoering(s: AdviceState, today: date, executed_on: date, note: str | None) -> Letter:
    ground = s.executable_because or ExecutableBecause.TERMIJN_VERSTREKEN
    context = UitvoeringBrief(**_base(s, today), uitgevoerd_op=executed_on,
                              grondslag=GROUNDS_NL[ground], toelichting=note)
    return _letter(DocumentType.MEDEDELING_UITVOERING, context)


def escalatie(s: AdviceState, today: date, term: DeadlineSchedule, reden: str, actie: str,
              to: Audience = Audience.MANAGER, step_hint: str | None = None) -> Letter:
    """An internal memo to the manager (or the owner): never addressed to the organisation."""
    c = s.corporation
    aan = (Geadresseerde(naam=c.manager_name, soort="manager") if to == Audience.MANAGER
           else Geadresseerde(naam=s.owner.name, soort="behandelaar"))
    context = EscalatieBrief(
        **_base(s, today, aan), reden=reden, termijn=term.name, termijn_artikel=term.article,
        termijn_einde=term.due_on, traject_onderwerp=s.subject, organisatie=s.organisation.name,
        staat=STATE_LABELS[State(s.state)], actie=actie,
    )
    return _letter(DocumentType.INTERNE_ESCALATIE, context, audience=to, step_hint=step_hint)


# ---- the ladders: what each rung says (Wohv art. 5 lid 1, lid 2, 5a) ------------------------------------


def rung_notices(s: AdviceState, today: date, term_key: str, rung: PlannedRung) -> list[Notice]:
    """What a rung of one of the request's ladders says, by its kind and audience."""
    term = s.terms[term_key].schedule
    days_left = (term.due_on - today).days
    if term_key == s.main_term:
        notices = [Notice(kind=rung.kind, audience=rung.audience, letter=herinnering(s, today, rung),
                          timeline=f"Herinnering: de {term.name} eindigt op {datum(term.due_on)}")]
        # Domain brief 7.1: an overleg was asked for but is not held a week before the end.
        if rung.key == "reminder_7" and s.state == State.OVERLEG_GEPLAND and (
                s.overleg is None or s.overleg.planned_on is None or s.overleg.planned_on >= rung.on):
            notices.append(escalation(
                s, today, term_key, "Er is overleg gevraagd dat een week voor het einde van de termijn nog niet "
                "heeft plaatsgevonden.", "Plan het overleg vóór het einde van de termijn of bied verlenging aan.",
                step_hint="overleg"))
        return notices
    if term_key == "reply_term":
        if rung.kind == RungKind.ESCALATION:
            return [escalation(s, today, term_key, f"Nog {days_left} dagen om te reageren op het advies; er is "
                               "nog geen besluit vastgelegd.", "Zorg dat het besluit en de gemotiveerde reactie "
                               f"uiterlijk {datum(term.due_on)} worden verzonden.")]
        return [Notice(kind=rung.kind, audience=rung.audience,
                       timeline=f"Signaal aan de behandelaar: nog {days_left} dagen voor de reactie",
                       mail=_notice_mail(s, f"Reactie op advies: nog {days_left} dagen",
                                         f"Het advies is ontvangen op {datum(term.anchor)}. De gemotiveerde reactie "
                                         f"moet uiterlijk {datum(term.due_on)} verzonden zijn ({term.article})."))]
    return []


def escalation(s: AdviceState, today: date, term_key: str, reden: str, actie: str,
               step_hint: str | None = None) -> Notice:
    term = s.terms[term_key].schedule
    return Notice(kind=RungKind.ESCALATION, audience=Audience.MANAGER, timeline=f"Escalatie naar de manager: {reden}",
                  letter=escalatie(s, today, term, reden, actie, step_hint=step_hint))


def owner_notice(s: AdviceState, subject: str, text: str) -> Notice:
    return Notice(kind=RungKind.ALERT, audience=Audience.OWNER, timeline=f"Bericht aan de behandelaar: {subject}",
                  mail=_notice_mail(s, subject, text))


def _notice_mail(s: AdviceState, subject: str, text: str) -> Mail:
    body = f"Beste {s.owner.name},\n\n{text}\n\nTraject: {s.subject} ({kenmerk(s)})\n"
    return Mail(subject=f"{subject} [{kenmerk(s)}]", body=body)


REPLY_MISSED = ("De termijn van 14 dagen voor de gemotiveerde reactie op het advies is verstreken. Dit verzwakt de "
                "positie van de corporatie bij de kantonrechter (artikel 8 lid 3 Wohv).",
                "Neem zo snel mogelijk een besluit op het advies en verstuur de reactie.")
def parent_withdrawal_refused(reason: str) -> tuple[str, str]:
    return ("Adviesaanvraag niet ingetrokken",
            "Het traject waar deze adviesaanvraag bij hoort is gestopt, maar de adviesaanvraag kon niet worden "
            f"ingetrokken: {reason}. Trek haar zelf in zodra dat kan.")


CONSENT_MISSED = ("De termijn voor instemming is verstreken zonder dat de huurdersorganisatie heeft ingestemd.",
                  "Kies: opnieuw overleg, een aangepast voorstel of een geschil (artikel 8 Wohv). Het voorstel mag "
                  "niet worden uitgevoerd.")


# ---- timeline lines: one per event, facts filled in (dates as Dutch dates) ------------------------------

TIMELINE = {
    "sent": "{soort} {how}; de {term} loopt tot en met {due_on} ({article})",
    "receipt_confirmed": "Ontvangst bevestigd op {received_on}",
    "overleg_requested": "Overleg gevraagd op {requested_on}{planned} (artikel 5 lid 1 en 5b lid 2 Wohv)",
    "term_extended": "De {term} is verlengd van {old} tot en met {new}: {reason}",
    "advice_received": "Schriftelijk advies ontvangen op {received_on} met {points:adviespunt|adviespunten}",
    "no_objection": "Verklaring 'geen bezwaar' ontvangen op {received_on}; het besluit mag worden uitgevoerd "
                    "(artikel 5 lid 3 onder a Wohv)",
    "consent_given": "Instemming ontvangen op {received_on}; het voorstel mag worden uitgevoerd (artikel 5a Wohv)",
    "consent_refused": "Instemming geweigerd op {received_on}; het voorstel mag niet worden uitgevoerd "
                       "(artikel 5a Wohv)",
    "advice_followed": "Besluit: het advies wordt gevolgd",
    "decision": "Besluit: het advies wordt {decision}; de gemotiveerde reactie is verzonden (artikel 5 lid 2 Wohv)",
    "reply_received": "De gemotiveerde reactie is ontvangen op {received_on}; de wachttijd van drie dagen loopt "
                      "(artikel 5 lid 3 onder c Wohv)",
    "dispute_filed": "Geschil aanhangig bij {forum} sinds {filed_on}; uitvoering is geblokkeerd (artikel 8 Wohv)",
    "dispute_resolved": "Geschil afgerond op {resolved_on}: {outcome}",
    "executed": "Uitgevoerd op {executed_on}",
    "withdrawn": "Ingetrokken: {reason}",
    "closed": "Dossier gesloten{note}",
    "consent_term_expired": "De {term} is verstreken zonder instemming; instemming wordt niet verondersteld "
                            "(artikel 5a Wohv)",
    "advice_term_expired": "De adviestermijn is verstreken zonder advies; het besluit mag worden uitgevoerd "
                           "(artikel 5 lid 3 onder b Wohv)",
    "reply_term_missed": "De {term} is verstreken zonder besluit ({article})",
    "wait_expired": "De wachttijd van drie dagen is verstreken (artikel 5 lid 3 onder c Wohv)",
}


def line(event: str, **facts: object) -> str:
    """The timeline line of ``event``; dates among the facts are written as Dutch dates."""
    return regel(TIMELINE[event], **facts)


def sent(s: AdviceState) -> str:
    term = s.terms[s.main_term].schedule
    return line("sent", soort=soort(s), how="geregistreerd (eerder op papier verzonden)" if s.registration
                else "verzonden", term=term.name, due_on=term.due_on, article=term.article)


def overleg(requested_on: date, planned_on: date | None, term_due_on: date) -> str:
    planned = ""
    if planned_on:
        planned = f", gepland op {datum(planned_on)}"
        if planned_on > term_due_on:
            planned += " (let op: na het einde van de termijn; bied verlenging aan)"
    return line("overleg_requested", requested_on=requested_on, planned=planned)


# ---- notices to staff when a term ends ------------------------------------------------------------------

ADVICE_TERM_PASSED = ("Adviestermijn verstreken: uitvoering toegestaan", "De adviestermijn is verstreken zonder "
                      "advies. Het besluit mag nu worden uitgevoerd (artikel 5 lid 3 onder b Wohv).")
WAIT_PASSED = ("Wachttijd verstreken: uitvoering toegestaan", "De wachttijd na de gemotiveerde reactie is "
               "verstreken. Het besluit mag nu worden uitgevoerd (artikel 5 lid 3 onder c Wohv).")
CONSENT_REFUSED = ("Instemming geweigerd", "De huurdersorganisatie heeft niet ingestemd. Het voorstel mag niet "
                   "worden uitgevoerd (artikel 5a Wohv). Kies: opnieuw overleg, een aangepast voorstel of een "
                   "geschil (artikel 8 Wohv).")


# ---- covering mails: what is asked, by when, and whom to call -------------------------------------------


def _greeting(to: list[Recipient]) -> str:
    return ", ".join(f"Beste {r.name}" if n == 0 else f"beste {r.name}" for n, r in enumerate(to)) + ","


def _what_is_asked(s: AdviceState, ref: DocumentRef) -> str:
    term = s.terms[s.main_term].schedule
    asked = "uw instemming" if s.consent else "uw advies"
    if ref.type in (DocumentType.ADVIESAANVRAAG, DocumentType.HERINNERING, DocumentType.VERLENGING_TERMIJN):
        return (f"Wij vragen {asked} over '{s.subject}'. Wij ontvangen uw reactie graag uiterlijk "
                f"{datum(term.due_on)}.")
    if ref.type == DocumentType.REACTIE_ADVIES:
        return "In de brief leest u per adviespunt wat wij met uw advies doen."
    if ref.type == DocumentType.ONTVANGSTBEVESTIGING_ADVIES:
        reply = s.terms.get("reply_term")
        by = f" U ontvangt onze reactie uiterlijk {datum(reply.schedule.due_on)}." if reply else ""
        return "Wij hebben uw advies ontvangen." + by
    return "U hoeft niets te doen."


def covering_mail(s: AdviceState, letter: Letter, ref: DocumentRef, to: list[Recipient]) -> Mail:
    """The mail that carries a letter: greets every addressee, says what is asked, by when, whom to call."""
    c = s.corporation
    confidential = s.request.confidential and letter.audience == Audience.ORGANISATION
    lines = [_greeting(to) if to else "Beste lezer,", "",
             f"In de bijlage vindt u de brief '{ref.title}' over '{s.subject}' (kenmerk {kenmerk(s)}).", ""]
    if letter.audience == Audience.ORGANISATION:
        lines += [_what_is_asked(s, ref), ""]
        if confidential:
            lines += ["Deze informatie is vertrouwelijk. Deel haar niet buiten het bestuur van uw organisatie.", ""]
        ways = [x for x in (f"bel {c.phone}" if c.phone else "", f"mail naar {s.owner.email}") if x]
        lines += [f"Hebt u vragen? Neem contact op met {s.owner.name}: {' of '.join(ways)}.", ""]
    lines += ["Met vriendelijke groet,", "", s.owner.name, c.name]
    prefix = "[Vertrouwelijk] " if confidential else ""
    return Mail(subject=f"{prefix}{ref.title}: {s.subject} [{kenmerk(s)}]", body="\n".join(lines) + "\n")
