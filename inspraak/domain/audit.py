"""The audit trail of a trajectory: who did what, when, with what result, and the state before and after.

Modelled on the ZGW audit trail (``AuditTrail`` of the Zaakgerichtwerken APIs): ``bron`` is ``source``,
``applicatie`` ``application``, ``gebruikersId``/``gebruikersWeergave`` the ``user``, ``actie`` the ``action``,
``resultaat`` the ``result`` (an HTTP status), ``toelichting`` the ``explanation``, ``resource`` and
``resourceWeergave`` the ``resource``, ``oud``/``nieuw`` the ``old``/``new`` state.

Entries are made in one place, the trajectory kernel (:mod:`inspraak.workflows.kernel`), for every step of
every trajectory, and written append-only to the document store by an activity: the workflow's state keeps a
counter, never the entries. Refused actions are written by the API (:mod:`inspraak.services.api.routes.audit`).
Pure models and rules; no I/O, no Temporal.
"""

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from inspraak.domain.documents import Visibility
from inspraak.domain.trajectory import TimelineEntry, TrajectoryState

SOURCE = "inspraak"
# The application that made an entry: an action through the API (or refused by it), or the worker's clock.
APPLICATION_API = "inspraak-api"
APPLICATION_WORKER = "inspraak-worker"

# Actions of the kernel itself (an update's entry is named after the update: ``record_advice``).
OPENED = "open"
TERM_REMINDER = "term_reminder"
TERM_EXPIRED = "term_expired"
DOCUMENT_MADE = "document_made"
DOCUMENTS_MERGED = "documents_merged"
DOCUMENT_ATTACHED = "document_attached"

# What a long value of an action's input becomes in an entry: its size, not its items (a list of 1,000 units).
MAX_ITEMS = 20
MAX_TEXT = 2_000


class AuditUser(BaseModel):
    """Who: the token's subject and name and the role, or ``clock`` for the trajectory's own clock."""

    id: str = Field(default="", description="the token's subject; empty for the clock and for households")
    name: str = ""
    role: str = Field(description="staff, manager, organisation, household or clock")


class TermSnapshot(BaseModel):
    status: str
    due_on: date


class AuditSnapshot(BaseModel):
    """A trajectory's state as an entry shows it before and after: its state, whether it is overdue, how many
    letters it has, and the terms that this step changed (started, moved, met, expired or cancelled)."""

    state: str
    overdue: bool
    documents: int
    terms: dict[str, TermSnapshot] = {}


class AuditLine(BaseModel):
    """A line of the trajectory's timeline the step wrote, with who may read it."""

    text: str
    visibility: Visibility


class AuditEntry(BaseModel):
    """One entry as it is stored (append-only, in batches, under ``trajectories/<id>/audit/``)."""

    id: str
    sequence: int | None = Field(description="the trajectory's own count of entries; none for a refusal the "
                                             "API recorded")
    source: str = SOURCE
    application: str
    trajectory_id: str
    trajectory_type: str
    organisation_id: str
    user: AuditUser
    action: str
    result: int = Field(description="as an HTTP status: 200 done, 400 invalid input, 409 refused in this state, "
                                    "500 failed (nothing changed)")
    lines: list[AuditLine] = []
    explanation: str = ""  # a refusal's or failure's reason (never a tenant's data: it names fields and states)
    resource: Literal["trajectory", "document", "term"]
    resource_id: str
    resource_title: str = ""
    old: AuditSnapshot | None = None
    new: AuditSnapshot | None = None
    input: dict[str, Any] | None = None
    at: datetime
    correlation_id: str = ""
    trace_id: str = ""
    visibility: Visibility = Visibility.STAFF

    def view(self, may_read: Callable[[str], bool], *, detail: bool) -> "AuditRecord":
        """The entry as a reader sees it: the lines it may read; the action's input only with ``detail`` (staff)."""
        lines = [line.text for line in self.lines if may_read(line.visibility.value)]
        explanation = " ".join([*lines, self.explanation] if self.explanation else lines)
        return AuditRecord(**self.model_dump(exclude={"lines", "explanation", "input"}),
                           explanation=explanation, input=self.input if detail else None)


