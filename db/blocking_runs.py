"""SQL for the run that made Airflow skip a backfill slot (Airflow 3).

When Airflow creates a backfill it looks, for each date, for the latest run of the DAG with
that logical date (or, since 3.2, that partition): `_get_latest_dag_run_row_query` in
airflow/models/backfill.py, newest `start_date` first, runs never started last. If that run
is in flight, or done and not to be reprocessed, the slot is skipped (`in flight` /
`already exists`) and records no run. This finds that run again for skipped slots, as the
same lookup would now: `dag_run`'s unique (dag_id, logical_date) key finds dated runs;
partitioned slots (no logical date) match the run's `partition_key` (Airflow 3.3 matches
`partition_date`, which the slot does not record; both are set together).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import Integer, Select, and_, bindparam, func, or_, select, union_all

from backfill_gateway.db.airflow_schema import AirflowSchema, column_or_null
from backfill_gateway.db.dag_runs import labeled_dag_run_columns
from backfill_gateway.db.dag_scope import (
    DagScope,
    ScopeShape,
    dag_scope_condition,
    scope_parameters,
    shape_of,
)
from backfill_gateway.db.tables import backfill, backfill_dag_run, dag_run

SLOT_ID = "slot_id"
SLOT_IDS = bindparam("slot_ids", expanding=True, type_=Integer())
_RANK = "blocking_rank"


def blocking_runs_by_slot(
    slot_ids: Sequence[int], airflow: AirflowSchema, scope: DagScope | None = None
) -> tuple[Select, dict]:
    """One row per skipped slot that a run still blocks: `slot_id` and the run's columns.
    Slots of backfills outside `scope`, and slots not skipped, have no row."""
    parameters = {"slot_ids": list(slot_ids), **scope_parameters(scope)}
    return _blocking_runs_by_slot(airflow, shape_of(scope)), parameters


@lru_cache(maxsize=32)
def _blocking_runs_by_slot(airflow: AirflowSchema, scope: ScopeShape | None) -> Select:
    dated = _candidates(airflow, scope, partitioned=False)
    partitioned = _candidates(airflow, scope, partitioned=True)
    candidates = union_all(dated, partitioned).subquery("candidates")
    # Airflow's order: latest start first, never-started runs last (ids break ties).
    rank = func.row_number().over(
        partition_by=candidates.c[SLOT_ID],
        order_by=(
            candidates.c.start_date.is_(None),
            candidates.c.start_date.desc(),
            candidates.c.dag_run_id.desc(),
        ),
    )
    ranked = select(*candidates.c, rank.label(_RANK)).subquery("ranked")
    return select(*(column for column in ranked.c if column.name != _RANK)).where(
        ranked.c[_RANK] == 1
    )


def _candidates(airflow: AirflowSchema, scope: ScopeShape | None, *, partitioned: bool) -> Select:
    """Runs that could have blocked the skipped slots: dated slots through dag_run's unique
    (dag_id, logical_date) key, partitioned ones (no logical date) by partition key. Two
    branches, so that each join is an index lookup (an OR of both is not, on MySQL)."""
    slot, owner, run = backfill_dag_run, backfill, dag_run
    slot_partition = column_or_null(slot, "partition_key", airflow)
    run_partition = column_or_null(run, "partition_key", airflow)
    if partitioned:
        match = [
            slot.c.logical_date.is_(None),
            slot_partition.is_not(None),
            run_partition == slot_partition,
        ]
    else:
        match = [
            run.c.logical_date == slot.c.logical_date,
            or_(slot_partition.is_(None), run_partition == slot_partition),
        ]
    return (
        select(slot.c.id.label(SLOT_ID), *labeled_dag_run_columns(airflow, run))
        .select_from(
            slot.join(owner, owner.c.id == slot.c.backfill_id).join(
                run, and_(run.c.dag_id == owner.c.dag_id, *match)
            )
        )
        .where(
            slot.c.id.in_(SLOT_IDS),
            slot.c.exception_reason.is_not(None),
            or_(slot.c.dag_run_id.is_(None), run.c.id != slot.c.dag_run_id),
            *dag_scope_condition(scope, owner.c.dag_id),
        )
    )
