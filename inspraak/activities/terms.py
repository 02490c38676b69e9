"""Planning terms outside workflow code: the calendar (holidays, Atw) may change, a planned term not."""

from datetime import date, datetime

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from inspraak.domain.terms import TERMS, DeadlineSchedule, TermPolicy, TermTooShortError, plan_deadline
from inspraak.domain.text import FIRST_DAY, LAST_DAY


class PlanTermRequest(BaseModel):
    term: str
    anchor: date
    as_of: datetime
    requested_due_on: date | None = None
    minimum_days: int | None = None


class TermActivities:
    """Plans terms with the configured calendar policy."""

    def __init__(self, policy: TermPolicy) -> None:
        self._policy = policy

    @activity.defn(name="plan_term")
    async def plan_term(self, req: PlanTermRequest) -> DeadlineSchedule:
        # Outside these years no term is meant, and the calendar (time zone offsets before 1937, the end of
        # the date range) may fail in ways a retry cannot mend: refuse at once instead of retrying.
        _in_range("anchor", req.anchor)
        if req.requested_due_on is not None:
            _in_range("requested_due_on", req.requested_due_on)
        try:
            schedule = plan_deadline(TERMS[req.term], req.anchor, self._policy, req.as_of,
                                     requested_due_on=req.requested_due_on, minimum_days=req.minimum_days)
        except TermTooShortError as e:
            raise ApplicationError(str(e), type="TermTooShort", non_retryable=True) from e
        _in_range("requested_due_on" if req.requested_due_on else "anchor", schedule.due_on, "the term's end")
        return schedule


def _in_range(field: str, day: date, what: str | None = None) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ApplicationError(f"{what or field} {day.isoformat()} lies outside {FIRST_DAY.isoformat()} to "
                               f"{LAST_DAY.isoformat()}", field, "date_out_of_range", type="InvalidInput",
                               non_retryable=True)
