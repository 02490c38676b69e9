"""The letters and mails of the advice request: what each says, built from the trajectory's state.

Pure functions, so the workflow can call them deterministically; the templates decide the layout.
"""

from datetime import date

from pydantic import BaseModel

from inspraak.domain.advice import (
    STATE_LABELS,
    AdviceRequestInput,
    DecisionTaken,
    ExecutableBecause,
    RecordedAdvice,
    State,
)
from inspraak.domain.documents import (
    AdviesaanvraagBrief,
    Adviespunt,
    Afzender,
    Brief,
    EscalatieBrief,
    Geadresseerde,
    HerinneringBrief,
    OntvangstbevestigingBrief,
    ReactieBrief,
    TermijnVerstrekenBrief,
    UitvoeringBrief,
)
from inspraak.domain.terms import DeadlineSchedule

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


class Mail(BaseModel):
    subject: str
    body: str


def kenmerk(inp: AdviceRequestInput) -> str:
    return inp.id.upper()


def _afzender(inp: AdviceRequestInput) -> Afzender:
    c = inp.corporation
    return Afzender(naam=c.name, adres=c.address, postcode_plaats=c.postcode_city, telefoon=c.phone,
                    email=c.email, website=c.website)


def _aan_organisatie(inp: AdviceRequestInput) -> Geadresseerde:
    o = inp.organisation
    return Geadresseerde(naam=o.name, soort=o.kind.value, ter_attentie_van=o.contacts[0].name,
                         adres=o.address, postcode_plaats=o.postcode_city)


def _base(inp: AdviceRequestInput, today: date, aan: Geadresseerde | None = None) -> dict:
    return dict(
        kenmerk=kenmerk(inp), datum=today, afzender=_afzender(inp), geadresseerde=aan or _aan_organisatie(inp),
        onderwerp=inp.request.subject, behandelaar=inp.owner.name, behandelaar_email=inp.owner.email,
        overeenkomst=inp.organisation.agreement_reference,
    )


def adviesaanvraag(inp: AdviceRequestInput, today: date) -> AdviesaanvraagBrief:
    r = inp.request
    return AdviesaanvraagBrief(
        **_base(inp, today), categorie=r.category.value, categorie_omschrijving=r.category.description,
        complexen=r.complexes, voornemen=r.intention, beweegredenen=r.reasons,
        gevolgen_voor_huurders=r.consequences, alternatieven=r.alternatives,
        bijlagen=[a.title for a in r.attachments], informatie_verstrekt_op=r.information_provided_on,
        adviestermijn_einde=inp.term.due_on, adviestermijn_verlengd_reden=inp.term.extended_reason,
        overleg_aanbod=r.meeting_offer, vertrouwelijk=r.confidential, instemming_gevraagd=r.consent_requested,
    )


def ontvangstbevestiging(inp: AdviceRequestInput, today: date, advice: RecordedAdvice,
                         reply: DeadlineSchedule) -> OntvangstbevestigingBrief:
    return OntvangstbevestigingBrief(
        **_base(inp, today), advies_datum=advice.advice_dated, advies_ontvangen_op=advice.received_on,
        adviespunten=[p.summary for p in advice.points], uiterste_reactiedatum=reply.due_on,
    )


def herinnering(inp: AdviceRequestInput, today: date, term: DeadlineSchedule) -> HerinneringBrief:
    return HerinneringBrief(
        **_base(inp, today), informatie_verstrekt_op=inp.request.information_provided_on,
        adviestermijn_einde=term.due_on, dagen_resterend=(term.due_on - today).days,
        instemming_gevraagd=inp.request.consent_requested, overleg_aanbod=inp.request.meeting_offer,
    )


def termijn_verstreken(inp: AdviceRequestInput, today: date, term: DeadlineSchedule) -> TermijnVerstrekenBrief:
    return TermijnVerstrekenBrief(
        **_base(inp, today), informatie_verstrekt_op=inp.request.information_provided_on,
        adviestermijn_einde=term.due_on, instemming_gevraagd=inp.request.consent_requested,
    )


def reactie(inp: AdviceRequestInput, today: date, advice: RecordedAdvice, decision: DecisionTaken,
            earliest_execution: date) -> ReactieBrief:
    punten = [
        Adviespunt(nummer=n + 1, samenvatting=a.summary, overgenomen=d.adopted.value, motivering=d.motivation)
        for n, (a, d) in enumerate(zip(advice.points, decision.points, strict=True))
    ]
    return ReactieBrief(
        **_base(inp, today), advies_ontvangen_op=advice.received_on, besluit=DECISION_NL[decision.decision],
        advies_gevolgd=decision.decision == "followed", punten=punten, toelichting=decision.explanation,
        vroegste_uitvoeringsdatum=earliest_execution,
    )


def escalatie(inp: AdviceRequestInput, today: date, *, to_manager: bool, state: str, reden: str, actie: str,
              term: DeadlineSchedule) -> EscalatieBrief:
    c = inp.corporation
    aan = (Geadresseerde(naam=c.manager_name, soort="manager") if to_manager
           else Geadresseerde(naam=inp.owner.name, soort="behandelaar"))
    return EscalatieBrief(
        **_base(inp, today, aan), reden=reden, termijn=term.name, termijn_artikel=term.article,
        termijn_einde=term.due_on, traject_onderwerp=inp.request.subject, organisatie=inp.organisation.name,
        staat=STATE_LABELS[State(state)], actie=actie,
    )


def uitvoering(inp: AdviceRequestInput, today: date, executed_on: date, ground: ExecutableBecause,
               note: str | None) -> UitvoeringBrief:
    return UitvoeringBrief(**_base(inp, today), uitgevoerd_op=executed_on, grondslag=GROUNDS_NL[ground],
                           toelichting=note)


def mail_for(letter: Brief, title: str, closing: str = "") -> Mail:
    """The covering mail of a letter: the letter itself goes as the attachment."""
    body = (
        f"Beste {letter.geadresseerde.ter_attentie_van or letter.geadresseerde.naam},\n\n"
        f"In de bijlage vindt u de brief '{title}' over '{letter.onderwerp}' (kenmerk {letter.kenmerk}).\n"
        + (f"\n{closing}\n" if closing else "")
        + f"\nMet vriendelijke groet,\n\n{letter.behandelaar}\n{letter.afzender.naam}\n"
    )
    return Mail(subject=f"{title}: {letter.onderwerp} [{letter.kenmerk}]", body=body)
