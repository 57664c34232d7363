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


async def test_a_backfill_read_with_its_page_primes_both_loaders(session, dataset, airflow):
    from backfill_gateway.db.keyset import Seek
    from backfill_gateway.db.slots import SlotFilter
    from backfill_gateway.resolvers.loaders import SlotPageArgs
    from tests.resolvers.loaders.conftest import MISSING_ID

    loaders = Loaders(session, ORPHAN_CUTOFF, airflow)
    backfill_id = min(row["backfill_id"] for row in dataset.backfill_dag_runs)
    args = SlotPageArgs(Seek(limit=3), SlotFilter())
    record = await loaders.backfill_with_slot_page(backfill_id, args)
    assert record.backfill_id == backfill_id
    assert len(session.sent) == 1
    # The page and the backfill come from the primed caches: no statement.
    page = await loaders.slot_pages_by_backfill(args).load(backfill_id)
    assert await loaders.backfill_by_id.load(backfill_id) is record
    assert len(session.sent) == 1
    assert 1 <= len(page.slots) <= 3
    assert all(slot.backfill_id == backfill_id for slot in page.slots)
    # Other page arguments are another statement; an unknown id primes nothing.
    await loaders.slot_pages_by_backfill(SlotPageArgs(Seek(limit=2), SlotFilter())).load(
        backfill_id
    )
    assert await loaders.backfill_with_slot_page(MISSING_ID, args) is None
    assert len(session.sent) == 3
    assert MISSING_ID not in loaders.slot_pages_by_backfill(args).cache_map.cache_map


async def test_a_page_read_with_its_backfill_is_answered_without_making_loaders(
    session, dataset, airflow
):
    """Read once, without a batch: no DataLoader is made for the backfill or its page
    unless the request asks them, and asking again reads nothing."""
    from backfill_gateway.db.keyset import Seek
    from backfill_gateway.db.slots import SlotFilter
    from backfill_gateway.resolvers.loaders import SlotPageArgs

    loaders = Loaders(session, ORPHAN_CUTOFF, airflow)
    backfill_id = min(row["backfill_id"] for row in dataset.backfill_dag_runs)
    args = SlotPageArgs(Seek(limit=3), SlotFilter())
    record = await loaders.backfill_with_slot_page(backfill_id, args, batched=False)
    page = await loaders.slot_page(args, backfill_id)
    assert record.backfill_id == backfill_id and 1 <= len(page.slots) <= 3
    assert await loaders.backfill_with_slot_page(backfill_id, args, batched=False) is record
    assert len(session.sent) == 1
    assert loaders._slot_pages == {} and loaders._backfills_with_slot_pages == {}
    # A loader made later answers the same page from what was read.
    assert await loaders.slot_pages_by_backfill(args).load(backfill_id) is page
    assert len(session.sent) == 1


async def test_airflow_2s_loaders_are_made_on_first_use_and_kept_too(tmp_path_factory):
    from backfill_gateway.db.airflow_schema import detect_airflow_schema
    from backfill_gateway.db.engine import create_engine
    from backfill_gateway.resolvers.airflow2.loaders import Airflow2Loaders
    from tests.resolvers.loaders.conftest import MISSING_ID, CountingSession
    from tests.support.airflow2 import airflow2_database

    async with airflow2_database("sqlite", tmp_path_factory) as (database, schema_engine):
        engine = create_engine(database.url)
        session = CountingSession(engine)
        try:
            airflow = await detect_airflow_schema(schema_engine)
            loaders = Airflow2Loaders(session, ORPHAN_CUTOFF, airflow)
            assert not set(BY_KEY) & set(vars(loaders))  # none made yet
            assert await loaders.backfill_by_id.load(MISSING_ID) is None
            assert set(BY_KEY) & set(vars(loaders)) == {"backfill_by_id"}
            assert len(session.sent) == 1
            for name in BY_KEY:
                loader = getattr(loaders, name)
                assert isinstance(loader, DataLoader)
                assert getattr(loaders, name) is loader
        finally:
            await session.close()
            await engine.dispose()
