from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.resolvers.loaders import TaskCountsByDagRun
from backfill_gateway.resolvers.records import NO_TASKS
from tests.resolvers.loaders.conftest import MISSING_ID
from tests.resolvers.loaders.test_task_counts_by_backfill import as_fields
from tests.support.oracle import Oracle


async def test_task_counts_of_many_runs_in_one_statement_match_the_rows(session, demo_database):
    oracle = Oracle(demo_database.dataset, version=demo_database.version)
    keys = [*list(oracle.runs)[::5], MISSING_ID]
    counts = await TaskCountsByDagRun(session).load_many(keys)
    assert len(session.sent) == 1
    for key, found in zip(keys, counts, strict=True):
        if key == MISSING_ID:
            assert found is NO_TASKS
            continue
        assert as_fields(found) == oracle.task_counts_of_runs([key]), key
    # mapped tasks: runs with more task instances than tasks
    assert max(found.total for found in counts) > 5


async def test_runs_outside_the_scope_count_nothing(session, demo_database):
    oracle = Oracle(demo_database.dataset, version=demo_database.version)
    inside = next(i for i, r in oracle.runs.items() if r["dag_id"] == "ml_feature_refresh")
    outside = next(i for i, r in oracle.runs.items() if r["dag_id"] != "ml_feature_refresh")
    scope = DagScope.from_globs(["ml_feature_refresh"])
    found_inside, found_outside = await TaskCountsByDagRun(session, scope).load_many(
        [inside, outside]
    )
    assert found_outside is NO_TASKS
    assert as_fields(found_inside) == oracle.task_counts_of_runs([inside]) != as_fields(NO_TASKS)
