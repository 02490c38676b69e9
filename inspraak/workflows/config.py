"""Configuration of the worker that workflow code reads: whether search attributes are set, and when
to continue as new.

It is the worker's configuration, not workflow input: the same history replays on any worker configured
the same way. The worker hands it in through an interceptor (:class:`KernelConfigInterceptor`); a
workflow run without it (a plain ``Replayer``) gets the production defaults.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.worker import Interceptor, WorkflowInboundInterceptor, WorkflowInterceptorClassInput

_EXTERN = "inspraak_kernel_config"


@dataclass(frozen=True)
class KernelConfig:
    # The time-skipping test server rejects custom search attributes: workers there switch them off.
    search_attributes: bool = True
    # Continue as new past this many history events (0: only when the server suggests it).
    continue_as_new_after_events: int = 0
    timezone: str = "Europe/Amsterdam"
    # A letter the object store keeps waiting this long makes the kernel tell the staff member handling it.
    letter_delay_alert_after: timedelta = timedelta(minutes=15)
    # A merge activity that sends no heartbeat this long is given to another worker (its worker died); it
    # resumes after its last heartbeat. Tests that kill a worker shorten it.
    merge_heartbeat_timeout: timedelta = timedelta(minutes=2)
    # A finished renovation keeps its personal data this many months (INSPRAAK_PERSONAL_DATA_RETENTION_MONTHS).
    personal_data_retention_months: int = 24


class KernelConfigInterceptor(Interceptor):
    """Makes ``config`` readable from workflow code (``kernel_config()``)."""

    def __init__(self, config: KernelConfig) -> None:
        self.config = config

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        config = self.config
        input.unsafe_extern_functions[_EXTERN] = lambda: config
        return None


def kernel_config() -> KernelConfig:
    """The worker's kernel configuration, from inside a workflow."""
    get: Callable[[], Any] | None = workflow.extern_functions().get(_EXTERN)
    return get() if get is not None else KernelConfig()
