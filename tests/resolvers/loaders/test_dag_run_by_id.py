from backfill_gateway.resolvers.loaders import DagRunById
from tests.resolvers.loaders.conftest import MISSING_ID


async def test_many_runs_in_one_statement_in_key_order_none_for_missing(session, dataset, airflow):
    rows = {row["id"]: row for row in dataset.dag_runs}
    keys = [*sorted(rows)[:40:3], MISSING_ID, *sorted(rows)[-5:]]
    records = await DagRunById(session, airflow).load_many(keys)
    assert len(session.sent) == 1
    assert [r.dag_run_id if r else None for r in records] == [
        key if key in rows else None for key in keys
    ]
    for record in filter(None, records):
        row = rows[record.dag_run_id]
        assert (record.run_id, record.state, record.backfill_id) == (
            row["run_id"], row["state"], row["backfill_id"])  # fmt: skip
