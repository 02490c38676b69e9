"""The advice request (adviesaanvraag) and consent request (instemmingsverzoek): Wohv art. 4-5a, 8.

One workflow per request, started when the information of art. 4 is provided. The states follow
domain brief 7.1; the terms and their articles live in ``inspraak.domain.terms``.
"""

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Literal

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

from inspraak.workflows import names
from inspraak.workflows.deadlines import DeadlineClock

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401  (pydantic's EmailStr loads it lazily; pass it through up front)

    from inspraak.activities.mail import MailAttachment, MailRequest
    from inspraak.activities.terms import PlanTermRequest
    from inspraak.domain import advice_letters as letters
    from inspraak.domain.advice import (
        FINAL_STATES,
        WAITING_FOR_ANSWER,
        Action,
        AdviceReceived,
        AdviceRequestInput,
        AdviceRequestView,
        ConsentRecorded,
        Decision,
        DecisionTaken,
        Dispute,
        DisputeFiled,
        DisputeResolved,
        ExecutableBecause,
        Executed,
        NoObjectionReceived,
        OverlegRequested,
        ReceiptConfirmed,
        RecordedAdvice,
        ReplyReceived,
        State,
        TermExtended,
        TimelineEntry,
        Withdrawn,
    )
    from inspraak.domain.documents import Brief, DocumentRef, DocumentType, RenderRequest
    from inspraak.domain.terms import (
        ADVICE_TERM,
        CONSENT_TERM,
        DeadlineSchedule,
        PlannedRung,
        RungKind,
        local_date,
    )

Role = Literal["staff", "manager", "organisation", "clock"]

RENDER_TIMEOUT = timedelta(minutes=2)
MAIL_TIMEOUT = timedelta(minutes=2)
# Mail may be down for a while; it retries in the background and never holds up the trajectory.
MAIL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=10), maximum_interval=timedelta(minutes=30),
                         maximum_attempts=50)
RENDER_RETRY = RetryPolicy(maximum_attempts=10, maximum_interval=timedelta(minutes=1))


def refuse(message: str) -> ApplicationError:
    """A staff action the state does not allow: the API answers 409 with this message."""
    return ApplicationError(message, type="TransitionRefused", non_retryable=True)


def invalid(field: str, message: str) -> ApplicationError:
    """Input that is well-formed but wrong for this trajectory: the API answers 422 naming the field."""
    return ApplicationError(message, field, type="InvalidInput", non_retryable=True)


