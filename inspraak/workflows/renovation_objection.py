"""The renovation after the vote (domain brief 7.2, B12-B17; BW 7:220 lid 2-3): the kennisgeving to every home
that did not agree, each home's own 8-week term from its own receipt date, tenants and the landlord in court,
rulings, adjusting the proposal, and the way to UITVOERINGSGEREED.

A mixin of :class:`~inspraak.workflows.renovation.RenovationWorkflow`: the updates and queries are registered
on that class (Temporal collects them from its bases). The pure rules are ``inspraak.domain.objections``,
the Dutch is ``inspraak.domain.objection_letters``.
"""

from datetime import date, timedelta

from temporalio import workflow

from inspraak.workflows.kernel import Trajectory, invalid

with workflow.unsafe.imports_passed_through():
    from inspraak.domain import objection_letters as letters
    from inspraak.domain.documents import DocumentType, Visibility
    from inspraak.domain.evidence import EvidenceRecord, ProposalVersion, evidence_documents
    from inspraak.domain.household_view import proposal_merge
    from inspraak.domain.objections import (
        CourtCase,
        CourtClaimRecorded,
        CourtParty,
        LandlordClaimsRecorded,
        NoticeHome,
        Notices,
        NoticesSent,
        ObjectionsView,
        ProposalAdjusted,
        ReceiptsRecorded,
        RulingRecorded,
        RulingsFollowed,
        case_of,
        homes_awaiting_ruling,
        ruling_refusal,
        tenant_claim_refusal,
        term_key,
        works_blocked,
    )
    from inspraak.domain.renovation import RenovationState, State
    from inspraak.domain.terms import RENOVATION_OBJECTION, DeadlineSchedule
    from inspraak.domain.trajectory import StepResult


