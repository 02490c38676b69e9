"""The renovation from the works to its close (domain brief 7.2, B18-B22; BW 7:220 lid 5-6, 7:255 lid 2), and the
erasure of its personal data once its retention term has passed (AVG art. 5 lid 1 e, art. 17).

A mixin of :class:`~inspraak.workflows.renovation.RenovationWorkflow`: the updates are registered on that class
(Temporal collects them from its bases). A home whose tenant is in court over the proposal
(``RenovationState.works_blocked``) gets no works start, no completion and no opleveringsbrief until it is
unblocked, and does not hold up the rent adjustment of the others.
"""

from datetime import date, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from inspraak.workflows.kernel import Trajectory, invalid

with workflow.unsafe.imports_passed_through():
    from dateutil.relativedelta import relativedelta

    from inspraak.activities.erasure import ErasureActivities
    from inspraak.domain import renovation_letters
    from inspraak.domain import works_letters as letters
    from inspraak.domain.documents import DocumentRef, DocumentType
    from inspraak.domain.erasure import erased, erasure_plan
    from inspraak.domain.renovation import RenovationState, State
    from inspraak.domain.renovation_actions import Stopped
    from inspraak.domain.terms import PlannedRung
    from inspraak.domain.trajectory import StepResult, TermStatus
    from inspraak.domain.works import (
        RETENTION_TERM,
        Dissolution,
        Evaluation,
        EvaluationRecorded,
        Execution,
        HomesCompleted,
        HomeWorks,
        PanelDissolved,
        PersonalDataErased,
        ProjectClosed,
        RentOutcome,
        RentSettled,
        WorksStarted,
        completion_of,
        rent_starts_on,
        rent_term_key,
    )

ERASE_TIMEOUT = timedelta(minutes=30)
ERASE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5),
                          maximum_attempts=0)


