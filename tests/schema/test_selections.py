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


def _backfill_field_info(document: str):
    """What `child_field_nodes` reads of a resolve info: the `backfill` field's AST nodes
    (the operation's first field) and the document's fragments."""
    from types import SimpleNamespace

    from graphql import parse
    from graphql.language import FragmentDefinitionNode, OperationDefinitionNode

    definitions = parse(document).definitions
    operation = next(d for d in definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    field = operation.selection_set.selections[0]
    return SimpleNamespace(_raw_info=SimpleNamespace(field_nodes=[field], fragments=fragments))


def test_child_field_nodes_as_the_child_resolver_will_get_them():
    from backfill_gateway.schema.selections import child_field_nodes

    def children(selection: str, fragments: str = ""):
        info = _backfill_field_info(f"{{ backfill(id: 1) {{ {selection} }} }} {fragments}")
        nodes = child_field_nodes(info, "dagRuns")
        return None if nodes is None else [node.arguments[0].value.value for node in nodes]

    assert children("dagRuns(first: 1) { totalCount }") == ["1"]
    assert children("x: dagRuns(first: 2) { totalCount }") == ["2"]
    assert children(
        "dagRuns(first: 3) { totalCount } ... on Backfill { dagRuns(first: 3) { pageInfo { hasNextPage } } } ...F",
        "fragment F on Backfill { dagRuns(first: 3) { nodes { id } } }",
    ) == ["3", "3", "3"]  # fmt: skip
    # Not one field, or not surely resolved: the resolver reads its page itself.
    assert children("dagId") is None
    assert children("a: dagRuns(first: 1) { totalCount } b: dagRuns(first: 2) { totalCount }") is None
    assert children("dagRuns(first: 1) @skip(if: false) { totalCount }") is None
    assert children("... @include(if: true) { dagRuns(first: 1) { totalCount } }") is None
    assert children("...F @include(if: true)", "fragment F on Backfill { dagRuns(first: 1) { totalCount } }") is None
