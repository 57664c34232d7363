"""Dag runs in the simulation: timetable dates, a run's life, every run created so far."""

from __future__ import annotations

import copy
import random
import string
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backfill_gateway.demo.clock import Clock, random_duration
from backfill_gateway.demo.dags import DagSpec, anchor_date
from backfill_gateway.demo.dataset import (
    FAILED,
    JSON_NULL,
    LOG_TEMPLATE_ID,
    PARTITION_KEY_FORMAT,
    QUEUED,
    RUNNING,
    SCHEDULER_JOB_ID,
    SUCCESS,
)


@dataclass(frozen=True)
class DagRunInfo:
    """One date slot as Airflow's timetable describes it (a `DagRunInfo`)."""

    logical_date: datetime | None
    partition_key: str | None
    partition_date: datetime | None
    data_interval: tuple[datetime, datetime] | None
    run_after: datetime


def dag_run_info(dag: DagSpec, date: datetime) -> DagRunInfo:
    if dag.cadence.partitioned:
        # CronPartitionTimetable with run_offset 0: the run is due at the partition date.
        return DagRunInfo(None, date.strftime(PARTITION_KEY_FORMAT), date, None, date)
    end = date + dag.cadence.interval
    return DagRunInfo(date, None, None, (date, end), end)


@dataclass
class RunLife:
    """A run from its creation, or from its latest clear, until now."""

    owner: int | None  # backfill id; None for scheduled runs
    queued_at: datetime
    fresh: bool  # created, not cleared: Airflow stamps start_date at creation
    started_at: datetime | None = None
    ended_at: datetime | None = None
    final_state: str | None = None
    settled_at: datetime | None = None  # when final_state was set (== ended_at unless cancelled)

    def state_at(self, t: datetime) -> str:
        if self.settled_at is not None and t >= self.settled_at:
            return self.final_state
        if self.started_at is not None and t >= self.started_at:
            return RUNNING
        return QUEUED

    def start(self, at: datetime) -> None:
        self.started_at = at

    def finish(self, at: datetime, state: str) -> None:
        self.ended_at = self.settled_at = at
        self.final_state = state

    def fail_without_running(self, at: datetime) -> None:
        # Airflow's cancel is a bulk UPDATE of the state: no end_date, no start.
        self.settled_at = at
        self.final_state = FAILED


@dataclass
class SimulatedRun:
    seq: int  # creation order, breaks ties between equal created_at
    dag: DagSpec
    info: DagRunInfo
    run_id: str
    created_at: datetime
    run_type: str
    triggered_by: str
    triggering_user_name: str | None
    conf: Any
    dag_version_id: uuid.UUID | None
    life: RunLife
    clear_number: int = 0
    ever_started: bool = False
    id: int | None = None

    def clear_for_backfill(self, at: datetime, backfill_id: int, conf: Any) -> None:
        """What `_handle_clear_run` does: re-queue the run and move it to the new backfill."""
        self.ever_started = self.ever_started or self.life.started_at is not None
        self.life = RunLife(owner=backfill_id, queued_at=at, fresh=False)
        self.clear_number += 1
        self.run_type = "backfill"
        self.triggered_by = "BACKFILL"
        if conf is not JSON_NULL:
            self.conf = conf

    def row(self, now: datetime) -> dict[str, Any]:
        life = self.life
        state = life.state_at(now)
        started = life.started_at is not None
        if life.ended_at is not None:
            last_decision = life.ended_at
        elif started and state == RUNNING:
            # The scheduler looked at it a few seconds ago (varied without drawing randomness).
            last_decision = max(life.started_at, now - timedelta(seconds=(self.seq % 25) + 1))
        else:
            last_decision = None
        start_date = life.started_at or (life.queued_at if life.fresh else None)
        updated_at = max(
            t for t in (life.queued_at, life.started_at, life.settled_at, last_decision) if t
        )
        interval = self.info.data_interval
        return {
            "id": self.id,
            "dag_id": self.dag.dag_id,
            "queued_at": life.queued_at,
            "logical_date": self.info.logical_date,
            "start_date": start_date,
            "end_date": life.ended_at,
            "state": state,
            "run_id": self.run_id,
            "creating_job_id": SCHEDULER_JOB_ID if self.run_id.startswith("scheduled__") else None,
            "run_type": self.run_type,
            "triggered_by": self.triggered_by,
            "triggering_user_name": self.triggering_user_name,
            "conf": copy.deepcopy(self.conf),  # rows must not share mutable values
            "data_interval_start": interval[0] if interval else None,
            "data_interval_end": interval[1] if interval else None,
            "run_after": self.info.run_after,
            "last_scheduling_decision": last_decision,
            "log_template_id": LOG_TEMPLATE_ID,
            "created_at": self.created_at,
            "updated_at": updated_at,
            "clear_number": self.clear_number,
            "backfill_id": life.owner,
            "bundle_version": None,
            "scheduled_by_job_id": SCHEDULER_JOB_ID if started or self.ever_started else None,
            "context_carrier": {},
            "span_status": "ended" if life.ended_at is not None else "not_started",
            "created_dag_version_id": self.dag_version_id,
            "partition_key": self.info.partition_key,
            "partition_date": self.info.partition_date,
        }


