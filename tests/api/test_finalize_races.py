"""finalizeOrphanedBackfills under concurrency: a slow Airflow creation, a crashed one,
concurrent finalizers over HTTP, and finalizers in separate OS processes.

Outcomes are deterministic: the tests assert invariants that hold under every
interleaving (never finalize a backfill being created; each orphan exactly once,
with exactly one log row), and force the interleavings they need by handshakes
rather than by sleeping and hoping. Every race test records its run counts and
outcome tallies; they are printed at the end of the pytest run.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from backfill_gateway.app import create_app
from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.tables import backfill_dag_run, dag_run
from tests.conftest import FIXED_NOW, gateway_settings
from tests.support import finalize_worker
from tests.support.finalize import (
    OLD,
    TOKENS,
    audit_log,
    backfill_row,
    backfills_by_id,
    finalize,
    insert_rows,
    outcomes,
    race_stats,
    run_row,
    slot_row,
)
from tests.support.gateway import GatewayClient

# Heavy: on the newest schema only (the finalize statements are the same on every 3.x).
pytestmark = [pytest.mark.slow, pytest.mark.airflow_versions("3.3")]

ABSENT = "ABSENT"  # not among the considered backfills (selection by DAG skips it)


@pytest.fixture
async def engine(empty_database):
    engine = create_engine(empty_database.url, pool_size=4, max_overflow=4)
    yield engine
    await engine.dispose()


@pytest.fixture
async def gateways(empty_database):
    """Two gateway instances (each its own engine and pool) over one database."""
    callers = [f"caller-{n}" for n in range(8)]
    tokens = ",".join(
        [TOKENS]
        + [f"{name}:admin:{hashlib.sha256(name.encode()).hexdigest()}" for name in callers]
    )
    clients = [
        GatewayClient(
            create_app(gateway_settings(empty_database.url, tokens=tokens), clock=lambda: FIXED_NOW)
        )
        for _ in range(2)
    ]
    yield clients
    for client in clients:
        await client.close()


def caller_headers(name: str) -> dict:
    return {"Authorization": f"Bearer {name}"}  # each caller's token is its own name


# --------------------------------------------------------------------------- slow creation


class Handshake:
    """Counts finished finalize calls; the creator waits for some between its inserts."""

    def __init__(self) -> None:
        self.calls = 0
        self._changed = asyncio.Condition()

    async def called(self) -> None:
        async with self._changed:
            self.calls += 1
            self._changed.notify_all()

    async def wait_for_calls(self, count: int, timeout: float = 30) -> None:
        target = self.calls + count
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.calls >= target), timeout
                )
            except TimeoutError:
                raise AssertionError(
                    "finalize calls stopped finishing while a creation held its transaction: "
                    "are they waiting on the row lock instead of skipping it?"
                ) from None


@dataclass
class Creation:
    """Airflow's two-transaction creation of one backfill, observed by the finalizers."""

    backfill_id: int
    dag_id: str
    # "not started" → "open" → "ending" (set just before COMMIT/ROLLBACK is sent)
    # → "committed" | "rolled back" (set once it returned)
    phase: str = "not started"
    started: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    finalized: asyncio.Event = field(default_factory=asyncio.Event)


SLOTS = 6
CALLS_BETWEEN_INSERTS = 3


async def create_slowly(engine, creation: Creation, handshake: Handshake, *, crash: bool) -> None:
    """Commit the backfill row on its own (created long ago, as if the gateway's clock ran
    past the grace period), then insert runs and slots one by one in a second transaction,
    letting finalize calls finish between inserts; commit, or crash (roll back)."""
    await insert_rows(
        engine, backfills=[backfill_row(creation.backfill_id, dag_id=creation.dag_id, created_at=OLD)]
    )
    async with engine.connect() as connection:
        # Airflow's isolation level on MySQL; PostgreSQL's default.
        connection = await connection.execution_options(isolation_level="READ COMMITTED")
        transaction = await connection.begin()
        for ordinal in range(1, SLOTS + 1):
            run_id = creation.backfill_id * 100 + ordinal
            if ordinal % 3 == 0:  # a skipped slot: no run, only the slot row
                slot = slot_row(run_id, creation.backfill_id, None, ordinal, reason="already exists")
            else:
                run = run_row(run_id, creation.backfill_id, "queued", creation.dag_id)
                await connection.execute(insert(dag_run).values(**run))
                slot = slot_row(run_id, creation.backfill_id, run_id, ordinal)
            await connection.execute(insert(backfill_dag_run).values(**slot))
            if ordinal == 1:
                creation.phase = "open"
                creation.started.set()
            await handshake.wait_for_calls(CALLS_BETWEEN_INSERTS)
        creation.phase = "ending"
        if crash:
            await transaction.rollback()
            creation.phase = "rolled back"
        else:
            await transaction.commit()
            creation.phase = "committed"
    creation.ended.set()


