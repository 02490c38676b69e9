"""Renovation participation for one complex (domain brief 7.2; BW 7:220, Wohv art. 1-2): the first slice.

One workflow per renovation, started when staff create the project (B1) with the household register already
in the document store. It reads like the table of domain brief 7.2, B1-B5 and B17: the state x action table
is ``inspraak.domain.renovation``'s, the sign-up term is ``inspraak.domain.terms.SIGN_UP``, every Dutch word is
in ``renovation_letters``, and the waiting, reminding, filing, merging and mailing is the kernel's.
"""

from temporalio import workflow

from inspraak.workflows.kernel import Trajectory, invalid

with workflow.unsafe.imports_passed_through():
    from inspraak.domain import renovation_letters as letters
    from inspraak.domain.documents import DocumentRef, DocumentType, Visibility
    from inspraak.domain.renovation import (
        FINAL_STATES,
        RENOVATION_TABLE,
        Invitation,
        Meeting,
        Panel,
        PanelMember,
        Proposal,
        RenovationInput,
        RenovationState,
        RenovationView,
        SignUp,
        State,
        VoteResult,
        initial_state,
    )
    from inspraak.domain.renovation_actions import (
        AnswerRecorded,
        CodeAnswer,
        Invite,
        MeetingRecorded,
        PanelConstituted,
        ProposalSent,
        SignUpRecorded,
        Stopped,
        VoteClosed,
        VoteUnits,
    )
    from inspraak.domain.terms import PlannedRung
    from inspraak.domain.trajectory import ActionTable, Letter, Mail, Notice, Recipient, StepResult, TermStatus
    from inspraak.domain.vote import Answer, Channel, HomeVote, Tally, Vote, VoteError, freeze_roll


