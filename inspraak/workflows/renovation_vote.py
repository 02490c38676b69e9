"""The renovation's proposals and vote (domain brief 7.2, B9-B11; BW 7:220 lid 2-3): the renovatievoorstel
to every home with its own figures and reply code, the list frozen, answers by staff and by code, the count.

A mixin of :class:`~inspraak.workflows.renovation.RenovationWorkflow`: the updates and queries are registered
on that class (Temporal collects them from its bases).
"""

from temporalio import workflow

from inspraak.workflows.kernel import Trajectory, invalid

with workflow.unsafe.imports_passed_through():
    from inspraak.domain import renovation_letters as letters
    from inspraak.domain.documents import DocumentType, Visibility
    from inspraak.domain.household_view import HouseholdKey, HouseholdProposal, household_proposal
    from inspraak.domain.renovation import (
        Proposal,
        RenovationState,
        State,
        VoteResult,
    )
    from inspraak.domain.renovation_actions import (
        AnswerRecorded,
        CodeAnswer,
        ProposalSent,
        VoteClosed,
        VoteUnits,
    )
    from inspraak.domain.trajectory import StepResult
    from inspraak.domain.vote import Answer, Channel, HomeVote, Tally, Vote, VoteError, freeze_roll



class VoteSteps(Trajectory[RenovationState]):
    """B9-B11: ``send_proposals``, ``record_answer``, ``answer_by_code``, ``close_vote``; queries ``tally``,
    ``vote_units``, ``home_votes``."""

    async def reply_term_ended(self) -> None:
        await self.tell(letters.reply_term_ended(self.s), "reply_ended")

    async def remind_non_answering(self) -> None:
        """The reply term's rung: mail homes without an answer that gave an address, a paper reminder with its
        reply code to the others (one letter each, a print file for the post room); the counts to the owner."""
        s = self.s
        if s.vote is None:
            return
        emails = set(s.with_email)
        version = s.vote.roll.proposal_version
        mailed = 0
        on_paper: list[str] = []
        for unit in s.vote.homes_without_answer():
            if unit in emails:
                self.mail_household(f"{s.id}.v{version}-herinnering.{unit}", s.register_ref,
                                    unit, letters.reply_reminder_mail(s))
                mailed += 1
            else:
                on_paper.append(unit)
        posted = 0
        if on_paper and s.proposal is not None and workflow.patched("paper-reply-reminder"):
            result, _ = await self.merge(
                DocumentType.HERINNERING_DRAAGVLAKMETING, letters.herinnering_common(s, self.today()), on_paper,
                s.register_ref, title=f"Herinnering renovatievoorstel versie {version}", print_file=True,
                reply_code_version=version)
            posted = result.letters or len(result.documents)
            s.proposal.reminder_print_file = result.print_file
        await self.tell(letters.reply_reminder(s, mailed, posted), "reply_reminder")

    @workflow.update
    async def send_proposals(self, action: ProposalSent) -> StepResult:
        async with self.step(self._check_proposals, action):
            s = self.s
            if s.vote is not None and s.proposal is not None:
                # B15: a new version; the earlier proposal, vote and count stay in the record (evidence).
                s.earlier_proposals.append(s.proposal)
                s.earlier_votes.append(s.vote)
                if s.result is not None:
                    s.earlier_results.append(s.result)
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
                                  letters=len(result.documents), print_file=result.print_file, mailed=mailed,
                                  reply_url=action.reply_url)
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
            if tally.agreed == tally.total:
                # Every tenant agreed (BW 7:220 lid 2), so no presumption is needed, whatever the number of
                # homes: no kennisgeving, no term to wait for.
                s.state = State.UITVOERINGSGEREED
            elif tally.reached:
                s.state = State.DRAAGVLAK_BEREIKT
            else:
                s.state = State.DRAAGVLAK_NIET_BEREIKT
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

    @workflow.query
    def household(self, key: HouseholdKey) -> HouseholdProposal | None:
        """For the portal, after a household's reply code: its proposal and its own answer, nothing of another."""
        return household_proposal(self.s, key)
