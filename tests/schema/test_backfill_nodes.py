"""schema/backfill_nodes.py: which listings PostgreSQL may write, and the column fields."""

from __future__ import annotations

import pytest
from graphql import GraphQLEnumType, get_nullable_type, parse

from backfill_gateway.db.backfill_nodes import CONSTANT, ENUM, FLAG, INTEGER, JSON, TEXT, TIMESTAMP
from backfill_gateway.resolvers.records import BackfillRecord
from backfill_gateway.schema.backfill_nodes import COLUMN_FIELDS, _node_fields
from backfill_gateway.web.execution.executable_schema import build_schema

SCALARS = {INTEGER: "Int", TEXT: "String", TIMESTAMP: "DateTime", FLAG: "Boolean", JSON: "JSON"}


@pytest.fixture(scope="module")
def graphql_schema():
    return build_schema()._schema


def test_column_fields_are_plain_attributes_of_backfill_records(graphql_schema):
    backfill_type = graphql_schema.type_map["Backfill"]
    for name, (column, kind) in COLUMN_FIELDS.items():
        field = backfill_type.fields[name]
        assert getattr(field.resolve, "_is_default", False), name  # an attribute, no resolver
        attribute = field.extensions["strawberry-definition"].python_name
        assert attribute == ("backfill_id" if column == "id" else column), name
        assert attribute in BackfillRecord.__slots__
        field_type = get_nullable_type(field.type)
        if kind == ENUM:
            assert isinstance(field_type, GraphQLEnumType)
        else:
            assert field_type.name == SCALARS[kind], name


def _fields(graphql_schema, document: str):
    operation = parse(document).definitions[0]
    listing = operation.selection_set.selections[0]
    return _node_fields([listing], graphql_schema.type_map["BackfillConnection"])


def test_a_listing_of_column_fields_gives_them_in_response_order(graphql_schema):
    fields = _fields(
        graphql_schema,
        "{ backfills { totalCount pageInfo { hasNextPage } nodes { __typename id2: backfillId "
        "dagId reprocessBehavior backfillId id2: backfillId isPaused } } }",
    )
    assert [(f.key, f.column, f.kind) for f in fields] == [
        ("__typename", "", CONSTANT), ("id2", "id", INTEGER), ("dagId", "dag_id", TEXT),
        ("reprocessBehavior", "reprocess_behavior", ENUM), ("backfillId", "id", INTEGER),
        ("isPaused", "is_paused", FLAG),
    ]  # fmt: skip
    assert fields[0].names == (("", "Backfill"),)
    assert dict(fields[3].names) == {"none": "NONE", "failed": "FAILED", "completed": "COMPLETED"}
    assert [f.non_null for f in fields] == [True, True, False, False, True, True]


@pytest.mark.parametrize(
    "document",
    [
        "{ backfills { edges { node { backfillId } } nodes { backfillId } } }",
        "{ backfills { nodes { backfillId status } } }",
        "{ backfills { nodes { backfillId dagRuns { totalCount } } } }",
        "{ backfills { nodes { ...F } } } fragment F on Backfill { backfillId }",
        "{ backfills { nodes { ... on Backfill { backfillId } } } }",
        "{ backfills { ...C } } fragment C on BackfillConnection { nodes { backfillId } }",
        "{ backfills { nodes { backfillId @include(if: true) } } }",
        "{ backfills { nodes @skip(if: false) { backfillId } } }",
        "{ backfills { a: nodes { backfillId } b: nodes { backfillId } } }",
        "{ backfills { totalCount } }",
    ],
)
def test_other_selections_are_not_written(graphql_schema, document):
    assert _fields(graphql_schema, document) is None
