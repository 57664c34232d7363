"""Filters that can match nothing answer an empty page on every database, never an error."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "filter_literal",
    [
        "{statuses: []}",
        "{dagIds: []}",
        '{dagIds: ["\\ud83d\\ude00", "with space", "a\\u0000b"]}',
        '{dagIds: ["\' OR 1=1 --"]}',
    ],
)
async def test_filters_matching_nothing(gateway, filter_literal):
    response = await gateway.graphql(
        f"{{ backfills(filter: {filter_literal}) {{ totalCount nodes {{ id }} }} }}"
    )
    assert response.ok()["backfills"] == {"totalCount": 0, "nodes": []}


async def test_dag_ids_beyond_the_basic_plane_are_unknown_dags(gateway):
    from backfill_gateway.resolvers.global_ids import encode_global_id

    response = await gateway.graphql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": encode_global_id("Dag", "\U0001f600")}
    )
    assert response.ok() == {"node": None}
