"""The renovation's panel steps (domain brief 7.2, B2-B5): every household invited, sign-ups, the panel
constituted with its confirmation letters, meetings with their minutes.

A mixin of :class:`~inspraak.workflows.renovation.RenovationWorkflow`: the updates are registered on that
class (Temporal collects them from its bases).
"""

from temporalio import workflow

from inspraak.workflows.kernel import Trajectory, invalid

with workflow.unsafe.imports_passed_through():
    from inspraak.domain import renovation_letters as letters
    from inspraak.domain.documents import DocumentType, Visibility
    from inspraak.domain.renovation import (
        Invitation,
        Meeting,
        Panel,
        PanelMember,
        RenovationState,
        SignUp,
        State,
    )
    from inspraak.domain.renovation_actions import (
        Invite,
        MeetingRecorded,
        PanelConstituted,
        SignUpRecorded,
    )
    from inspraak.domain.trajectory import StepResult, TermStatus



class PanelSteps(Trajectory[RenovationState]):
    """B2-B5: ``invite``, ``record_sign_up``, ``constitute_panel``, ``record_meeting``."""

    async def sign_up_expired(self) -> None:
        await self.tell(letters.sign_up_closed(self.s), "sign_up_closed")

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
