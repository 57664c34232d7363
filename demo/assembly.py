"""`build_demo_dataset`: the whole simulation, assembled into rows."""

from __future__ import annotations

import copy
import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from backfill_gateway.demo.backfills import (
    BackfillSpec,
    Slot,
    create_slots,
    dag_run_infos,
    demo_backfill_specs,
    new_backfill_run,
)
from backfill_gateway.demo.clock import Clock, random_duration
from backfill_gateway.demo.dags import HOURLY, DagSpec, dag_row, demo_dag_specs
from backfill_gateway.demo.dataset import ALREADY_EXISTS, IN_FLIGHT, JSON_NULL, SEED, DemoDataset
from backfill_gateway.demo.progress import BackfillOutcome, play_backfill
from backfill_gateway.demo.runs import CreatedRuns, scheduled_runs
from backfill_gateway.demo.tasks import task_instance_rows


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _backfill_row(backfill_id: int, spec: BackfillSpec, outcome: BackfillOutcome) -> dict[str, Any]:
    return {
        "id": backfill_id,
        "dag_id": spec.dag_id,
        "from_date": spec.first,
        "to_date": spec.last,
        "dag_run_conf": copy.deepcopy(spec.conf),
        "is_paused": outcome.is_paused,
        "reprocess_behavior": spec.reprocess,
        "max_active_runs": spec.max_active_runs,
        "created_at": spec.created_at,
        "completed_at": outcome.completed_at,
        "updated_at": outcome.updated_at,
        "triggering_user_name": spec.user,
    }


def _check_single_active(spec: BackfillSpec, earlier: list[dict[str, Any]]) -> None:
    """Airflow refuses a backfill while another one of the same DAG is active."""
    for row in earlier:
        if row["dag_id"] == spec.dag_id:
            assert row["completed_at"] is not None and row["completed_at"] < spec.created_at, (
                f"scenario error: {spec.dag_id} already has an active backfill"
            )


def _delete_run(slots: list[Slot], spec: BackfillSpec, world: CreatedRuns) -> None:
    """A user deleted one run later: its slot keeps the date, `dag_run_id` becomes NULL."""
    slot = next(s for s in slots if s.sort_ordinal == spec.delete_run_at)
    assert slot.run.life.owner == slot.backfill_id, "only delete a run no other slot shares"
    world.remove(slot.run)
    slot.run = None


def _derived_cases(
    backfills: list[dict[str, Any]], slots: list[Slot], dags: dict[str, DagSpec]
) -> dict[str, set[int]]:
    cases: dict[str, set[int]] = defaultdict(set)
    slot_counts: dict[int, int] = defaultdict(int)
    for slot in slots:
        slot_counts[slot.backfill_id] += 1
        if slot.exception_reason == ALREADY_EXISTS:
            cases["skipped_already_exists"].add(slot.backfill_id)
        elif slot.exception_reason == IN_FLIGHT:
            cases["skipped_in_flight"].add(slot.backfill_id)
        elif slot.run is None:
            cases["run_deleted"].add(slot.backfill_id)
        elif slot.run.life.owner != slot.backfill_id:
            cases["reprocessed_runs_moved"].add(slot.backfill_id)
    for row in backfills:
        backfill_id, dag = row["id"], dags[row["dag_id"]]
        cases[f"reprocess_{row['reprocess_behavior']}"].add(backfill_id)
        if row["is_paused"] is None:
            cases["is_paused_null"].add(backfill_id)
        if row["dag_run_conf"] is JSON_NULL:
            cases["null_conf"].add(backfill_id)
        if slot_counts[backfill_id] >= 1000:
            cases["large"].add(backfill_id)
        if dag.cadence is HOURLY:
            cases["hourly"].add(backfill_id)
        if dag.cadence.partitioned:
            cases["partitioned"].add(backfill_id)
    return cases


def build_demo_dataset(now: datetime) -> DemoDataset:
    """The demo rows for `now` (aware). Pure: same `now`, same rows."""
    if now.tzinfo is None:
        raise ValueError("build_demo_dataset needs a timezone-aware `now`")
    now = now.astimezone(UTC)
    clock = Clock(now)
    rng = random.Random(SEED)

    dag_specs = demo_dag_specs()
    dags = {dag.dag_id: dag for dag in dag_specs}
    versions = {dag.dag_id: _uuid(rng) for dag in dag_specs}
    dag_rows = [dag_row(dag, clock, rng) for dag in dag_specs if not dag.deleted]

    world = CreatedRuns()
    for dag in dag_specs:
        scheduled_runs(dag, clock, rng, world, versions[dag.dag_id])

    backfill_rows: list[dict[str, Any]] = []
    all_slots: list[Slot] = []
    cases: dict[str, set[int]] = defaultdict(set)
    deletions: list[tuple[list[Slot], BackfillSpec]] = []
    specs = sorted(demo_backfill_specs(clock), key=lambda spec: spec.created_at)
    for backfill_id, spec in enumerate(specs, start=1):  # ids follow creation, as in Airflow
        _check_single_active(spec, backfill_rows)
        dag, version = dags[spec.dag_id], versions[spec.dag_id]
        if spec.outcome == "slotless_with_active_run":
            # No slots, yet it owns a queued run: Airflow's creation never leaves this,
            # but it shows up after hand cleanups; it must not pass for an orphan.
            infos = dag_run_infos(dag, spec)
            info = infos[len(infos) // 2]
            world.add(new_backfill_run(dag, info, spec, backfill_id,
                                        spec.created_at + random_duration(rng, 0.05, 0.4),
                                        world, rng, version))
            outcome = BackfillOutcome(spec.is_paused, None, spec.created_at)
        elif spec.outcome in ("orphaned", "initializing"):
            outcome = BackfillOutcome(spec.is_paused, None, spec.created_at)
        else:
            slots, owned, slots_done = create_slots(dag, spec, backfill_id, world, rng, version)
            outcome = play_backfill(spec, owned, slots_done, now, rng)
            all_slots.extend(slots)
            if spec.delete_run_at is not None:
                deletions.append((slots, spec))
        backfill_rows.append(_backfill_row(backfill_id, spec, outcome))
        cases[spec.outcome].add(backfill_id)
        for tag in spec.tags:
            cases[tag].add(backfill_id)

    # Ids follow creation order; deleting afterwards leaves a gap, as in a real database.
    for run_id, run in enumerate(sorted(world.runs, key=lambda r: (r.created_at, r.seq)), 1):
        run.id = run_id
    for slots, spec in deletions:
        _delete_run(slots, spec, world)
    for name, ids in _derived_cases(backfill_rows, all_slots, dags).items():
        cases[name] |= ids

    runs = sorted(world.runs, key=lambda r: r.id)
    return DemoDataset(
        now=now,
        dags=dag_rows,
        backfills=backfill_rows,
        dag_runs=[run.row(now) for run in runs],
        backfill_dag_runs=[slot.row(slot_id) for slot_id, slot in enumerate(all_slots, 1)],
        task_instances=[row for run in runs for row in task_instance_rows(run, now)],
        cases={name: sorted(ids) for name, ids in sorted(cases.items())},
    )
