"""Renovation participation for one complex (domain brief 7.2; BW 7:220, Wohv art. 1-2).

One workflow per renovation, started when staff create the project (B1) with the household register already
in the document store. It reads like the table of domain brief 7.2, B1-B5 and B17: the state x action table
is ``inspraak.domain.renovation``'s, the sign-up term is ``inspraak.domain.terms.SIGN_UP``, every Dutch word is
in ``renovation_letters``, and the waiting, reminding, filing, merging and mailing is the kernel's.

The steps of each phase live in a mixin of their own (``renovation_panel``: B2-B5, ``renovation_vote``:
B9-B11); this class composes them, holds the kernel's hooks (which dispatch to the phases) and ``stop``.
"""

from temporalio import workflow

from inspraak.workflows.renovation_advice import AdviceSteps
from inspraak.workflows.renovation_objection import ObjectionSteps
from inspraak.workflows.renovation_panel import PanelSteps
from inspraak.workflows.renovation_vote import VoteSteps
from inspraak.workflows.renovation_works import WorksSteps

with workflow.unsafe.imports_passed_through():
    from inspraak.domain import objection_letters
    from inspraak.domain import renovation_letters as letters
    from inspraak.domain.documents import DocumentRef
    from inspraak.domain.objections import is_objection_term
    from inspraak.domain.renovation import (
        FINAL_STATES,
        RENOVATION_TABLE,
        RenovationInput,
        State,
        initial_state,
    )
    from inspraak.domain.renovation_actions import Stopped
    from inspraak.domain.renovation_view import RenovationAccess, RenovationView
    from inspraak.domain.terms import PlannedRung
    from inspraak.domain.trajectory import (
        ActionTable,
        ChildLink,
        Letter,
        Mail,
        Notice,
        Recipient,
        StepResult,
        TermStatus,
    )
    from inspraak.domain.works import RETENTION_TERM, completion_of
    from inspraak.domain.works_letters import line as works_line


