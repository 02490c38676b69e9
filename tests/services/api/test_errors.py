"""The one error shape: pydantic's errors and Temporal's refusals as problems."""

import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from inspraak.services.api.errors import (
    AlreadyExists,
    ApiProblem,
    Conflict,
    InvalidInput,
    invalid_param,
    json_path,
    problem_from_temporal,
    rule_code,
)
from tests.services.api.refusing_workflow import RefusingWorkflow, refuse_term


def test_pydantic_error_types_become_stable_codes():
    assert [rule_code(t) for t in ("missing", "string_too_long", "too_short", "enum", "date_from_datetime_parsing")] \
        == ["required", "max_length", "min_items", "enum", "date"]


def test_a_pydantic_type_not_in_the_table_is_invalid_never_the_raw_type():
    assert rule_code("value_error") == "invalid"
    assert rule_code("is_instance_of") == "invalid"


def test_a_custom_error_of_ours_keeps_its_code():
    assert rule_code("motivation_required") == "motivation_required"


def test_locations_become_json_paths():
    assert json_path(("body", "points", 0, "motivation")) == "points[0].motivation"
    assert json_path(("query", "state")) == "state"
    assert json_path(("body",)) == "$"
    assert json_path(("body", "links", "a b")) == "links['a b']"


def test_a_header_is_named_as_it_is_sent():
    assert json_path(("header", "Idempotency-Key")) == "Idempotency-Key"


def test_a_workflow_id_that_exists_already_is_a_409():
    problem = problem_from_temporal(WorkflowAlreadyStartedError("adv-2027-0000000000", "AdviceRequestWorkflow"))
    assert isinstance(problem, AlreadyExists) and problem.status == 409
    assert "adv-2027-0000000000" in problem.detail


def test_the_message_of_a_plain_value_error_loses_pydantics_prefix():
    p = invalid_param({"type": "value_error", "loc": ("body", "email"), "msg": "Value error, not an address"})
    assert (p.name, p.code, p.reason) == ("email", "invalid", "not an address")


@pytest.fixture(scope="module")
async def refusing(dev_env: WorkflowEnvironment) -> AsyncIterator[WorkflowHandle]:
    queue = f"refusing-{uuid.uuid4().hex[:8]}"
    async with Worker(dev_env.client, task_queue=queue, workflows=[RefusingWorkflow], activities=[refuse_term]):
        handle = await dev_env.client.start_workflow(RefusingWorkflow.run, id=queue, task_queue=queue)
        yield handle
        await handle.signal(RefusingWorkflow.finish)
        await handle.result()


async def refused(handle: WorkflowHandle, *error: str) -> ApiProblem | None:
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(RefusingWorkflow.act, list(error))
    return problem_from_temporal(e.value)


async def test_invalid_input_from_a_workflow_is_a_400_with_its_field_and_code(refusing: WorkflowHandle):
    p = await refused(refusing, "InvalidInput", "new_end must be after 2027-01-04", "new_end", "term_not_extended")
    assert isinstance(p, InvalidInput) and p.status == 400
    assert [(i.name, i.code, i.reason) for i in p.invalid_params] == [
        ("new_end", "term_not_extended", "new_end must be after 2027-01-04")]


async def test_invalid_input_with_only_a_field_gets_the_code_invalid(refusing: WorkflowHandle):
    p = await refused(refusing, "InvalidInput", "decide on each of the 2 points", "points")
    assert p is not None and [(i.name, i.code) for i in p.invalid_params] == [("points", "invalid")]


async def test_a_refused_transition_is_a_409_naming_the_state(refusing: WorkflowHandle):
    p = await refused(refusing, "TransitionRefused", "not executable yet (artikel 5 lid 3)", "VERZONDEN")
    assert isinstance(p, Conflict) and p.status == 409
    assert (p.detail, p.state) == ("not executable yet (artikel 5 lid 3)", "VERZONDEN")
    assert p.document("/x").model_dump(exclude_none=True)["state"] == "VERZONDEN"


async def test_a_refused_transition_without_details_has_no_state(refusing: WorkflowHandle):
    p = await refused(refusing, "TransitionRefused", "withdrawn")
    assert isinstance(p, Conflict) and p.state is None


async def test_a_term_too_short_from_an_activity_is_a_400_term_too_short(refusing: WorkflowHandle):
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await refusing.execute_update(RefusingWorkflow.plan, "at least six weeks (artikel 5 lid 1)")
    p = problem_from_temporal(e.value)
    assert p is not None and p.status == 400
    assert [(i.code, i.reason) for i in p.invalid_params] == [
        ("term_too_short", "at least six weeks (artikel 5 lid 1)")]


async def test_an_unknown_application_error_is_not_mapped(refusing: WorkflowHandle):
    assert await refused(refusing, "SomethingElse", "boom") is None


def test_too_many_updates_waiting_on_one_trajectory_is_a_503_that_may_have_changed_nothing_or_something():
    from temporalio.service import RPCError, RPCStatusCode

    busy = RPCError("too many outstanding requests to the workflow", RPCStatusCode.RESOURCE_EXHAUSTED, b"")
    problem = problem_from_temporal(busy, safe_method=False)
    assert problem is not None and problem.status == 503 and "Retry-After" in (problem.headers or {})
