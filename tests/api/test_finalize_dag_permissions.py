"""finalizeOrphanedBackfills for callers whose per-DAG permissions are decided outside the
gateway (the Airflow plugin's users; Airflow's auth manager is replaced by a double here),
over HTTP on every database: FORBIDDEN unless every touched DAG's runs may be edited.
"""

from __future__ import annotations

from collections.abc import Set

import pytest

from backfill_gateway.app import create_app
from backfill_gateway.db.dag_scope import DagScope
from backfill_gateway.db.engine import create_engine
from backfill_gateway.resolvers.auth import ADMIN
from backfill_gateway.resolvers.context import Caller
from tests.conftest import FIXED_NOW, gateway_settings
from tests.support.finalize import (
    audit_log,
    backfill_row,
    finalize,
    insert_rows,
    outcomes,
    snapshot,
)
from tests.support.gateway import GatewayClient

ORPHANS = {1: "dag_1", 2: "dag_2", 3: "dag_3"}
HIDDEN = 4  # an orphan of dag_4, which the caller may not read


class EditGrants:
    """DagRunPermissions: the DAGs whose runs the caller may edit; records the questions."""

    def __init__(self, editable: set[str]) -> None:
        self.editable_ids = editable
        self.asked: list[set[str]] = []

    async def may_edit_any(self) -> bool:
        return bool(self.editable_ids)

    async def editable(self, dag_ids: Set[str]) -> set[str]:
        self.asked.append(set(dag_ids))
        return set(dag_ids) & self.editable_ids


class ExternalLogin:
    def __init__(self, caller: Caller) -> None:
        self.caller = caller

    async def request_caller(self, request) -> Caller:
        return self.caller


@pytest.fixture
async def engine(empty_database):
    engine = create_engine(empty_database.url, pool_size=2, max_overflow=2)
    await insert_rows(engine, backfills=[backfill_row(i) for i in (*ORPHANS, HIDDEN)])
    yield engine
    await engine.dispose()


@pytest.fixture
async def client_for(empty_database, engine):
    clients = []

    def make(grants: EditGrants) -> GatewayClient:
        caller = Caller(
            "alice", ADMIN, dag_scope=DagScope(dag_ids=tuple(ORPHANS.values())), permissions=grants
        )
        settings = gateway_settings(empty_database.url, allow_anonymous_reads=False)
        app = create_app(settings, clock=lambda: FIXED_NOW, authenticator=ExternalLogin(caller))
        clients.append(client := GatewayClient(app))
        return client

    yield make
    for client in clients:
        await client.close()


async def test_no_editable_dag_is_forbidden_before_anything_is_read(engine, client_for):
    grants = EditGrants(set())
    response = await finalize(client_for(grants), headers={}, dagIds=["dag_1"], dryRun=False)

    assert response.error_codes == ["FORBIDDEN"]
    assert response.data == {"finalizeOrphanedBackfills": None}
    assert grants.asked == [] and response.statements == []


async def test_one_refused_dag_among_the_candidates_forbids_the_call(engine, client_for):
    grants = EditGrants({"dag_1", "dag_3"})
    before = await snapshot(engine)
    response = await finalize(client_for(grants), headers={}, dryRun=False)

    assert response.error_codes == ["FORBIDDEN"]
    assert "dag_2" in response.errors[0]["message"] and "dag_1" not in response.errors[0]["message"]
    assert grants.asked == [{"dag_1", "dag_2", "dag_3"}]  # dag_4 is out of sight
    assert await snapshot(engine) == before
    assert await audit_log(engine) == []


async def test_named_backfills_of_editable_dags_are_finalized_by_the_user(engine, client_for):
    grants = EditGrants({"dag_1", "dag_3"})
    response = await finalize(
        client_for(grants), headers={}, backfillIds=[1, 3, HIDDEN], dryRun=False
    )

    assert outcomes(response) == {1: "FINALIZED", 3: "FINALIZED", HIDDEN: "NOT_FOUND"}
    assert grants.asked == [{"dag_1", "dag_3"}]
    assert [(row["dag_id"], row["owner"]) for row in await audit_log(engine)] == [
        ("dag_1", "alice"), ("dag_3", "alice"),
    ]  # fmt: skip


async def test_dag_ids_name_the_touched_dags(engine, client_for):
    grants = EditGrants({"dag_2"})
    allowed = await finalize(client_for(grants), headers={}, dagIds=["dag_2"])
    refused = await finalize(client_for(grants), headers={}, dagIds=["dag_1", "dag_2"])

    assert outcomes(allowed) == {2: "WOULD_FINALIZE"}
    assert refused.error_codes == ["FORBIDDEN"]
