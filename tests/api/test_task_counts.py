"""Backfill.taskCounts, DagRun.taskCounts and BackfillDagRun.blockingRun on the demo data,
over HTTP on every database and Airflow version, against the oracle's answers."""

from __future__ import annotations

from backfill_gateway.resolvers.global_ids import encode_global_id

COUNT_FIELDS = (
    "total success failed running queued scheduled upForRetry upForReschedule upstreamFailed "
    "skipped deferred removed restarting noState"
)
QUERY = f"""
query($n: Int!) {{
  backfills(first: $n) {{
    nodes {{
      backfillId
      taskCounts {{ {COUNT_FIELDS} }}
      dagRuns(first: 100) {{
        nodes {{
          backfillDagRunId isSkipped
          dagRun {{ dagRunId taskCounts {{ {COUNT_FIELDS} }} }}
          blockingRun {{ id dagRunId runId dagId state runType backfillId }}
        }}
      }}
    }}
  }}
}}
"""


async def test_task_counts_and_blocking_runs_match_the_rows(gateway, oracle):
    response = await gateway.graphql(QUERY, {"n": 100})
    nodes = response.ok()["backfills"]["nodes"]
    assert len(nodes) == len(oracle.backfills)
    seen_states, blocked = set(), 0
    for node in nodes:
        backfill_id = node["backfillId"]
        expected = oracle.backfill_task_counts(backfill_id)
        assert node["taskCounts"] == expected, backfill_id
        seen_states |= {state for state, count in expected.items() if count}
        slots = {s["id"]: s for s in oracle.slots(backfill_id)}
        for slot_node in node["dagRuns"]["nodes"]:
            slot = slots[slot_node["backfillDagRunId"]]
            run = slot_node["dagRun"]
            if run is not None:
                assert run["taskCounts"] == oracle.task_counts_of_runs([run["dagRunId"]])
            blocking = oracle.blocking_run(slot)
            if blocking is None:
                assert slot_node["blockingRun"] is None, slot
                continue
            blocked += 1
            assert slot_node["blockingRun"] == {
                "id": encode_global_id("DagRun", blocking["id"]),
                "dagRunId": blocking["id"],
                "runId": blocking["run_id"],
                "dagId": blocking["dag_id"],
                "state": blocking["state"].upper(),
                "runType": blocking["run_type"],
                "backfillId": blocking["backfill_id"],
            }
    # The demo data is not trivial: every state occurs, and skipped slots have blockers.
    assert seen_states >= {"success", "failed", "running", "queued", "scheduled", "upForRetry",
                           "upForReschedule", "upstreamFailed", "skipped", "deferred",
                           "removed", "noState"}  # fmt: skip
    assert blocked > 0


async def test_mapped_task_instances_count_one_each(gateway, oracle):
    """A run whose mapped task expanded: every map index is a task instance of its own."""
    mapped = [ti for ti in oracle.dataset.task_instances if ti["map_index"] >= 1]
    run = next(
        r
        for r in oracle.runs.values()
        if (r["dag_id"], r["run_id"]) == (mapped[0]["dag_id"], mapped[0]["run_id"])
    )
    response = await gateway.graphql(
        "query($id: ID!) { node(id: $id) { ... on DagRun { taskCounts { total } } } }",
        {"id": encode_global_id("DagRun", run["id"])},
    )
    rows = [
        ti
        for ti in oracle.dataset.task_instances
        if (ti["dag_id"], ti["run_id"]) == (run["dag_id"], run["run_id"])
    ]
    assert response.ok()["node"]["taskCounts"]["total"] == len(rows) > 5


async def test_a_slot_that_was_not_skipped_has_no_blocking_run(gateway, oracle):
    backfill_id = oracle.case("running")
    response = await gateway.graphql(
        "query($id: ID!) { backfill(id: $id) { dagRuns(first: 50, filter: {isSkipped: false}) "
        "{ nodes { blockingRun { id } } } } }",
        {"id": encode_global_id("Backfill", backfill_id)},
    )
    nodes = response.ok()["backfill"]["dagRuns"]["nodes"]
    assert nodes and all(node["blockingRun"] is None for node in nodes)
    # No skipped slot asked for: no blocking-run statement sent.
    assert len(response.statements) == 2


async def test_a_backfill_without_slots_counts_no_tasks(gateway, oracle):
    backfill_id = oracle.case("orphaned")
    response = await gateway.graphql(
        f"query($id: ID!) {{ backfill(id: $id) {{ taskCounts {{ {COUNT_FIELDS} }} }} }}",
        {"id": encode_global_id("Backfill", backfill_id)},
    )
    counts = response.ok()["backfill"]["taskCounts"]
    assert set(counts.values()) == {0}
