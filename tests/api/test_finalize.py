"""Mutation.finalizeOrphanedBackfills over HTTP, on every database: outcomes, writes, refusals.

Each test gets a fresh schema (`empty_database`) and inserts its own rows; the
gateway's clock stands at FIXED_NOW, so `created_at` is backdated instead of waiting.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, false, select

from backfill_gateway.app import create_app
from backfill_gateway.db import finalize as finalize_sql
from backfill_gateway.db.engine import create_engine
from backfill_gateway.db.tables import backfill
from backfill_gateway.demo import build_demo_dataset
from backfill_gateway.resolvers.finalize import FinalizeRequest, validate
from tests.conftest import FIXED_NOW, gateway_settings
from tests.support.airflow_versions import dataset_for, load_versioned_dataset
from tests.support.finalize import (
    ADMIN,
    ADMIN_NAME,
    FINALIZE,
    GRACE,
    OLD,
    READER,
    TOKENS,
    audit_log,
    backfill_row,
    backfills_by_id,
    finalize,
    insert_rows,
    outcomes,
    run_row,
    slot_row,
    snapshot,
)
from tests.support.gateway import GatewayClient
from tests.support.oracle import iso

CUTOFF = FIXED_NOW - GRACE


@pytest.fixture
async def engine(empty_database):
    engine = create_engine(empty_database.url, pool_size=2, max_overflow=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def client_for(empty_database):
    clients = []

    def make(**settings) -> GatewayClient:
        settings.setdefault("tokens", TOKENS)
        app = create_app(gateway_settings(empty_database.url, **settings), clock=lambda: FIXED_NOW)
        clients.append(client := GatewayClient(app))
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
def client(client_for) -> GatewayClient:
    return client_for()


# One backfill per situation; ids are fixed so the expectations read plainly.
ORPHAN, PAUSED_ORPHAN, NULL_PAUSED_ORPHAN, ORPHAN_WITH_DONE_RUNS = 1, 2, 3, 4
COMPLETED, WITH_SLOTS, SKIPPED_SLOTS_ONLY = 5, 6, 7
QUEUED_RUN, RUNNING_RUN, YOUNG, UNKNOWN = 8, 9, 10, 999
ORPHANS = [ORPHAN, PAUSED_ORPHAN, NULL_PAUSED_ORPHAN, ORPHAN_WITH_DONE_RUNS]
NOT_ORPHANS = {
    COMPLETED: "ALREADY_COMPLETED",
    WITH_SLOTS: "HAS_SLOTS",
    SKIPPED_SLOTS_ONLY: "HAS_SLOTS",
    QUEUED_RUN: "HAS_ACTIVE_RUNS",
    RUNNING_RUN: "HAS_ACTIVE_RUNS",
    YOUNG: "TOO_YOUNG",
    UNKNOWN: "NOT_FOUND",
}
NAMED = [*ORPHANS, *NOT_ORPHANS]


async def load_situations(engine) -> None:
    await insert_rows(
        engine,
        backfills=[
            backfill_row(ORPHAN),
            backfill_row(PAUSED_ORPHAN, is_paused=True),
            backfill_row(NULL_PAUSED_ORPHAN, is_paused=None),
            backfill_row(ORPHAN_WITH_DONE_RUNS),
            backfill_row(COMPLETED, completed_at=OLD + timedelta(hours=1)),
            backfill_row(WITH_SLOTS),
            backfill_row(SKIPPED_SLOTS_ONLY),
            backfill_row(QUEUED_RUN),
            backfill_row(RUNNING_RUN),
            backfill_row(YOUNG, created_at=FIXED_NOW - timedelta(seconds=30)),
        ],
        runs=[
            # Runs it owns but that finished (or never got a state) do not keep it active.
            run_row(1, ORPHAN_WITH_DONE_RUNS, "success", "dag_4"),
            run_row(2, ORPHAN_WITH_DONE_RUNS, "failed", "dag_4"),
            run_row(3, ORPHAN_WITH_DONE_RUNS, None, "dag_4"),
            run_row(4, WITH_SLOTS, "success", "dag_6"),
            run_row(5, QUEUED_RUN, "queued", "dag_8"),
            run_row(6, RUNNING_RUN, "running", "dag_9"),
        ],
        slots=[
            slot_row(1, WITH_SLOTS, 4),
            slot_row(2, SKIPPED_SLOTS_ONLY, None, reason="already exists"),
        ],
    )


async def test_dry_run_is_the_default_and_writes_nothing(engine, client):
    await load_situations(engine)
    before = await snapshot(engine)
    response = await finalize(client, backfillIds=NAMED)
    payload = response.ok()["finalizeOrphanedBackfills"]
    assert payload["dryRun"] is True
    assert outcomes(response) == {**dict.fromkeys(ORPHANS, "WOULD_FINALIZE"), **NOT_ORPHANS}
    assert await snapshot(engine) == before


async def test_every_outcome_then_exactly_the_orphans_are_finalized(engine, client):
    await load_situations(engine)
    before = await backfills_by_id(engine)
    untouched = await snapshot(engine)
    response = await finalize(client, backfillIds=NAMED, dryRun=False)
    payload = response.ok()["finalizeOrphanedBackfills"]
    assert payload["dryRun"] is False
    assert payload["now"] == iso(FIXED_NOW)
    assert payload["cutoff"] == iso(CUTOFF)
    assert payload["gracePeriodSeconds"] == 600
    assert [r["backfillId"] for r in payload["results"]] == sorted(NAMED)
    assert outcomes(response) == {**dict.fromkeys(ORPHANS, "FINALIZED"), **NOT_ORPHANS}

    after = await backfills_by_id(engine)
    for backfill_id, row in before.items():
        if backfill_id in ORPHANS:
            # completed_at and updated_at, nothing else (is_paused untouched, NULL included).
            assert after[backfill_id] == {**row, "completed_at": FIXED_NOW, "updated_at": FIXED_NOW}
        else:
            assert after[backfill_id] == row
    now = await snapshot(engine)
    for table in ("dag_run", "backfill_dag_run"):
        assert now[table] == untouched[table]  # nothing deleted, nothing changed

    log = await audit_log(engine)
    assert [row["extra"]["backfill_id"] for row in log] == ORPHANS
    for row in log:
        backfill_id = row["extra"]["backfill_id"]
        assert row["event"] == "finalize_orphaned_backfill"
        assert row["dag_id"] == before[backfill_id]["dag_id"]
        assert row["owner"] == row["owner_display_name"] == ADMIN_NAME
        assert row["dttm"] == FIXED_NOW
        assert row["extra"]["grace_period_seconds"] == 600
        assert row["extra"]["cutoff"] == iso(CUTOFF)
        assert "no slots" in row["extra"]["reason"]
        assert (row["task_id"], row["run_id"], row["map_index"], row["try_number"]) == (None,) * 4


async def test_the_payload_shows_each_backfill_after_the_call(engine, client):
    await load_situations(engine)
    response = await finalize(client, backfillIds=[ORPHAN, PAUSED_ORPHAN, YOUNG, UNKNOWN], dryRun=False)
    results = {r["backfillId"]: r for r in response.ok()["finalizeOrphanedBackfills"]["results"]}
    assert results[ORPHAN]["backfill"] == {
        "backfillId": ORPHAN, "dagId": "dag_1", "completedAt": iso(FIXED_NOW),
        "updatedAt": iso(FIXED_NOW), "isPaused": False, "status": "COMPLETED",
    }  # fmt: skip
    assert results[PAUSED_ORPHAN]["backfill"]["isPaused"] is True
    assert results[YOUNG]["backfill"]["completedAt"] is None
    assert results[YOUNG]["backfill"]["status"] == "INITIALIZING"
    assert results[UNKNOWN]["backfill"] is None
    assert "after the cutoff" in results[YOUNG]["reason"]


async def test_nested_backfill_fields_read_the_committed_state(engine, client):
    await load_situations(engine)
    response = await client.graphql(
        """mutation($i: FinalizeOrphanedBackfillsInput!) { finalizeOrphanedBackfills(input: $i) {
             results { backfill { progress { slotCount } dag { dagId } } } } }""",
        {"i": {"backfillIds": [ORPHAN], "dryRun": False}},
        headers=ADMIN,
    )
    [result] = response.ok()["finalizeOrphanedBackfills"]["results"]
    assert result == {"backfill": {"progress": {"slotCount": 0}, "dag": None}}


async def test_a_repeated_call_finalizes_nothing_new(engine, client):
    await load_situations(engine)
    await finalize(client, backfillIds=NAMED, dryRun=False)
    after_first = await snapshot(engine)
    for selection in ({"backfillIds": NAMED}, {}):
        response = await finalize(client, dryRun=False, **selection)
        reported = outcomes(response)
        assert "FINALIZED" not in reported.values()
        if "backfillIds" in selection:
            assert reported == {**dict.fromkeys(ORPHANS, "ALREADY_COMPLETED"), **NOT_ORPHANS}
    assert await snapshot(engine) == after_first


async def test_the_cutoff_is_inclusive(engine, client):
    await insert_rows(engine, backfills=[
        backfill_row(1, created_at=CUTOFF),
        backfill_row(2, created_at=CUTOFF + timedelta(microseconds=1)),
    ])  # fmt: skip
    response = await finalize(client, dryRun=False)
    assert outcomes(response) == {1: "FINALIZED", 2: "TOO_YOUNG"}


async def test_grace_period_defaults_to_the_setting_and_can_be_raised(engine, client_for):
    await insert_rows(engine, backfills=[backfill_row(1, created_at=FIXED_NOW - timedelta(minutes=30))])
    client = client_for(orphan_grace_period_seconds=3600)
    response = await finalize(client)
    assert response.ok()["finalizeOrphanedBackfills"]["gracePeriodSeconds"] == 3600
    assert outcomes(response) == {1: "TOO_YOUNG"}
    response = await finalize(client, gracePeriodSeconds=900)
    payload = response.ok()["finalizeOrphanedBackfills"]
    assert payload["cutoff"] == iso(FIXED_NOW - timedelta(seconds=900))
    assert outcomes(response) == {1: "WOULD_FINALIZE"}
    response = await finalize(client, gracePeriodSeconds=7200)
    assert outcomes(response) == {1: "TOO_YOUNG"}


async def test_selection_by_dag_considers_active_slotless_backfills_in_id_order(engine, client):
    await insert_rows(
        engine,
        backfills=[
            backfill_row(1, dag_id="a"),
            backfill_row(2, dag_id="b"),
            backfill_row(3, dag_id="a", completed_at=OLD),  # never a candidate
            backfill_row(4, dag_id="a"),  # has slots: never a candidate
            backfill_row(5, dag_id="a", created_at=FIXED_NOW),
            backfill_row(6, dag_id="c"),
            backfill_row(7, dag_id="a"),
            backfill_row(8, dag_id="a"),
        ],
        runs=[run_row(1, 4, "running", "a"), run_row(2, 7, "queued", "a")],
        slots=[slot_row(1, 4, 1)],
    )
    response = await finalize(client, dagIds=["a", "c", "nope"])
    assert outcomes(response) == {
        1: "WOULD_FINALIZE", 5: "TOO_YOUNG", 6: "WOULD_FINALIZE", 7: "HAS_ACTIVE_RUNS",
        8: "WOULD_FINALIZE",
    }  # fmt: skip
    response = await finalize(client, dagIds=["a"], limit=2, dryRun=False)
    assert outcomes(response) == {1: "FINALIZED", 5: "TOO_YOUNG"}
    response = await finalize(client, limit=3, dryRun=False)
    assert outcomes(response) == {2: "FINALIZED", 5: "TOO_YOUNG", 6: "FINALIZED"}
    response = await finalize(client, dryRun=False)
    assert outcomes(response) == {5: "TOO_YOUNG", 7: "HAS_ACTIVE_RUNS", 8: "FINALIZED"}
    assert [row["extra"]["backfill_id"] for row in await audit_log(engine)] == [1, 2, 6, 8]


async def test_nothing_to_consider_is_an_empty_result(engine, client):
    await insert_rows(engine, backfills=[backfill_row(1, completed_at=OLD)])
    response = await finalize(client, dryRun=False)
    assert outcomes(response) == {}


INVALID_INPUTS = [
    ({"gracePeriodSeconds": 119}, "gracePeriodSeconds", "at least 120"),
    ({"gracePeriodSeconds": 0}, "gracePeriodSeconds", "at least 120"),
    ({"limit": 0}, "limit", "between 1 and 1000"),
    ({"limit": 1001}, "limit", "between 1 and 1000"),
    ({"backfillIds": []}, "backfillIds", "must not be empty"),
    ({"dagIds": []}, "dagIds", "must not be empty"),
    ({"backfillIds": [1], "dagIds": ["dag_1"]}, "dagIds", "not both"),
    ({"backfillIds": [1, 2, 3], "limit": 2}, "backfillIds", "more than limit"),
]
# Over the CLI, ids are not bounded by GraphQL's Int.
CLI_ONLY_INVALID = FinalizeRequest(backfill_ids=[2**31], dry_run=False)


async def test_invalid_input_is_a_user_error_and_touches_nothing(engine, client):
    await load_situations(engine)
    before = await snapshot(engine)
    for fields, field, message in INVALID_INPUTS:
        response = await finalize(client, dryRun=False, **fields)
        payload = response.ok()["finalizeOrphanedBackfills"]
        [error] = payload["userErrors"]
        assert error["field"] == ["input", field], fields
        assert error["code"] == "BAD_USER_INPUT"
        assert message in error["message"], fields
        assert payload["results"] == []
        assert payload["cutoff"] is None
        assert response.statements == [], fields
    assert [e.field for e in validate(CLI_ONLY_INVALID)] == [["input", "backfillIds"]]
    assert await snapshot(engine) == before


async def test_grace_period_of_exactly_two_minutes_is_accepted(engine, client):
    await insert_rows(engine, backfills=[backfill_row(1, created_at=FIXED_NOW - timedelta(seconds=120))])
    response = await finalize(client, gracePeriodSeconds=120, dryRun=False)
    assert outcomes(response) == {1: "FINALIZED"}


@pytest.mark.parametrize(
    "headers, code",
    [(None, "UNAUTHENTICATED"), (READER, "FORBIDDEN")],
)
async def test_only_admins_may_finalize(engine, client, headers, code):
    await load_situations(engine)
    before = await snapshot(engine)
    for dry_run in (True, False):
        response = await finalize(client, headers=headers, backfillIds=NAMED, dryRun=dry_run)
        assert response.status_code == 200
        assert response.error_codes == [code]
        assert response.errors[0]["path"] == ["finalizeOrphanedBackfills"]
        assert response.data == {"finalizeOrphanedBackfills": None}
        assert response.statements == []
    # Refused before validation: a reader learns nothing about its input either.
    response = await finalize(client, headers=headers, gracePeriodSeconds=1)
    assert response.error_codes == [code]
    assert await snapshot(engine) == before


async def test_an_unknown_token_is_refused_before_anything_runs(engine, client):
    await load_situations(engine)
    before = await snapshot(engine)
    response = await finalize(client, headers={"Authorization": "Bearer nope"}, dryRun=False)
    assert response.status_code == 401
    assert response.error_codes == ["UNAUTHENTICATED"]
    assert response.statements == []
    assert await snapshot(engine) == before


async def test_mutations_are_refused_over_get(engine, client):
    await load_situations(engine)
    before = await snapshot(engine)
    response = await client.graphql(
        FINALIZE, {"input": {"dryRun": False}}, headers=ADMIN, method="GET"
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.error_codes == ["METHOD_NOT_ALLOWED"]
    assert response.statements == []
    assert await snapshot(engine) == before


async def test_one_short_write_transaction_with_row_locks(engine, client, empty_database):
    await load_situations(engine)
    response = await finalize(client, backfillIds=NAMED, dryRun=False)
    statements = [s.split()[0].upper() for s in response.statements]
    if empty_database.backend == "sqlite":
        assert response.statements[0] == "BEGIN IMMEDIATE"
        assert response.statements[-1] == "COMMIT"
        assert statements.count("BEGIN") == 1
    else:
        [locking] = [s for s in response.statements if "FOR UPDATE" in s]
        assert locking.rstrip().endswith("FOR UPDATE SKIP LOCKED")
        # A locking read of backfill alone: no subquery may lock (or skip) slots and runs.
        assert "EXISTS" not in locking.upper() and "backfill_dag_run" not in locking
    # lock, re-check, update, audit rows; then the payload's own reads (none needed here).
    assert statements.count("UPDATE") == 1
    assert statements.count("INSERT") == 1


async def test_the_update_rechecks_every_condition_itself(engine, client, monkeypatch):
    """If an owned run became active between the re-check and the UPDATE, nothing is written."""
    await insert_rows(
        engine, backfills=[backfill_row(1), backfill_row(2)], runs=[run_row(1, 2, "queued", "dag_2")]
    )
    before = await snapshot(engine)
    blind = finalize_sql.recheck

    def recheck_blind_to_runs(backfill_ids, airflow, *scopes):
        statement = blind(backfill_ids, airflow, *scopes)
        return statement.with_only_columns(
            *(c for c in statement.selected_columns if c.name != "has_active_runs"),
            false().label("has_active_runs"),
        )

    monkeypatch.setattr(finalize_sql, "recheck", recheck_blind_to_runs)
    response = await finalize(client, backfillIds=[1, 2], dryRun=False)
    assert response.error_codes == ["SERVICE_UNAVAILABLE"]
    assert "nothing was written" in response.errors[0]["message"]
    assert await snapshot(engine) == before


async def test_a_row_locked_by_another_transaction_is_left_alone(engine, client, empty_database):
    if empty_database.backend == "sqlite":
        pytest.skip("SQLite has no row locks: writers wait for each other (see the race tests)")
    await insert_rows(engine, backfills=[backfill_row(1), backfill_row(2)])
    async with engine.connect() as other:
        transaction = await other.begin()
        # Another finalizer in the middle of its transaction.
        await other.execute(select(backfill.c.id).where(backfill.c.id == 1).with_for_update())
        for dry_run in (True, False):
            response = await finalize(client, backfillIds=[1, 2], dryRun=dry_run)
            assert outcomes(response) == {
                1: "LOCKED", 2: "WOULD_FINALIZE" if dry_run else "FINALIZED"
            }
        await transaction.rollback()
    response = await finalize(client, dryRun=False)
    assert outcomes(response) == {1: "FINALIZED"}
    assert [row["extra"]["backfill_id"] for row in await audit_log(engine)] == [2, 1]


async def test_sqlite_busy_beyond_the_timeout_is_service_unavailable(
    engine, client, empty_database
):
    if empty_database.backend != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    await insert_rows(engine, backfills=[backfill_row(1)])
    before = await snapshot(engine)
    # The gateway's connections wait 10 s for the write lock; make this one give up sooner.
    event.listen(
        client.app.state.engine.sync_engine, "connect",
        lambda dbapi_connection, record: dbapi_connection.execute("PRAGMA busy_timeout=200"),
    )  # fmt: skip
    async with engine.connect() as other:
        other = await other.execution_options(isolation_level="AUTOCOMMIT")
        await other.exec_driver_sql("BEGIN IMMEDIATE")  # another writer holds the lock
        response = await finalize(client, dryRun=False)
        await other.exec_driver_sql("ROLLBACK")
    assert response.error_codes == ["SERVICE_UNAVAILABLE"]
    assert "busy" in response.errors[0]["message"]
    assert await snapshot(engine) == before
    assert outcomes(await finalize(client, dryRun=False)) == {1: "FINALIZED"}


async def test_on_the_demo_dataset_exactly_the_orphaned_case_is_finalized(
    engine, client, empty_database
):
    dataset = dataset_for(empty_database.version, build_demo_dataset(FIXED_NOW))
    await load_versioned_dataset(engine, dataset, empty_database.version)
    before = await backfills_by_id(engine)
    response = await finalize(client, dryRun=False)
    expected = {
        **dict.fromkeys(dataset.cases["orphaned"], "FINALIZED"),
        **dict.fromkeys(dataset.cases["initializing"], "TOO_YOUNG"),
        **dict.fromkeys(dataset.cases["slotless_with_active_run"], "HAS_ACTIVE_RUNS"),
    }
    assert outcomes(response) == expected
    after = await backfills_by_id(engine)
    changed = {i for i in before if before[i] != after[i]}
    assert changed == set(dataset.cases["orphaned"])
    again = outcomes(await finalize(client))
    assert again == {i: o for i, o in expected.items() if o != "FINALIZED"}
