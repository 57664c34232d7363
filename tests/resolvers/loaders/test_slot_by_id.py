from backfill_gateway.resolvers.loaders import SlotById
from tests.resolvers.loaders.conftest import MISSING_ID


async def test_slots_in_one_statement_skipped_ones_kept_with_no_run(session, dataset, airflow):
    rows = {row["id"]: row for row in dataset.backfill_dag_runs}
    skipped = [i for i, row in rows.items() if row["exception_reason"] is not None][:3]
    run_deleted = [
        i for i, row in rows.items() if row["exception_reason"] is None and row["dag_run_id"] is None
    ][:2]
    ran = [i for i, row in rows.items() if row["dag_run_id"] is not None][:3]
    assert skipped and run_deleted and ran
    keys = [*ran, MISSING_ID, *skipped, *run_deleted]
    slots = await SlotById(session, airflow).load_many(keys)
    assert len(session.sent) == 1
    assert [s.backfill_dag_run_id if s else None for s in slots] == [
        key if key in rows else None for key in keys
    ]
    by_id = {s.backfill_dag_run_id: s for s in slots if s}
    for key in skipped:
        assert by_id[key].is_skipped and by_id[key].dag_run is None
    for key in run_deleted:
        assert not by_id[key].is_skipped and by_id[key].dag_run is None
    for key in ran:
        assert by_id[key].dag_run.dag_run_id == rows[key]["dag_run_id"]