def _random_suffix(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(8))


def new_run_id(run_type: str, info: DagRunInfo, rng: random.Random) -> str:
    if info.logical_date is not None:
        return f"{run_type}__{info.logical_date.isoformat()}"
    # Partitioned timetables add the key and a random suffix.
    return f"{run_type}__{info.run_after.isoformat()}__{info.partition_key}__{_random_suffix(rng)}"


class CreatedRuns:
    """Every dag run created so far, findable the way Airflow looks them up."""

    def __init__(self) -> None:
        self.runs: list[SimulatedRun] = []
        self._by_date: dict[tuple[str, datetime], SimulatedRun] = {}
        self._by_partition: dict[tuple[str, str], list[SimulatedRun]] = defaultdict(list)

    def add(self, run: SimulatedRun) -> None:
        info = run.info
        if info.logical_date is not None:
            key = (run.dag.dag_id, info.logical_date)
            assert key not in self._by_date, f"duplicate logical date {key}"
            self._by_date[key] = run
        else:
            self._by_partition[(run.dag.dag_id, info.partition_key)].append(run)
        self.runs.append(run)

    def remove(self, run: SimulatedRun) -> None:
        self.runs.remove(run)
        if run.info.logical_date is not None:
            del self._by_date[(run.dag.dag_id, run.info.logical_date)]
        else:
            self._by_partition[(run.dag.dag_id, run.info.partition_key)].remove(run)

    def latest(self, dag: DagSpec, info: DagRunInfo, at: datetime) -> SimulatedRun | None:
        """`_get_latest_dag_run_row_query`: the run for that date, latest start first."""
        if info.logical_date is not None:
            candidates = [self._by_date.get((dag.dag_id, info.logical_date))]
        else:
            candidates = self._by_partition[(dag.dag_id, info.partition_key)]
        candidates = [run for run in candidates if run is not None]
        # A run created after `at` would mean the scenario contradicts itself.
        assert all(run.created_at <= at for run in candidates), (dag.dag_id, info, at)
        if not candidates:
            return None
        return max(candidates, key=lambda run: (run.life.started_at is not None,
                                                run.life.started_at or at))


def scheduled_runs(
    dag: DagSpec, clock: Clock, rng: random.Random, world: CreatedRuns, version: uuid.UUID
) -> None:
    """The runs the scheduler created on the DAG's own schedule."""
    if dag.deleted:
        return
    low, high = dag.cadence.run_minutes
    for periods_ago in range(dag.scheduled_oldest, dag.scheduled_newest - 1, -1):
        info = dag_run_info(dag, anchor_date(dag, clock, periods_ago))
        created = info.run_after + random_duration(rng, 2, 40)
        run = SimulatedRun(
            seq=len(world.runs),
            dag=dag,
            info=info,
            run_id=new_run_id("scheduled", info, rng),
            created_at=created,
            run_type="scheduled",
            triggered_by="TIMETABLE",
            triggering_user_name=None,
            conf=None if dag.conf_sql_null else {},
            dag_version_id=version,
            life=RunLife(owner=None, queued_at=created, fresh=True),
        )
        newest_first_index = periods_ago - dag.scheduled_newest
        target = (dag.in_flight[newest_first_index]
                  if newest_first_index < len(dag.in_flight) else None)
        if target != QUEUED:
            run.life.start(created + random_duration(rng, 1, 15))
        if target is None:
            state = FAILED if rng.random() < 0.05 else SUCCESS
            run.life.finish(run.life.started_at + random_duration(rng, low * 60, high * 60), state)
        world.add(run)
