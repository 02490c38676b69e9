"""The audit trail of every trajectory, made in one place: a part of the kernel.

The kernel's step, its clock and its letters call :meth:`AuditTrail.audit_step`, :meth:`AuditTrail.audit_event`
and :meth:`AuditTrail.audit_document`; a trajectory writes no audit code of its own. Entries wait in memory
(never in the state: it keeps only ``audit_count``) and go to the document store in the background, one batch
at a time through the ``record_audit`` activity: entries made while a batch is being written form the next
one. The kernel waits for the last batch before it continues as new or completes, as it does for mail.

Started behind ``workflow.patched("audit-trail")``: a trajectory that began before the audit trail existed
replays as it ran, and records nothing until it continues as new.
"""

import asyncio
from datetime import timedelta
from typing import Any, Generic, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from inspraak.activities.audit import AuditActivities
    from inspraak.domain import audit
    from inspraak.domain.audit import AuditBatch, AuditEntry, AuditLine, AuditSnapshot, AuditUser
    from inspraak.domain.documents import DocumentRef, Visibility
    from inspraak.domain.trajectory import TrajectoryState

S = TypeVar("S", bound=TrajectoryState)


def before_step(s: TrajectoryState) -> tuple[AuditSnapshot, int]:
    """What a step's entry compares with: the state as it was, and where the step's timeline lines begin."""
    return audit.snapshot(s), len(s.timeline)

AUDIT_PATCH = "audit-trail"
AUDIT_TIMEOUT = timedelta(minutes=1)
# Like every activity of the kernel: an outage of the store delays the trail, never loses it.
AUDIT_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5),
                          maximum_attempts=0)


