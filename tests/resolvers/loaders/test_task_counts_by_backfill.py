from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.task_states import COUNT_LABELS
from backfill_gateway.resolvers.loaders import TaskCountsByBackfill
from backfill_gateway.resolvers.records import NO_TASKS
from tests.resolvers.loaders.conftest import MISSING_ID
from tests.support.oracle import Oracle

FIELD_OF_LABEL = {label: field for label, field in zip(
    COUNT_LABELS, ("total", *Oracle.TASK_STATE_FIELDS.values()), strict=True
)}  # fmt: skip


def as_fields(counts) -> dict[str, int]:
    return {FIELD_OF_LABEL[label]: getattr(counts, label) for label in COUNT_LABELS}


async def test_task_counts_of_every_backfill_in_one_statement_match_the_rows(
    session, demo_database
):
    oracle = Oracle(demo_database.dataset, version=demo_database.version)
    keys = [*oracle.backfills, MISSING_ID]
    counts = await TaskCountsByBackfill(session).load_many(keys)
    assert len(session.sent) == 1
    for key, found in zip(keys, counts, strict=True):
        if key == MISSING_ID:
            assert found is NO_TASKS
            continue
        assert as_fields(found) == oracle.backfill_task_counts(key), key
    assert sum(found.total for found in counts) > 0


async def test_backfills_outside_the_scope_count_nothing(session, demo_database):
    oracle = Oracle(demo_database.dataset, version=demo_database.version)
    outside = next(
        i
        for i, row in oracle.backfills.items()
        if row["dag_id"] != "sales_daily_etl" and oracle.backfill_task_counts(i)["total"]
    )
    inside = next(
        i
        for i, row in oracle.backfills.items()
        if row["dag_id"] == "sales_daily_etl" and oracle.backfill_task_counts(i)["total"]
    )
    scope = DagScope.from_globs(["sales_*"])
    found_outside, found_inside = await TaskCountsByBackfill(session, scope).load_many(
        [outside, inside]
    )
    assert found_outside is NO_TASKS
    assert as_fields(found_inside) == oracle.backfill_task_counts(inside)
