from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.resolvers.loaders import BlockingRunBySlot
from tests.resolvers.loaders.conftest import MISSING_ID
from tests.support.oracle import Oracle


async def test_blocking_runs_of_every_skipped_slot_in_one_statement(
    session, demo_database, airflow
):
    oracle = Oracle(demo_database.dataset, version=demo_database.version)
    slots = demo_database.dataset.backfill_dag_runs
    skipped = [s for s in slots if s["exception_reason"] is not None]
    not_skipped = [s for s in slots if s["exception_reason"] is None][:20]
    keys = [*(s["id"] for s in skipped), *(s["id"] for s in not_skipped), MISSING_ID]
    runs = await BlockingRunBySlot(session, airflow).load_many(keys)
    assert len(session.sent) == 1
    for slot, run in zip([*skipped, *not_skipped], runs, strict=False):
        expected = oracle.blocking_run(slot)
        assert (run.dag_run_id if run else None) == (expected["id"] if expected else None), slot
    assert runs[-1] is None
    assert any(run is not None for run in runs)
    # Both of Airflow's reasons are explained by a run the demo still has.
    reasons = {s["exception_reason"] for s, r in zip(skipped, runs, strict=False) if r is not None}
    assert reasons == {"already exists", "in flight"}


async def test_slots_outside_the_scope_have_no_blocking_run(session, demo_database, airflow):
    oracle = Oracle(demo_database.dataset, version=demo_database.version)
    blocked = [s for s in demo_database.dataset.backfill_dag_runs if oracle.blocking_run(s)]
    dag_of = lambda s: oracle.backfills[s["backfill_id"]]["dag_id"]  # noqa: E731
    inside = blocked[0]
    outside = next(s for s in blocked if dag_of(s) != dag_of(inside))
    scope = DagScope.from_globs([dag_of(inside)])
    runs = await BlockingRunBySlot(session, airflow, scope).load_many([inside["id"], outside["id"]])
    assert runs[0].dag_run_id == oracle.blocking_run(inside)["id"]
    assert runs[1] is None