FINALIZER_MODES = [
    ("named, dry run", lambda c: {"backfillIds": [c.backfill_id]}),
    ("named, apply", lambda c: {"backfillIds": [c.backfill_id], "dryRun": False}),
    ("all DAGs, apply", lambda c: {"dryRun": False}),
    ("by DAG, dry run", lambda c: {"dagIds": [c.dag_id]}),
    ("by DAG, apply", lambda c: {"dagIds": [c.dag_id], "dryRun": False}),
]


@dataclass(frozen=True)
class Observation:
    mode: str
    phase_before: str
    phase_after: str
    outcome: str


async def finalize_while_creating(
    client, creation: Creation, handshake: Handshake, mode: str, selection, stop_when
) -> list[Observation]:
    await creation.started.wait()
    seen = []
    while True:
        before = creation.phase
        response = await finalize(client, **selection(creation))
        outcome = outcomes(response).get(creation.backfill_id, ABSENT)
        seen.append(Observation(mode, before, creation.phase, outcome))
        if outcome == "FINALIZED":
            creation.finalized.set()
        await handshake.called()
        if stop_when(seen):
            return seen


async def race_one_creation(engine, gateways, creation, stats, *, crash: bool, stop_when):
    """One creation racing the finalizers of FINALIZER_MODES; every call is recorded in
    `stats`. While the creation's transaction was open, every call saw it LOCKED."""
    handshake = Handshake()
    tasks = [
        finalize_while_creating(gateways[n % 2], creation, handshake, mode, selection, stop_when=stop_when)
        for n, (mode, selection) in enumerate(FINALIZER_MODES)
    ]
    _, *observed = await asyncio.gather(
        create_slowly(engine, creation, handshake, crash=crash), *tasks
    )
    observations = [o for batch in observed for o in batch]
    stats.rounds += 1
    stats.calls += len(observations)
    stats.outcomes.update(o.outcome for o in observations)

    while_open = [o for o in observations if o.phase_after == "open"]
    assert len(while_open) >= SLOTS * CALLS_BETWEEN_INSERTS
    assert {o.outcome for o in while_open} == {"LOCKED"}, while_open
    return observations


@pytest.mark.parametrize("rounds", [3])
async def test_a_slow_creation_is_never_finalized(engine, gateways, empty_database, rounds):
    if empty_database.backend == "sqlite":
        pytest.skip("SQLite has no row locks: see test_sqlite_finalize_waits_for_a_slow_creation")
    stats = race_stats(empty_database.backend, "slow creation (commit)")
    for round_number in range(rounds):
        creation = Creation(1000 + round_number, f"slow_dag_{round_number}")
        observations = await race_one_creation(
            engine, gateways, creation, stats, crash=False,
            stop_when=lambda seen: creation.ended.is_set(),
        )  # fmt: skip
        for o in observations:
            assert o.outcome in ("LOCKED", "HAS_SLOTS", ABSENT), o
            if o.phase_before == "committed":
                assert o.outcome in ("HAS_SLOTS", ABSENT), o
        response = await finalize(gateways[0], backfillIds=[creation.backfill_id], dryRun=False)
        assert outcomes(response) == {creation.backfill_id: "HAS_SLOTS"}

    rows = await backfills_by_id(engine)
    assert all(row["completed_at"] is None for row in rows.values())
    assert await audit_log(engine) == []
    async with engine.connect() as connection:
        slots = await connection.scalar(select(func.count()).select_from(backfill_dag_run))
    assert slots == rounds * SLOTS


