"""The advice request (adviesaanvraag) and consent request (instemmingsverzoek): Wohv art. 4-5a, 8.

One workflow per request, started when the information of art. 4 is provided. It reads like the table
of domain brief 7.1: which action is allowed in which state is ``inspraak.domain.advice``'s table, the
terms and their articles are in ``inspraak.domain.terms``, every Dutch word is in ``advice_letters``,
and the waiting, reminding, filing and mailing is the kernel's.
"""

from datetime import date, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from inspraak.workflows.kernel import Trajectory, invalid

with workflow.unsafe.imports_passed_through():
    from inspraak.domain import advice_letters as letters
    from inspraak.domain.advice import (
        FINAL_STATES,
        READY_STATES,
        STATE_LABELS,
        AdviceRequestInput,
        AdviceRequestView,
        AdviceState,
        Dispute,
        ExecutableBecause,
        RecordedAdvice,
        State,
        flag_refusal,
        initial_state,
        table_for,
    )
    from inspraak.domain.advice_actions import (
        AdviceReceived,
        Closed,
        ConsentRecorded,
        Decision,
        DecisionTaken,
        DisputeFiled,
        DisputeResolved,
        DocumentAttached,
        Executed,
        NoObjectionReceived,
        OverlegRequested,
        ReceiptConfirmed,
        ReplyReceived,
        TermExtended,
        Withdrawn,
    )
    from inspraak.domain.documents import DocumentRef, Visibility
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


