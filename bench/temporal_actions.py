"""Billable Temporal actions per trajectory, counted from the recorded histories.

Temporal Cloud bills in actions; a self-hosted cluster pays for the same operations in database writes.
This counts, per workflow type, the actions that a history shows (the mapping of Temporal Cloud's
"Actions" page, event by event):

- workflow started: the start itself, a continue-as-new, a child workflow started;
- activity: every attempt (the started event's ``attempt`` counts the retries before it);
- timer started; signal received or sent; update accepted; search attributes or memo upserted;
- local activities: one action per workflow task that recorded any (markers of other kinds are free).

Not in a history, so not counted: queries (one action each), heartbeats, updates refused by their
validator, and schedules. Run: ``.venv/bin/python bench/temporal_actions.py [history.json ...]``.
"""

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

HISTORIES = Path(__file__).resolve().parents[1] / "tests" / "workflows" / "histories"

# History event type (without the EVENT_TYPE_ prefix) -> the action it is billed as.
ACTIONS = {
    "WORKFLOW_EXECUTION_STARTED": "workflow started",
    "WORKFLOW_EXECUTION_CONTINUED_AS_NEW": "workflow started",
    "START_CHILD_WORKFLOW_EXECUTION_INITIATED": "workflow started",
    "TIMER_STARTED": "timer started",
    "WORKFLOW_EXECUTION_SIGNALED": "signal",
    "SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED": "signal",
    "WORKFLOW_EXECUTION_UPDATE_ACCEPTED": "update",
    "UPSERT_WORKFLOW_SEARCH_ATTRIBUTES": "search attributes upserted",
    "WORKFLOW_PROPERTIES_MODIFIED": "memo upserted",
    "NEXUS_OPERATION_SCHEDULED": "nexus operation",
}
# The order of the columns printed.
KINDS = ["workflow started", "activity", "timer started", "signal", "update", "search attributes upserted",
         "memo upserted", "local activities", "nexus operation"]


def count_actions(events: list[dict]) -> Counter[str]:
    """The billable actions in one workflow run's events (as ``temporal workflow show --output json``)."""
    actions: Counter[str] = Counter()
    local_activity_tasks: set[str] = set()
    for event in events:
        kind = event["eventType"].removeprefix("EVENT_TYPE_")
        if kind in ACTIONS:
            actions[ACTIONS[kind]] += 1
        elif kind == "ACTIVITY_TASK_STARTED":
            actions["activity"] += int(event["activityTaskStartedEventAttributes"].get("attempt", 1))
        elif kind == "MARKER_RECORDED":
            attributes = event["markerRecordedEventAttributes"]
            if attributes.get("markerName") == "core_local_activity":
                local_activity_tasks.add(attributes.get("workflowTaskCompletedEventId", ""))
    # A scheduled activity that never started (cancelled, or still waiting) was still billed for its first attempt.
    started = sum(1 for e in events if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_STARTED")
    scheduled = sum(1 for e in events if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED")
    if scheduled > started:
        actions["activity"] += scheduled - started
    if local_activity_tasks:
        actions["local activities"] = len(local_activity_tasks)
    return actions


def workflow_type(events: list[dict]) -> str:
    return str(events[0]["workflowExecutionStartedEventAttributes"]["workflowType"]["name"])


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted(HISTORIES.glob("*.json"))
    if not paths:
        print(f"no histories in {HISTORIES}", file=sys.stderr)
        return 1
    by_type: dict[str, list[tuple[str, Counter[str], int]]] = defaultdict(list)
    for path in paths:
        events = json.loads(path.read_text(encoding="utf-8"))["events"]
        by_type[workflow_type(events)].append((path.stem, count_actions(events), len(events)))

    print("Billable Temporal actions per recorded history (one trajectory each)")
    for wf_type, runs in sorted(by_type.items()):
        print(f"\n{wf_type}")
        for name, actions, n_events in runs:
            parts = ", ".join(f"{kind} {actions[kind]}" for kind in KINDS if actions[kind])
            print(f"  {name}: {sum(actions.values())} actions, {n_events} events ({parts})")
        totals = [sum(a.values()) for _, a, _ in runs]
        print(f"  per trajectory: {min(totals)}-{max(totals)} actions, mean {sum(totals) / len(totals):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