@pytest.mark.parametrize("rounds", [3])
async def test_a_crashed_creation_is_finalized_once(engine, gateways, empty_database, rounds):
    if empty_database.backend == "sqlite":
        pytest.skip("SQLite has no row locks: see test_sqlite_finalize_waits_for_a_slow_creation")
    stats = race_stats(empty_database.backend, "slow creation (crash)")
    for round_number in range(rounds):
        creation = Creation(2000 + round_number, f"crash_dag_{round_number}")
        # Each finalizer goes on until someone finalized the orphan and its own last call
        # started after the crash.
        observations = await race_one_creation(
            engine, gateways, creation, stats, crash=True,
            stop_when=lambda seen: creation.finalized.is_set()
            and seen[-1].phase_before == "rolled back",
        )  # fmt: skip
        assert [o.outcome for o in observations].count("FINALIZED") == 1
        finalized = next(o for o in observations if o.outcome == "FINALIZED")
        assert finalized.phase_after in ("ending", "rolled back") and "apply" in finalized.mode
        response = await finalize(gateways[1], backfillIds=[creation.backfill_id], dryRun=False)
        assert outcomes(response) == {creation.backfill_id: "ALREADY_COMPLETED"}

    rows = await backfills_by_id(engine)
    assert {i: row["completed_at"] for i, row in rows.items()} == {
        2000 + n: FIXED_NOW for n in range(rounds)
    }
    log_rows = await audit_log(engine)
    assert sorted(row["extra"]["backfill_id"] for row in log_rows) == [2000 + n for n in range(rounds)]
    async with engine.connect() as connection:
        for table in (dag_run, backfill_dag_run):
            assert await connection.scalar(select(func.count()).select_from(table)) == 0


async def test_sqlite_finalize_waits_for_a_slow_creation(engine, gateways, empty_database):
    """SQLite serializes writers: a finalize call during Airflow's second transaction waits
    for it (busy timeout), then sees the slots; after a crash, it finalizes the orphan."""
    if empty_database.backend != "sqlite":
        pytest.skip("the row-lock variants above cover PostgreSQL and MariaDB")
    stats = race_stats("sqlite", "slow creation (writer waits)")
    for crash in (False, True):
        backfill_id = 3000 + crash
        await insert_rows(engine, backfills=[backfill_row(backfill_id, created_at=OLD)])
        holding = asyncio.Event()
        phase = {"value": "open"}

        async def creator() -> None:
            async with engine.connect() as connection:
                transaction = await connection.begin()  # the driver's deferred BEGIN, like Airflow
                for ordinal in range(1, SLOTS + 1):
                    run_id = backfill_id * 100 + ordinal
                    await connection.execute(
                        insert(dag_run).values(**run_row(run_id, backfill_id, "queued", "d"))
                    )
                    await connection.execute(
                        insert(backfill_dag_run).values(**slot_row(run_id, backfill_id, run_id, ordinal))
                    )
                    holding.set()
                    await asyncio.sleep(0.1)
                phase["value"] = "ending"  # set first: the finalizer cannot finish before this
                await (transaction.rollback() if crash else transaction.commit())

        async def finalizer(mode: dict) -> tuple[str, str]:
            await holding.wait()
            assert phase["value"] == "open"
            response = await finalize(gateways[0], dryRun=False, **mode)
            # The call could only run once the creator's transaction had ended.
            assert phase["value"] == "ending"
            return outcomes(response).get(backfill_id, ABSENT)

        _, named, swept = await asyncio.gather(
            creator(), finalizer({"backfillIds": [backfill_id]}), finalizer({})
        )
        stats.rounds += 1
        stats.calls += 2
        stats.outcomes.update([named, swept])
        if crash:
            assert sorted([named, swept]) in (
                ["ALREADY_COMPLETED", "FINALIZED"], [ABSENT, "FINALIZED"]
            )
        else:
            assert (named, swept) == ("HAS_SLOTS", ABSENT)
    rows = await backfills_by_id(engine)
    assert rows[3000]["completed_at"] is None and rows[3001]["completed_at"] == FIXED_NOW
    assert [row["extra"]["backfill_id"] for row in await audit_log(engine)] == [3001]


# --------------------------------------------------------------------------- concurrent finalizers

