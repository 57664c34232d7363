"""A finished request frees its records by reference counting, not the cyclic GC.

Were the request context still holding its DataLoaders when anything of the
request lands in a reference cycle (graphql-core's executor was one until
web/execution/executor.py broke it: tests/web/execution/test_executor.py),
every record of a large response would wait for a GC pass, and memory under
load would balloon.
"""

from __future__ import annotations

import gc

from backfill_gateway.resolvers.records import BackfillRecord, DagRunRecord, SlotRecord

QUERY = """{ backfills(first: 20) { nodes { backfillId progress { slotCount }
  dagRuns(first: 20) { totalCount nodes { sortOrdinal dagRun { runId state } } } } } }"""


async def test_no_record_is_left_in_cyclic_garbage(gateway):
    (await gateway.graphql(QUERY)).ok()  # warm: plans, caches
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        (await gateway.graphql(QUERY)).ok()
        gc.collect()
        leaked = [o for o in gc.garbage if isinstance(o, (BackfillRecord, SlotRecord, DagRunRecord))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert leaked == []