@workflow.defn
class RenovationWorkflow(PanelSteps, AdviceSteps, VoteSteps, ObjectionSteps, WorksSteps):
    """A renovation of one complex, from its creation to an active panel with its meetings.

    Updates (staff actions, each with a validator reading the state table; each returns a
    :class:`StepResult`): ``invite`` (B2: a letter to every household, by post and where known by mail, a
    combined print file, and the sign-up term), ``record_sign_up`` (B3), ``constitute_panel`` (B4: the
    confirmation to every member and to the organisation), ``record_meeting`` (B5: the minutes), ``stop`` (B17:
    withdraws an open advice request with its own action and letter; a constituted panel gets the dissolution
    letter, with a copy to the organisation).

    ``hand_in_plan`` (B6: the concept projectplan and sociaal plan), ``start_advice_request`` (B7: the advice
    request on them, a child workflow addressed to the addressee); the renovation moves on when the child
    reports that it is executable (B8), through the kernel's ``child_changed`` signal.

    ``send_proposals`` (B9-B10: the renovatievoorstel to every home, with its own figures and reply code,
    the list frozen, the reply term), ``record_answer`` (staff: paper, home visit), ``answer_by_code`` (the
    household, through the API, which derived the unit from the code), ``close_vote`` (B11: the count and the
    uitslag letter).

    ``send_notices`` (B12: the kennisgeving by registered mail to every home that did not agree),
    ``record_receipts`` (each home's 8 weeks from its own receipt date, one term per date), ``record_court_claim``
    (B13), ``record_landlord_claims`` (B16), ``record_ruling``, ``adjust_proposal`` (B15), ``follow_rulings``
    (B16 -> UITVOERINGSGEREED); the last term ending moves BEZWAARTERMIJN to UITVOERINGSGEREED (B14).

    Queries: ``view`` (the whole state: deadlines, documents, timeline; staff see sign-ups and members),
    ``tally`` (totals only), ``vote_units`` (the frozen list and version, for the API's code check),
    ``home_votes`` (staff only: per home), ``objections`` and ``evidence`` (staff only).

    The clock: the sign-up term's reminder to the owner three days before it closes, and a notice when it has;
    the reply term's reminder five days before the reply date (mail to homes without an answer, the count to
    the owner), and a notice when it has passed.
    """

    FINAL = frozenset(FINAL_STATES)

    def finished(self) -> bool:
        """Never: closed or stopped, the workflow waits out the retention term of its personal data and takes the
        erasure; after the erasure it stays open as the renovation's anonymous record (docs/renovation-works.md)."""
        return False

    @workflow.init
    def __init__(self, inp: RenovationInput) -> None:
        self.inp = inp
        self.begin(initial_state(inp))

    @workflow.run
    async def run(self, inp: RenovationInput) -> RenovationView:
        await self.open(self._created)
        await self.run_clock()
        return self.view()

    async def _created(self) -> None:
        s = self.s
        self.log("created", letters.line(
            "created", complex=s.renovation.complex.name, homes=s.flags.homes,
            ten=letters.ja(s.flags.bouwkundige_eenheid_ten_minste_10),
            twentyfive=letters.ja(s.flags.wooncomplex_ten_minste_25), addressee=s.organisation.name),
            actor="staff", by=s.owner.name)

    # ---- the kernel's hooks ----------------------------------------------------------------------

    def action_table(self) -> ActionTable:
        return RENOVATION_TABLE

    def refusal_beyond_table(self, action: str) -> str | None:
        return self.advice_refusal(action)

    async def on_child(self, link: ChildLink) -> None:
        await self.advice_changed(link)

    def notices(self, term: str, rung: PlannedRung) -> list[Notice]:
        if is_objection_term(term):
            return objection_letters.week_six_alert(self.s, term, rung)
        return letters.rung_notices(self.s, term, rung)

    def covering_mail(self, letter: Letter, ref: DocumentRef, to: list[Recipient]) -> Mail:
        return letters.covering_mail(self.s, letter, ref, to)

    def continue_input(self) -> RenovationInput:
        # The register reference of the state: after an erasure it names no unit any more.
        return self.inp.model_copy(update={"resume": self.s, "register_ref": self.s.register_ref})

    async def on_expired(self, term: str) -> None:
        if term == "sign_up":
            await self.sign_up_expired()
        elif term == "proposal_reply":
            await self.reply_term_ended()
        elif is_objection_term(term):
            await self.objection_term_ended(term)
        elif completion_of(term) is not None:
            await self.rent_term_ended(term)
        elif term == RETENTION_TERM:
            await self.retention_ended()

    async def on_rung(self, term: str, rung: PlannedRung) -> None:
        if term == "proposal_reply":
            await self.remind_non_answering()
        elif completion_of(term) is not None:
            await self.rent_term_rung(term, rung)

    # ---- updates ---------------------------------------------------------------------------------

    @workflow.update
    async def stop(self, action: Stopped) -> StepResult:
        async with self.step(self._check_stop, action):
            self.s.state, self.s.overdue = State.GESTOPT, False
            self.end_all_terms(TermStatus.CANCELLED)
            self.log("stopped", letters.line("stopped", reason=action.reason), *self.who(action))
            await self.withdraw_advice_request(action, action.reason)
            until = await self.begin_retention()
            self.log("retention", works_line("stopped_retention", until=until))
            copy = await self.dissolve_after_stop(action, until)
        return self.result(RETENTION_TERM, copy)

    @stop.validator
    def _check_stop(self, action: Stopped) -> None:
        self.check("stop")

    # ---- queries ---------------------------------------------------------------------------------

    @workflow.query
    def view(self) -> RenovationView:
        return RenovationView.of(self.s)

    @workflow.query
    def access(self) -> RenovationAccess:
        """Whose the renovation is and its state: what a route checks before an action."""
        return RenovationAccess(organisation_id=self.s.organisation_id, state=State(self.s.state))
