"""`TaskInstanceCounts`: a backfill's or a run's task instances counted by state."""

from __future__ import annotations

import strawberry


def _state(state: str) -> str:
    return f"Task instances in state `{state}`."


@strawberry.type(
    description="Task instances counted by state (Airflow's `task_instance.state`). Each map "
    "index of a mapped task is a task instance of its own. Recorded alike by every Airflow "
    "version the gateway reads (2.11 and 3.0 to 3.3)."
)
class TaskInstanceCounts:
    total: int = strawberry.field(
        description="All task instances counted, whatever their state (the sum of the "
        "fields below)."
    )
    success: int = strawberry.field(description=_state("success"))
    failed: int = strawberry.field(description=_state("failed"))
    running: int = strawberry.field(description=_state("running"))
    queued: int = strawberry.field(description=_state("queued"))
    scheduled: int = strawberry.field(description=_state("scheduled"))
    up_for_retry: int = strawberry.field(description=_state("up_for_retry"))
    up_for_reschedule: int = strawberry.field(description=_state("up_for_reschedule"))
    upstream_failed: int = strawberry.field(description=_state("upstream_failed"))
    skipped: int = strawberry.field(description=_state("skipped"))
    deferred: int = strawberry.field(description=_state("deferred"))
    removed: int = strawberry.field(
        description="Task instances in state `removed` (the task left the DAG, or a mapped "
        "task expanded to fewer indexes on a re-run)."
    )
    restarting: int = strawberry.field(
        description="Task instances in state `restarting` (cleared while running)."
    )
    no_state: int = strawberry.field(
        description="Task instances without a state yet (`state` NULL): created with their "
        "run, not yet scheduled."
    )
