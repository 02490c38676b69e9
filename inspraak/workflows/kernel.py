"""The trajectory kernel: what every trajectory workflow shares, written once.

A trajectory workflow subclasses :class:`Trajectory` and keeps everything it knows in one state object
(a :class:`~inspraak.domain.trajectory.TrajectoryState`). The kernel gives it:

- **steps that cannot interleave**: every update runs under one lock, checked against the trajectory's
  state × action table before (validator) and again inside the lock (another update may have moved the
  state meanwhile). The clock takes the same lock, so a reminder never goes out after a withdrawal.
- **a clock over every running term of the state**: rungs of a ladder fire once (what fired is in the
  state, so not again after ``continue_as_new``); the trajectory says what each rung tells whom
  (:meth:`Trajectory.notices`) and what the end of a term does (:meth:`Trajectory.on_expired`).
- **letters**: rendered by the document activity, filed with who may read them, mailed to their audience
  in the background with a stable message id; Dutch text comes from the trajectory's letters module.
- **outages that delay, never fail**: the activities retry infrastructure errors without a limit on
  attempts (backing off to at most :data:`RETRY_CAP`); only bad input stops them. A letter the store keeps
  waiting longer than configured tells the staff member handling the trajectory, once; so does a mail
  whose sending broke off halfway (it is not sent again: mail goes out at most once).
- **the index**: search attributes from ``state.index()`` in one place (``names``), if configured.
- **continue-as-new** when the history grows long, with the state as it is; **child trajectories**
  (:mod:`~inspraak.workflows.children`): a parent starts a child (parent close policy ABANDON), hears of every
  change of it and ends it only through the child's own action.
- **the audit trail**: every step (done, refused inside the lock, or failed), every reminder and expiry and
  every document, with who, when, the result and the state before and after, written to the store in the
  background (:mod:`~inspraak.workflows.audit_trail`); a trajectory writes no audit code of its own.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, NoReturn, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from inspraak.workflows.audit_trail import before_step
from inspraak.workflows.children import ChildTrajectories
from inspraak.workflows.config import KernelConfig, kernel_config
from inspraak.workflows.correspondence import Correspondence

with workflow.unsafe.imports_passed_through():
    from inspraak.activities.terms import PlanTermRequest, TermActivities
    from inspraak.domain import audit
    from inspraak.domain.documents import DocumentRef, Visibility
    from inspraak.domain.terms import Audience, DeadlineSchedule, PlannedRung
    from inspraak.domain.trajectory import (
        ActionTable,
        Mail,
        Notice,
        RunningTerm,
        StepResult,
        TermStatus,
        TrajectoryIndex,
        TrajectoryState,
        kernel_line,
    )
    from inspraak.workflows import names

S = TypeVar("S", bound=TrajectoryState)

PLAN_TIMEOUT = timedelta(seconds=30)
PLAN_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1), maximum_attempts=0,
                         non_retryable_error_types=["TermTooShort"])


def refuse(message: str, state: str) -> ApplicationError:
    """An action the state does not allow: the API answers 409 with this message and the state."""
    return ApplicationError(message, state, type="TransitionRefused", non_retryable=True)


def invalid(field: str, code: str, message: str) -> ApplicationError:
    """Input that is well-formed but wrong for this trajectory: the API answers 400 naming the field."""
    return ApplicationError(message, field, code, type="InvalidInput", non_retryable=True)


class Trajectory(ChildTrajectories[S], Correspondence[S]):
    """The base of every trajectory workflow. Subclasses set ``FINAL`` and implement the hooks.

    A subclass's ``@workflow.init`` calls :meth:`begin` with its state object (new, or carried over by
    ``continue_as_new``); its ``@workflow.run`` calls :meth:`open` once for the opening step and then
    :meth:`run_clock` until the trajectory is finished.
    """

    FINAL: ClassVar[frozenset[str]]

    s: S

    # ---- hooks for the trajectory -----------------------------------------------------------------

    def action_table(self) -> ActionTable:
        """The state × action table the validators and handlers read."""
        raise NotImplementedError

    def refusal_beyond_table(self, action: str) -> str | None:
        """Why ``action`` is refused for a reason the state alone does not say (a flag: an open dispute)."""
        return None

    def notices(self, term: str, rung: PlannedRung) -> list[Notice]:
        """What a rung of ``term``'s ladder says, and to whom."""
        return []

    async def on_rung(self, term: str, rung: PlannedRung) -> None:
        """What a rung does besides its notices (a trajectory's own letters to households); none by default."""

    async def on_expired(self, term: str) -> None:
        """``term`` passed without the event it waited for (called under the lock)."""

    def continue_input(self) -> Any:
        """The workflow input that resumes this trajectory from ``self.s`` after ``continue_as_new``."""
        raise NotImplementedError

    # ---- life cycle -------------------------------------------------------------------------------

    def begin(self, state: S) -> None:
        self.s = state
        self._lock = asyncio.Lock()
        self._mail: list[asyncio.Task[None]] = []
        self._changes = 0
        self._indexed: TrajectoryIndex | None = None
        self.begin_children()
        self._overdue = state.overdue
        self._config: KernelConfig = kernel_config()
        self._afresh = False

    async def open(self, first_step: Callable[[], Any]) -> None:
        """Run the opening step (the first letter) once; after a continue-as-new it is already done."""
        self.start_audit()
        if not self.s.opened:
            async with self._lock:
                before = before_step(self.s)
                self._audit_user = self.opening_user()
                await self._carry_on(first_step(), "open")
                self._audit_user = None
                self.s.opened = True
                self.audit_event(audit.OPENED, "", *before)
                self.changed()
        else:
            self.index()

    def finished(self) -> bool:
        return self.s.state in self.FINAL

    async def run_clock(self) -> None:
        """Fire rungs and expiries of the running terms as they fall due, until the trajectory is finished."""
        while not self.finished():
            now = workflow.now()
            due = self._next_due(now)
            if due is not None:
                key, rung = due
                async with self._lock:
                    term = self.s.terms.get(key)
                    if term is not None and term.running and self._next_due(workflow.now()) == due:
                        before = before_step(self.s)
                        if rung is None:
                            term.status, term.closed_at = TermStatus.EXPIRED, workflow.now()
                            self._term_closed(term.schedule.term, TermStatus.EXPIRED)
                            await self._carry_on(self.on_expired(key), key)
                        else:
                            # After an outage several rungs may be due at once: only the latest is still news.
                            late = [r.key for r in term.pending() if r.fire_at <= workflow.now()]
                            term.fired.extend(late)
                            rung = next(r for r in term.schedule.rungs if r.key == late[-1])
                            for notice in self.notices(key, rung):
                                await self._carry_on(self.tell(notice, event=rung.key), rung.key)
                            await self._carry_on(self.on_rung(key, rung), rung.key)
                        self.audit_event(audit.TERM_EXPIRED if rung is None else audit.TERM_REMINDER, key, *before)
                        self.changed()
                continue
            # Continue as new when the history is long, but never wait for it: the clock keeps running while
            # updates or mail are still under way, and it happens as soon as they are done.
            wants_new_run = self._wants_continue_as_new()
            if wants_new_run and self._quiet():
                self.continue_as_new()
            wake, what = self._next_wake()
            seen = self._changes

            def moved(seen: int = seen, wants_new_run: bool = wants_new_run) -> bool:
                return self._changes != seen or self.finished() or (wants_new_run and self._quiet())

            try:
                await workflow.wait_condition(
                    moved,
                    timeout=(wake - workflow.now()) if wake else None,
                    timeout_summary=f"{what} at {wake.isoformat()}" if wake else None,
                )
            except TimeoutError:
                pass
        await self.finish()

    async def finish(self) -> None:
        """Let running updates finish, children asked to end report that they have (for at most
        :data:`CHILD_END_WAIT`), and mail go out before the workflow completes."""
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self.children_ended()
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._mail_done()

    def _next_due(self, now: datetime) -> tuple[str, PlannedRung | None] | None:
        """The earliest rung or expiry that has fallen due: (term key, rung), rung None for the expiry."""
        best: tuple[datetime, str, PlannedRung | None] | None = None
        for key, term in self.s.terms.items():
            if not term.running:
                continue
            pending = [r for r in term.pending() if r.fire_at <= now]
            event: tuple[datetime, str, PlannedRung | None] | None = None
            if term.schedule.expires_at <= now:  # a term that has ended sends no reminders any more
                event = (term.schedule.expires_at, key, None)
            elif pending:
                event = (pending[0].fire_at, key, pending[0])
            if event is not None and (best is None or event[0] < best[0]):
                best = event
        return (best[1], best[2]) if best else None

    def _next_wake(self) -> tuple[datetime | None, str]:
        """When the clock wakes next, and for what (the timer's summary in the Temporal UI): ``advice_term:
        reminder_7`` or ``advice_term ends``."""
        times: list[tuple[datetime, str]] = []
        for key, term in self.s.terms.items():
            if term.running:
                times.append((term.schedule.expires_at, f"{key} ends"))
                times.extend((r.fire_at, f"{key}: {r.key}") for r in term.pending())
        if not times:
            return None, ""
        return min(times)

    def start_afresh(self) -> None:
        """Continue as new as soon as the running updates and mail are done, whatever the history's length: the
        new run starts from the state alone (after an erasure, a history without the erased inputs)."""
        self._afresh = True
        self.changed()

    def _wants_continue_as_new(self) -> bool:
        if self._afresh:
            return True
        info = workflow.info()
        limit = self._config.continue_as_new_after_events
        return info.is_continue_as_new_suggested() or bool(limit and info.get_current_history_length() > limit)

    def _quiet(self) -> bool:
        """No update running and no mail under way: what a continue-as-new may not leave behind."""
        return workflow.all_handlers_finished() and not self._lock.locked() and all(t.done() for t in self._mail)

    async def _carry_on(self, work: Awaitable[Any], what: str) -> None:
        """Run the clock's (or the opening's) work; a letter that cannot be made at all (a broken template) is
        told to staff, and the trajectory goes on: its state moved as the law says, only the letter is missing.
        Outages never get here (the activities retry them without end)."""
        try:
            await work
        except ActivityError as e:
            self.log("letter_failed", kernel_line("letter_failed", what=what, cause=e.cause),
                     visibility=Visibility.STAFF)
            self.s.notice_count += 1
            self.send_mail(f"{self.s.id}.notice-{self.s.notice_count:03d}", Audience.OWNER,
                           Mail(subject=f"Brief niet gemaakt [{self.s.id.upper()}]",
                                body=kernel_line("letter_failed", what=what, cause=e.cause)))

    def continue_as_new(self) -> NoReturn:
        workflow.continue_as_new(self.continue_input())

    # ---- steps: updates under the lock ------------------------------------------------------------

    def check(self, action: str) -> None:
        """Refuse ``action`` when the table does not allow it in the current state."""
        reason = self.action_table().refusal(action, self.s.state) or self.refusal_beyond_table(action)
        if reason is not None:
            raise refuse(reason, self.s.state)

    def _refuse(self, message: str) -> ApplicationError:
        """A refusal beyond the table (a flag such as an open dispute), with the current state."""
        return refuse(message, self.s.state)

    @asynccontextmanager
    async def step(self, check: Callable[[Any], None], action: Any) -> AsyncIterator[None]:
        """Run an update's body under the lock, after checking it again there."""
        await workflow.wait_condition(lambda: self.s.opened)
        async with self._lock:
            # A step that fails half-way (its letter could not be made) leaves the state as it was. The snapshot is
            # the state's JSON (pydantic-core, in Rust): for a 1,000-home renovation with every answer in, 3 ms a
            # step against 27 ms for a deep copy (bench/renovation_answers.py). A state round-trips through JSON
            # anyway (continue-as-new), and it is read back only when a step fails.
            before = self.s.model_dump_json()
            audit_before = before_step(self.s)
            self._audit_user = self._user(action, [])
            try:
                check(action)
                yield
            except BaseException as e:
                count, self.s = self.s.audit_count, type(self.s).model_validate_json(before)
                self.s.audit_count = count  # entries of the failed step (a letter made before it) stay numbered
                if isinstance(e, Exception):
                    self.audit_step(action, *audit_before, failure=e)
                raise
            else:
                self.audit_step(action, *audit_before)
            finally:
                self._audit_user = None
                self.changed()

    def result(self, term: str | None = None, document: DocumentRef | None = None) -> StepResult:
        return StepResult(id=self.s.id, state=self.s.state,
                          term=self.s.terms[term].schedule if term else None, document=document)

    def changed(self) -> None:
        """The state moved: wake the clock, bring the index up to date, tell the parent (if any)."""
        self._changes += 1
        self._count_overdue()
        self.index()
        self.tell_parent()
        workflow.set_current_details(names.current_details(self.s))  # the Temporal UI's page of the trajectory

    def need(self, value: Any, what: str) -> Any:
        """``value``, or a refused update (never a failed workflow task) when a broken invariant says it is missing."""
        if value is None:
            raise refuse(f"{what} is missing in state {self.s.state}", self.s.state)
        return value

    def index(self) -> None:
        """Keep the search attributes that listings filter on in step with the state (one place)."""
        index = self.s.index()
        if index == self._indexed or not self._config.search_attributes:
            return
        self._indexed = index
        workflow.upsert_search_attributes(names.search_attribute_updates(index))

    # ---- terms ----------------------------------------------------------------------------------------

    async def plan(self, term: str, anchor: date, *, requested_due_on: date | None = None,
                   minimum_days: int | None = None) -> DeadlineSchedule:
        return await workflow.execute_activity_method(
            TermActivities.plan_term,
            PlanTermRequest(term=term, anchor=anchor, as_of=workflow.now(), requested_due_on=requested_due_on,
                            minimum_days=minimum_days),
            start_to_close_timeout=PLAN_TIMEOUT, retry_policy=PLAN_RETRY, summary=f"plan {term} for {self.s.id}",
        )

    def start_term(self, schedule: DeadlineSchedule, key: str | None = None) -> None:
        """Run ``schedule`` under ``key``: the term's name, unless one term runs several times at once (the
        8 weeks of BW 7:220 lid 3 per receipt date: ``renovation_objection:2027-03-01``). The hooks
        (:meth:`notices`, :meth:`on_rung`, :meth:`on_expired`) receive the key."""
        self.s.terms[key or schedule.term] = RunningTerm(schedule=schedule)

    def replan_term(self, schedule: DeadlineSchedule, key: str | None = None) -> None:
        """A new end for a running term; rungs that fired already do not fire again."""
        self.s.terms[key or schedule.term].schedule = schedule

    def end_term(self, key: str, status: TermStatus = TermStatus.MET) -> None:
        term = self.s.terms.get(key)
        if term is not None and term.running:
            term.status, term.closed_at = status, workflow.now()
            self._term_closed(term.schedule.term, status)

    # ---- metrics (recorded by the worker's runtime; nothing while a history replays) ---------------------

    @staticmethod
    def _term_closed(term: str, outcome: TermStatus) -> None:
        """A term closed: met in time, expired, or cancelled; labelled by the term's kind, never its key."""
        workflow.metric_meter().with_additional_attributes({"term": term, "outcome": outcome.value}).create_counter(
            "inspraak_terms_closed", "Terms closed, per term and outcome (met: the event came in time)").add(1)

    def _count_overdue(self) -> None:
        """A trajectory that has just become overdue, per type (a continue-as-new carries the flag, no count)."""
        if self.s.overdue and not self._overdue:
            workflow.metric_meter().with_additional_attributes({"type": self.s.type}).create_counter(
                "inspraak_trajectories_overdue", "Trajectories that became overdue, per type").add(1)
        self._overdue = self.s.overdue

    def end_all_terms(self, status: TermStatus) -> None:
        for key in self.s.terms:
            self.end_term(key, status)

    def running(self, key: str) -> bool:
        term = self.s.terms.get(key)
        return term is not None and term.running