@workflow.defn
class AdviceRequestWorkflow(Trajectory[AdviceState]):
    """An advice or consent request to one tenant organisation, from sending to closing.

    Updates (staff or organisation actions, each with a validator reading the state table; each returns
    a :class:`StepResult`): ``confirm_receipt``, ``request_overleg``, ``extend_term``, ``record_advice``,
    ``record_no_objection``, ``record_consent``, ``decide``, ``confirm_reply_receipt``, ``file_dispute``,
    ``resolve_dispute``, ``record_execution``, ``withdraw``, ``attach_document``, ``close``.

    Queries: ``view`` (the whole state: deadlines, documents, timeline).

    The clock: reminders 14 and 7 days before the advice term ends; at its end the request becomes
    executable (art. 5 lid 3 b), or for consent escalates (art. 5a, nothing is deemed); alerts and
    escalations while the motivated reply is due (art. 5 lid 2); the 3-day wait (art. 5 lid 3 c).
    """

    FINAL = frozenset(FINAL_STATES)

    @workflow.init
    def __init__(self, inp: AdviceRequestInput) -> None:
        self.inp = inp
        self.begin(initial_state(inp))

    @workflow.run
    async def run(self, inp: AdviceRequestInput) -> AdviceRequestView:
        await self.open(self._send)
        await self.run_clock()
        return self.view()

    async def _send(self) -> None:
        self.log("sent", letters.sent(self.s), actor="staff", by=self.s.owner.name)
        if self.s.registration is None:  # a registered request was sent on paper already
            await self.file(letters.adviesaanvraag(self.s, self.today()))

    # ---- the kernel's hooks ----------------------------------------------------------------------

    def action_table(self) -> ActionTable:
        return table_for(self.s.consent)

    def refusal_beyond_table(self, action: str) -> str | None:
        return flag_refusal(action, self.s)

    def notices(self, term: str, rung: PlannedRung) -> list[Notice]:
        return letters.rung_notices(self.s, self.today(), term, rung)

    def covering_mail(self, letter: Letter, ref: DocumentRef, to: list[Recipient]) -> Mail:
        return letters.covering_mail(self.s, letter, ref, to)

    def alert_notice(self, subject: str, text: str) -> Notice:
        return letters.owner_notice(self.s, subject, text)

    def continue_input(self) -> AdviceRequestInput:
        return self.inp.model_copy(update={"resume": self.s})

    def link(self) -> ChildLink:
        """What the parent (a renovation) sees of this request: state, the advice term's end, executable."""
        s = self.s
        state = State(s.state)
        return ChildLink(
            id=s.id, type=s.type, state=state, state_label=STATE_LABELS[state],
            due_on=s.terms[s.main_term].schedule.due_on if s.main_term in s.terms else None,
            next_deadline=s.next_deadline(), ready=state in READY_STATES and not s.execution_blocked,
            final=self.finished(), withdrawable=self.action_table().refusal("withdraw", state) is None
            and flag_refusal("withdraw", s) is None, because=s.executable_because, updated_at=workflow.now())

    async def on_expired(self, term: str) -> None:
        s = self.s
        if term == s.main_term:
            # A registered request whose term ended before it was registered gets no letter now.
            late = s.registration is not None and s.terms[term].schedule.expires_at <= s.registration.registered_at
            if s.consent:
                # Wohv art. 5a: no consent is deemed given. Escalate; staff choose overleg, a new proposal
                # or a dispute (art. 8).
                s.state, s.overdue = State.GEEN_INSTEMMING_ESCALATIE, True
                self.log("term_expired", letters.line("consent_term_expired", term=s.terms[term].schedule.name))
                if not late:
                    await self.file(letters.termijn_verstreken(s, self.today()))
                await self.tell(letters.escalation(s, self.today(), term, *letters.CONSENT_MISSED), "escalation")
            else:
                self._executable(ExecutableBecause.TERMIJN_VERSTREKEN, letters.line("advice_term_expired"))
                if not late:
                    await self.file(letters.termijn_verstreken(s, self.today()))
                await self.tell(letters.owner_notice(s, *letters.ADVICE_TERM_PASSED), "notice")
        elif term == "reply_term":
            s.overdue = True
            schedule = s.terms[term].schedule
            self.log("reply_term_missed", letters.line("reply_term_missed", term=schedule.name,
                                                       article=schedule.article), visibility=Visibility.STAFF)
            await self.tell(letters.escalation(s, self.today(), term, *letters.REPLY_MISSED), "escalation")
        elif term == "execution_wait":
            self._executable(ExecutableBecause.WACHTTIJD_VERSTREKEN, letters.line("wait_expired"))
            await self.tell(letters.owner_notice(s, *letters.WAIT_PASSED), "notice")

    # ---- updates: staff and organisation actions ---------------------------------------------------

    @workflow.update
    async def confirm_receipt(self, action: ReceiptConfirmed) -> StepResult:
        async with self.step(self._check_receipt, action):
            self.s.state = State.IN_BEHANDELING
            self.note("receipt_confirmed", action, received_on=action.received_on)
        return self.result()

    @confirm_receipt.validator
    def _check_receipt(self, action: ReceiptConfirmed) -> None:
        self.check("confirm_receipt")
        self._check_date("received_on", action.received_on, self.s.request.information_provided_on,
                         "the information was provided")

    @workflow.update
    async def request_overleg(self, action: OverlegRequested) -> StepResult:
        async with self.step(self._check_overleg, action):
            s = self.s
            s.state, s.overleg = State.OVERLEG_GEPLAND, action
            due = s.terms[s.main_term].schedule.due_on
            self.log("overleg_requested", letters.overleg(action.requested_on, action.planned_on, due),
                     *self.who(action))
        return self.result()

    @request_overleg.validator
    def _check_overleg(self, action: OverlegRequested) -> None:
        self.check("request_overleg")
        self._check_date("requested_on", action.requested_on, self.s.request.information_provided_on,
                         "the information was provided")
        if action.planned_on is not None and action.planned_on < action.requested_on:
            raise invalid("planned_on", "before_event", "planned_on cannot be before requested_on")

    @workflow.update
    async def extend_term(self, action: TermExtended) -> StepResult:
        async with self.step(self._check_extension, action):
            s = self.s
            old = s.terms[s.main_term].schedule
            new = await self.plan(old.term, old.anchor, requested_due_on=action.new_end,
                                  minimum_days=s.minimum_term_days)
            if self.running(s.main_term):
                self.replan_term(new)
            else:  # consent (art. 5a): after an expired term, a new term for renewed overleg
                self.start_term(new)
                s.state, s.overdue = State.IN_BEHANDELING, False
            self.note("term_extended", action, term=new.name, old=old.due_on, new=new.due_on, reason=action.reason)
            ref = await self.file(letters.verlenging(s, self.today(), old, new, action.reason))
        return self.result(s.main_term, ref)

    @extend_term.validator
    def _check_extension(self, action: TermExtended) -> None:
        self.check("extend_term")
        due = self.s.terms[self.s.main_term].schedule.due_on
        if action.new_end <= due:
            raise invalid("new_end", "extension_not_later", "a term is only ever extended, never shortened: "
                          f"new_end must be after {due.isoformat()} (artikel 5 lid 1 Wohv)")
        if (action.new_end - due).days > self.s.max_extension_days:
            raise invalid("new_end", "extension_too_long", f"a term is extended by at most "
                          f"{self.s.max_extension_days} days at a time: new_end must be on or before "
                          f"{(due + timedelta(days=self.s.max_extension_days)).isoformat()}")

    @workflow.update
    async def record_advice(self, action: AdviceReceived) -> StepResult:
        async with self.step(self._check_advice, action):
            s = self.s
            reply = await self.plan("reply_term", action.received_on)
            self.end_term(s.main_term)
            s.state, s.executable_because, s.executable_since = State.ADVIES_ONTVANGEN, None, None
            s.advice = RecordedAdvice(received_on=action.received_on, advice_dated=action.advice_dated,
                                      points=action.points)
            self.start_term(reply)
            self.note("advice_received", action, received_on=action.received_on, points=len(action.points))
            ref = await self.file(letters.ontvangstbevestiging(s, self.today(), s.advice, reply))
        return self.result("reply_term", ref)

    @record_advice.validator
    def _check_advice(self, action: AdviceReceived) -> None:
        self.check("record_advice")
        self._check_date("received_on", action.received_on, self.s.request.information_provided_on,
                         "the information was provided")
        self._check_in_time(action.received_on)

    @workflow.update
    async def record_no_objection(self, action: NoObjectionReceived) -> StepResult:
        async with self.step(self._check_no_objection, action):
            self.end_term(self.s.main_term)
            self._executable(ExecutableBecause.GEEN_BEZWAAR,
                             letters.line("no_objection", received_on=action.received_on), action)
        return self.result()

    @record_no_objection.validator
    def _check_no_objection(self, action: NoObjectionReceived) -> None:
        self.check("record_no_objection")
        self._check_date("received_on", action.received_on, self.s.request.information_provided_on,
                         "the information was provided")
        self._check_in_time(action.received_on)

    @workflow.update
    async def record_consent(self, action: ConsentRecorded) -> StepResult:
        async with self.step(self._check_consent, action):
            s = self.s
            self.end_term(s.main_term)
            if action.given:
                s.overdue = False
                self._executable(ExecutableBecause.INSTEMMING,
                                 letters.line("consent_given", received_on=action.received_on), action)
            else:
                s.state = State.INSTEMMING_GEWEIGERD
                self.note("consent_refused", action, received_on=action.received_on)
                await self.tell(letters.owner_notice(s, *letters.CONSENT_REFUSED), "notice")
        return self.result()

    @record_consent.validator
    def _check_consent(self, action: ConsentRecorded) -> None:
        self.check("record_consent")
        self._check_date("received_on", action.received_on, self.s.request.information_provided_on,
                         "the information was provided")

    @workflow.update
    async def decide(self, action: DecisionTaken) -> StepResult:
        async with self.step(self._check_decision, action):
            s = self.s
            advice: RecordedAdvice = self.need(s.advice, "the recorded advice")
            today = self.today()
            earliest = today
            if action.decision != Decision.FOLLOWED:
                # Indicative for the letter: the 3-day wait runs from the organisation's receipt, recorded later.
                earliest = (await self.plan("execution_wait", today)).expires_at.date()
            s.decision, s.decided_on = action, today
            self.end_term("reply_term")
            s.overdue = False
            if action.decision == Decision.FOLLOWED:
                # No reply is required when the advice is followed; a confirmation is good practice.
                self._executable(ExecutableBecause.ADVIES_GEVOLGD, letters.line("advice_followed"), action)
            else:
                s.state = State.REACTIE_VERZONDEN
                self.note("decision", action, decision=letters.DECISION_NL[action.decision])
            ref = await self.file(letters.reactie(s, today, advice, action, earliest))
        return self.result(document=ref)

    @decide.validator
    def _check_decision(self, action: DecisionTaken) -> None:
        self.check("decide")
        advice: RecordedAdvice = self.need(self.s.advice, "the recorded advice")
        if len(action.points) != len(advice.points):
            raise invalid("points", "one_per_advice_point", f"decide on each of the {len(advice.points)} advice "
                          f"points, in order (got {len(action.points)})")

    @workflow.update
    async def confirm_reply_receipt(self, action: ReplyReceived) -> StepResult:
        async with self.step(self._check_reply_receipt, action):
            wait = await self.plan("execution_wait", action.received_on)
            self.s.state = State.WACHTTIJD_3_DAGEN
            self.start_term(wait)
            self.note("reply_received", action, received_on=action.received_on)
        return self.result("execution_wait")

    @confirm_reply_receipt.validator
    def _check_reply_receipt(self, action: ReplyReceived) -> None:
        self.check("confirm_reply_receipt")
        self._check_date("received_on", action.received_on, self.s.decided_on, "the reply was sent")

    @workflow.update
    async def file_dispute(self, action: DisputeFiled) -> StepResult:
        async with self.step(self._check_dispute, action):
            self.s.dispute = Dispute(forum=action.forum, filed_on=action.filed_on, description=action.description,
                                     execution_suspended=action.execution_suspended)
            self.note("dispute_filed", action, forum=action.forum.value, filed_on=action.filed_on)
        return self.result()

    @file_dispute.validator
    def _check_dispute(self, action: DisputeFiled) -> None:
        self.check("file_dispute")
        self._check_date("filed_on", action.filed_on, self.s.request.information_provided_on,
                         "the information was provided")

    @workflow.update
    async def resolve_dispute(self, action: DisputeResolved) -> StepResult:
        async with self.step(self._check_resolve, action):
            dispute: Dispute = self.need(self.s.dispute, "the dispute")
            self.s.dispute = dispute.model_copy(update={"resolved_on": action.resolved_on, "outcome": action.outcome})
            self.note("dispute_resolved", action, resolved_on=action.resolved_on, outcome=action.outcome)
        return self.result()

    @resolve_dispute.validator
    def _check_resolve(self, action: DisputeResolved) -> None:
        self.check("resolve_dispute")
        dispute: Dispute = self.need(self.s.dispute, "the dispute")
        self._check_date("resolved_on", action.resolved_on, dispute.filed_on, "the dispute was filed")

    @workflow.update
    async def record_execution(self, action: Executed) -> StepResult:
        async with self.step(self._check_execution, action):
            self.s.state = State.UITGEVOERD
            self.note("executed", action, executed_on=action.executed_on)
            ref = await self.file(letters.uitvoering(self.s, self.today(), action.executed_on, action.note))
        return self.result(document=ref)

    @record_execution.validator
    def _check_execution(self, action: Executed) -> None:
        self.check("record_execution")
        self._check_date("executed_on", action.executed_on, self.s.executable_since, "the decision became executable")

    @workflow.update
    async def withdraw(self, action: Withdrawn) -> StepResult:
        async with self.step(self._check_withdraw, action):
            ref = await self._withdraw(action)
        return self.result(document=ref)

    @withdraw.validator
    def _check_withdraw(self, action: Withdrawn) -> None:
        self.check("withdraw")

    @workflow.signal
    async def parent_withdraws(self, action: Withdrawn) -> None:
        """The trajectory this request is part of stopped: the same withdrawal, with its letter. A signal has no
        caller to refuse to: a refusal (a dispute is open) goes to the owner, and the request stays open."""
        try:
            async with self.step(self._check_withdraw, action):
                await self._withdraw(action)
        except (ApplicationError, ActivityError) as e:
            reason = str(e.cause if isinstance(e, ActivityError) else e.message)
            async with self._lock:
                await self.tell(letters.owner_notice(self.s, *letters.parent_withdrawal_refused(reason)), "notice")
                self.changed()

    async def _withdraw(self, action: Withdrawn) -> DocumentRef:
        s = self.s
        s.state, s.overdue = State.INGETROKKEN, False
        self.end_all_terms(TermStatus.CANCELLED)
        self.note("withdrawn", action, reason=action.reason)
        return await self.file(letters.intrekking(s, self.today(), action.reason))

    @workflow.update
    async def attach_document(self, action: DocumentAttached) -> StepResult:
        async with self.step(self._check_attach, action):
            self.attach(action.document, *self.who(action))
        return self.result(document=action.document)

    @attach_document.validator
    def _check_attach(self, action: DocumentAttached) -> None:
        self.check("attach_document")
        if action.document.trajectory_id != self.s.id:
            raise invalid("document", "other_trajectory", "the document belongs to another trajectory")

    @workflow.update
    async def close(self, action: Closed) -> StepResult:
        async with self.step(self._check_close, action):
            self.s.state = State.GESLOTEN
            self.note("closed", action, note=f": {action.note}" if action.note else "")
        return self.result()

    @close.validator
    def _check_close(self, action: Closed) -> None:
        self.check("close")

    # ---- queries ---------------------------------------------------------------------------------

    @workflow.query
    def view(self) -> AdviceRequestView:
        return AdviceRequestView.of(self.s)

    # ---- helpers ---------------------------------------------------------------------------------

    def note(self, event: str, action: object, **facts: object) -> None:
        """The timeline line of an event recorded by someone, its text from the letters module."""
        self.log(event, letters.line(event, **facts), *self.who(action))

    def _executable(self, because: ExecutableBecause, text: str, action: object = None) -> None:
        self.s.state, self.s.executable_because, self.s.executable_since = State.UITVOERBAAR, because, self.today()
        self.log("executable", text, *self.who(action))

    def _check_in_time(self, received_on: date) -> None:
        """Advice or 'geen bezwaar' received in time but recorded after the term ran out still counts: execution
        is allowed only when nothing came in time (art. 5 lid 3 b)."""
        s = self.s
        if s.state != State.UITVOERBAAR:
            return
        due = s.terms[s.main_term].schedule.due_on
        if s.executable_because != ExecutableBecause.TERMIJN_VERSTREKEN or received_on > due:
            raise self._refuse(f"the advice term ended on {due.isoformat()} and the decision became executable "
                               "(artikel 5 lid 3 sub b Wohv); only advice received on or before that day can "
                               "still be recorded")

    def _check_date(self, field: str, day: date, not_before: date | None, event: str) -> None:
        """Every recorded date lies on or after the event it answers, and not in the future."""
        if day > self.today():
            raise invalid(field, "date_in_future", f"{field} cannot be in the future")
        if not_before is not None and day < not_before:
            raise invalid(field, "before_event", f"{field} cannot be before {event} ({not_before.isoformat()})")
