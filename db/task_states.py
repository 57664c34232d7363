"""Task instances counted by state: the columns every task-count statement selects.

Shared by Airflow 3 (db/task_counts.py) and Airflow 2 (db/airflow2/task_counts.py): the
states are Airflow's `TaskInstanceState` values, the same in 2.11 and 3.x, plus NULL (a task
instance the scheduler has not looked at yet).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Label, Select, case, func
from sqlalchemy.sql import FromClause

# task_instance.state value -> the label (and record attribute) counting it.
TASK_STATES = (
    "success", "failed", "running", "queued", "scheduled", "up_for_retry", "up_for_reschedule",
    "upstream_failed", "skipped", "deferred", "removed", "restarting",
)  # fmt: skip
NO_STATE = "no_state"
TOTAL = "total"
COUNT_LABELS = (TOTAL, *TASK_STATES, NO_STATE)


# Airflow's index of a run's task instances. Without fresh statistics MySQL/MariaDB prefer the
# covering `ti_state_lkp` (dag_id, task_id, run_id, state) on its dag_id prefix alone, which
# reads every task instance of the DAG for each run; the hint keeps the lookup per run.
RUN_TASKS_INDEX = "ti_dag_run"


def by_run_index(statement: Select, ti: FromClause) -> Select:
    """`statement` reading `ti` through `ti_dag_run` on MySQL/MariaDB (other databases pick
    it on their own)."""
    for dialect in ("mysql", "mariadb"):
        statement = statement.with_hint(ti, f"USE INDEX ({RUN_TASKS_INDEX})", dialect)
    return statement


def _count_where(condition: ColumnElement[bool], label: str) -> Label:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(label)


def task_state_counts(ti: FromClause) -> list[Label]:
    """`total`, one count per state and `no_state`, over the grouped task instances of
    `ti` (every map index a row of its own)."""
    return [
        func.count().label(TOTAL),
        *(_count_where(ti.c.state == state, state) for state in TASK_STATES),
        _count_where(ti.c.state.is_(None), NO_STATE),
    ]
