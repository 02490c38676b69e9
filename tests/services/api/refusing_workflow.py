"""A workflow that refuses updates the way Inspraak's workflows must, to test the API's side of the contract."""

from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError


@activity.defn
async def refuse_term(message: str) -> None:
    raise ApplicationError(message, type="TermTooShort", non_retryable=True)


@workflow.defn
class RefusingWorkflow:
    """Update ``act`` raises the ``ApplicationError`` its argument names; ``plan`` fails in an activity."""

    def __init__(self) -> None:
        self._done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self._done)

    @workflow.signal
    def finish(self) -> None:
        self._done = True

    @workflow.update
    def act(self, error: list[str]) -> None:
        kind, message, *details = error
        raise ApplicationError(message, *details, type=kind, non_retryable=True)

    @workflow.update
    async def plan(self, message: str) -> None:
        await workflow.execute_activity(refuse_term, message, start_to_close_timeout=timedelta(seconds=10),
                                        retry_policy=RetryPolicy(maximum_attempts=1))
