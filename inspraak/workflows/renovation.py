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
        Invite,
        Meeting,
        MeetingRecorded,
        Panel,
        PanelConstituted,
        PanelMember,
        RenovationInput,
        RenovationState,
        RenovationView,
        SignUp,
        SignUpRecorded,
        State,
        Stopped,
        initial_state,
    )
    from inspraak.domain.terms import PlannedRung
    from inspraak.domain.trajectory import ActionTable, Letter, Mail, Notice, Recipient, StepResult, TermStatus


@workflow.defn
class RenovationWorkflow(Trajectory[RenovationState]):
    """A renovation of one complex, from its creation to an active panel with its meetings.

    Updates (staff actions, each with a validator reading the state table; each returns a
    :class:`StepResult`): ``invite`` (B2: a letter to every household, by post and where known by mail, a
    combined print file, and the sign-up term), ``record_sign_up`` (B3), ``constitute_panel`` (B4: the
    confirmation to every member and to the organisation), ``record_meeting`` (B5: the minutes), ``stop`` (B17).

    Queries: ``view`` (the whole state: deadlines, documents, timeline; staff see sign-ups and members).

    The clock: the sign-up term's reminder to the owner three days before it closes, and a notice when it has.
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