class AuditTrail(Generic[S]):
    """Entries of the audit trail; the kernel sets ``s`` and ``_mail`` (its background work)."""

    s: S
    _mail: list[asyncio.Task[None]]
    _audit_on: bool = False
    _audit_pending: list[AuditEntry]
    _audit_task: asyncio.Task[None] | None = None
    _audit_user: AuditUser | None = None  # who runs the step under way (its documents are theirs)

    def start_audit(self) -> None:
        """Called once the workflow runs (the opening step): whether this run keeps the trail."""
        self._audit_pending = []
        self._audit_on = workflow.patched(AUDIT_PATCH)

    def opening_user(self) -> AuditUser | None:
        """Who the opening step's letters are of: the staff member who started the trajectory (its owner)."""
        owner = self.s.reply_to
        return AuditUser(name=owner.name, role="staff") if owner is not None else None

    # ---- what the kernel records -------------------------------------------------------------------

    def audit_step(self, action: Any, before: AuditSnapshot, lines_from: int,
                   failure: BaseException | None = None) -> None:
        """An update's step (done, or refused or failed and rolled back): named after the update."""
        info = workflow.current_update_info()
        lines = audit.written_lines(self.s.timeline, lines_from)
        user = self._user(action, lines)
        result, explanation, visibility = 200, "", audit.step_visibility(lines)
        if failure is not None:
            result, explanation = _result(failure)
            visibility = Visibility.ORGANISATION if user.role == "organisation" else Visibility.STAFF
        actor = getattr(action, "actor", None)
        self._record(action=info.name if info else "update", user=user, result=result, lines=lines,
                     explanation=explanation, resource="trajectory", resource_id=self.s.id, before=before,
                     input=audit.action_input(action), visibility=visibility,
                     correlation_id=getattr(actor, "correlation_id", ""), trace_id=getattr(actor, "trace_id", ""),
                     application=audit.APPLICATION_API)

    def audit_event(self, action: str, key: str, before: AuditSnapshot, lines_from: int) -> None:
        """The clock's work (a reminder, the end of a term) or the opening step."""
        lines = audit.written_lines(self.s.timeline, lines_from)
        user = self._user(None, lines)
        self._record(action=action, user=user, result=200, lines=lines, resource="term" if key else "trajectory",
                     resource_id=key or self.s.id, before=before, visibility=audit.step_visibility(lines),
                     application=audit.APPLICATION_API if action == audit.OPENED else audit.APPLICATION_WORKER)

    def audit_document(self, ref: DocumentRef, action: str = audit.DOCUMENT_MADE, count: int = 1,
                       user: AuditUser | None = None, resource_id: str | None = None) -> None:
        """A document made, merged (``count`` letters, one entry, named ``resource_id``) or handed in."""
        title = ref.title if count == 1 else f"{count} x {ref.title}"
        self._record(action=action, user=user or self._audit_user or AuditUser(role="clock"), result=200, lines=[],
                     resource="document", resource_id=resource_id or ref.id, resource_title=title,
                     visibility=Visibility.ORGANISATION if action == audit.DOCUMENTS_MERGED else ref.visibility,
                     application=audit.APPLICATION_WORKER if self._audit_user is None else audit.APPLICATION_API)

    def _user(self, action: Any, lines: list[AuditLine]) -> AuditUser:
        """From the action's actor (the token); else from the step's own timeline line (a household's answer)."""
        actor = getattr(action, "actor", None)
        if actor is not None:
            return AuditUser(id=getattr(actor, "subject", ""), name=actor.name, role=actor.role)
        written = self.s.timeline[len(self.s.timeline) - len(lines):] if lines else []
        if written and written[0].actor != "clock":
            return AuditUser(name=written[0].by, role=written[0].actor)
        return AuditUser(role="clock")

    # ---- the record and its batches ---------------------------------------------------------------------

    def _record(self, *, action: str, user: AuditUser, result: int, lines: list[AuditLine], resource: str,
                resource_id: str, visibility: Visibility, application: str, explanation: str = "",
                resource_title: str = "", before: AuditSnapshot | None = None, input: dict[str, Any] | None = None,
                correlation_id: str = "", trace_id: str = "") -> None:
        if not self._audit_on:
            return
        s = self.s
        s.audit_count += 1
        old, new = audit.changes(before, audit.snapshot(s)) if before is not None else (None, None)
        self._audit_pending.append(AuditEntry(
            id=f"{s.id}.{s.audit_count:08d}", sequence=s.audit_count, application=application, trajectory_id=s.id,
            trajectory_type=s.type, organisation_id=s.organisation_id, user=user, action=action, result=result,
            lines=lines, explanation=explanation, resource=resource, resource_id=resource_id,  # type: ignore[arg-type]
            resource_title=resource_title, old=old, new=new, input=input, at=workflow.now(),
            correlation_id=correlation_id, trace_id=trace_id, visibility=visibility))
        if self._audit_task is None or self._audit_task.done():
            self._audit_task = asyncio.create_task(self._flush())
            self._mail.append(self._audit_task)

    async def _flush(self) -> None:
        while self._audit_pending:
            batch, self._audit_pending = self._audit_pending, []
            first, last = batch[0].sequence, batch[-1].sequence
            await workflow.execute_activity_method(
                AuditActivities.record_audit,
                AuditBatch(trajectory_id=self.s.id, organisation_id=self.s.organisation_id, entries=batch),
                start_to_close_timeout=AUDIT_TIMEOUT, retry_policy=AUDIT_RETRY,
                summary=f"audit {first}-{last} of {self.s.id}")


def _result(failure: BaseException) -> tuple[int, str]:
    """A failed step as an HTTP status and its reason (the API answers the same)."""
    if isinstance(failure, ApplicationError) and failure.type == "TransitionRefused":
        return 409, failure.message
    if isinstance(failure, ApplicationError) and failure.type in ("InvalidInput", "TermTooShort"):
        return 400, failure.message
    if isinstance(failure, ActivityError):
        return 500, f"a letter could not be made: {failure.cause}"
    return 500, type(failure).__name__
