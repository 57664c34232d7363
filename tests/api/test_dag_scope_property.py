"""Hypothesis: random scopes and random queries; no dagId outside the scope, ever.

Each example configures a token with a generated scope (exact ids, prefixes with `*`,
ids with `?` in place of a character, patterns that match nothing), then sends a few
generated queries over every path that reaches DAG data. Every `dagId` in every response
must be in the scope, and the listing must hold exactly the in-scope backfills.
"""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backfill_gateway.app import create_app
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.demo import build_demo_dataset
from backfill_gateway.resolvers.global_ids import encode_global_id
from tests.api.test_dag_scopes import dag_ids_in
from tests.conftest import FIXED_NOW, gateway_settings
from tests.support.gateway import GatewayClient
from tests.support.oracle import Oracle

ORACLE = Oracle(build_demo_dataset(FIXED_NOW))
DAG_IDS = sorted(ORACLE.dags) + ["no_such_dag"]
TOKEN = "hypothesis-scoped-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


@st.composite
def globs(draw) -> str:
    dag_id = draw(st.sampled_from(DAG_IDS))
    kind = draw(st.sampled_from(["exact", "prefix", "suffix", "one_char", "everything"]))
    if kind == "prefix":
        return dag_id[: draw(st.integers(0, len(dag_id)))] + "*"
    if kind == "suffix":
        return "*" + dag_id[draw(st.integers(0, len(dag_id))) :]
    if kind == "one_char":
        position = draw(st.integers(0, len(dag_id) - 1))
        return dag_id[:position] + "?" + dag_id[position + 1 :]
    if kind == "everything":
        return draw(st.sampled_from(["*", "?*", "*_*", "*.*"]))
    return dag_id


def backfill_ids() -> st.SearchStrategy[int]:
    return st.sampled_from(sorted(ORACLE.backfills) + [999])


QUERIES = st.one_of(
    st.builds(
        lambda first, dags, order: (
            "query($first: Int!, $dags: [String!], $order: BackfillOrderField!) { "
            "backfills(first: $first, filter: {dagIds: $dags}, orderBy: {field: $order}) { "
            "totalCount nodes { dagId dag { dagId } dagRuns(first: 3) { nodes { "
            "backfill { dagId } dagRun { dagId backfill { dagId } } } } } } }",
            {"first": first, "dags": dags, "order": order},
        ),
        st.integers(1, 30),
        st.none() | st.lists(st.sampled_from(DAG_IDS), max_size=4),
        st.sampled_from(["ID", "CREATED_AT"]),
    ),
    st.builds(
        lambda i: (
            "query($id: ID!) { backfill(id: $id) { dagId progress { slotCount } } }",
            {"id": encode_global_id("Backfill", i)},
        ),
        backfill_ids(),
    ),
    st.builds(
        lambda type_name, key: (
            "query($id: ID!) { node(id: $id) { ... on Backfill { backfillDagId: dagId } ... on DagRun { dagId "
            "backfill { dagId } } ... on Dag { dagId } ... on BackfillDagRun { backfill { dagId } "
            "dagRun { dagId } } } }",
            {"id": encode_global_id(type_name, key)},
        ),
        st.sampled_from(["Backfill", "BackfillDagRun", "DagRun"]),
        st.integers(1, 2400),
    ),
    st.builds(
        lambda dag_id: (
            "query($id: ID!) { node(id: $id) { ... on Dag { dagId } } }",
            {"id": encode_global_id("Dag", dag_id)},
        ),
        st.sampled_from(DAG_IDS),
    ),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(scope_globs=st.lists(globs(), min_size=1, max_size=4), queries=st.lists(QUERIES, max_size=5))
async def test_no_dag_outside_the_scope_ever_appears(demo_database, scope_globs, queries):
    scope = DagScope.from_globs(scope_globs)
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    tokens = f"random:reader:{digest}:dags={'|'.join(scope_globs)}"
    app = create_app(gateway_settings(demo_database.url, tokens=tokens), clock=lambda: FIXED_NOW)
    client = GatewayClient(app)
    try:
        listing = await client.graphql(
            "{ backfills(first: 100) { totalCount nodes { backfillId } } }", headers=HEADERS
        )
        # The rows of this database's Airflow version (the strategies sample the newest's).
        backfills = demo_database.dataset.backfills
        expected = sorted(row["id"] for row in backfills if scope.allows(row["dag_id"]))
        data = listing.ok()["backfills"]
        assert [node["backfillId"] for node in data["nodes"]] == expected
        assert data["totalCount"] == len(expected)
        for query, variables in queries:
            response = await client.graphql(query, variables, headers=HEADERS)
            seen = dag_ids_in(response.ok())
            assert all(scope.allows(dag_id) for dag_id in seen), (scope_globs, seen)
    finally:
        await client.close()
