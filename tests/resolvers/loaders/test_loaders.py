"""`Loaders`: each DataLoader is made when the request first uses it, then kept."""

from strawberry.dataloader import DataLoader

from backfill_gateway.resolvers.loaders import Loaders
from tests.resolvers.loaders.conftest import ORPHAN_CUTOFF

BY_KEY = (
    "backfill_by_id", "dag_run_by_id", "slot_by_id", "dag_by_dag_id", "progress_by_backfill",
    "task_counts_by_backfill", "task_counts_by_dag_run", "blocking_run_by_slot",
)  # fmt: skip


async def test_loaders_are_made_on_first_use_and_kept(session, dataset, airflow):
    loaders = Loaders(session, ORPHAN_CUTOFF, airflow)
    assert not set(BY_KEY) & set(vars(loaders))  # none made yet
    backfill_id = min(row["id"] for row in dataset.backfills)
    record = await loaders.backfill_by_id.load(backfill_id)
    assert record.backfill_id == backfill_id
    assert set(BY_KEY) & set(vars(loaders)) == {"backfill_by_id"}
    # The same loader (and so its cache) for the rest of the request.
    assert await loaders.backfill_by_id.load(backfill_id) is record
    assert len(session.sent) == 1
    for name in BY_KEY:
        loader = getattr(loaders, name)
        assert isinstance(loader, DataLoader)
        assert getattr(loaders, name) is loader
