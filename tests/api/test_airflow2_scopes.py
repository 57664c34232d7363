"""DAG scopes on an Airflow 2.11 database: a scoped caller sees and finalizes only the
BackfillJobs of its DAGs, on every path, exactly as on Airflow 3 (tests/api/test_scopes*).

The world is tests/support/airflow2_scenario.py: etl_daily has jobs 1, 4 (dead) and 8, reports
has jobs 2 and 6, job 9 has no run and so no known DAG.
"""

from __future__ import annotations

import hashlib
from contextlib import AsyncExitStack

import pytest

from backfill_gateway.resolvers.global_ids import encode_global_id
from tests.api.test_airflow2_backfills import AIRFLOW2_BACKENDS
from tests.conftest import _enter_database, gateway_client
from tests.support.airflow2 import create_airflow2_schema
from tests.support.airflow2_scenario import write_scenario
from tests.support.finalize import finalize, outcomes


def _entry(name: str, role: str, token: str, scope: str = "") -> str:
    return f"{name}:{role}:{hashlib.sha256(token.encode()).hexdigest()}{scope}"


TOKENS = ",".join([
    _entry("reports-reader", "reader", "rep-token", ":dags=rep*"),
    _entry("etl-admin", "admin", "etl-token", ":dags=etl_daily"),
    _entry("open-reader", "reader", "open-token"),
])  # fmt: skip
REPORTS = {"Authorization": "Bearer rep-token"}
ETL_ADMIN = {"Authorization": "Bearer etl-token"}
OPEN = {"Authorization": "Bearer open-token"}


@pytest.fixture(scope="module", params=AIRFLOW2_BACKENDS)
async def af2(request, tmp_path_factory):
    async with AsyncExitStack() as stack:
        database = await _enter_database(request.param, tmp_path_factory, stack)
        engine = await create_airflow2_schema(database.url)
        scenario = await write_scenario(engine, str(tmp_path_factory.mktemp("x") / "pwned"))
        await engine.dispose()
        client = gateway_client(database.url, tokens=TOKENS)
        client.scenario = scenario
        yield client
        await client.close()


LISTING = """{ backfills(first: 50) { totalCount nodes {
  backfillId dagId dag { dagId } progress { slotCount }
  dagRuns(first: 10) { totalCount edges { node { dagRun { dagId runId } } } } } } }"""


async def test_listing_counts_and_nested_pages_hold_only_the_scope(af2):
    scoped = (await af2.graphql(LISTING, headers=REPORTS)).ok()["backfills"]
    assert scoped["totalCount"] == 2
    assert [node["backfillId"] for node in scoped["nodes"]] == [2, 6]
    for node in scoped["nodes"]:
        assert node["dagId"] == node["dag"]["dagId"] == "reports"
        runs = [edge["node"]["dagRun"] for edge in node["dagRuns"]["edges"]]
        assert runs and {run["dagId"] for run in runs} == {"reports"}
        assert node["dagRuns"]["totalCount"] == node["progress"]["slotCount"] == len(runs)
    everything = (await af2.graphql(LISTING, headers=OPEN)).ok()["backfills"]
    assert everything["totalCount"] > 2  # the scope, not the data, made the difference
    by_id = {node["backfillId"]: node for node in everything["nodes"]}
    assert [by_id[2], by_id[6]] == scoped["nodes"]


async def test_lookups_outside_the_scope_read_as_unknown_ids(af2):
    etl_run = af2.scenario.runs["etl_03_09"]
    rep_run = af2.scenario.runs["rep_02_01"]
    lookups = {
        "backfill": ("query($id: ID!) { backfill(id: $id) { backfillId } }", encode_global_id("Backfill", 4)),
        "backfill9": ("query($id: ID!) { backfill(id: $id) { backfillId } }", encode_global_id("Backfill", 9)),
        "slot": ("query($id: ID!) { node(id: $id) { id } }", encode_global_id("BackfillDagRun", etl_run)),
        "run": ("query($id: ID!) { node(id: $id) { id } }", encode_global_id("DagRun", etl_run)),
        "dag": ("query($id: ID!) { node(id: $id) { id } }", encode_global_id("Dag", "etl_daily")),
    }  # fmt: skip
    for name, (query, global_id) in lookups.items():
        scoped = (await af2.graphql(query, {"id": global_id}, headers=REPORTS)).ok()
        assert list(scoped.values()) == [None], name
        if name != "backfill9":  # it exists: only the scope hides it
            unscoped = (await af2.graphql(query, {"id": global_id}, headers=OPEN)).ok()
            assert list(unscoped.values()) != [None], name
    inside = await af2.graphql(
        "query($id: ID!) { node(id: $id) { ... on DagRun { dagId } } }",
        {"id": encode_global_id("DagRun", rep_run)}, headers=REPORTS,
    )  # fmt: skip
    assert inside.ok()["node"] == {"dagId": "reports"}


async def test_a_scoped_admin_finalizes_only_within_its_dags(af2):
    response = await finalize(af2, headers=ETL_ADMIN, backfillIds=[2, 4, 6], dryRun=True)
    assert outcomes(response) == {2: "NOT_FOUND", 4: "WOULD_FINALIZE", 6: "NOT_FOUND"}
    response = await finalize(af2, headers=ETL_ADMIN, dagIds=["reports"], dryRun=True)
    assert outcomes(response) == {}
    response = await finalize(af2, headers=ETL_ADMIN, dryRun=True)  # all DAGs in scope
    assert set(outcomes(response)) <= {1, 4, 8} and outcomes(response)[4] == "WOULD_FINALIZE"
