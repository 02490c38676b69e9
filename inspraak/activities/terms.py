"""Planning terms outside workflow code: the calendar (holidays, Atw) may change, a planned term not."""

from datetime import date, datetime

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from inspraak.domain.terms import TERMS, DeadlineSchedule, TermPolicy, TermTooShortError, plan_deadline


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
        try:
            return plan_deadline(TERMS[req.term], req.anchor, self._policy, req.as_of,
                                 requested_due_on=req.requested_due_on, minimum_days=req.minimum_days)
        except TermTooShortError as e:
            raise ApplicationError(str(e), type="TermTooShort", non_retryable=True) from e
