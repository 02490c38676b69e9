"""The renovation's advice steps (domain brief 7.2, B6-B8; Wohv art. 2 lid 2-3, art. 4-5): the concept
projectplan and sociaal plan handed in, the advice request on them started as a child trajectory addressed
to the renovation's addressee, and the wait until that request is executable.

A mixin of :class:`~inspraak.workflows.renovation.RenovationWorkflow`: the updates are registered on that
class (Temporal collects them from its bases). The child is an ordinary :class:`AdviceRequestWorkflow` with
an id of the advice series: staff and the addressee act on it through the advice request's own API. It tells
the renovation every change of its state and due date (the kernel's ``child_changed``); the renovation keeps
that link in its state and moves on when the request is executable (B8).
"""

from temporalio import workflow

from inspraak.workflows.advice_request import AdviceRequestWorkflow
from inspraak.workflows.kernel import Trajectory, invalid

with workflow.unsafe.imports_passed_through():
    from inspraak.domain import renovation_advice_letters as advice_letters
    from inspraak.domain import renovation_letters as letters
    from inspraak.domain.advice import STATE_LABELS as ADVICE_LABELS
    from inspraak.domain.advice import State as AdviceState
    from inspraak.domain.advice import initial_state
    from inspraak.domain.advice_actions import Attachment, Category, Withdrawn
    from inspraak.domain.renovation import RenovationState, State
    from inspraak.domain.renovation_actions import AdviceRequestStart, PlanHandedIn, PlanKind
    from inspraak.domain.trajectory import ChildLink, StepResult
    from inspraak.workflows import names


class AdviceSteps(Trajectory[RenovationState]):
    """B6-B8: ``hand_in_plan``, ``start_advice_request``; the child's news (:meth:`advice_changed`) and its
    withdrawal when the renovation stops (:meth:`withdraw_advice_request`)."""

    @workflow.update
    async def hand_in_plan(self, action: PlanHandedIn) -> StepResult:
        async with self.step(self._check_plan, action):
            s = self.s
            s.plans[action.kind] = action.document
            self.attach(action.document, *self.who(action))  # its timeline line names the document
            if s.state == State.PANEL_ACTIEF and set(s.plans) == set(PlanKind):
                s.state = State.CONCEPT_PROJECTPLAN
                self.log("plans_ready", letters.line("plans_ready"), *self.who(action))
        return self.result(document=action.document)

    @hand_in_plan.validator
    def _check_plan(self, action: PlanHandedIn) -> None:
        self.check("hand_in_plan")
        if action.document.trajectory_id != self.s.id:
            raise invalid("document", "other_trajectory", "the document belongs to another trajectory")

    @workflow.update
    async def start_advice_request(self, action: AdviceRequestStart) -> StepResult:
        async with self.step(self._check_advice_request, action):
            s = self.s
            plans = [s.plans[k] for k in PlanKind]
            request = action.request.request.model_copy(update={"attachments": [
                *action.request.request.attachments,
                *(Attachment(title=p.title, reference=f"document {p.id}") for p in plans)]})
            child = action.request.model_copy(update={"request": request, "parent_id": s.id, "annexes": plans})
            term = child.term
            await self.start_child(AdviceRequestWorkflow.run, child, initial_state(child), ChildLink(
                id=child.id, type="advice_request", state=AdviceState.VERZONDEN,
                state_label=ADVICE_LABELS[AdviceState.VERZONDEN], due_on=term.due_on,
                next_deadline=term.expires_at, updated_at=workflow.now()))
            s.advice_request_id, s.state = child.id, State.ADVIESTRAJECT
            self.log("advice_request_started", letters.line(
                "advice_request_started", id=child.id.upper(), org=child.organisation.name, due_on=term.due_on),
                *self.who(action))
        return self.result()

    @start_advice_request.validator
    def _check_advice_request(self, action: AdviceRequestStart) -> None:
        self.check("start_advice_request")
        s, child = self.s, action.request
        self.need(s.plans.get(PlanKind.PROJECTPLAN), "the projectplan")
        self.need(s.plans.get(PlanKind.SOCIAAL_PLAN), "the sociaal plan")
        if child.organisation.id != s.addressee.organisation_id:
            raise invalid("organisation_id", "not_the_addressee", "the advice request on the projectplan and "
                          f"sociaal plan goes to {s.addressee.organisation_id} ({s.addressee.article})")
        if not child.id.startswith(f"{names.ADVICE_REQUEST_PREFIX}-") or child.id in s.children:
            raise invalid("id", "not_an_advice_request_id", "the child's id is a new id of the advice series")
        if child.request.category != Category.b or child.request.consent_requested or child.resume is not None:
            raise invalid("request", "not_renovation_advice", "the plans go to advice (Wohv art. 5) on subject b "
                          "of art. 3 lid 2 (renoveren)")

    # ---- the child's news --------------------------------------------------------------------------

    async def advice_changed(self, link: ChildLink) -> None:
        """B8: the renovation waits in ADVIESTRAJECT until its advice request is executable. A request that ends
        otherwise (withdrawn) sends it back to CONCEPT_PROJECTPLAN: a new request is needed (Wohv art. 5)."""
        s = self.s
        if link.id != s.advice_request_id:
            return
        if s.state == State.ADVIESTRAJECT and link.ready:
            s.state = State.VOORSTEL_DEFINITIEF
            self.log("advice_executable", letters.line("advice_executable", id=link.id.upper(),
                                                       because=advice_letters.because(link)))
            await self.tell(advice_letters.advice_executable(s, link), "advice_executable_notice")
        elif link.final and not link.ready and not link.ending:
            waiting = s.state == State.ADVIESTRAJECT
            if waiting:
                s.state = State.CONCEPT_PROJECTPLAN
            self.log("advice_ended", letters.line(
                "advice_ended", id=link.id.upper(), label=link.state_label,
                next=advice_letters.NEXT_AFTER_ENDED if waiting else advice_letters.NEXT_LATE))
            await self.tell(advice_letters.advice_ended(s, link), "advice_ended_notice")

    def advice_refusal(self, action: str) -> str | None:
        """Stopping withdraws the advice request; refused while the request cannot be withdrawn (a dispute)."""
        link = self.s.advice_request
        if action == "stop" and link is not None and not link.final and not link.withdrawable:
            return (f"the advice request {link.id} cannot be withdrawn now ({link.state_label}); stopping the "
                    "renovation withdraws it: resolve what holds it first")
        return None

    async def withdraw_advice_request(self, action: object, reason: str) -> None:
        """B17: the renovation stops; its open advice request is withdrawn with its own action and letter."""
        link = self.s.advice_request
        if link is None or link.final:
            return
        role, by = self.who(action)
        actor = {"role": role if role in ("staff", "manager") else "staff", "name": by}
        await self.end_child(link.id, "parent_withdraws", Withdrawn.model_validate(
            {"reason": advice_letters.withdrawal_reason(self.s, reason), "actor": actor}))
        self.log("advice_withdrawal_asked", letters.line("advice_withdrawal_asked", id=link.id.upper()))
