"""The letters and mail of a trajectory: a part of the kernel, apart because it is the half that talks to people.

:class:`Correspondence` files letters (rendered by the document activity, with who may read them), runs mail
merges, hands in documents, mails audiences and households in the background with a stable message id,
and tells staff when a letter waits on the store or a mail may not have arrived. The trajectory kernel
(:class:`~inspraak.workflows.kernel.Trajectory`) derives from it; a trajectory's Dutch text comes from its
letters module through :meth:`Correspondence.covering_mail`.
"""

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.workflow import ActivityHandle

from inspraak.workflows.audit_trail import AuditTrail
from inspraak.workflows.config import KernelConfig

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401  (pydantic's EmailStr loads it lazily; pass it through up front)

    from inspraak.activities.documents import DocumentActivities
    from inspraak.activities.mail import HouseholdAddressee, MailActivities, MailAttachment, MailRequest
    from inspraak.domain import alerts, audit
    from inspraak.domain.documents import DocumentRef, DocumentType, Visibility
    from inspraak.domain.households import RegisterRef
    from inspraak.domain.letter_contexts import Brief, Geadresseerde
    from inspraak.domain.render_requests import MergeRequest, MergeResult, RenderRequest, StoredJson
    from inspraak.domain.terms import Audience, RungKind, local_date
    from inspraak.domain.trajectory import (
        ActorRole,
        Letter,
        Mail,
        MergedLetters,
        Notice,
        Recipient,
        TimelineEntry,
        TrajectoryState,
        kernel_line,
    )

S = TypeVar("S", bound=TrajectoryState)

RENDER_TIMEOUT = timedelta(minutes=2)
# A merge renders up to 2,000 letters and a print file; it heartbeats after each letter (its heartbeat timeout
# is the worker's: KernelConfig.merge_heartbeat_timeout, 2 minutes).
MERGE_TIMEOUT = timedelta(minutes=60)
MAIL_TIMEOUT = timedelta(minutes=2)
# An outage of the object store or the mail server delays a letter; it never fails a trajectory. So every
# activity retries without a limit on attempts (maximum_attempts=0), backing off to at most RETRY_CAP, and
# stops only on the errors listed with it: input that no amount of waiting makes right. The activities raise
# those as non-retryable ApplicationErrors themselves; they are listed here too, so the policy reads whole.
RETRY_CAP = timedelta(minutes=5)
RENDER_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=RETRY_CAP, maximum_attempts=0,
                           non_retryable_error_types=["InvalidDocumentContext", "DocumentTemplateError",
                                                      "InvalidDocumentId"])
# Mail retries in the background and never holds up the trajectory. A mail whose sending broke off halfway
# (MailDeliveryUncertain) is not sent again: staff are told instead (mail goes out at most once).
MAIL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=10), maximum_interval=RETRY_CAP, maximum_attempts=0,
                         non_retryable_error_types=["AttachmentNotFound", "MailDeliveryUncertain"])


