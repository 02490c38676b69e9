"""Names shared by the worker, the API and the CLI, defined once here; and the one mapping from a
trajectory's state to its search attributes."""

from typing import Any

from temporalio.common import SearchAttributeKey, SearchAttributePair, SearchAttributeUpdate, TypedSearchAttributes

from inspraak.domain.trajectory import TrajectoryIndex, TrajectoryState

TASK_QUEUE_DEFAULT = "inspraak"

ADVICE_REQUEST_PREFIX = "adv"
RENOVATION_PREFIX = "ren"

# Search attributes: trajectories are listed from Temporal visibility, not by querying every workflow.
TYPE = SearchAttributeKey.for_keyword("InspraakType")
ORGANISATION = SearchAttributeKey.for_keyword("InspraakOrganisation")
STATE = SearchAttributeKey.for_keyword("InspraakState")
NEXT_DEADLINE = SearchAttributeKey.for_datetime("InspraakNextDeadline")
OVERDUE = SearchAttributeKey.for_bool("InspraakOverdue")

SEARCH_ATTRIBUTES = (TYPE, ORGANISATION, STATE, NEXT_DEADLINE, OVERDUE)

TYPE_ADVICE_REQUEST = "advice_request"
TYPE_RENOVATION = "renovation"

# The memo: what a listing shows besides the search attributes; free text stays out of the index.
MEMO_SUBJECT = "subject"
# A start with an Idempotency-Key: the hash of its body, and the answer it got (for a repeated start).
MEMO_REQUEST_HASH = "request_hash"
MEMO_CREATED = "created"


def search_attribute_updates(index: TrajectoryIndex) -> list[SearchAttributeUpdate]:
    """The search attributes of a trajectory, from its index: the workflow upserts these."""
    return [
        TYPE.value_set(index.type),
        ORGANISATION.value_set(index.organisation_id),
        STATE.value_set(index.state),
        OVERDUE.value_set(index.overdue),
        NEXT_DEADLINE.value_set(index.next_deadline) if index.next_deadline else NEXT_DEADLINE.value_unset(),
    ]


def search_attributes(state: TrajectoryState) -> TypedSearchAttributes:
    """The same attributes for starting a workflow, so a listing finds it before its first task runs."""
    index = state.index()
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(TYPE, index.type),
        SearchAttributePair(ORGANISATION, index.organisation_id),
        SearchAttributePair(STATE, index.state),
        SearchAttributePair(OVERDUE, index.overdue),
    ]
    if index.next_deadline:
        pairs.append(SearchAttributePair(NEXT_DEADLINE, index.next_deadline))
    return TypedSearchAttributes(pairs)


def memo(state: TrajectoryState) -> dict[str, str]:
    return {MEMO_SUBJECT: state.subject}


# ---- Temporal UI: what a trajectory shows in the list and on its page --------------------------------------

TYPE_LABELS = {TYPE_ADVICE_REQUEST: "Advice request", TYPE_RENOVATION: "Renovation"}


def static_summary(state: TrajectoryState) -> str:
    """The one line the Temporal UI shows for a trajectory (set at its start): type, id, subject, organisation.

    No tenant's personal data: the subject names a policy or a complex, the organisation is an organisation.
    """
    label = TYPE_LABELS.get(state.type, state.type)
    return f"{label} {state.id.upper()}: {state.subject} ({state.organisation_id})"[:200]


def static_details(state: TrajectoryState) -> str:
    """The trajectory's page in the Temporal UI: what it is and its terms at the start (markdown)."""
    terms = [f"- {t.schedule.name or t.schedule.term}: until {t.schedule.due_on.isoformat()}"
             for t in state.terms.values()]
    return "\n".join([f"**{static_summary(state)}**", "", f"Type: {state.type}",
                      f"Organisation: {state.organisation_id}", f"State: {state.state}",
                      *(["", "Terms:", *terms] if terms else [])])


def current_details(state: TrajectoryState) -> str:
    """What the trajectory's page shows as its current details: state, overdue, next deadline."""
    deadline = state.next_deadline()
    return (f"State: {state.state}" + (" (overdue)" if state.overdue else "")
            + (f"; next deadline {deadline.isoformat()}" if deadline else "; no running term"))