class AuditRecord(BaseModel):
    """An entry of ``GET /v1/trajectories/{id}/audit``."""

    id: str
    sequence: int | None
    source: str
    application: str
    trajectory_id: str
    trajectory_type: str
    organisation_id: str
    user: AuditUser
    action: str
    result: int
    explanation: str = Field(description="what happened, in Dutch where the trajectory wrote it, or why it was "
                                         "refused")
    resource: str
    resource_id: str
    resource_title: str
    old: AuditSnapshot | None
    new: AuditSnapshot | None
    input: dict[str, Any] | None = Field(description="the action's input (staff only; never a tenant's name, "
                                                     "address or contact details)")
    at: datetime
    correlation_id: str
    trace_id: str
    visibility: Visibility


class AuditBatch(BaseModel):
    """What the workflow hands the audit activity: the entries made since its last batch."""

    trajectory_id: str
    organisation_id: str
    entries: list[AuditEntry]


def audit_prefix(trajectory_id: str) -> str:
    return f"trajectories/{trajectory_id}/audit/"


def batch_key(batch: AuditBatch) -> str:
    """Named by the batch's first and last sequence number: a retried write writes the same object again."""
    first, last = batch.entries[0].sequence or 0, batch.entries[-1].sequence or 0
    return f"{audit_prefix(batch.trajectory_id)}{first:08d}-{last:08d}.json"


def snapshot(s: TrajectoryState) -> AuditSnapshot:
    """The state as an entry shows it, with every term (:func:`changes` keeps the ones a step changed)."""
    return AuditSnapshot(state=s.state, overdue=s.overdue, documents=s.document_count,
                         terms={k: TermSnapshot(status=t.status.value, due_on=t.schedule.due_on)
                                for k, t in s.terms.items()})


def changes(before: AuditSnapshot, after: AuditSnapshot) -> tuple[AuditSnapshot, AuditSnapshot]:
    """Before and after, each with only the terms that differ between them."""
    changed = {k for k in before.terms.keys() | after.terms.keys() if before.terms.get(k) != after.terms.get(k)}
    return (before.model_copy(update={"terms": {k: v for k, v in before.terms.items() if k in changed}}),
            after.model_copy(update={"terms": {k: v for k, v in after.terms.items() if k in changed}}))


def bounded(value: Any) -> Any:
    """An action's input, cut to size: a long list becomes its count, a long text its first characters."""
    if isinstance(value, dict):
        return {k: bounded(v) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) > MAX_ITEMS:
            return f"<{len(value)} items>"
        return [bounded(v) for v in value]
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + f"... <{len(value)} characters>"
    return value


def action_input(action: Any) -> dict[str, Any] | None:
    """The input of an action without who sent it (that is the entry's user)."""
    if not isinstance(action, BaseModel):
        return None
    return bounded(action.model_dump(mode="json", exclude={"actor"}))


def written_lines(timeline: list[TimelineEntry], since: int) -> list[AuditLine]:
    return [AuditLine(text=e.text, visibility=e.visibility) for e in timeline[since:]]


def step_visibility(lines: list[AuditLine]) -> Visibility:
    """A step the organisation may read about: one that wrote a line the organisation reads in its timeline."""
    return Visibility.ORGANISATION if any(x.visibility == Visibility.ORGANISATION for x in lines) \
        else Visibility.STAFF


# ---- export ------------------------------------------------------------------------------------

CSV_COLUMNS = ["at", "sequence", "id", "source", "application", "trajectory_id", "trajectory_type",
               "organisation_id", "user_id", "user_name", "user_role", "action", "result", "explanation",
               "resource", "resource_id", "resource_title", "old", "new", "input", "correlation_id", "trace_id",
               "visibility"]


def to_csv(records: list[AuditRecord]) -> str:
    """One row per entry; ``old``, ``new`` and ``input`` as JSON in their cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        data = r.model_dump(mode="json")
        row = {**data, "user_id": r.user.id, "user_name": r.user.name, "user_role": r.user.role,
               **{k: json.dumps(data[k], ensure_ascii=False, sort_keys=True) if data[k] is not None else ""
                  for k in ("old", "new", "input")}}
        writer.writerow([_cell(row.get(c)) for c in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell a spreadsheet would run as a formula starts with a quote instead (OWASP CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def ordered(entries: list[AuditEntry]) -> list[AuditEntry]:
    """By time; the workflow's own entries of one moment in their sequence."""
    return sorted(entries, key=lambda e: (e.at, e.sequence if e.sequence is not None else 1 << 62, e.id))
