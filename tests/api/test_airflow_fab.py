# ruff: noqa: F811 - pytest fixtures imported from test_airflow_tokens
"""FAB auth manager tokens (only `sub`, the user id): roles and DAG permissions from FAB's
tables, on every database, over HTTP.

The users and roles mirror a real install (tests/support/airflow_auth.py): Admin and Op
manage backfills of every DAG, User and Viewer read every DAG, SalesOps reads two DAGs and
edits one, WebReader reads one, `nobody` has no role.
"""

from __future__ import annotations

import pytest

from backfill_gateway.resolvers.global_ids import encode_global_id
from tests.api.test_airflow_tokens import (  # noqa: F401 - fixtures, shared
    DAGS,
    LISTING,
    SECRET,
    assert_refused,
    client_for,
    database,
    engine,
)
from tests.support.airflow_auth import bearer, claims, mint
from tests.support.finalize import FINALIZE, audit_log, backfill_row, insert_rows

USER_IDS = {"admin": 1, "oper": 2, "user": 3, "viewer": 4, "sales.lead": 5, "web.analyst": 6,
            "nobody": 7, "former.admin": 8}  # fmt: skip


def fab_token(username: str) -> str:
    return mint(claims(str(USER_IDS[username])), SECRET)


async def seen(client, username: str) -> list[str]:
    response = await client.graphql(LISTING, headers=bearer(fab_token(username)))
    data = response.ok()["backfills"]
    assert data["totalCount"] == len(data["nodes"])
    return sorted(node["dagId"] for node in data["nodes"])


@pytest.mark.parametrize(
    "username, dags",
    [
        ("admin", DAGS), ("oper", DAGS), ("user", DAGS), ("viewer", DAGS),
        ("sales.lead", ["sales_daily", "sales_hourly"]),
        ("web.analyst", ["web_events"]),  # `menu_access` and `DAG Runs` grant no DAG
        ("nobody", []),
    ],
)  # fmt: skip
async def test_fab_read_permissions_scope_every_read(client_for, username, dags):
    client = client_for(airflow_jwt_secret=SECRET)
    assert await seen(client, username) == sorted(dags)
    # Nothing else leaks through the other paths either (other_dag's backfill has id 4).
    response = await client.graphql(
        "query($id: ID!) { a: node(id: $id) { ... on Backfill { dagId } } "
        "b: backfill(id: $id) { dagId } }",
        {"id": encode_global_id("Backfill", 4)},
        headers=bearer(fab_token(username)),
    )
    expected = {"dagId": "other_dag"} if "other_dag" in dags else None
    assert response.ok() == {"a": expected, "b": expected}


@pytest.mark.parametrize(
    "username, finalizable",
    [("admin", DAGS), ("oper", DAGS), ("sales.lead", ["sales_daily"])],
)
async def test_fab_users_who_manage_backfills_finalize_within_their_editable_dags(
    client_for, username, finalizable
):
    client = client_for(airflow_jwt_secret=SECRET)
    response = await client.graphql(
        FINALIZE, {"input": {"dryRun": True}}, headers=bearer(fab_token(username))
    )
    results = response.ok()["finalizeOrphanedBackfills"]["results"]
    assert sorted(r["backfill"]["dagId"] for r in results) == sorted(finalizable)
    # sales_hourly is readable but not editable for sales.lead: NOT_FOUND by id.
    response = await client.graphql(
        FINALIZE,
        {"input": {"backfillIds": [2], "dryRun": True}},
        headers=bearer(fab_token(username)),
    )
    [result] = response.ok()["finalizeOrphanedBackfills"]["results"]
    assert result["outcome"] == ("NOT_FOUND" if username == "sales.lead" else "WOULD_FINALIZE")


@pytest.mark.parametrize("username", ["user", "viewer", "web.analyst", "nobody"])
async def test_fab_users_without_backfill_edit_may_not_finalize(client_for, username):
    client = client_for(airflow_jwt_secret=SECRET)
    response = await client.graphql(
        FINALIZE, {"input": {"dryRun": True}}, headers=bearer(fab_token(username))
    )
    assert response.error_codes == ["FORBIDDEN"]


async def test_unknown_and_deactivated_fab_users_are_refused(client_for):
    client = client_for(airflow_jwt_secret=SECRET)
    for token in (fab_token("former.admin"), mint(claims("999"), SECRET)):
        assert_refused(await client.graphql(LISTING, headers=bearer(token)))


async def test_the_audit_row_names_the_fab_user(client_for, engine):
    client = client_for(airflow_jwt_secret=SECRET)
    await insert_rows(engine, backfills=[backfill_row(98, dag_id="sales_daily")])
    from sqlalchemy import delete

    from backfill_gateway.db.tables import backfill

    try:
        response = await client.graphql(
            FINALIZE, {"input": {"backfillIds": [98], "dryRun": False}},
            headers=bearer(fab_token("sales.lead")),
        )  # fmt: skip
        [result] = response.ok()["finalizeOrphanedBackfills"]["results"]
        assert result["outcome"] == "FINALIZED"
        assert [row["owner"] for row in await audit_log(engine)][-1] == "sales.lead"
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(backfill).where(backfill.c.id == 98))