class WorksSteps(Trajectory[RenovationState]):
    """B18-B22: ``start_works``, ``complete_homes``, ``settle_rent``, ``record_evaluation``, ``dissolve_panel``,
    ``close``; and ``erase_personal_data``."""

    # ---- helpers -------------------------------------------------------------------------------------

    def _execution(self) -> Execution:
        return self.need(self.s.execution, "the works")  # type: ignore[no-any-return]

    def _home_of(self, field: str, unit_id: str) -> HomeWorks:
        s = self.s
        unit = s.on_register(unit_id)
        home = s.execution.home(unit) if unit and s.execution else None
        if home is None:
            raise invalid(field, "unknown_unit", f"unit {unit_id} is not on this renovation's register")
        return home

    def _units_checked(self, unit_ids: list[str]) -> list[HomeWorks]:
        seen: set[str] = set()
        homes = []
        for n, unit in enumerate(unit_ids):
            home = self._home_of(f"unit_ids[{n}]", unit)
            if home.unit_id in seen:
                raise invalid(f"unit_ids[{n}]", "duplicate_unit", f"unit {unit} is named twice")
            seen.add(home.unit_id)
            homes.append(home)
        return homes

    def _not_in_future(self, field: str, day: object) -> None:
        if day > self.today():  # type: ignore[operator]
            raise invalid(field, "date_in_future", f"{field} cannot be in the future")

    def _settled_check(self) -> None:
        """B20: every home not blocked is complete and its rent settled or its term ended -> HUURAANPASSING."""
        s = self.s
        if s.state == State.OPLEVERING and s.execution is not None and \
                s.execution.done(list(s.register_ref.unit_ids), s.works_blocked):
            s.state = State.HUURAANPASSING
            self.log("rent_settled_all", letters.line("rent_settled_all"))

    async def begin_retention(self) -> date:
        """Closed or stopped: the personal data is kept for the configured months, then staff erase it. Answers
        the last day it is kept."""
        today = self.today()
        until = today + relativedelta(months=self._config.personal_data_retention_months)
        term = await self.plan(RETENTION_TERM, today, requested_due_on=until)
        self.s.finished_on = today
        self.start_term(term)
        return term.due_on

    # ---- the clock's hooks (RenovationWorkflow dispatches to them) ----------------------------------------

    async def rent_term_rung(self, key: str, rung: PlannedRung) -> None:
        """Two months after completion: tell the owner when homes of that group have no settled rent."""
        completed_on = completion_of(key)
        if completed_on is None or self.s.execution is None:
            return
        open_homes = [h for h in self.s.execution.group(completed_on) if h.rent == RentOutcome.OPEN]
        if open_homes:
            due = self.s.terms[key].schedule.due_on
            await self.tell(letters.rent_alert(self.s, completed_on, len(open_homes), due, rung), rung.key)

    async def rent_term_ended(self, key: str) -> None:
        completed_on = completion_of(key)
        if completed_on is None or self.s.execution is None:
            return
        open_homes = [h for h in self.s.execution.group(completed_on) if h.rent == RentOutcome.OPEN]
        for h in open_homes:
            h.rent = RentOutcome.TERM_ENDED
        if open_homes:
            await self.tell(letters.rent_term_ended(self.s, completed_on, len(open_homes)), "rent_term_ended")
        self._settled_check()

    async def retention_ended(self) -> None:
        await self.tell(letters.retention_ended(self.s, self.s.terms[RETENTION_TERM].schedule.due_on),
                        "retention_ended")

    # ---- B18: the works start --------------------------------------------------------------------------

    @workflow.update
    async def start_works(self, action: WorksStarted) -> StepResult:
        async with self.step(self._check_start, action):
            s = self.s
            day = action.started_on
            if s.execution is None:
                proposal = self.need(s.proposal, "the proposal")
                allowance = None
                if not proposal.occupied:
                    # The minimum of the year the works start (BW 7:220 lid 6), never less than the proposal said.
                    given = [a for a in (action.moving_allowance, proposal.moving_allowance) if a is not None]
                    allowance = max(given, key=lambda a: a.amount) if given else None
                homes = [HomeWorks(unit_id=u, started_on=None if s.works_blocked(u) else day)
                         for u in s.register_ref.unit_ids]
                s.execution = Execution(started_on=day, occupied=proposal.occupied, moving_allowance=allowance,
                                        temporary_home=proposal.temporary_home, homes=homes)
                s.state = State.UITVOERING
                started = sum(1 for h in homes if h.started_on)
                held = len(homes) - started
                self.log("works_started", letters.line(
                    "works_started", started_on=day, homes=started,
                    held=letters.waiting_for_court(held)), *self.who(action))
                if allowance is not None:
                    self.log("moving_allowance", letters.allowance_line(allowance.amount, allowance.valid_from.year,
                                                                        allowance.article), *self.who(action))
            else:
                homes = self._units_checked(action.unit_ids or [])
                for h in homes:
                    h.started_on = day
                self.log("works_started", letters.line("works_started_later", started_on=day, homes=len(homes)),
                         *self.who(action))
            print_file = await self._start_letters([h.unit_id for h in homes if h.started_on == day], day)
        return self.result(document=print_file)

    async def _start_letters(self, unit_ids: list[str], day: date) -> DocumentRef | None:
        """B18: a letter to every home whose works start now, on paper (a print file) and by mail where known."""
        if not unit_ids or not workflow.patched("works-start-letter"):  # a start recorded before the letter
            return None
        s = self.s
        result, _ = await self.merge(
            DocumentType.START_WERKZAAMHEDEN, letters.start_common(s, self.today(), day), unit_ids, s.register_ref,
            title=letters.start_title(day), print_file=True,
            household_mail=lambda ref: renovation_letters.household_mail(self.s, ref))
        return result.print_file

    @start_works.validator
    def _check_start(self, action: WorksStarted) -> None:
        self.check("start_works")
        s = self.s
        self._not_in_future("started_on", action.started_on)
        closed_on = s.result.tally.closed_on if s.result else None
        if closed_on is not None and action.started_on < closed_on:
            raise invalid("started_on", "before_event", "the works cannot start before the vote was closed "
                          f"({closed_on.isoformat()})")
        if s.execution is None:
            if s.state != State.UITVOERINGSGEREED:
                raise self._refuse(f"the works have not started (state is {s.state})")
            if action.unit_ids is not None:
                raise invalid("unit_ids", "not_yet", "the first start is in every home not blocked; name homes "
                              "only to start the works later in homes that were blocked")
            if all(s.works_blocked(u) for u in s.register_ref.unit_ids):
                raise invalid("started_on", "all_blocked", "every home is blocked by a court case")
            proposal = self.need(s.proposal, "the proposal")
            if not proposal.occupied and action.moving_allowance is None and proposal.moving_allowance is None:
                raise invalid("moving_allowance", "missing", "works done unoccupied need the moving allowance "
                              "(BW 7:220 lid 5-6)")
            return
        if not action.unit_ids:
            raise invalid("unit_ids", "missing", "the works have started; name the homes that start later")
        if action.started_on < s.execution.started_on:
            raise invalid("started_on", "before_event", "started_on cannot be before the works started "
                          f"({s.execution.started_on.isoformat()})")
        for n, h in enumerate(self._units_checked(action.unit_ids)):
            if h.started_on is not None:
                raise invalid(f"unit_ids[{n}]", "already_started", f"the works in unit {h.unit_id} have started")
            if s.works_blocked(h.unit_id):
                raise invalid(f"unit_ids[{n}]", "blocked", f"unit {h.unit_id} is blocked by a court case")

    # ---- B19: completion per home ------------------------------------------------------------------------

    @workflow.update
    async def complete_homes(self, action: HomesCompleted) -> StepResult:
        async with self.step(self._check_complete, action):
            s = self.s
            proposal = self.need(s.proposal, "the proposal")
            homes = self._units_checked(action.unit_ids)
            key = rent_term_key(action.completed_on)
            # One term per completion date (BW 7:255 lid 2): a second batch joins it while it runs; a term that was
            # met (every home of its group settled) starts again for a home completed later on that date.
            if key not in s.terms or s.terms[key].status in (TermStatus.MET, TermStatus.CANCELLED):
                self.start_term(await self.plan("rent_increase_after_works", action.completed_on), key)
            due_on = s.terms[key].schedule.due_on
            rent_from = rent_starts_on(action.completed_on, proposal.rent_increase_from)
            common = letters.oplevering_common(s, self.today(), action.completed_on, rent_from, due_on)
            result, _ = await self.merge(
                DocumentType.OPLEVERINGSBRIEF, common, [h.unit_id for h in homes], s.register_ref,
                title=f"Oplevering en nieuwe huur ({action.completed_on.isoformat()})", print_file=True,
                household_mail=lambda ref: renovation_letters.household_mail(self.s, ref), figures=proposal.figures)
            for h in homes:
                h.completed_on, h.rent, h.rent_recorded_on = action.completed_on, RentOutcome.OPEN, None
            s.state = State.OPLEVERING
            self.log("homes_completed", letters.line("homes_completed", homes=len(homes),
                                                     completed_on=action.completed_on, due_on=due_on),
                     *self.who(action))
            if s.terms[key].status == TermStatus.EXPIRED:  # recorded after its three months: nothing to wait for
                await self.rent_term_ended(key)
        return self.result(key, result.print_file)

    @complete_homes.validator
    def _check_complete(self, action: HomesCompleted) -> None:
        self.check("complete_homes")
        self._not_in_future("completed_on", action.completed_on)
        for n, h in enumerate(self._units_checked(action.unit_ids)):
            field = f"unit_ids[{n}]"
            if self.s.works_blocked(h.unit_id):
                raise invalid(field, "blocked", f"unit {h.unit_id} is blocked by a court case")
            if h.started_on is None:
                raise invalid(field, "not_started", f"the works in unit {h.unit_id} have not started")
            if h.completed_on is not None:
                raise invalid(field, "already_completed", f"unit {h.unit_id} was completed on "
                              f"{h.completed_on.isoformat()}")
            if action.completed_on < h.started_on:
                raise invalid("completed_on", "before_event", f"unit {h.unit_id}'s works started on "
                              f"{h.started_on.isoformat()}")

    # ---- B20: the rent after the works, per home ------------------------------------------------------------

    @workflow.update
    async def settle_rent(self, action: RentSettled) -> StepResult:
        async with self.step(self._check_rent, action):
            homes = self._units_checked(action.unit_ids)
            for h in homes:
                h.rent, h.rent_recorded_on = RentOutcome(action.outcome), action.recorded_on
            self.log("rent_settled", letters.line("rent_settled", homes=len(homes), outcome=letters.OUTCOMES[
                action.outcome], recorded_on=action.recorded_on), *self.who(action))
            execution = self._execution()
            for day in {h.completed_on for h in homes if h.completed_on}:
                if all(h.settled for h in execution.group(day)):
                    self.end_term(rent_term_key(day), TermStatus.MET)
            self._settled_check()
        return self.result()

    @settle_rent.validator
    def _check_rent(self, action: RentSettled) -> None:
        self.check("settle_rent")
        self._not_in_future("recorded_on", action.recorded_on)
        for n, h in enumerate(self._units_checked(action.unit_ids)):
            field = f"unit_ids[{n}]"
            if h.completed_on is None:
                raise invalid(field, "not_completed", f"unit {h.unit_id} is not completed yet")
            if h.rent in (RentOutcome.AGREED, RentOutcome.DISPUTED):
                raise invalid(field, "already_settled", f"the rent of unit {h.unit_id} is {h.rent.value} already")
            if action.recorded_on < h.completed_on:
                raise invalid("recorded_on", "before_event", f"unit {h.unit_id} was completed on "
                              f"{h.completed_on.isoformat()}")
            due_on = self.s.terms[rent_term_key(h.completed_on)].schedule.due_on
            if action.outcome == "disputed" and action.recorded_on > due_on:
                raise invalid("recorded_on", "after_term", f"the Huurcommissie can be asked until {due_on.isoformat()}"
                              f" for unit {h.unit_id} (BW 7:255 lid 2)")

    # ---- B21: the evaluation ---------------------------------------------------------------------------------

    @workflow.update
    async def record_evaluation(self, action: EvaluationRecorded) -> StepResult:
        async with self.step(self._check_evaluation, action):
            s = self.s
            ref = await self.file(letters.evaluatieverslag(s, self.today(), action, len(s.register_ref.unit_ids),
                                                           self._execution().totals()))
            s.evaluation = Evaluation(held_on=action.held_on, document_id=ref.id)
            s.state = State.EVALUATIE
            self.log("evaluation", letters.line("evaluation", held_on=action.held_on), *self.who(action))
        return self.result(document=ref)

    @record_evaluation.validator
    def _check_evaluation(self, action: EvaluationRecorded) -> None:
        self.check("record_evaluation")
        s = self.s
        open_homes = [u for u in s.register_ref.unit_ids if not s.works_blocked(u)
                      and not ((h := self._execution().home(u)) is not None and h.settled)]
        if open_homes:  # a court case ended after the rents were settled: that home's works come first
            raise self._refuse(f"the works of {len(open_homes)} home(s) are not complete and settled "
                               f"({', '.join(open_homes[:5])})")
        self._not_in_future("held_on", action.held_on)
        started = self._execution().started_on
        if action.held_on < started:
            raise invalid("held_on", "before_event", f"the works started on {started.isoformat()}")

    # ---- B22: dissolution, and the close ------------------------------------------------------------------

    @workflow.update
    async def dissolve_panel(self, action: PanelDissolved) -> StepResult:
        async with self.step(self._check_dissolve, action):
            s = self.s
            panel = self.need(s.panel, "the panel")
            result, _ = await self.merge(
                DocumentType.OPHEFFING_PANEL, letters.opheffing_common(s, self.today(), action),
                [m.unit_id for m in panel.members], s.register_ref, title=letters.dissolution_title(s),
                copy_to=renovation_letters.organisation_address(s), print_file=True,
                household_mail=lambda ref: renovation_letters.household_mail(self.s, ref))
            copy = result.copy_document
            s.dissolution = Dissolution(dissolved_on=action.dissolved_on, archive=action.archive,
                                        letters=len(result.documents), copy_document_id=copy.id if copy else None)
            s.state = State.PANEL_OPGEHEVEN
            self.log("dissolved", letters.line("dissolved", what=letters.dissolution_title(s),
                                               dissolved_on=action.dissolved_on, letters=len(result.documents)),
                     *self.who(action))
        return self.result(document=copy)

    async def dissolve_after_stop(self, action: Stopped, kept_until: date) -> DocumentRef | None:
        """B17, GESTOPT -> the panel dissolved: a constituted panel not dissolved yet hears that the project
        stopped and why, and until when its personal data is kept. The state stays GESTOPT; ``dissolution``
        records it (docs/renovation-works.md). No panel, no letter."""
        s = self.s
        if s.panel is None or not s.panel.members or s.dissolution is not None:
            return None
        if not workflow.patched("stop-dissolves-panel"):  # a stop recorded before the letter existed
            return None
        today = self.today()
        title = letters.dissolution_title(s, stopped=True)
        result, _ = await self.merge(
            DocumentType.OPHEFFING_PANEL, letters.stopped_opheffing_common(s, today, action.reason, kept_until),
            [m.unit_id for m in s.panel.members], s.register_ref, title=title,
            copy_to=renovation_letters.organisation_address(s), print_file=True,
            household_mail=lambda ref: renovation_letters.household_mail(self.s, ref))
        copy = result.copy_document
        s.dissolution = Dissolution(dissolved_on=today, archive="", letters=len(result.documents),
                                    copy_document_id=copy.id if copy else None, stopped=True)
        self.log("dissolved", letters.line("dissolved", what=title, dissolved_on=today,
                                           letters=len(result.documents)), *self.who(action))
        return copy

    @dissolve_panel.validator
    def _check_dissolve(self, action: PanelDissolved) -> None:
        self.check("dissolve_panel")
        self._not_in_future("dissolved_on", action.dissolved_on)
        evaluation = self.need(self.s.evaluation, "the evaluation")
        if action.dissolved_on < evaluation.held_on:
            raise invalid("dissolved_on", "before_event",
                          f"the evaluation was held on {evaluation.held_on.isoformat()}")

    @workflow.update
    async def close(self, action: ProjectClosed) -> StepResult:
        async with self.step(self._check_close_project, action):
            self.s.state = State.GESLOTEN
            self.end_all_terms(TermStatus.CANCELLED)
            until = await self.begin_retention()
            self.log("closed", letters.line("closed", until=until), *self.who(action))
        return self.result(RETENTION_TERM)

    @close.validator
    def _check_close_project(self, action: ProjectClosed) -> None:
        self.check("close")

    # ---- the erasure (AVG) ---------------------------------------------------------------------------------

    @workflow.update
    async def erase_personal_data(self, action: PersonalDataErased) -> StepResult:
        async with self.step(self._check_erase, action):
            plan = erasure_plan(self.s)
            await workflow.execute_activity_method(
                ErasureActivities.erase_personal_data, plan, start_to_close_timeout=ERASE_TIMEOUT,
                heartbeat_timeout=timedelta(minutes=2), retry_policy=ERASE_RETRY,
                summary=f"erase personal data of {self.s.id}")
            self.s = erased(self.s, self.today())
            erasure = self.need(self.s.erasure, "the erasure")
            self.log("erased", letters.line("erased", deleted=erasure.documents_deleted), *self.who(action))
            # A new run whose history holds only the totals; the earlier runs go with Temporal's retention.
            self.start_afresh()
        return self.result()

    @erase_personal_data.validator
    def _check_erase(self, action: PersonalDataErased) -> None:
        self.check("erase_personal_data")
        s = self.s
        if s.erasure is not None:
            raise self._refuse(f"the personal data was erased on {s.erasure.erased_on.isoformat()}")
        term = s.terms.get(RETENTION_TERM)
        if term is None or term.running:
            until = term.schedule.due_on.isoformat() if term else "-"
            raise invalid("retention", "retention_not_ended", "the personal data is kept until the retention "
                          f"term has passed: until {until} (INSPRAAK_PERSONAL_DATA_RETENTION_MONTHS)")