def expected_receipt(sent_on: date) -> date:
    """The day a registered letter sent on ``sent_on`` is expected: the next weekday (post is not delivered on
    Sundays, registered letters rarely on Saturdays). Only the letter's example uses it; terms count from the
    receipt staff record."""
    day = sent_on + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class ObjectionSteps(Trajectory[RenovationState]):
    """B12-B17: ``send_notices``, ``record_receipts``, ``record_court_claim``, ``record_landlord_claims``,
    ``record_ruling``, ``adjust_proposal``, ``follow_rulings``; queries ``objections``, ``evidence``."""

    # ---- the clock -------------------------------------------------------------------------------------

    async def objection_term_ended(self, key: str) -> None:
        """The 8 weeks of the homes that received the notice on one day have ended (B14 when they were the last)."""
        ready = self._every_term_ended()
        await self.tell(letters.term_ended(self.s, key, ready), "objection_term_ended")
        self._ready_when_every_term_ended()

    def _every_term_ended(self) -> bool:
        n = self.s.notices
        return n is not None and not n.without_receipt() and not any(self.running(k) for k in n.term_keys())

    def _ready_when_every_term_ended(self) -> None:
        """B14: every home's term has ended, so the works may be prepared; homes in court stay blocked."""
        s = self.s
        if s.state == State.BEZWAARTERMIJN and self._every_term_ended():
            s.state = State.UITVOERINGSGEREED
            blocked = sum(1 for c in s.court_cases if works_blocked(s.court_cases, c.unit_id))
            self.log("ready", letters.line("ready", blocked=blocked))

    # ---- B12: the kennisgeving --------------------------------------------------------------------------

    @workflow.update
    async def send_notices(self, action: NoticesSent) -> StepResult:
        async with self.step(self._check_notices, action):
            s = self.s
            vote = self.need(s.vote, "the vote")
            result = self.need(s.result, "the count")
            today = self.today()
            example = await self.plan(RENOVATION_OBJECTION.key, expected_receipt(today))
            units = vote.homes_not_agreeing()
            # By registered mail only (no copy by e-mail): the term counts from the receipt of this letter.
            merged, _ = await self.merge(
                DocumentType.KENNISGEVING_70, letters.kennisgeving_common(s, today, result.tally, example,
                                                                         action.contact),
                units, s.register_ref, title=f"Kennisgeving 70 procent versie {vote.roll.proposal_version}",
                print_file=True)
            documents = {d.household_id: d.id for d in merged.documents}
            s.notices = Notices(proposal_version=vote.roll.proposal_version, sent_on=today,
                                percent_agreed=result.tally.percent_agreed, expected_receipt=example.anchor,
                                homes=[NoticeHome(unit_id=u, document_id=documents.get(u)) for u in units],
                                print_file_id=merged.print_file.id if merged.print_file else None)
            s.state = State.KENNISGEVING_70
            self.log("notices_sent", letters.line("notices_sent", letters=len(units), expected=example.anchor,
                                                  due_on=example.due_on), *self.who(action))
        return self.result(document=merged.print_file)

    @send_notices.validator
    def _check_notices(self, action: NoticesSent) -> None:
        self.check("send_notices")
        vote = self.need(self.s.vote, "the vote")
        self.need(self.s.result, "the count")
        if not vote.homes_not_agreeing():
            raise invalid("units", "all_agreed", "every home agreed: there is nobody to notify")

    @workflow.update
    async def record_receipts(self, action: ReceiptsRecorded) -> StepResult:
        """The receipt date of a batch of homes: each home's 8 weeks count from it (BW 7:220 lid 3)."""
        async with self.step(self._check_receipts, action):
            s = self.s
            notices = self.need(s.notices, "the kennisgeving")
            key = term_key(action.received_on)
            if key not in s.terms:
                self.start_term(await self.plan(RENOVATION_OBJECTION.key, action.received_on), key=key)
            term = s.terms[key].schedule
            _, by = self.who(action)
            homes = [self.need(notices.home(unit), "the home's kennisgeving") for unit in action.units]
            for home in homes:
                home.received_on, home.receipt_method = action.received_on, action.method
                home.receipt_recorded_by, home.term_key, home.term_ends_on = by or "staff", key, term.due_on
            if workflow.patched("receipt-letter"):
                await self._send_receipt_letters(notices, [h.unit_id for h in homes], term)
            else:  # a renovation that recorded receipts before the letter: the mail alone, as then
                emails = set(s.with_email)
                for home in homes:
                    if home.unit_id in emails:  # numbered by its place on the list: a unit id may hold a '/'
                        number = notices.homes.index(home) + 1
                        self.mail_household(f"{s.id}.kennisgeving-termijn-{number:04d}", s.register_ref,
                                            home.unit_id, letters.term_end_mail(s, action.received_on, term.due_on))
            s.state = State.BEZWAARTERMIJN
            self.log("receipts", letters.line("receipts", count=len(action.units), received_on=action.received_on,
                                              due_on=term.due_on, missing=letters.receipts_missing(s, notices)),
                     *self.who(action))
            # A receipt recorded late may belong to a term that has ended already.
            self._ready_when_every_term_ended()
        return self.result(key)

    async def _send_receipt_letters(self, notices: Notices, units: list[str], term: DeadlineSchedule) -> None:
        """To every home of one receipt batch, on paper (a print file for the post room) and by mail where it
        gave an address: the date its receipt was recorded and its term's own last day (BW 7:220 lid 3)."""
        s = self.s
        received_on, due_on = term.anchor, term.due_on
        await self.merge(DocumentType.TERMIJN_KENNISGEVING,
                         letters.termijn_common(s, self.today(), notices.sent_on, term), units, s.register_ref,
                         title=letters.termijn_title(received_on), print_file=True,
                         household_mail=lambda ref: letters.term_end_mail(s, received_on, due_on, ref))

    @record_receipts.validator
    def _check_receipts(self, action: ReceiptsRecorded) -> None:
        self.check("record_receipts")
        notices = self.need(self.s.notices, "the kennisgeving")
        refused = notices.receipt_refusal(action.units, action.received_on, self.today())
        if refused:
            raise invalid(*refused)

    # ---- B13, B16: court ----------------------------------------------------------------------------------

    @workflow.update
    async def record_court_claim(self, action: CourtClaimRecorded) -> StepResult:
        """B13: a tenant went to the kantonrechter within its 8 weeks; its home is blocked until a ruling."""
        async with self.step(self._check_court_claim, action):
            s = self.s
            home = self.need(self.need(s.notices, "the kennisgeving").home(action.unit_id), "the home")
            s.court_cases.append(CourtCase(unit_id=home.unit_id, party=CourtParty.TENANT, filed_on=action.filed_on,
                                           reference=action.reference, recorded_by=self.who(action)[1] or "staff"))
            self._log_case(s.court_cases[-1], action)
        return self.result()

    @record_court_claim.validator
    def _check_court_claim(self, action: CourtClaimRecorded) -> None:
        self.check("record_court_claim")
        notices = self.need(self.s.notices, "the kennisgeving")
        refused = tenant_claim_refusal(notices, self.s.court_cases, action.unit_id, action.filed_on, self.today())
        if refused:
            raise invalid(*refused)

    def _log_case(self, case: CourtCase, action: object) -> None:
        self.log("court_claim", letters.line("court_claim", unit=case.unit_id, party=letters.PARTIES[case.party],
                                             filed_on=case.filed_on, reference=letters.reference(case.reference)),
                 *self.who(action), visibility=Visibility.STAFF)

    @workflow.update
    async def record_landlord_claims(self, action: LandlordClaimsRecorded) -> StepResult:
        """B16: after a vote that was not reached, the landlord took these households to court."""
        async with self.step(self._check_landlord_claims, action):
            s = self.s
            vote = self.need(s.vote, "the vote")
            spelled = {u.casefold(): u for u in vote.homes_not_agreeing()}
            for unit in action.units:
                s.court_cases.append(CourtCase(unit_id=spelled[unit.casefold()], party=CourtParty.LANDLORD,
                                               filed_on=action.filed_on, reference=action.reference,
                                               recorded_by=self.who(action)[1] or "staff"))
                self._log_case(s.court_cases[-1], action)
        return self.result()

    @record_landlord_claims.validator
    def _check_landlord_claims(self, action: LandlordClaimsRecorded) -> None:
        self.check("record_landlord_claims")
        vote = self.need(self.s.vote, "the vote")
        closed_on = self.need(vote.closed_on, "the closing date")
        not_agreeing = {u.casefold() for u in vote.homes_not_agreeing()}
        seen: set[str] = set()
        for n, unit in enumerate(action.units):
            if unit.casefold() not in not_agreeing:
                raise invalid(f"units[{n}]", "agreed_or_unknown", f"unit {unit} agreed, or is not on the list: "
                              "the landlord goes to court only against a home that did not agree")
            if unit.casefold() in seen or case_of(self.s.court_cases, unit) is not None:
                raise invalid(f"units[{n}]", "case_recorded", f"unit {unit} is in court already")
            seen.add(unit.casefold())
        if action.filed_on > self.today():
            raise invalid("filed_on", "date_in_future", "filed_on cannot be in the future")
        if action.filed_on < closed_on:
            raise invalid("filed_on", "before_event", f"filed_on cannot be before the vote closed ({closed_on})")

    @workflow.update
    async def record_ruling(self, action: RulingRecorded) -> StepResult:
        async with self.step(self._check_ruling, action):
            s = self.s
            case = self.need(case_of(s.court_cases, action.unit_id), "the court case")
            case.ruling, case.ruled_on, case.ruling_reference = action.ruling, action.ruled_on, action.reference
            case.ruling_recorded_by = self.who(action)[1] or "staff"
            self.log("ruling", letters.line("ruling", unit=case.unit_id, ruled_on=action.ruled_on,
                                            ruling=letters.RULINGS[action.ruling]), *self.who(action),
                     visibility=Visibility.STAFF)
        return self.result()

    @record_ruling.validator
    def _check_ruling(self, action: RulingRecorded) -> None:
        self.check("record_ruling")
        refused = ruling_refusal(self.s.court_cases, action.unit_id, action.ruled_on, self.today())
        if refused:
            raise invalid(*refused)

    # ---- B15, B16: after a vote that was not reached --------------------------------------------------------

    @workflow.update
    async def adjust_proposal(self, action: ProposalAdjusted) -> StepResult:
        """B15: the proposal is adjusted; ``send_proposals`` with a new version opens a new vote."""
        async with self.step(self._check_adjust, action):
            self.s.state = State.AANPASSEN_VOORSTEL
            self.log("adjusting", letters.line("adjusting", reason=action.reason), *self.who(action))
        return self.result()

    @adjust_proposal.validator
    def _check_adjust(self, action: ProposalAdjusted) -> None:
        self.check("adjust_proposal")

    @workflow.update
    async def follow_rulings(self, action: RulingsFollowed) -> StepResult:
        """B16 -> UITVOERINGSGEREED: every home that did not agree has its ruling; the works go ahead in the homes
        that agreed and those the court ruled must cooperate; the others stay blocked."""
        async with self.step(self._check_follow_rulings, action):
            s = self.s
            blocked = sum(1 for c in s.court_cases if works_blocked(s.court_cases, c.unit_id))
            cleared = sum(1 for c in s.court_cases if not works_blocked(s.court_cases, c.unit_id))
            s.state = State.UITVOERINGSGEREED
            self.log("rulings_followed", letters.line("rulings_followed", cleared=cleared, blocked=blocked),
                     *self.who(action))
        return self.result()

    @follow_rulings.validator
    def _check_follow_rulings(self, action: RulingsFollowed) -> None:
        self.check("follow_rulings")
        vote = self.need(self.s.vote, "the vote")
        waiting = homes_awaiting_ruling(vote.homes_not_agreeing(), self.s.court_cases)
        if waiting:
            raise invalid("rulings", "rulings_missing", f"{len(waiting)} home(s) that did not agree have no ruling "
                          f"yet: {', '.join(waiting[:10])}; take them to court (B16), adjust the proposal or stop")
        tally = vote.tally()
        if tally.agreed == 0 and all(works_blocked(self.s.court_cases, c.unit_id) for c in self.s.court_cases):
            raise invalid("rulings", "nothing_to_do", "no home agreed and every ruling went against the proposal")

    # ---- queries (staff only) -----------------------------------------------------------------------------

    @workflow.query
    def objections(self) -> ObjectionsView:
        """Staff only: per home, the kennisgeving, its receipt and its term; the homes in court."""
        s = self.s
        return ObjectionsView(notices=s.notices, court_cases=list(s.court_cases),
                              blocked=[c.unit_id for c in s.court_cases if works_blocked(s.court_cases, c.unit_id)])

    @workflow.query
    def evidence(self) -> EvidenceRecord:
        """Staff only: everything the evidence export holds, by unit (the API adds names from the register)."""
        s = self.s
        results = {r.tally.proposal_version: r for r in [*s.earlier_results, *([s.result] if s.result else [])]}
        pairs = list(zip(s.earlier_proposals, s.earlier_votes, strict=False))
        if s.proposal is not None and s.vote is not None:
            pairs.append((s.proposal, s.vote))
        versions = []
        for proposal, vote in pairs:
            # The household letters are listed in the merge's manifest in the store (the export reads it);
            # a renovation from before manifests still has them among its documents.
            merged = proposal_merge(s.merges, proposal.version)
            prefix = proposal.print_file.id.removesuffix("printbestand") if proposal.print_file else None
            sent = [d for d in s.documents if d.type == DocumentType.RENOVATIEVOORSTEL and d.household_id
                    and (d.id.startswith(prefix) if prefix else d.title.endswith(f"versie {proposal.version}"))]
            versions.append(ProposalVersion(proposal=proposal, vote=vote, letters=sent, manifest=merged,
                                            result=results.get(vote.roll.proposal_version)))
        return EvidenceRecord(id=s.id, subject=s.subject, complex=s.renovation.complex, state=State(s.state),
                              register_ref=s.register_ref, versions=versions, notices=s.notices,
                              court_cases=list(s.court_cases),
                              documents=evidence_documents(s.documents, versions, s.notices),
                              notice_manifests=[m for m in s.merges if m.type == DocumentType.KENNISGEVING_70],
                              receipt_manifests=[m for m in s.merges if m.type == DocumentType.TERMIJN_KENNISGEVING],
                              timeline=list(s.timeline))