@workflow.defn
class RenovationWorkflow(Trajectory[RenovationState]):
    """A renovation of one complex, from its creation to an active panel with its meetings.

    Updates (staff actions, each with a validator reading the state table; each returns a
    :class:`StepResult`): ``invite`` (B2: a letter to every household, by post and where known by mail, a
    combined print file, and the sign-up term), ``record_sign_up`` (B3), ``constitute_panel`` (B4: the
    confirmation to every member and to the organisation), ``record_meeting`` (B5: the minutes), ``stop`` (B17).

    ``send_proposals`` (B9-B10: the renovatievoorstel to every home, with its own figures and reply code,
    the list frozen, the reply term), ``record_answer`` (staff: paper, home visit), ``answer_by_code`` (the
    household, through the API, which derived the unit from the code), ``close_vote`` (B11: the count and the
    uitslag letter).

    Queries: ``view`` (the whole state: deadlines, documents, timeline; staff see sign-ups and members),
    ``tally`` (totals only), ``vote_units`` (the frozen list and version, for the API's code check),
    ``home_votes`` (staff only: per home).

    The clock: the sign-up term's reminder to the owner three days before it closes, and a notice when it has;
    the reply term's reminder five days before the reply date (mail to homes without an answer, the count to
    the owner), and a notice when it has passed.
    """

    FINAL = frozenset(FINAL_STATES)

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

    def notices(self, term: str, rung: PlannedRung) -> list[Notice]:
        return letters.rung_notices(self.s, term, rung)

    def covering_mail(self, letter: Letter, ref: DocumentRef, to: list[Recipient]) -> Mail:
        return letters.covering_mail(self.s, letter, ref, to)

    def continue_input(self) -> RenovationInput:
        return self.inp.model_copy(update={"resume": self.s})

    async def on_expired(self, term: str) -> None:
        if term == "sign_up":
            await self.tell(letters.sign_up_closed(self.s), "sign_up_closed")
        elif term == "proposal_reply":
            await self.tell(letters.reply_term_ended(self.s), "reply_ended")

    async def on_rung(self, term: str, rung: PlannedRung) -> None:
        s = self.s
        if term != "proposal_reply" or s.vote is None:
            return
        emails = set(s.with_email)
        mailed = 0
        for unit in s.vote.homes_without_answer():
            if unit in emails:
                self.mail_household(f"{s.id}.v{s.vote.roll.proposal_version}-herinnering.{unit}", s.register_ref,
                                    unit, letters.reply_reminder_mail(s))
                mailed += 1
        await self.tell(letters.reply_reminder(s, mailed), "reply_reminder")

    # ---- updates ---------------------------------------------------------------------------------

    @workflow.update
    async def invite(self, action: Invite) -> StepResult:
        async with self.step(self._check_invite, action):
            s = self.s
            today = self.today()
            term = await self.plan("sign_up", today, requested_due_on=action.sign_up_deadline)
            common = letters.uitnodiging_common(s, today, action, self._config.timezone)
            result, mailed = await self.merge(
                DocumentType.UITNODIGING_RENOVATIE, common, list(s.register_ref.unit_ids), s.register_ref,
                print_file=True, household_mail=lambda ref: letters.household_mail(self.s, ref))
            s.with_email = list(result.with_email)
            s.invitation = Invitation(kickoff_at=action.kickoff_at, kickoff_place=action.kickoff_place,
                                      sign_up_deadline=term.due_on, letters=len(result.documents),
                                      print_file=result.print_file, mailed=mailed)
            s.state = State.UITNODIGING_ALLE_HUURDERS
            self.start_term(term)
            self.log("invited", letters.line("invited", letters=len(result.documents), mailed=len(mailed),
                                             kickoff=action.kickoff_at, deadline=term.due_on), *self.who(action))
        return self.result("sign_up", result.print_file)

    @invite.validator
    def _check_invite(self, action: Invite) -> None:
        self.check("invite")
        today = self.today()
        if action.kickoff_at < workflow.now():
            raise invalid("kickoff_at", "date_in_past", "the kick-off cannot be in the past")
        if action.sign_up_deadline < today:
            raise invalid("sign_up_deadline", "date_in_past", "the sign-up deadline cannot be in the past")

    @workflow.update
    async def record_sign_up(self, action: SignUpRecorded) -> StepResult:
        async with self.step(self._check_sign_up, action):
            s = self.s
            unit = self.need(s.on_register(action.unit_id), "the unit on the register")
            s.sign_ups.append(SignUp(unit_id=unit, role_wish=action.role_wish, signed_up_on=action.signed_up_on))
            s.state = State.PANEL_IN_OPRICHTING
            # The unit id only, and staff-only: who signs up is no business of the organisation's listing.
            self.log("sign_up", letters.line("sign_up", signed_up_on=action.signed_up_on, unit=unit,
                                             wish=f", wil graag: {action.role_wish}" if action.role_wish else ""),
                     *self.who(action), visibility=Visibility.STAFF)
        return self.result()

    @record_sign_up.validator
    def _check_sign_up(self, action: SignUpRecorded) -> None:
        self.check("record_sign_up")
        s = self.s
        if s.on_register(action.unit_id) is None:
            raise invalid("unit_id", "unknown_unit", f"unit {action.unit_id} is not on this renovation's register")
        if s.signed_up(action.unit_id) is not None:
            raise invalid("unit_id", "already_signed_up", f"unit {action.unit_id} has signed up already")
        if action.signed_up_on > self.today():
            raise invalid("signed_up_on", "date_in_future", "signed_up_on cannot be in the future")

    @workflow.update
    async def constitute_panel(self, action: PanelConstituted) -> StepResult:
        async with self.step(self._check_panel, action):
            s = self.s
            members = [PanelMember(unit_id=self.need(s.on_register(m.unit_id), "the member's unit"), role=m.role)
                       for m in action.members]
            s.panel = Panel(legal_status=action.legal_status, members=members, facilities=action.facilities,
                            working_agreements=action.working_agreements, constituted_on=action.constituted_on)
            self.end_term("sign_up", TermStatus.MET)
            s.state = State.PANEL_ACTIEF
            self.log("panel_constituted", letters.line(
                "panel_constituted", constituted_on=action.constituted_on,
                soort=letters.PANEL_SOORT[action.legal_status], members=len(members)), *self.who(action))
            result, _ = await self.merge(
                DocumentType.PANEL_BEVESTIGING, letters.panel_common(s, self.today(), s.panel),
                [m.unit_id for m in members], s.register_ref, copy_to=letters.organisation_address(s),
                print_file=True, household_mail=lambda ref: letters.household_mail(self.s, ref))
        return self.result(document=result.copy_document)

    @constitute_panel.validator
    def _check_panel(self, action: PanelConstituted) -> None:
        self.check("constitute_panel")
        s = self.s
        seen: set[str] = set()
        for n, m in enumerate(action.members):
            if s.signed_up(m.unit_id) is None:
                raise invalid(f"members[{n}].unit_id", "not_signed_up",
                              f"unit {m.unit_id} did not sign up; a panel is made from the sign-ups")
            if m.unit_id.casefold() in seen:
                raise invalid(f"members[{n}].unit_id", "duplicate_member", f"unit {m.unit_id} is named twice")
            seen.add(m.unit_id.casefold())
        if action.constituted_on > self.today():
            raise invalid("constituted_on", "date_in_future", "constituted_on cannot be in the future")

    @workflow.update
    async def record_meeting(self, action: MeetingRecorded) -> StepResult:
        async with self.step(self._check_meeting, action):
            s = self.s
            number = len(s.meetings) + 1
            ref = await self.file(letters.verslag(s, self.today(), action, number))
            s.meetings.append(Meeting(number=number, held_on=action.held_on, document_id=ref.id))
            self.log("meeting", letters.line("meeting", number=number, held_on=action.held_on), *self.who(action))
        return self.result(document=ref)

    @record_meeting.validator
    def _check_meeting(self, action: MeetingRecorded) -> None:
        self.check("record_meeting")
        if action.held_on > self.today():
            raise invalid("held_on", "date_in_future", "held_on cannot be in the future")
        panel = self.s.panel
        if panel is not None and action.held_on < panel.constituted_on:
            raise invalid("held_on", "before_event", "held_on cannot be before the panel was constituted "
                          f"({panel.constituted_on.isoformat()})")

    @workflow.update
    async def send_proposals(self, action: ProposalSent) -> StepResult:
        async with self.step(self._check_proposals, action):
            s = self.s
            today = self.today()
            term = await self.plan("proposal_reply", today, requested_due_on=action.reply_by)
            common = letters.voorstel_common(s, today, action, term.due_on, action.reply_url)
            units = list(s.register_ref.unit_ids)
            result, mailed = await self.merge(
                DocumentType.RENOVATIEVOORSTEL, common, units, s.register_ref,
                title=f"Renovatievoorstel versie {action.version}", print_file=True,
                household_mail=lambda ref: letters.household_mail(self.s, ref), figures=action.figures,
                reply_code_version=action.version)
            s.with_email = list(result.with_email)
            s.proposal = Proposal(version=action.version, works=action.works, schedule=action.schedule,
                                  occupied=action.occupied, temporary_home=action.temporary_home,
                                  rent_increase_from=action.rent_increase_from, reply_by=term.due_on, sent_on=today,
                                  figures=action.figures, moving_allowance=action.moving_allowance,
                                  letters=len(result.documents), print_file=result.print_file, mailed=mailed)
            # B10: the list of homes is frozen at the reference date, the day the proposals go out.
            s.vote = Vote(trajectory_id=s.id, roll=freeze_roll(units, today, action.version))
            s.result = None
            s.state = State.DRAAGVLAKMETING
            self.start_term(term)
            self.log("proposals_sent", letters.line(
                "proposals_sent", version=action.version, letters=len(result.documents), mailed=len(mailed),
                reference=today, reply_by=term.due_on), *self.who(action))
        return self.result("proposal_reply", result.print_file)

    @send_proposals.validator
    def _check_proposals(self, action: ProposalSent) -> None:
        self.check("send_proposals")
        s = self.s
        if not action.occupied and not action.temporary_home:
            raise invalid("temporary_home", "missing", "works done unoccupied need a wisselwoning (temporary_home)")
        if not action.occupied and action.moving_allowance is None:
            raise invalid("moving_allowance", "missing", "works done unoccupied need the moving allowance "
                          "(BW 7:220 lid 5)")
        if action.reply_by < self.today():
            raise invalid("reply_by", "date_in_past", "the reply date cannot be in the past")
        if action.rent_increase_from < self.today():
            raise invalid("rent_increase_from", "date_in_past", "the rent increase cannot start in the past")
        given = {u.casefold() for u in action.figure_units}
        missing = [u for u in s.register_ref.unit_ids if u.casefold() not in given]
        if missing or len(given) != len(s.register_ref.unit_ids):
            raise invalid("figures", "figures_incomplete", "the figures must cover exactly the homes on the "
                          f"register; missing: {', '.join(missing[:10]) or '-'}")
        if s.vote is not None and action.version <= s.vote.roll.proposal_version:
            raise invalid("version", "version_not_new", f"version {s.vote.roll.proposal_version} was sent already")

    @workflow.update
    async def record_answer(self, action: AnswerRecorded) -> StepResult:
        async with self.step(self._check_answer, action):
            vote = self.need(self.s.vote, "the vote")
            recorded = vote.record(self._answer(action), self.today())
            self.log("answer", letters.line("answer", unit=recorded.unit_id, channel=letters.CHANNELS[action.channel],
                                            answered_on=action.answered_on), *self.who(action),
                     visibility=Visibility.STAFF)
        return self.result()

    @staticmethod
    def _answer(action: AnswerRecorded) -> Answer:
        return Answer(unit_id=action.unit_id, choice=action.choice, channel=Channel(action.channel),
                      answered_on=action.answered_on, recorded_by=action.actor.name if action.actor else "staff")

    @record_answer.validator
    def _check_answer(self, action: AnswerRecorded) -> None:
        self.check("record_answer")
        vote = self.need(self.s.vote, "the vote")
        try:
            vote.check(self._answer(action), self.today())
        except VoteError as e:
            raise invalid("unit_id", "answer_refused", str(e)) from e

    @workflow.update
    async def answer_by_code(self, action: CodeAnswer) -> StepResult:
        async with self.step(self._check_code_answer, action):
            vote = self.need(self.s.vote, "the vote")
            recorded = vote.record(Answer(unit_id=action.unit_id, choice=action.choice, channel=Channel.REPLY_CODE,
                                          answered_on=self.today(), recorded_by="household"), self.today())
            self.log("answer_by_code", letters.line("answer_by_code", unit=recorded.unit_id), "household",
                     visibility=Visibility.STAFF)
        return self.result()

    @answer_by_code.validator
    def _check_code_answer(self, action: CodeAnswer) -> None:
        self.check("answer_by_code")
        vote = self.need(self.s.vote, "the vote")
        if action.proposal_version != vote.roll.proposal_version:
            raise invalid("code", "invalid_code", "this reply code is not valid for this proposal")
        try:
            vote.check(Answer(unit_id=action.unit_id, choice=action.choice, channel=Channel.REPLY_CODE,
                              answered_on=self.today(), recorded_by="household"), self.today())
        except VoteError as e:
            raise invalid("code", "answer_refused", str(e)) from e

    @workflow.update
    async def close_vote(self, action: VoteClosed) -> StepResult:
        async with self.step(self._check_close, action):
            s = self.s
            vote = self.need(s.vote, "the vote")
            tally = vote.close(self.today())
            s.state = State.DRAAGVLAK_BEREIKT if tally.reached else State.DRAAGVLAK_NIET_BEREIKT
            ref = await self.file(letters.uitslag(s, self.today(), tally, action.method))
            s.result = VoteResult(tally=tally, document_id=ref.id)
            self.log("vote_closed", letters.line("vote_closed", agreed=tally.agreed, total=tally.total,
                                                 pct=tally.percent_agreed,
                                                 reached="bereikt" if tally.reached else "niet bereikt"),
                     *self.who(action))
        return self.result(document=ref)

    @close_vote.validator
    def _check_close(self, action: VoteClosed) -> None:
        self.check("close_vote")
        proposal = self.need(self.s.proposal, "the proposal")
        # After the reply date: the reply term has ended (it runs to the end of that day).
        if self.running("proposal_reply"):
            raise invalid("closed_on", "before_reply_date", "the count closes after the reply date "
                          f"({proposal.reply_by.isoformat()})")

    @workflow.update
    async def stop(self, action: Stopped) -> StepResult:
        async with self.step(self._check_stop, action):
            self.s.state, self.s.overdue = State.GESTOPT, False
            self.end_all_terms(TermStatus.CANCELLED)
            self.log("stopped", letters.line("stopped", reason=action.reason), *self.who(action))
        return self.result()

    @stop.validator
    def _check_stop(self, action: Stopped) -> None:
        self.check("stop")

    # ---- queries ---------------------------------------------------------------------------------

    @workflow.query
    def view(self) -> RenovationView:
        return RenovationView.of(self.s)

    @workflow.query
    def tally(self) -> Tally | None:
        """The count so far: totals only, never how a named household voted."""
        return self.s.vote.tally() if self.s.vote else None

    @workflow.query
    def vote_units(self) -> VoteUnits | None:
        """For the API's reply-code check: the version and the frozen list of units, and whether it is open."""
        v = self.s.vote
        if v is None:
            return None
        return VoteUnits(proposal_version=v.roll.proposal_version, unit_ids=[h.unit_id for h in v.roll.homes],
                         open=v.closed_on is None and self.s.state == State.DRAAGVLAKMETING)

    @workflow.query
    def home_votes(self) -> list[HomeVote]:
        """Staff only: per home, the answer that counts and how many it gave."""
        return self.s.vote.staff_view() if self.s.vote else []
