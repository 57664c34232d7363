from backfill_gateway.resolvers.loaders import DagByDagId


async def test_dags_in_one_statement_none_for_a_deleted_dag_and_an_impossible_id(session, dataset, airflow):
    present = sorted(row["dag_id"] for row in dataset.dags)
    deleted = {row["dag_id"] for row in dataset.backfills} - set(present)
    assert deleted  # the demo's `deleted_dag` case
    keys = [present[-1], *sorted(deleted), "not a dag id!", present[0]]
    dags = await DagByDagId(session, airflow).load_many(keys)
    assert len(session.sent) == 1
    assert [d.dag_id if d else None for d in dags] == [
        key if key in present else None for key in keys
    ]