@workflow.defn
class AdviceRequestWorkflow:
    """An advice or consent request to one tenant organisation, from sending to execution.

    Updates (staff or organisation actions, each with a validator): ``confirm_receipt``,
    ``request_overleg``, ``extend_term``, ``record_advice``, ``record_no_objection``,
    ``record_consent``, ``decide``, ``confirm_reply_receipt``, ``file_dispute``, ``resolve_dispute``,
    ``record_execution``, ``withdraw``.

    Queries: ``view`` (the whole state: deadlines, documents, timeline).

    The clock: reminders 14 and 7 days before the advice term ends; at its end the request becomes
    executable (art. 5 lid 3 b), or for consent escalates (art. 5a, nothing is deemed); alerts and
    escalations while the motivated reply is due (art. 5 lid 2); the 3-day wait (art. 5 lid 3 c).
    """

    def __init__(self) -> None:
        self._inp: AdviceRequestInput | None = None
        self._state = State.VERZONDEN
        self._clocks: dict[str, DeadlineClock] = {}
        self._timeline: list[TimelineEntry] = []
        self._documents: list[DocumentRef] = []
        self._seq = 0
        self._advice: RecordedAdvice | None = None
        self._decision: DecisionTaken | None = None
        self._dispute: Dispute | None = None
        self._executable_because: ExecutableBecause | None = None
        self._overleg: OverlegRequested | None = None
        self._overdue = False
        self._mail: list[asyncio.Task[None]] = []
        self._sent = False

    # ---- the main line ---------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: AdviceRequestInput) -> AdviceRequestView:
        self._inp = inp
        term = DeadlineClock(inp.term)
        self._clocks[inp.term.term] = term
        kind = "instemmingsverzoek" if inp.request.consent_requested else "adviesaanvraag"
        self._log("sent", "staff", f"{kind.capitalize()} verzonden; de {inp.term.name} loopt tot en met "
                  f"{inp.term.due_on.isoformat()} ({inp.term.article})", by=inp.owner.name)
        await self._letter(DocumentType.ADVIESAANVRAAG, letters.adviesaanvraag(inp, self._today()), "organisation")
        self._sent = True
        self._index()

        answered = await term.wait(lambda: self._state not in WAITING_FOR_ANSWER, self._on_term_rung)
        if not answered:
            await self._term_expired(term.schedule)

        while self._state not in FINAL_STATES:
            state = self._state
            if state == State.ADVIES_ONTVANGEN and self._decision is None:
                await self._reply_due()
            elif state == State.WACHTTIJD_3_DAGEN:
                await self._execution_wait()
            else:
                await self._state_change(state)
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._flush_mail()
        return self.view()

    async def _state_change(self, state: State) -> None:
        await workflow.wait_condition(lambda: self._state != state)

    async def _on_term_rung(self, rung: PlannedRung) -> None:
        inp = self._require_input()
        schedule = self._clocks[inp.term.term].schedule
        letter = letters.herinnering(inp, self._today(), schedule)
        self._log(rung.key, "clock", f"Herinnering: de {schedule.name} eindigt op {schedule.due_on.isoformat()}")
        await self._letter(DocumentType.HERINNERING, letter, "organisation", step_hint=rung.key)
        # Domain brief 7.1: an overleg was asked for but has not been held a week before the end.
        if rung.key == "reminder_7" and self._state == State.OVERLEG_GEPLAND and (
            self._overleg is None or self._overleg.planned_on is None or self._overleg.planned_on >= rung.on
        ):
            await self._escalate(schedule, to_manager=True,
                                 reden="Er is overleg gevraagd dat een week voor het einde van de "
                                 "adviestermijn nog niet heeft plaatsgevonden.",
                                 actie="Plan het overleg vóór het einde van de termijn of bied verlenging aan.")

    async def _term_expired(self, schedule: DeadlineSchedule) -> None:
        inp = self._require_input()
        letter = letters.termijn_verstreken(inp, self._today(), schedule)
        if inp.request.consent_requested:
            # Wohv art. 5a: no consent is deemed given. Escalate; staff choose overleg, a new proposal
            # or a dispute (art. 8).
            self._state = State.GEEN_INSTEMMING_ESCALATIE
            self._overdue = True
            self._log("term_expired", "clock", f"De {schedule.name} is verstreken zonder instemming; "
                      "instemming wordt niet verondersteld (artikel 5a Wohv)")
            self._index()
            await self._letter(DocumentType.TERMIJN_VERSTREKEN, letter, "organisation")
            await self._escalate(schedule, to_manager=True,
                                 reden="De termijn voor instemming is verstreken zonder dat de "
                                 "huurdersorganisatie heeft ingestemd.",
                                 actie="Kies: opnieuw overleg, een aangepast voorstel, of een geschil "
                                 "(artikel 8 Wohv). Het voorstel mag niet worden uitgevoerd.")
        else:
            self._make_executable(ExecutableBecause.TERMIJN_VERSTREKEN,
                                  f"De {schedule.name} is verstreken zonder advies; het besluit mag worden "
                                  "uitgevoerd (artikel 5 lid 3 sub b Wohv)")
            await self._letter(DocumentType.TERMIJN_VERSTREKEN, letter, "organisation")
            self._notify_owner("Adviestermijn verstreken: uitvoering toegestaan",
                               "De adviestermijn is verstreken zonder advies. Het besluit mag nu worden "
                               "uitgevoerd (artikel 5 lid 3 sub b Wohv).")

    async def _reply_due(self) -> None:
        """Wohv art. 5 lid 2: the motivated reply is due within 14 days of receiving the advice."""
        await workflow.wait_condition(lambda: "reply_term" in self._clocks or self._state != State.ADVIES_ONTVANGEN)
        clock = self._clocks.get("reply_term")
        if clock is None or not clock.running:
            return
        met = await clock.wait(lambda: self._decision is not None or self._state in FINAL_STATES,
                               self._on_reply_rung)
        if not met:
            self._overdue = True
            self._log("reply_term_missed", "clock", f"De {clock.schedule.name} is verstreken zonder besluit "
                      f"({clock.schedule.article})")
            self._index()
            await self._escalate(clock.schedule, to_manager=True,
                                 reden="De termijn van 14 dagen voor de gemotiveerde reactie op het advies is "
                                 "verstreken. Dit verzwakt de positie van de corporatie bij de "
                                 "kantonrechter (artikel 8 lid 3 Wohv).",
                                 actie="Neem zo snel mogelijk een besluit op het advies en verstuur de reactie.")
            await workflow.wait_condition(lambda: self._state != State.ADVIES_ONTVANGEN)

    async def _on_reply_rung(self, rung: PlannedRung) -> None:
        clock = self._clocks["reply_term"]
        days_left = (clock.schedule.due_on - rung.on).days
        if rung.kind == RungKind.ESCALATION:
            self._log(rung.key, "clock", f"Escalatie: nog {days_left} dagen voor de gemotiveerde reactie")
            await self._escalate(clock.schedule, to_manager=True,
                                 reden=f"Nog {days_left} dagen om te reageren op het advies; er is nog geen "
                                 "besluit vastgelegd.",
                                 actie="Zorg dat het besluit en de gemotiveerde reactie tijdig worden verstuurd.")
        else:
            self._log(rung.key, "clock", f"Signaal aan de behandelaar: nog {days_left} dagen voor de reactie")
            self._notify_owner(f"Reactie op advies: nog {days_left} dagen",
                               f"Het advies is ontvangen op {clock.schedule.anchor.isoformat()}. De gemotiveerde "
                               f"reactie moet uiterlijk {clock.schedule.due_on.isoformat()} verzonden zijn "
                               f"({clock.schedule.article}).")

    async def _execution_wait(self) -> None:
        """Wohv art. 5 lid 3 c: three days after the organisation received the reasons."""
        await workflow.wait_condition(lambda: "execution_wait" in self._clocks or self._state in FINAL_STATES)
        clock = self._clocks.get("execution_wait")
        if clock is None:
            return
        if not await clock.wait(lambda: self._state != State.WACHTTIJD_3_DAGEN):
            self._make_executable(ExecutableBecause.WACHTTIJD_VERSTREKEN,
                                  "De wachttijd van drie dagen is verstreken (artikel 5 lid 3 sub c Wohv)")
            self._notify_owner("Wachttijd verstreken: uitvoering toegestaan",
                               "De wachttijd na de gemotiveerde reactie is verstreken. Het besluit mag nu "
                               "worden uitgevoerd (artikel 5 lid 3 sub c Wohv).")

    # ---- updates: staff and organisation actions -------------------------------------------------

    @workflow.update
    async def confirm_receipt(self, action: ReceiptConfirmed) -> AdviceRequestView:
        await self._settle(self._check_receipt, action)
        self._state = State.IN_BEHANDELING
        self._log("receipt_confirmed", action, f"Ontvangst bevestigd op {action.received_on.isoformat()}")
        self._index()
        return self.view()

    @confirm_receipt.validator
    def _check_receipt(self, action: ReceiptConfirmed) -> None:
        self._require(self._state == State.VERZONDEN, "receipt can only be confirmed while the request is sent "
                      "and not yet in treatment")
        self._check_date("received_on", action.received_on)

    @workflow.update
    async def request_overleg(self, action: OverlegRequested) -> AdviceRequestView:
        await self._settle(self._check_overleg, action)
        self._state = State.OVERLEG_GEPLAND
        self._overleg = action
        term = self._term_schedule()
        text = f"Overleg gevraagd op {action.requested_on.isoformat()}"
        if action.planned_on:
            text += f", gepland op {action.planned_on.isoformat()}"
            if action.planned_on > term.due_on:
                text += " (let op: na het einde van de termijn; bied verlenging aan)"
        self._log("overleg_requested", action, text + " (artikel 5 lid 1 en 5b lid 2 Wohv)")
        self._index()
        return self.view()

    @request_overleg.validator
    def _check_overleg(self, action: OverlegRequested) -> None:
        self._require(self._state in WAITING_FOR_ANSWER, "an overleg can only be requested while the term runs")
        self._check_date("requested_on", action.requested_on)

    @workflow.update
    async def extend_term(self, action: TermExtended) -> AdviceRequestView:
        await self._settle(self._check_extension, action)
        inp = self._require_input()
        clock = self._clocks[inp.term.term]
        old = clock.schedule
        new = await self._plan(old.term, old.anchor, requested_due_on=action.new_end)
        clock.extend(new)
        self._log("term_extended", action, f"De {new.name} is verlengd van {old.due_on.isoformat()} tot en met "
                  f"{new.due_on.isoformat()}: {action.reason}")
        self._index()
        return self.view()

    @extend_term.validator
    def _check_extension(self, action: TermExtended) -> None:
        self._require(self._state in WAITING_FOR_ANSWER, "the term can only be extended while it runs")
        if action.new_end <= self._term_schedule().due_on:
            raise invalid("new_end", f"a term is only ever extended, never shortened: new_end must be after "
                          f"{self._term_schedule().due_on.isoformat()} (artikel 5 lid 1 Wohv)")

    @workflow.update
    async def record_advice(self, action: AdviceReceived) -> AdviceRequestView:
        await self._settle(self._check_advice, action)
        inp = self._require_input()
        self._state = State.ADVIES_ONTVANGEN
        self._clocks[inp.term.term].satisfy()
        self._advice = RecordedAdvice(received_on=action.received_on, advice_dated=action.advice_dated,
                                      points=action.points)
        self._log("advice_received", action, f"Schriftelijk advies ontvangen op {action.received_on.isoformat()} "
                  f"met {len(action.points)} adviespunt(en)")
        self._index()
        reply = await self._plan("reply_term", action.received_on)
        self._clocks["reply_term"] = DeadlineClock(reply)
        self._index()
        letter = letters.ontvangstbevestiging(inp, self._today(), self._advice, reply)
        await self._letter(DocumentType.ONTVANGSTBEVESTIGING_ADVIES, letter, "organisation")
        return self.view()

    @record_advice.validator
    def _check_advice(self, action: AdviceReceived) -> None:
        self._require_advice_variant()
        self._require(self._state in WAITING_FOR_ANSWER,
                      f"advice can only be recorded while the advice term runs (state is {self._state})")
        self._check_date("received_on", action.received_on)

    @workflow.update
    async def record_no_objection(self, action: NoObjectionReceived) -> AdviceRequestView:
        await self._settle(self._check_no_objection, action)
        self._term_clock().satisfy()
        self._make_executable(ExecutableBecause.GEEN_BEZWAAR,
                              f"Verklaring 'geen bezwaar' ontvangen op {action.received_on.isoformat()}; het "
                              "besluit mag worden uitgevoerd (artikel 5 lid 3 sub a Wohv)", action)
        return self.view()

    @record_no_objection.validator
    def _check_no_objection(self, action: NoObjectionReceived) -> None:
        self._require_advice_variant()
        self._require(self._state in WAITING_FOR_ANSWER, "'geen bezwaar' can only be recorded while the advice "
                      f"term runs (state is {self._state})")
        self._check_date("received_on", action.received_on)

    @workflow.update
    async def record_consent(self, action: ConsentRecorded) -> AdviceRequestView:
        await self._settle(self._check_consent, action)
        self._term_clock().satisfy()
        if action.given:
            self._overdue = False
            self._make_executable(ExecutableBecause.INSTEMMING,
                                  f"Instemming ontvangen op {action.received_on.isoformat()}; het voorstel mag "
                                  "worden uitgevoerd (artikel 5a Wohv)", action)
        else:
            self._state = State.INSTEMMING_GEWEIGERD
            self._log("consent_refused", action, f"Instemming geweigerd op {action.received_on.isoformat()}; "
                      "het voorstel mag niet worden uitgevoerd (artikel 5a Wohv)")
            self._index()
            self._notify_owner("Instemming geweigerd",
                               "De huurdersorganisatie heeft niet ingestemd. Het voorstel mag niet worden "
                               "uitgevoerd (artikel 5a Wohv). Kies: opnieuw overleg, een aangepast voorstel, "
                               "of een geschil (artikel 8 Wohv).")
        return self.view()

    @record_consent.validator
    def _check_consent(self, action: ConsentRecorded) -> None:
        inp = self._require_input()
        self._require(inp.request.consent_requested, "this is an advice request, not a consent request: record "
                      "advice or 'geen bezwaar' (artikel 5 Wohv)")
        allowed = WAITING_FOR_ANSWER | {State.INSTEMMING_GEWEIGERD, State.GEEN_INSTEMMING_ESCALATIE}
        self._require(self._state in allowed, f"consent cannot be recorded in state {self._state}")
        self._check_date("received_on", action.received_on)

    @workflow.update
    async def decide(self, action: DecisionTaken) -> AdviceRequestView:
        await self._settle(self._check_decision, action)
        # record_advice plans the reply term after it changed the state; a quick decision waits for it.
        await workflow.wait_condition(lambda: "reply_term" in self._clocks)
        inp = self._require_input()
        advice = self._advice
        assert advice is not None
        self._decision = action
        self._clocks["reply_term"].satisfy()
        self._overdue = False
        today = self._today()
        if action.decision == Decision.FOLLOWED:
            # No reply is required when the advice is followed; a confirmation is good practice.
            self._make_executable(ExecutableBecause.ADVIES_GEVOLGD, "Besluit: het advies wordt gevolgd", action)
            earliest = today
        else:
            self._state = State.REACTIE_VERZONDEN
            self._log("decision", action, f"Besluit: het advies wordt {letters.DECISION_NL[action.decision]}; de "
                      "gemotiveerde reactie is verzonden (artikel 5 lid 2 Wohv)")
            self._index()
            # Indicative: the 3-day wait runs from the organisation's receipt, recorded separately.
            earliest = (await self._plan("execution_wait", today)).expires_at.date()
        letter = letters.reactie(inp, today, advice, action, earliest)
        await self._letter(DocumentType.REACTIE_ADVIES, letter, "organisation")
        return self.view()

    @decide.validator
    def _check_decision(self, action: DecisionTaken) -> None:
        self._require(self._state == State.ADVIES_ONTVANGEN and self._decision is None,
                      f"a decision can only be taken on received advice (state is {self._state})")
        assert self._advice is not None
        if len(action.points) != len(self._advice.points):
            raise invalid("points", f"decide on each of the {len(self._advice.points)} advice points, in order "
                          f"(got {len(action.points)})")

    @workflow.update
    async def confirm_reply_receipt(self, action: ReplyReceived) -> AdviceRequestView:
        await self._settle(self._check_reply_receipt, action)
        self._state = State.WACHTTIJD_3_DAGEN
        self._log("reply_received", action, f"De gemotiveerde reactie is ontvangen op "
                  f"{action.received_on.isoformat()}; de wachttijd van drie dagen loopt (artikel 5 lid 3 sub c Wohv)")
        wait = await self._plan("execution_wait", action.received_on)
        self._clocks["execution_wait"] = DeadlineClock(wait)
        self._index()
        return self.view()

    @confirm_reply_receipt.validator
    def _check_reply_receipt(self, action: ReplyReceived) -> None:
        self._require(self._state == State.REACTIE_VERZONDEN,
                      f"receipt of the reply can only be recorded after it was sent (state is {self._state})")
        self._check_date("received_on", action.received_on)

    @workflow.update
    async def file_dispute(self, action: DisputeFiled) -> AdviceRequestView:
        await self._settle(self._check_dispute, action)
        self._dispute = Dispute(forum=action.forum, filed_on=action.filed_on, description=action.description)
        self._log("dispute_filed", action, f"Geschil aanhangig bij {action.forum.value} sinds "
                  f"{action.filed_on.isoformat()}; uitvoering is geblokkeerd (artikel 8 Wohv)")
        self._index()
        return self.view()

    @file_dispute.validator
    def _check_dispute(self, action: DisputeFiled) -> None:
        self._require(self._state not in FINAL_STATES, f"the trajectory is closed (state is {self._state})")
        self._require(self._dispute is None or self._dispute.resolved_on is not None,
                      "a dispute is already open; resolve it first")
        self._check_date("filed_on", action.filed_on)

    @workflow.update
    async def resolve_dispute(self, action: DisputeResolved) -> AdviceRequestView:
        await self._settle(self._check_resolve, action)
        assert self._dispute is not None
        self._dispute = self._dispute.model_copy(update={"resolved_on": action.resolved_on,
                                                         "outcome": action.outcome})
        self._log("dispute_resolved", action, f"Geschil afgerond op {action.resolved_on.isoformat()}: "
                  f"{action.outcome}")
        self._index()
        return self.view()

    @resolve_dispute.validator
    def _check_resolve(self, action: DisputeResolved) -> None:
        self._require(self._dispute is not None and self._dispute.resolved_on is None, "there is no open dispute")
        self._check_date("resolved_on", action.resolved_on)

    @workflow.update
    async def record_execution(self, action: Executed) -> AdviceRequestView:
        await self._settle(self._check_execution, action)
        inp = self._require_input()
        ground = self._executable_because
        assert ground is not None
        self._state = State.UITGEVOERD
        self._log("executed", action, f"Uitgevoerd op {action.executed_on.isoformat()}")
        self._index()
        letter = letters.uitvoering(inp, self._today(), action.executed_on, ground, action.note)
        await self._letter(DocumentType.MEDEDELING_UITVOERING, letter, "organisation")
        return self.view()

    @record_execution.validator
    def _check_execution(self, action: Executed) -> None:
        self._require(self._state == State.UITVOERBAAR, f"the decision may not be carried out yet (state is "
                      f"{self._state}; artikel 5 lid 3 Wohv)")
        self._require(self._dispute is None or self._dispute.resolved_on is not None,
                      "execution is blocked while a dispute is open (artikel 8 lid 2 Wohv)")
        self._check_date("executed_on", action.executed_on)

    @workflow.update
    async def withdraw(self, action: Withdrawn) -> AdviceRequestView:
        await self._settle(self._check_withdraw, action)
        inp = self._require_input()
        self._state = State.INGETROKKEN
        for clock in self._clocks.values():
            clock.satisfy()
        self._overdue = False
        self._log("withdrawn", action, f"Ingetrokken: {action.reason}")
        self._index()
        self._send_mail(f"{inp.id}.withdrawn.organisation", self._organisation_emails(),
                        letters.Mail(subject=f"Ingetrokken: {inp.request.subject} [{letters.kenmerk(inp)}]",
                                     body=f"Beste {inp.organisation.contacts[0].name},\n\nWij trekken de aanvraag "
                                     f"'{inp.request.subject}' (kenmerk {letters.kenmerk(inp)}) in.\n\nReden: "
                                     f"{action.reason}\n\nMet vriendelijke groet,\n\n{inp.owner.name}\n"
                                     f"{inp.corporation.name}\n"), [])
        return self.view()

    @withdraw.validator
    def _check_withdraw(self, action: Withdrawn) -> None:
        self._require(self._state not in FINAL_STATES, f"the trajectory is closed (state is {self._state})")

    # ---- queries ---------------------------------------------------------------------------------

    @workflow.query
    def view(self) -> AdviceRequestView:
        inp = self._require_input()
        running = [c for c in self._clocks.values() if c.running]
        return AdviceRequestView(
            id=inp.id,
            consent_requested=inp.request.consent_requested,
            state=self._state,
            organisation_id=inp.organisation.id,
            organisation_name=inp.organisation.name,
            subject=inp.request.subject,
            category=inp.request.category,
            owner=inp.owner,
            information_provided_on=inp.request.information_provided_on,
            deadlines=[c.schedule for c in self._clocks.values()],
            overdue=self._overdue,
            next_deadline=min((c.schedule.expires_at for c in running), default=None),
            executable_because=self._executable_because,
            advice=self._advice,
            decision=self._decision,
            dispute=self._dispute,
            execution_blocked=self._dispute is not None and self._dispute.resolved_on is None,
            documents=list(self._documents),
            timeline=list(self._timeline),
        )

    # ---- helpers ---------------------------------------------------------------------------------

    async def _settle(self, check: Callable[[Any], None], action: Any) -> None:
        """Let the request be sent first, then check again: another update may have moved the state."""
        await workflow.wait_condition(lambda: self._sent)
        check(action)

    def _require_input(self) -> AdviceRequestInput:
        if self._inp is None:  # an update that arrives before run() started
            raise refuse("the trajectory is still starting; try again")
        return self._inp

    def _require(self, condition: bool, message: str) -> None:
        if not condition:
            raise refuse(message)

    def _require_advice_variant(self) -> None:
        inp = self._require_input()
        self._require(not inp.request.consent_requested,
                      "this is a consent request (artikel 5a Wohv): record consent given or refused")

    def _check_date(self, field: str, day: date) -> None:
        inp = self._require_input()
        if day > self._today():
            raise invalid(field, f"{field} cannot be in the future")
        if day < inp.request.information_provided_on:
            raise invalid(field, f"{field} cannot be before the information was provided "
                          f"({inp.request.information_provided_on.isoformat()})")

    def _term_clock(self) -> DeadlineClock:
        return self._clocks[self._require_input().term.term]

    def _term_schedule(self) -> DeadlineSchedule:
        return self._term_clock().schedule

    def _today(self) -> date:
        return local_date(workflow.now(), self._require_input().timezone)

    def _log(self, event: str, actor: Action | Role, text: str, *, by: str = "",
             document_id: str | None = None) -> None:
        role: Role
        if isinstance(actor, Action):
            role, by = (actor.actor.role, actor.actor.name) if actor.actor else ("staff", "")
        else:
            role = actor
        self._timeline.append(TimelineEntry(at=workflow.now(), event=event, actor=role, by=by, text=text,
                                            document_id=document_id))

    def _make_executable(self, because: ExecutableBecause, text: str, action: Action | None = None) -> None:
        self._state = State.UITVOERBAAR
        self._executable_because = because
        self._log("executable", action or "clock", text)
        self._index()

    async def _plan(self, term: str, anchor: date, requested_due_on: date | None = None) -> DeadlineSchedule:
        inp = self._require_input()
        minimum = inp.minimum_term_days if term in (ADVICE_TERM.key, CONSENT_TERM.key) else None
        return await workflow.execute_activity(
            names.PLAN_TERM,
            PlanTermRequest(term=term, anchor=anchor, as_of=workflow.now(), requested_due_on=requested_due_on,
                            minimum_days=minimum),
            result_type=DeadlineSchedule,
            start_to_close_timeout=timedelta(seconds=30),
        )

    async def _letter(self, doc_type: DocumentType, letter: Brief, audience: str,
                      step_hint: str | None = None) -> DocumentRef:
        """Render a letter, keep it, and mail it (in the background) to its audience."""
        inp = self._require_input()
        self._seq += 1
        step = f"{self._seq:02d}-{doc_type.value}" + (f"-{step_hint.replace('_', '-')}" if step_hint else "")
        ref = await workflow.execute_activity(
            names.RENDER_DOCUMENT,
            RenderRequest(trajectory_id=inp.id, organisation_id=inp.organisation.id, step=step, type=doc_type,
                          context=letter.model_dump(mode="json")),
            result_type=DocumentRef,
            start_to_close_timeout=RENDER_TIMEOUT,
            retry_policy=RENDER_RETRY,
        )
        self._documents.append(ref)
        self._log("document", "clock", f"Document gemaakt: {ref.title}", document_id=ref.id)
        to = {"organisation": self._organisation_emails(), "manager": [inp.corporation.manager_email],
              "owner": [inp.owner.email]}[audience]
        self._send_mail(f"{ref.id}.{audience}", to, letters.mail_for(letter, ref.title),
                        [MailAttachment(filename=f"{letters.kenmerk(inp)} {ref.title}.docx", key=ref.key)])
        return ref

    async def _escalate(self, schedule: DeadlineSchedule, *, to_manager: bool, reden: str, actie: str) -> None:
        inp = self._require_input()
        letter = letters.escalatie(inp, self._today(), to_manager=to_manager, state=self._state.value,
                                   reden=reden, actie=actie, term=schedule)
        self._log("escalation", "clock", f"Escalatie naar {'de manager' if to_manager else 'de behandelaar'}: {reden}")
        await self._letter(DocumentType.INTERNE_ESCALATIE, letter, "manager" if to_manager else "owner")

    def _notify_owner(self, subject: str, text: str) -> None:
        inp = self._require_input()
        self._seq += 1
        body = f"Beste {inp.owner.name},\n\n{text}\n\nTraject: {inp.request.subject} ({letters.kenmerk(inp)})\n"
        self._send_mail(f"{inp.id}.{self._seq:02d}-notice", [inp.owner.email],
                        letters.Mail(subject=f"{subject} [{letters.kenmerk(inp)}]", body=body), [])

    def _organisation_emails(self) -> list[str]:
        return [str(c.email) for c in self._require_input().organisation.contacts]

    def _send_mail(self, message_id: str, to: list[str], mail: "letters.Mail",
                   attachments: list["MailAttachment"]) -> None:
        async def send() -> None:
            try:
                await workflow.execute_activity(
                    names.SEND_MAIL,
                    MailRequest(message_id=message_id, to=to, subject=mail.subject, body=mail.body,
                                attachments=attachments),
                    start_to_close_timeout=MAIL_TIMEOUT,
                    retry_policy=MAIL_RETRY,
                )
            except ActivityError as e:
                self._log("mail_failed", "clock", f"Mail '{mail.subject}' kon niet worden verzonden: {e.cause}")

        self._mail.append(asyncio.create_task(send()))

    async def _flush_mail(self) -> None:
        await asyncio.gather(*self._mail)

    def _index(self) -> None:
        """Keep the search attributes that listings filter on in step with the state."""
        inp = self._require_input()
        if not inp.search_attributes:
            return
        running = [c for c in self._clocks.values() if c.running]
        nxt: datetime | None = min((c.schedule.expires_at for c in running), default=None)
        updates: list[SearchAttributeUpdate] = [
            names.TYPE.value_set(names.TYPE_ADVICE_REQUEST),
            names.ORGANISATION.value_set(inp.organisation.id),
            names.STATE.value_set(self._state.value),
            names.OVERDUE.value_set(self._overdue),
            names.NEXT_DEADLINE.value_set(nxt) if nxt else names.NEXT_DEADLINE.value_unset(),
        ]
        workflow.upsert_search_attributes(updates)
