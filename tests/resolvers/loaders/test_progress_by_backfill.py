from collections import Counter

from backfill_gateway.resolvers.loaders import NO_PROGRESS, ProgressByBackfill
from tests.resolvers.loaders.conftest import MISSING_ID


async def test_progress_of_many_backfills_in_one_statement_matches_the_rows(session, dataset):
    state_of = {row["id"]: row["state"] for row in dataset.dag_runs}
    expected: dict[int, Counter] = {}
    for slot in dataset.backfill_dag_runs:
        counts = expected.setdefault(slot["backfill_id"], Counter())
        counts["slot_count"] += 1
        if slot["exception_reason"] is not None:
            counts["skipped_count"] += 1
        elif slot["dag_run_id"] is None:
            counts["run_missing_count"] += 1
        if slot["dag_run_id"] is not None:
            counts[f"{state_of[slot['dag_run_id']]}_count"] += 1
    slotless = [row["id"] for row in dataset.backfills if row["id"] not in expected]
    assert slotless
    keys = [*expected, *slotless, MISSING_ID]
    progress = await ProgressByBackfill(session).load_many(keys)
    assert len(session.sent) == 1
    for key, found in zip(keys, progress, strict=True):
        counts = expected.get(key)
        if counts is None:
            assert found == NO_PROGRESS
            continue
        for name in ("slot_count", "skipped_count", "run_missing_count", "queued_count",
                     "running_count", "success_count", "failed_count"):  # fmt: skip
            assert getattr(found, name) == counts[name], (key, name)
