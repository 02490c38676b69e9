"""How many trajectories are overdue now, per type: a gauge the worker sets from Temporal's visibility.

A counter in the workflows says how many *became* overdue (``inspraak_trajectories_overdue_total``); how many
*are* overdue is a state, counted from the search attributes (``InspraakOverdue``) every so often, never by
asking each workflow. Every worker reports the same count: read it with ``max by (type)``.
"""

import asyncio
import logging
from datetime import timedelta

from temporalio.client import Client
from temporalio.common import MetricMeter
from temporalio.service import RPCError

from inspraak.workflows import names

logger = logging.getLogger(__name__)

TYPES = (names.TYPE_ADVICE_REQUEST, names.TYPE_RENOVATION)
EVERY = timedelta(minutes=1)


async def count_overdue(client: Client, meter: MetricMeter) -> dict[str, int]:
    """Count the running overdue trajectories of each type and set the gauge; answers the counts."""
    gauge = meter.create_gauge("inspraak_trajectories_overdue_now", "Running trajectories that are overdue, per type")
    counts: dict[str, int] = {}
    for kind in TYPES:  # the values are ours, so quoting them into the query is safe
        query = (f"{names.TYPE.name} = '{kind}' AND {names.OVERDUE.name} = true "
                 "AND ExecutionStatus = 'Running'")
        counts[kind] = (await client.count_workflows(query)).count
        gauge.with_additional_attributes({"type": kind}).set(counts[kind])
    return counts


async def report_overdue(client: Client, meter: MetricMeter, every: timedelta = EVERY) -> None:
    """Keep the gauge up to date until cancelled; a count that fails is tried again next time."""
    while True:
        try:
            await count_overdue(client, meter)
        except RPCError as e:
            logger.warning("overdue trajectories not counted: %s", e.status.name)
        await asyncio.sleep(every.total_seconds())