ORPHANS_PER_ROUND = 50
DAGS_PER_ROUND = 5
CALLERS = 8


@dataclass
class Round:
    number: int
    orphans: list[int]
    young: int
    with_queued_run: int
    with_slots: int
    dag_ids: list[str]

    @property
    def decoys(self) -> dict[int, str]:
        return {
            self.young: "TOO_YOUNG",
            self.with_queued_run: "HAS_ACTIVE_RUNS",
            self.with_slots: "HAS_SLOTS",
        }

    @property
    def all_ids(self) -> list[int]:
        return [*self.orphans, *self.decoys]


async def load_round(engine, number: int) -> Round:
    base = 10_000 + number * 100
    dag_ids = [f"race_{number}_{k}" for k in range(DAGS_PER_ROUND)]
    orphans = list(range(base + 1, base + ORPHANS_PER_ROUND + 1))
    young, queued, slotted = base + 51, base + 52, base + 53
    await insert_rows(
        engine,
        backfills=[backfill_row(i, dag_id=dag_ids[i % DAGS_PER_ROUND]) for i in orphans]
        + [
            backfill_row(young, dag_id=dag_ids[0], created_at=FIXED_NOW - timedelta(seconds=5)),
            backfill_row(queued, dag_id=dag_ids[1]),
            backfill_row(slotted, dag_id=dag_ids[2]),
        ],
        runs=[run_row(queued, queued, "queued", dag_ids[1]), run_row(slotted, slotted, "running", dag_ids[2])],
        slots=[slot_row(slotted, slotted, slotted)],
    )
    return Round(number, orphans, young, queued, slotted, dag_ids)


async def caller(
    client, name: str, strategy: int, race: Round, barrier, seen: list, calls: Counter
) -> None:
    """One of eight callers, each with its own way of asking; all apply."""
    headers = caller_headers(name)
    rng = random.Random(f"{race.number}-{strategy}")

    async def call(**selection) -> set[str]:
        calls[name] += 1
        response = await finalize(client, headers=headers, dryRun=False, **selection)
        found = outcomes(response)  # asserts: no errors, no user errors
        seen.extend((name, backfill_id, outcome) for backfill_id, outcome in found.items())
        return set(found.values())

    async def sweep(limit: int, dag_ids: list[str]) -> None:
        for _ in range(500):
            if not await call(dagIds=dag_ids, limit=limit) & {"FINALIZED", "LOCKED"}:
                return
        raise AssertionError("sweep did not finish")

    await barrier.wait()
    if strategy in (0, 1, 2):  # every id at once, in some order
        ids = race.all_ids
        await call(backfillIds=rng.sample(ids, len(ids)) if strategy == 0 else ids)
    elif strategy == 3:  # ids in small batches, from the other end
        ids = sorted(race.all_ids, reverse=True)
        for start in range(0, len(ids), 7):
            await call(backfillIds=ids[start : start + 7])
    elif strategy == 4:
        await sweep(3, race.dag_ids)
    elif strategy == 5:
        await sweep(1, race.dag_ids)
    elif strategy == 6:  # DAG by DAG
        for dag_id in rng.sample(race.dag_ids, len(race.dag_ids)):
            await sweep(4, [dag_id])
    else:
        await sweep(100, race.dag_ids)


