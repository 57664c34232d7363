"""How a backfill's runs progress in waves until it completes, pauses or is cancelled."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from backfill_gateway.demo.backfills import BackfillSpec
from backfill_gateway.demo.clock import random_duration
from backfill_gateway.demo.dataset import FAILED, SUCCESS
from backfill_gateway.demo.runs import SimulatedRun


def _waves(
    count: int, start: datetime, stop: datetime, concurrency: int, rng: random.Random
) -> Iterator[tuple[datetime, datetime]]:
    """Start and end times of `count` runs executed `concurrency` at a time in [start, stop]."""
    wave_length = _wave_length(count, start, stop, concurrency)
    for index in range(count):
        wave_start = start + wave_length * (index // concurrency)
        started = wave_start + wave_length * rng.uniform(0.0, 0.2)
        yield started, started + wave_length * rng.uniform(0.4, 0.75)


def _wave_length(count: int, start: datetime, stop: datetime, concurrency: int) -> timedelta:
    return (stop - start) / max(1, math.ceil(count / concurrency))


def _finish_runs(runs: list[SimulatedRun], start: datetime, stop: datetime, spec: BackfillSpec,
                 rng: random.Random) -> None:
    for run, (started, ended) in zip(runs, _waves(len(runs), start, stop,
                                                  spec.max_active_runs, rng), strict=True):
        run.life.start(started)
        run.life.finish(ended, FAILED if rng.random() < spec.failure_rate else SUCCESS)


def _start_runs(runs: list[SimulatedRun], before: datetime, wave_length: timedelta,
                rng: random.Random) -> None:
    for run in runs:
        run.life.start(before - wave_length * rng.uniform(0.1, 0.9))


@dataclass
class BackfillOutcome:
    is_paused: bool | None
    completed_at: datetime | None
    updated_at: datetime


def play_backfill(spec: BackfillSpec, owned: list[SimulatedRun], slots_done: datetime, now: datetime,
          rng: random.Random) -> BackfillOutcome:
    """Let the scheduler work on the backfill's runs until `now`."""
    work_start = slots_done + random_duration(rng, 1, 30)  # next scheduler loop
    if spec.outcome == "completed":
        _finish_runs(owned, work_start, spec.settled_at, spec, rng)
        last_end = max((run.life.ended_at for run in owned), default=slots_done)
        completed_at = last_end + random_duration(rng, 1, 30)  # the scheduler's 30-second check
        return BackfillOutcome(spec.is_paused, completed_at, completed_at)

    done = round(len(owned) * spec.progress)
    finished, rest = owned[:done], owned[done:]
    if spec.outcome == "running":
        stop = now - timedelta(seconds=45)
        _finish_runs(finished, work_start, stop, spec, rng)
        wave = _wave_length(done, work_start, stop, spec.max_active_runs)
        _start_runs(rest[: spec.max_active_runs], stop, wave, rng)
        return BackfillOutcome(spec.is_paused, None, spec.created_at)

    # Paused or cancelled at `settled_at`: runs already going keep going.
    stop = spec.settled_at
    _finish_runs(finished, work_start, stop, spec, rng)
    wave = _wave_length(done, work_start, stop, spec.max_active_runs)
    going, waiting = rest[: spec.still_running], rest[spec.still_running:]
    _start_runs(going, stop, wave, rng)
    if spec.outcome == "paused":
        return BackfillOutcome(True, None, stop)
    assert spec.outcome == "cancelled", spec.outcome
    # Those that started before the cancel finish later, the last one is still running.
    for run in going[:-1]:
        run.life.finish(stop + random_duration(rng, 60, 1800), SUCCESS)
    for run in waiting:  # cancel fails the queued runs in one UPDATE
        run.life.fail_without_running(stop + random_duration(rng, 0.01, 0.2))
    return BackfillOutcome(True, stop, stop)
