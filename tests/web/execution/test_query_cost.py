"""The node cost of a query: GitHub-style, from page sizes, linear in the document."""

from __future__ import annotations

import pytest
from graphql import parse

from backfill_gateway.settings import Settings
from backfill_gateway.web.execution.executable_schema import build_schema
from backfill_gateway.web.execution.query_cost import compile_cost, evaluate_cost
from backfill_gateway.web.execution.query_limits import QueryLimits

SCHEMA = build_schema()._schema
LIMITS = QueryLimits.from_settings(Settings(database_url="sqlite://", max_page_size=100))


def cost(query: str, variables=None, operation=None, limits=LIMITS) -> int:
    program = compile_cost(parse(query), operation, SCHEMA)
    return evaluate_cost(program, variables, limits)


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        ("{ __typename }", None, 0),
        ("{ backfill(id: \"x\") { dagRuns(first: 5) { totalCount } } }", None, 5),
        ("{ backfills(first: 2) { nodes { dag { dagId } } } }", None, 2),
        ("{ backfills(first: 2) { edges { node { dagRuns(last: 3) { nodes { id } } } } } }", None, 8),
        # nested through a run back to its backfill: 2 + 2*3 + 2*3*4
        ("{ backfills(first: 2) { nodes { dagRuns(first: 3) { nodes { dagRun { backfill { "
         "dagRuns(first: 4) { totalCount } } } } } } } }", None, 32),
        # a fragment spread twice counts twice; fragments on several types all count
        ("{ a: backfills(first: 1) { ...P } b: backfills(first: 1) { ...P } } "
         "fragment P on BackfillConnection { nodes { dagRuns(first: 10) { totalCount } } }", None, 22),
        ("query($id: ID!) { node(id: $id) { ... on Backfill { dagRuns(first: 10) { totalCount } } "
         "... on DagRun { backfill { dagRuns(first: 20) { totalCount } } } } }", None, 30),
        # page sizes above the cap count as the cap (the resolver refuses them anyway)
        ("{ backfills(first: 1000) { totalCount } }", None, 100),
        ("{ backfills(first: -5) { totalCount } }", None, 0),
        ("query($n: Int) { backfills(first: $n) { totalCount } }", {"n": "x"}, 20),
        ("{ backfills(first: 3, last: 7) { totalCount } }", None, 7),
    ],
)
def test_cost_calculation(query, variables, expected):
    assert cost(query, variables) == expected


def test_cost_of_a_deep_fragment_chain_is_linear():
    # Each fragment spreads the next twice: expanding naively is 2**40 visits.
    chain = " ".join(
        f"fragment F{i} on Backfill {{ dag {{ dagId }} backfill: dagRuns(first: 1) {{ nodes {{ "
        f"backfill {{ ...F{i + 1} }} again: backfill {{ ...F{i + 1} }} }} }} }}"
        for i in range(40)
    ) + " fragment F40 on Backfill { id }"
    query = "{ backfills(first: 1) { nodes { ...F0 } } } " + chain
    assert cost(query) == 2**40
