"""`dagRuns` fetches only the dag_run columns the query selects, fragments included."""

from __future__ import annotations

from strawberry.utils.str_converters import to_camel_case

from backfill_gateway.resolvers.global_ids import encode_global_id
from backfill_gateway.resolvers.records import DagRunRecord
from backfill_gateway.schema.dag_run import RECORD_ATTRIBUTES_BY_FIELD, DagRun


def run_columns_in(statements: list[str]) -> set[str]:
    page = next(s for s in statements if "AS run_dag_run_id" in s)
    return {name for name in DagRunRecord.__slots__ if f"AS run_{name}" in page}


async def page_statements(gateway, oracle, selection: str, fragments: str = "") -> list[str]:
    response = await gateway.graphql(
        f"query($id: ID!) {{ backfill(id: $id) {{ dagRuns(first: 3) {{ {selection} }} }} }} {fragments}",
        {"id": encode_global_id("Backfill", oracle.case("running"))},
    )
    response.ok()
    return response.statements


async def test_only_selected_columns_are_fetched(gateway, oracle):
    statements = await page_statements(gateway, oracle, "nodes { dagRun { runId state } }")
    assert run_columns_in(statements) == {"dag_run_id", "run_id", "state"}


async def test_computed_fields_fetch_their_inputs(gateway, oracle):
    statements = await page_statements(
        gateway, oracle, "edges { node { dagRun { id duration backfill { backfillId } } } }"
    )
    assert run_columns_in(statements) == {"dag_run_id", "start_date", "end_date", "backfill_id"}


async def test_fragments_are_followed(gateway, oracle):
    statements = await page_statements(
        gateway, oracle,
        "...Page nodes { ... on BackfillDagRun { dagRun { conf } } }",
        "fragment Page on BackfillDagRunConnection { edges { node { dagRun { ...Run } } } } "
        "fragment Run on DagRun { queuedAt }",
    )  # fmt: skip
    assert run_columns_in(statements) == {"dag_run_id", "conf", "queued_at"}


async def test_no_dag_run_selected_fetches_only_its_id(gateway, oracle):
    statements = await page_statements(gateway, oracle, "totalCount nodes { sortOrdinal }")
    assert run_columns_in(statements) == {"dag_run_id"}


def test_every_dag_run_field_names_the_attributes_it_reads():
    fields = DagRun.__strawberry_definition__.fields
    names = {field.graphql_name or to_camel_case(field.python_name) for field in fields}
    assert set(RECORD_ATTRIBUTES_BY_FIELD) == names | {"__typename"}
    assert all(set(v) <= set(DagRunRecord.__slots__) for v in RECORD_ATTRIBUTES_BY_FIELD.values())
