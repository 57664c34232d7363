"""Which `backfills` listings may take their nodes written by PostgreSQL (db.backfill_nodes).

A listing qualifies when its backfills are selected through `nodes` under one response
key, with plain column fields only (no arguments, directives or fragments), and not also
through `edges`. Decided once per document, like the other lookaheads.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLEnumType, get_named_type, get_nullable_type, is_non_null_type
from graphql.language import FieldNode

from backfill_gateway.db.backfill_nodes import (
    CONSTANT,
    ENUM,
    FLAG,
    INTEGER,
    JSON,
    TEXT,
    TIMESTAMP,
    JsonField,
)
from backfill_gateway.resolvers.records import SerializedBackfill
from backfill_gateway.schema.lru import LruCache

# Backfill's fields that show one column as it is: the column and how it is written.
# (tests/schema/test_backfill_nodes.py checks them against the type and BackfillRecord.)
COLUMN_FIELDS: dict[str, tuple[str, str]] = {
    "backfillId": ("id", INTEGER),
    "dagId": ("dag_id", TEXT),
    "fromDate": ("from_date", TIMESTAMP),
    "toDate": ("to_date", TIMESTAMP),
    "dagRunConf": ("dag_run_conf", JSON),
    "isPaused": ("is_paused", FLAG),
    "reprocessBehavior": ("reprocess_behavior", ENUM),
    "maxActiveRuns": ("max_active_runs", INTEGER),
    "createdAt": ("created_at", TIMESTAMP),
    "completedAt": ("completed_at", TIMESTAMP),
    "updatedAt": ("updated_at", TIMESTAMP),
    "triggeringUserName": ("triggering_user_name", TEXT),
}
# What a list of these types may hold besides records: the fast path splices `.json`.
WRITTEN_NODE_TYPES: dict[str, type] = {"Backfill": SerializedBackfill}

_fields_by_listing: LruCache[tuple[str, int], tuple[JsonField, ...] | None] = LruCache(1024)


def written_node_fields(info: strawberry.Info) -> tuple[JsonField, ...] | None:
    """The fields of the `backfills` listing being resolved, in response order, when
    PostgreSQL may write its nodes; None when it may not."""
    raw = info._raw_info
    node = raw.field_nodes[0]

    def compute() -> tuple[JsonField, ...] | None:
        return _node_fields(raw.field_nodes, get_named_type(raw.return_type))

    if node.loc is None:
        return compute()
    return _fields_by_listing.get_or_compute((node.loc.source.body, node.loc.start), compute)


def _plain_fields(field_nodes) -> list[FieldNode] | None:
    """The fields right below these nodes; None if a fragment or directive is among them."""
    children: list[FieldNode] = []
    for field_node in field_nodes:
        if field_node.selection_set is None:
            return None
        for selection in field_node.selection_set.selections:
            if not isinstance(selection, FieldNode) or selection.directives:
                return None
            children.append(selection)
    return children


def _node_fields(listing_nodes, connection_type) -> tuple[JsonField, ...] | None:
    children = _plain_fields(listing_nodes)
    if children is None or any(child.name.value == "edges" for child in children):
        return None
    nodes = [child for child in children if child.name.value == "nodes"]
    # One `nodes` position: the one list whose items are written here.
    if len({(child.alias or child.name).value for child in nodes}) != 1:
        return None
    selected = _plain_fields(nodes)
    if not selected:
        return None
    backfill_type = get_named_type(connection_type.fields["nodes"].type)
    fields: dict[str, JsonField] = {}
    for selection in selected:
        if selection.arguments or selection.selection_set is not None:
            return None
        name, key = selection.name.value, (selection.alias or selection.name).value
        if name == "__typename":
            field = JsonField(key, "", CONSTANT, True, (("", backfill_type.name),))
        elif name in COLUMN_FIELDS:
            column, kind = COLUMN_FIELDS[name]
            field_type = backfill_type.fields[name].type
            names = _enum_names(get_nullable_type(field_type)) if kind == ENUM else ()
            field = JsonField(key, column, kind, is_non_null_type(field_type), names)
        else:
            return None
        if fields.setdefault(key, field) != field:
            return None  # one key, two fields: validation refuses it anyway
    return tuple(fields.values())


def _enum_names(enum_type: GraphQLEnumType) -> tuple[tuple[str, str], ...]:
    """(stored value, name) of an enum whose values are the strings Airflow stores."""
    return tuple(
        (value.value, name) for name, value in enum_type.values.items()
        if isinstance(value.value, str)
    )  # fmt: skip
