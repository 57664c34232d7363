from collections import Counter

from backfill_gateway.db.slots import SlotFilter
from backfill_gateway.resolvers.loaders import SlotCountByBackfill
from tests.resolvers.loaders.conftest import MISSING_ID


async def test_counts_for_one_filter_in_one_statement_zero_for_none(session, dataset):
    state_of = {row["id"]: row["state"] for row in dataset.dag_runs}
    skipped = Counter(
        s["backfill_id"] for s in dataset.backfill_dag_runs if s["exception_reason"] is not None
    )
    failed = Counter(
        s["backfill_id"]
        for s in dataset.backfill_dag_runs
        if s["dag_run_id"] is not None and state_of[s["dag_run_id"]] == "failed"
    )
    keys = [*sorted(row["id"] for row in dataset.backfills), MISSING_ID]

    counts = await SlotCountByBackfill(session, SlotFilter(is_skipped=True)).load_many(keys)
    assert len(session.sent) == 1
    assert counts == [skipped.get(key, 0) for key in keys]

    counts = await SlotCountByBackfill(session, SlotFilter(states=("failed",))).load_many(keys)
    assert len(session.sent) == 2
    assert counts == [failed.get(key, 0) for key in keys]