@pytest.mark.parametrize("rounds", [6])
async def test_concurrent_finalizers_finalize_each_orphan_exactly_once(
    engine, gateways, empty_database, rounds
):
    backend = empty_database.backend
    stats = race_stats(backend, f"{CALLERS} concurrent callers x {ORPHANS_PER_ROUND}")
    finalized_by: dict[int, list[str]] = defaultdict(list)
    for number in range(rounds):
        race = await load_round(engine, number)
        barrier = asyncio.Barrier(CALLERS)
        seen: list[tuple[str, int, str]] = []
        calls: Counter = Counter()
        await asyncio.gather(*(
            caller(gateways[n % 2], f"caller-{n}", n, race, barrier, seen, calls)
            for n in range(CALLERS)
        ))  # fmt: skip
        assert len(calls) == CALLERS
        stats.rounds += 1
        stats.calls += calls.total()
        stats.outcomes.update(outcome for _, _, outcome in seen)

        by_id: dict[int, Counter] = defaultdict(Counter)
        for name, backfill_id, outcome in seen:
            by_id[backfill_id][outcome] += 1
            if outcome == "FINALIZED":
                finalized_by[backfill_id].append(name)
        for backfill_id in race.orphans:
            assert by_id[backfill_id]["FINALIZED"] == 1, (backfill_id, by_id[backfill_id])
            assert set(by_id[backfill_id]) <= {"FINALIZED", "ALREADY_COMPLETED", "LOCKED"}
        for backfill_id, expected in race.decoys.items():
            assert set(by_id[backfill_id]) == {expected}, (backfill_id, by_id[backfill_id])
        if backend == "sqlite":  # writers are serialized: nothing is ever skipped
            assert not any(outcome == "LOCKED" for _, _, outcome in seen)

    rows = await backfills_by_id(engine)
    log_rows = await audit_log(engine)
    orphans = [i for i, row in rows.items() if i % 100 <= ORPHANS_PER_ROUND]
    assert len(orphans) == rounds * ORPHANS_PER_ROUND
    assert all(rows[i]["completed_at"] == FIXED_NOW for i in orphans)
    assert all(rows[i]["completed_at"] is None for i in rows if i not in orphans)
    # Exactly one log row per orphan, written by the caller that reported FINALIZED.
    assert sorted(row["extra"]["backfill_id"] for row in log_rows) == sorted(orphans)
    assert {row["extra"]["backfill_id"]: [row["owner"]] for row in log_rows} == finalized_by


# --------------------------------------------------------------------------- OS processes

PROCESS_ROUNDS = 5


async def test_finalizers_in_two_processes_finalize_each_orphan_exactly_once(
    engine, empty_database
):
    backend = empty_database.backend
    stats = race_stats(backend, "2 processes x 50 orphans")
    races = [await load_round(engine, number) for number in range(PROCESS_ROUNDS)]
    # Decoys stay out of the way: named ids are the orphans only.
    rounds = [(race.orphans, race.dag_ids) for race in races]
    context = multiprocessing.get_context("spawn")
    barrier, queue = context.Barrier(2), context.Queue()
    processes = [
        context.Process(
            target=finalize_worker.run,
            args=(empty_database.url, FIXED_NOW.isoformat(), f"process-{n}", strategy, rounds,
                  barrier, queue),
        )  # fmt: skip
        for n, strategy in enumerate(("sweep", "named"))
    ]
    for process in processes:
        process.start()
    try:
        reports = [await asyncio.to_thread(queue.get, True, 120) for _ in processes]
    finally:
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
    errors = [report for report in reports if report[0] != "ok"]
    assert not errors, errors[0][2]
    assert [process.exitcode for process in processes] == [0, 0]

    finalized_by: dict[int, list[str]] = defaultdict(list)
    for _, name, (calls, seen) in reports:
        stats.calls += calls
        stats.outcomes.update(outcome for _, _, outcome in seen)
        for _, backfill_id, outcome in seen:
            if outcome == "FINALIZED":
                finalized_by[backfill_id].append(name)
            assert outcome in ("FINALIZED", "ALREADY_COMPLETED", "LOCKED", "TOO_YOUNG",
                               "HAS_ACTIVE_RUNS"), outcome  # fmt: skip
            if backend == "sqlite":
                assert outcome != "LOCKED"
    stats.rounds = PROCESS_ROUNDS
    winners = Counter(names[0] for names in finalized_by.values())
    stats.note = "FINALIZED by " + ", ".join(f"{n} {c}" for n, c in sorted(winners.items()))
    orphans = sorted(i for race in races for i in race.orphans)
    assert sorted(finalized_by) == orphans
    assert all(len(names) == 1 for names in finalized_by.values())
    log_rows = await audit_log(engine)
    assert {row["extra"]["backfill_id"]: [row["owner"]] for row in log_rows} == finalized_by
    assert len(log_rows) == len(orphans)
    rows = await backfills_by_id(engine)
    assert all(rows[i]["completed_at"] == FIXED_NOW for i in orphans)
    for race in races:
        assert all(rows[i]["completed_at"] is None for i in race.decoys)
