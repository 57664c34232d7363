"""Backfills primed by a listing load by id without a statement (resolvers.loaders.primed_cache)."""

from types import SimpleNamespace

from backfill_gateway.resolvers.loaders import Loaders
from tests.resolvers.loaders.conftest import ORPHAN_CUTOFF


def _loaders(session, airflow) -> Loaders:
    return Loaders(session, ORPHAN_CUTOFF, airflow)


async def test_primed_backfills_load_without_a_statement(session, dataset, airflow):
    loaders = _loaders(session, airflow)
    ids = sorted(row["id"] for row in dataset.backfills)[:3]
    primed = [SimpleNamespace(backfill_id=i) for i in ids]
    loaders.prime_backfills(primed)
    assert await loaders.backfill_by_id.load_many(ids) == primed
    assert session.sent == []
    # A key not primed is read, once.
    other = max(row["id"] for row in dataset.backfills)
    assert (await loaders.backfill_by_id.load(other)).backfill_id == other
    assert len(session.sent) == 1


async def test_a_loaded_or_primed_backfill_keeps_its_first_value(session, dataset, airflow):
    loaders = _loaders(session, airflow)
    loaded_id, primed_id = sorted(row["id"] for row in dataset.backfills)[:2]
    loaded = await loaders.backfill_by_id.load(loaded_id)
    first = SimpleNamespace(backfill_id=primed_id)
    loaders.prime_backfills([SimpleNamespace(backfill_id=loaded_id), first])
    loaders.prime_backfills([SimpleNamespace(backfill_id=primed_id)])
    assert await loaders.backfill_by_id.load(loaded_id) is loaded
    assert await loaders.backfill_by_id.load(primed_id) is first
    assert len(session.sent) == 1


async def test_priming_answers_a_load_waiting_in_its_batch(session, dataset, airflow):
    loaders = _loaders(session, airflow)
    backfill_id = min(row["id"] for row in dataset.backfills)
    waiting = loaders.backfill_by_id.load(backfill_id)  # batched, not yet sent
    primed = SimpleNamespace(backfill_id=backfill_id)
    loaders.prime_backfills([primed])
    assert await waiting is primed
    assert session.sent == []


async def test_a_cleared_backfill_is_read_again(session, dataset, airflow):
    loaders = _loaders(session, airflow)
    backfill_id = min(row["id"] for row in dataset.backfills)
    loaders.prime_backfills([SimpleNamespace(backfill_id=backfill_id)])
    loaders.backfill_by_id.clear(backfill_id)
    assert (await loaders.backfill_by_id.load(backfill_id)).dag_id is not None
    assert len(session.sent) == 1


async def test_a_listing_makes_no_loader_and_its_first_values_win(session, dataset, airflow):
    loaders = _loaders(session, airflow)
    first_id, second_id = sorted(row["id"] for row in dataset.backfills)[:2]
    first, second = SimpleNamespace(backfill_id=first_id), SimpleNamespace(backfill_id=second_id)
    loaders.prime_backfills([first])
    loaders.prime_backfills([SimpleNamespace(backfill_id=first_id), second])
    # Kept until a field loads a backfill by id: most requests never do.
    assert "backfill_by_id" not in vars(loaders)
    assert await loaders.backfill_by_id.load_many([first_id, second_id]) == [first, second]
    assert session.sent == []
