"""Planning terms: dates outside 1970-2100 are refused at once, never retried."""

from datetime import UTC, date, datetime

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from inspraak.activities.terms import PlanTermRequest, TermActivities
from inspraak.domain.terms import TermPolicy

NOW = datetime(2027, 3, 17, 9, 0, tzinfo=UTC)


async def plan(**fields: object) -> object:
    req = PlanTermRequest.model_validate({"term": "advice_term", "anchor": date(2027, 3, 17), "as_of": NOW} | fields)
    return await ActivityEnvironment().run(TermActivities(TermPolicy()).plan_term, req)


@pytest.mark.parametrize(("fields", "field"), [
    ({"anchor": date(1936, 5, 1)}, "anchor"),
    ({"anchor": date(1969, 12, 31)}, "anchor"),
    ({"anchor": date(2101, 1, 1)}, "anchor"),
    ({"requested_due_on": date(2101, 1, 1)}, "requested_due_on"),
    ({"anchor": date(2100, 12, 20)}, "anchor"),  # six weeks from here end in 2101
])
async def test_a_date_outside_1970_2100_is_refused_without_retry(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ApplicationError) as e:
        await plan(**fields)
    assert e.value.non_retryable and e.value.type == "InvalidInput"
    assert list(e.value.details) == [field, "date_out_of_range"]


async def test_a_term_in_range_is_planned() -> None:
    schedule = await plan(anchor=date(1970, 1, 1))
    assert schedule.due_on > date(1970, 1, 1)  # type: ignore[attr-defined]
