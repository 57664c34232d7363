from backfill_gateway.db.backfill_status import backfill_status
from backfill_gateway.resolvers.loaders import BackfillById
from tests.resolvers.loaders.conftest import MISSING_ID, ORPHAN_CUTOFF


async def test_many_backfills_in_one_statement_in_key_order_none_for_missing(session, dataset, airflow):
    rows = {row["id"]: row for row in dataset.backfills}
    slotted = {row["backfill_id"] for row in dataset.backfill_dag_runs}
    keys = [*sorted(rows, reverse=True), MISSING_ID, min(rows)]
    records = await BackfillById(session, ORPHAN_CUTOFF, airflow).load_many(keys)
    assert len(session.sent) == 1
    assert [r.backfill_id if r else None for r in records] == [*keys[:-2], None, min(rows)]
    for record in filter(None, records):
        row = rows[record.backfill_id]
        assert (record.dag_id, record.created_at.replace(tzinfo=None)) == (
            row["dag_id"], row["created_at"].replace(tzinfo=None))  # fmt: skip
        assert record.has_slots == (record.backfill_id in slotted)
        assert record.status == backfill_status(
            completed_at=record.completed_at, is_paused=record.is_paused,
            has_slots=record.has_slots, has_active_runs=record.has_active_runs,
            created_at=record.created_at, orphan_cutoff=ORPHAN_CUTOFF,
        )  # fmt: skip
