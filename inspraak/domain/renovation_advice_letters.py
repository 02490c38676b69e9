"""What the renovation says about its advice request (B6-B8), in Dutch: the request's subject, the reason
for its withdrawal when the renovation stops, the notices to the staff member handling it. The timeline
lines are with the renovation's others (``renovation_letters.TIMELINE``)."""

from inspraak.domain.advice import ExecutableBecause
from inspraak.domain.households import Complex
from inspraak.domain.renovation import RenovationState
from inspraak.domain.renovation_actions import PlanKind
from inspraak.domain.renovation_letters import _owner_mail
from inspraak.domain.terms import Audience, RungKind
from inspraak.domain.trajectory import ChildLink, Notice

PLAN_NAMES = {PlanKind.PROJECTPLAN: "Conceptprojectplan", PlanKind.SOCIAAL_PLAN: "Sociaal plan"}

BECAUSE = {
    ExecutableBecause.GEEN_BEZWAAR: "verklaring 'geen bezwaar', artikel 5 lid 3 onder a Wohv",
    ExecutableBecause.TERMIJN_VERSTREKEN: "adviestermijn verstreken zonder advies, artikel 5 lid 3 onder b Wohv",
    ExecutableBecause.WACHTTIJD_VERSTREKEN: "drie dagen na ontvangst van de gemotiveerde reactie, artikel 5 lid 3 "
                                            "onder c Wohv",
    ExecutableBecause.ADVIES_GEVOLGD: "het advies wordt gevolgd",
    ExecutableBecause.INSTEMMING: "instemming, artikel 5a Wohv",
}


def advice_subject(complex_: Complex) -> str:
    return f"Projectplan en sociaal plan renovatie {complex_.name}"[:200]


def because(link: ChildLink) -> str:
    return BECAUSE.get(ExecutableBecause(link.because), link.because) if link.because else link.state_label


def withdrawal_reason(s: RenovationState, reason: str) -> str:
    """Completes the letter's "De reden: ..." (the intrekking letter of the advice request)."""
    return f"de renovatie van {s.renovation.complex.name} is gestopt. {reason}"[:4_000]


def _to_owner(s: RenovationState, timeline: str, subject: str, text: str) -> Notice:
    return Notice(kind=RungKind.ALERT, audience=Audience.OWNER, timeline=f"Bericht aan de behandelaar: {timeline}",
                  mail=_owner_mail(s, subject, text))


def advice_executable(s: RenovationState, link: ChildLink) -> Notice:
    return _to_owner(s, f"adviesaanvraag {link.id} is uitvoerbaar", "Renovatievoorstel kan definitief worden",
                     f"De adviesaanvraag {link.id} over het projectplan en het sociaal plan van "
                     f"{s.renovation.complex.name} is uitvoerbaar ({because(link)}). U kunt de renovatievoorstellen "
                     "nu versturen.")


def advice_ended(s: RenovationState, link: ChildLink) -> Notice:
    return _to_owner(s, f"adviesaanvraag {link.id} is beëindigd ({link.state_label})", "Adviesaanvraag beëindigd",
                     f"De adviesaanvraag {link.id} over het projectplan en het sociaal plan van "
                     f"{s.renovation.complex.name} is beëindigd ({link.state_label}) zonder uitvoerbaar te worden. "
                     "Zonder uitvoerbaar advies gaan de renovatievoorstellen niet uit (artikel 5 lid 3 Wohv). Pas zo "
                     "nodig de plannen aan en start een nieuwe adviesaanvraag.")


NEXT_AFTER_ENDED = "een nieuwe adviesaanvraag is nodig voordat de voorstellen uitgaan"
NEXT_LATE = "de renovatie gaat door; beoordeel of een nieuwe adviesaanvraag nodig is"