class Correspondence(AuditTrail[S], Generic[S]):
    """Letters, mail and the timeline of a trajectory; the kernel sets ``s``, ``_config`` and ``_mail``."""

    s: S
    _config: KernelConfig
    _mail: list[asyncio.Task[None]]

    def covering_mail(self, letter: Letter, ref: DocumentRef, to: list[Recipient]) -> Mail:
        """The mail that carries a letter to its audience."""
        raise NotImplementedError
    def alert_notice(self, subject: str, text: str) -> Notice:
        """A message to the staff member handling the trajectory about trouble outside it (an outage)."""
        return Notice(kind=RungKind.ALERT, audience=Audience.OWNER, timeline=f"Bericht aan de behandelaar: {subject}",
                      mail=Mail(subject=f"{subject} [{self.s.id}]", body=text))
    def changed(self) -> None:
        """The state moved (the kernel wakes its clock and updates the index)."""

    # ---- the record ---------------------------------------------------------------------------------

    def today(self) -> date:
        return local_date(workflow.now(), self._config.timezone)

    @staticmethod
    def who(action: Any) -> tuple[ActorRole, str]:
        """The role and name of whoever recorded an action (the API sets it from the token)."""
        actor = getattr(action, "actor", None)
        if actor is None:
            return ("clock", "") if action is None else ("staff", "")
        return actor.role, actor.name

    def log(self, event: str, text: str, actor: ActorRole = "clock", by: str = "",
            document_id: str | None = None, visibility: Visibility = Visibility.ORGANISATION) -> None:
        self.s.timeline.append(TimelineEntry(at=workflow.now(), event=event, actor=actor, by=by, text=text,
                                             document_id=document_id, visibility=visibility))
    async def _mail_done(self) -> None:
        # A failed mail may send an alert of its own: wait for what was added while waiting, too.
        while not all(task.done() for task in self._mail):
            await asyncio.gather(*self._mail)
    # ---- letters and mail -----------------------------------------------------------------------------

    async def tell(self, notice: Notice, event: str) -> DocumentRef | None:
        inside = notice.audience != Audience.ORGANISATION
        self.log(event, notice.timeline, visibility=Visibility.STAFF if inside else Visibility.ORGANISATION)
        ref = await self.file(notice.letter) if notice.letter else None
        if notice.mail is not None:
            self.s.notice_count += 1
            self.send_mail(f"{self.s.id}.notice-{self.s.notice_count:03d}", notice.audience, notice.mail)
        return ref

    async def file(self, letter: Letter) -> DocumentRef:
        """Render a letter, file it with who may read it, and mail it to its audience in the background."""
        number = self.s.document_count + 1
        step = f"{number:02d}-{letter.type.value}" + (f"-{letter.step_hint.replace('_', '-')}"
                                                      if letter.step_hint else "")
        render = workflow.start_activity_method(
            DocumentActivities.render_document,
            RenderRequest(trajectory_id=self.s.id, organisation_id=self.s.organisation_id, step=step,
                          type=letter.type, context=letter.context.model_dump(mode="json"),
                          visibility=letter.visibility, title=letter.title),
            start_to_close_timeout=RENDER_TIMEOUT, retry_policy=RENDER_RETRY,
            summary=f"{letter.type.value} for {self.s.id}",
        )
        ref = await self._rendered(render, letter.title or letter.type.label)
        self.s.document_count = number
        self.s.documents.append(ref)
        self.log("document", kernel_line("document", title=ref.title), document_id=ref.id,
                 visibility=ref.visibility)
        self.audit_document(ref)
        to = self.s.audiences.get(letter.audience, [])
        mail = self.covering_mail(letter, ref, to)
        self.send_mail(f"{ref.id}.{letter.audience.value}", letter.audience, mail,
                       [MailAttachment(filename=f"{self.s.id.upper()} {ref.title}.docx", key=ref.key)])
        return ref

    async def merge(self, letter_type: DocumentType, context: dict[str, Any], unit_ids: list[str],
                    register: RegisterRef, *, title: str | None = None, copy_to: Geadresseerde | None = None,
                    print_file: bool = False, household_mail: Callable[[DocumentRef], Mail] | None = None,
                    figures: StoredJson | None = None, reply_code_version: int | None = None
                    ) -> tuple[MergeResult, dict[str, str]]:
        """A mail merge over a household register in the store: one letter per unit, one document number.

        ``context`` is the part every letter shares, without personal data; the merge activity completes it
        per household from the register. The household letters are readable by staff and that household only;
        ``copy_to`` adds a copy for the trajectory's organisation, filed and mailed to it like :meth:`file`;
        ``print_file`` adds one combined file for the post room (staff only). With ``household_mail``, every
        household that gave an e-mail address gets its own letter by mail as well (its address is read from
        the register by the mail activity). ``figures`` (per-unit figures in the store) and ``reply_code_version``
        (each home's reply code, derived by the activity with its key) complete a household's letter.
        Answers the merge's result and, per mailed unit, the message id.
        """
        number = self.s.document_count + 1
        result = await workflow.execute_activity_method(
            DocumentActivities.merge_documents,
            MergeRequest(trajectory_id=self.s.id, organisation_id=self.s.organisation_id, register_ref=register,
                         type=letter_type, context=context, step_prefix=f"{number:02d}-{letter_type.value}",
                         unit_ids=unit_ids, title=title, copy_to=copy_to, print_file=print_file, figures=figures,
                         reply_code_version=reply_code_version),
            start_to_close_timeout=MERGE_TIMEOUT, heartbeat_timeout=self._config.merge_heartbeat_timeout,
            retry_policy=RENDER_RETRY,
            summary=f"{letter_type.value} x {len(unit_ids)} for {self.s.id}",
        )
        self.s.document_count = number
        # The household letters' references stay in the store (the manifest); the state keeps their count.
        if result.manifest is not None:
            self.s.merges.append(MergedLetters(
                number=number, type=letter_type, title=title or letter_type.label, step_prefix=f"{number:02d}-"
                f"{letter_type.value}", letters=result.letters or len(result.documents), manifest=result.manifest,
                print_file_id=result.print_file.id if result.print_file else None))
        else:  # a worker from before manifests answered: keep the references as then
            self.s.documents.extend(result.documents)
        if result.documents:
            self.log("documents_merged", kernel_line("documents_merged",
                count=result.letters or len(result.documents), title=result.documents[0].title))
            # Named by the merge's number, not by a household's letter: which homes got it is not the organisation's.
            self.audit_document(result.documents[0], audit.DOCUMENTS_MERGED, len(result.documents),
                                resource_id=f"{self.s.id}.{number:02d}-{letter_type.value}")
        for extra in (result.print_file, result.copy_document):
            if extra is not None:
                self.s.documents.append(extra)
                self.log("document", kernel_line("document", title=extra.title), document_id=extra.id,
                         visibility=extra.visibility)
                self.audit_document(extra)
        if result.copy_document is not None:
            ref = result.copy_document
            letter = Letter(type=letter_type, context=Brief.model_validate(context), audience=Audience.ORGANISATION,
                            title=title)
            mail = self.covering_mail(letter, ref, self.s.audiences.get(Audience.ORGANISATION, []))
            self.send_mail(f"{ref.id}.{Audience.ORGANISATION.value}", Audience.ORGANISATION, mail,
                           [MailAttachment(filename=f"{self.s.id.upper()} {ref.title}.docx", key=ref.key)])
        mailed: dict[str, str] = {}
        if household_mail is not None:
            emails = set(result.with_email)
            for ref in result.documents:
                if ref.household_id in emails:
                    message_id = f"{ref.id}.household"
                    self.mail_household(message_id, register, ref.household_id, household_mail(ref),
                                        [MailAttachment(filename=f"{self.s.id.upper()} {ref.title}.docx", key=ref.key)])
                    mailed[ref.household_id] = message_id
        return result, mailed

    def mail_household(self, message_id: str, register: RegisterRef, unit_id: str, mail: Mail,
                       attachments: list[MailAttachment] | None = None) -> None:
        """Mail one household of a register in the background; the mail activity reads its address."""
        self._deliver(MailRequest(message_id=message_id, household=HouseholdAddressee(register_ref=register.key_only(),
                                                                                      unit_id=unit_id),
                                  subject=mail.subject, body=mail.body, attachments=attachments or [],
                                  reply_to=self.s.reply_to.email if self.s.reply_to else None), mail.subject)

    def attach(self, ref: DocumentRef, actor: ActorRole, by: str) -> None:
        """File a document someone handed in (stored by the API already); it takes no letter number."""
        self.s.documents.append(ref)
        self.log("document_attached", kernel_line("document_attached", title=ref.title), actor=actor, by=by,
                 document_id=ref.id,
                 visibility=ref.visibility)
        self.audit_document(ref, audit.DOCUMENT_ATTACHED)

    async def _rendered(self, render: ActivityHandle[DocumentRef], title: str) -> DocumentRef:
        """The stored letter; when the store keeps it waiting past the configured time, staff hear so once."""
        waited = self._config.letter_delay_alert_after
        try:
            await workflow.wait_condition(render.done, timeout=waited,
                                          timeout_summary=f"alert if '{title}' is not stored by then")
        except TimeoutError:
            await self.tell(self.alert_notice(*alerts.letter_delayed(title, waited)), event="letter_delayed")
        return await render

    @staticmethod
    def _visibility(audience: Audience) -> Visibility:
        return Visibility.ORGANISATION if audience == Audience.ORGANISATION else Visibility.STAFF

    def send_mail(self, message_id: str, audience: Audience, mail: Mail,
                  attachments: list[MailAttachment] | None = None) -> None:
        to = self.s.audiences.get(audience, [])
        if not to:
            self.log("mail_skipped", kernel_line("mail_skipped", audience=audience.value, subject=mail.subject),
                     visibility=self._visibility(audience))
            return
        request = MailRequest(message_id=message_id, to=[r.email for r in to], subject=mail.subject,
                              body=mail.body, attachments=attachments or [],
                              reply_to=self.s.reply_to.email if self.s.reply_to else None)
        self._deliver(request, mail.subject, audience)

    def _deliver(self, request: MailRequest, subject: str, audience: Audience | None = None) -> None:
        message_id = request.message_id

        async def send() -> None:
            try:
                await workflow.execute_activity_method(
                    MailActivities.send_mail, request, start_to_close_timeout=MAIL_TIMEOUT, retry_policy=MAIL_RETRY,
                    summary=f"mail {message_id}")
            except ActivityError as e:
                if isinstance(e.cause, ApplicationError) and e.cause.type == "MailDeliveryUncertain":
                    to = request.to or ([f"huishouden {request.household.unit_id}"] if request.household else [])
                    self._mail_uncertain(audience, subject, [str(x) for x in to])
                else:
                    # Why it failed is for staff; the organisation may see that its own mail failed, nothing more.
                    self.log("mail_failed", kernel_line("mail_failed", subject=subject, cause=e.cause),
                             visibility=Visibility.STAFF)

        self._mail.append(asyncio.create_task(send()))

    def _mail_uncertain(self, audience: Audience | None, mail_subject: str, to: list[str]) -> None:
        """A mail that may or may not have arrived: not sent again; the owner is asked to check."""
        subject, text = alerts.mail_uncertain(mail_subject, to)
        if audience == Audience.OWNER:  # the alert would go the same uncertain way: the timeline says it
            self.log("mail_uncertain", f"{subject}. {text}", visibility=Visibility.STAFF)
        else:
            self.s.notice_count += 1
            notice = self.alert_notice(subject, text)
            self.log("mail_uncertain", notice.timeline, visibility=Visibility.STAFF)
            if notice.mail is not None:
                self.send_mail(f"{self.s.id}.notice-{self.s.notice_count:03d}", notice.audience, notice.mail)
        self.changed()
