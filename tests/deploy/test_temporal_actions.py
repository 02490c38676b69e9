"""bench/temporal_actions.py counts billable Temporal actions in recorded histories."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from temporal_actions import HISTORIES, count_actions  # noqa: E402


def event(kind: str, **attributes: object) -> dict[str, object]:
    return {"eventType": f"EVENT_TYPE_{kind}", **attributes}


def test_prints_actions_for_every_workflow_type_of_the_recorded_histories():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "temporal_actions.py")],
                         check=True, capture_output=True, text=True).stdout
    for history in HISTORIES.glob("*.json"):
        assert history.stem in out and history.stem.split("-")[0] in out
    assert "per trajectory:" in out


def test_every_attempt_of_an_activity_is_an_action():
    events = [event("WORKFLOW_EXECUTION_STARTED"), event("ACTIVITY_TASK_SCHEDULED"),
              event("ACTIVITY_TASK_STARTED", activityTaskStartedEventAttributes={"attempt": 3}),
              event("ACTIVITY_TASK_COMPLETED")]
    assert count_actions(events) == {"workflow started": 1, "activity": 3}


def test_timers_updates_upserts_and_children_count_and_workflow_tasks_do_not():
    events = [event("WORKFLOW_EXECUTION_STARTED"), event("WORKFLOW_TASK_SCHEDULED"), event("WORKFLOW_TASK_STARTED"),
              event("WORKFLOW_TASK_COMPLETED"), event("TIMER_STARTED"), event("TIMER_CANCELED"),
              event("WORKFLOW_EXECUTION_UPDATE_ACCEPTED"), event("WORKFLOW_EXECUTION_UPDATE_COMPLETED"),
              event("UPSERT_WORKFLOW_SEARCH_ATTRIBUTES"), event("START_CHILD_WORKFLOW_EXECUTION_INITIATED"),
              event("WORKFLOW_EXECUTION_SIGNALED")]
    assert count_actions(events) == {"workflow started": 2, "timer started": 1, "update": 1,
                                     "search attributes upserted": 1, "signal": 1}
