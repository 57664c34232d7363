"""Shared fixtures: the demo dataset on every database and Airflow version, and the gateway
in front of it.

`demo_database` and `empty_database` are parametrized by (backend, Airflow version): the API
suite (tests/api) runs on every supported 3.x schema, every other test on the newest one.
`@pytest.mark.airflow_versions("3.3", ...)` narrows a test or module (heavy ones).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette

from backfill_gateway.app import create_app
from backfill_gateway.demo import DemoDataset, build_demo_dataset
from backfill_gateway.settings import Settings
from tests.support.airflow_versions import (
    LATEST,
    VERSIONS,
    create_versioned_schema,
    dataset_for,
    load_versioned_dataset,
)
from tests.support.databases import (
    BACKENDS,
    ServerUnavailable,
    ThrowawayDatabase,
    throwaway_database,
)
from tests.support.gateway import GatewayClient
from tests.support.oracle import Oracle
from tests.support.pg_cluster import ClusterUnavailable, PgCluster, new_cluster

# Every test sees the same world: the demo data built at this instant, and a
# gateway whose clock stands still at it.
FIXED_NOW = datetime(2026, 9, 15, 12, 0, 0, tzinfo=UTC)


API_TESTS = "tests/api/"


@dataclass(frozen=True)
class DemoDatabase:
    backend: str
    url: str
    dataset: DemoDataset  # as Airflow `version` would have written it
    version: str = LATEST


def airflow_versions_of(metafunc) -> tuple[str, ...]:
    """The Airflow schema versions a test runs on: its `airflow_versions` marker, else
    every supported 3.x version in tests/api and the newest one elsewhere."""
    marker = metafunc.definition.get_closest_marker("airflow_versions")
    if marker is not None:
        return tuple(marker.args)
    path = metafunc.definition.path.as_posix()
    return VERSIONS if f"/{API_TESTS}" in path else (LATEST,)


def _parametrized_by_the_test(metafunc, name: str) -> bool:
    """The test parametrizes the fixture itself (indirect=True, with backend names)."""
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        if name in names:
            return True
    return False


def _backend_and_version(param) -> tuple[str, str]:
    return param if isinstance(param, tuple) else (param, LATEST)


def pytest_generate_tests(metafunc) -> None:
    versions = airflow_versions_of(metafunc)
    for name, scope in (("demo_database", "session"), ("empty_database", "function")):
        if name in metafunc.fixturenames and not _parametrized_by_the_test(metafunc, name):
            metafunc.parametrize(
                name,
                [
                    pytest.param((backend, version), id=f"{backend}-{version}")
                    for version in versions
                    for backend in BACKENDS
                ],
                indirect=True,
                scope=scope,
            )


@pytest.fixture(scope="session")
def demo_dataset() -> DemoDataset:
    return build_demo_dataset(FIXED_NOW)


@pytest.fixture(scope="session")
def oracle(demo_database) -> Oracle:
    """Expected answers computed in Python from the demo rows (as that version has them)."""
    return Oracle(demo_database.dataset, version=demo_database.version)


async def _enter_database(backend: str, tmp_path_factory, stack) -> ThrowawayDatabase:
    try:
        return await stack.enter_async_context(
            throwaway_database(backend, tmp_path_factory.mktemp(backend))
        )
    except ServerUnavailable as unavailable:
        if unavailable.required:
            pytest.fail(str(unavailable), pytrace=False)
        pytest.skip(str(unavailable))


@pytest.fixture(scope="session")
async def demo_database(request, tmp_path_factory, demo_dataset) -> AsyncIterator[DemoDatabase]:
    """The demo dataset on one backend and Airflow version (pytest_generate_tests), shared
    read-only by every test of the session."""
    from contextlib import AsyncExitStack

    backend, version = _backend_and_version(request.param)
    dataset = dataset_for(version, demo_dataset)
    async with AsyncExitStack() as stack:
        database = await _enter_database(backend, tmp_path_factory, stack)
        engine = await create_versioned_schema(database.url, version)
        try:
            await load_versioned_dataset(engine, dataset, version)
        finally:
            await engine.dispose()
        yield DemoDatabase(backend, database.url, dataset, version)


@pytest.fixture
async def empty_database(request, tmp_path_factory) -> AsyncIterator[ThrowawayDatabase]:
    """A fresh database with one Airflow version's tables and no rows, for tests that write."""
    from contextlib import AsyncExitStack

    backend, version = _backend_and_version(request.param)
    async with AsyncExitStack() as stack:
        database = await _enter_database(backend, tmp_path_factory, stack)
        engine = await create_versioned_schema(database.url, version)
        await engine.dispose()
        yield ThrowawayDatabase(database.backend, database.url, version)


def gateway_settings(url: str, **overrides) -> Settings:
    # Nothing from the environment decides who may call in tests.
    airflow_tokens = {
        "airflow_jwt_secret": None, "airflow_jwt_private_key_path": None,
        "airflow_trusted_jwks_url": None, "airflow_jwt_algorithm": None,
        "airflow_jwt_audience": "apache-airflow", "airflow_jwt_issuer": None,
    }  # fmt: skip
    return Settings(
        **{"database_url": url, "tokens": "", "tokens_file": None, **airflow_tokens, **overrides}
    )


def gateway_app(url: str, **overrides):
    """The gateway app over `url`, its clock standing still at FIXED_NOW."""
    return create_app(gateway_settings(url, **overrides), clock=lambda: FIXED_NOW)


def standard_executor_twin(url: str, **overrides):
    """The same gateway with graphql-core's standard executor instead of the fast path."""
    return gateway_app(url, fast_path=False, **overrides)


def gateway_client(url: str, **overrides) -> GatewayClient:
    """The gateway over HTTP, with a standard-executor twin every query is compared with."""
    return GatewayClient(
        gateway_app(url, **overrides), twin=standard_executor_twin(url, **overrides)
    )


@pytest.fixture(scope="session")
async def executor_twin(demo_database) -> AsyncIterator[Starlette]:
    """The executor check: the gateway with the standard executor, next to the fast path.

    The `gateway` fixture sends every query document a test sends to this twin as
    well, and asserts both responses are byte for byte the same (status, body,
    errors; only masked errors' random ids differ). So every query of the suite
    checks the compiled fast path (web/execution/fast_path.py) against
    graphql-core's executor. Mutations are not re-sent. `gateway.compared` counts
    the comparisons; the session's total is printed at the end of the run.
    """
    twin = standard_executor_twin(demo_database.url)
    yield twin
    await twin.state.engine.dispose()


@pytest.fixture(scope="session")
async def gateway(demo_database, executor_twin) -> AsyncIterator[GatewayClient]:
    """The gateway app over the shared demo database, reached over HTTP, every query
    checked against `executor_twin`."""
    client = GatewayClient(gateway_app(demo_database.url), twin=executor_twin)
    yield client
    EXECUTOR_CHECKS.append((demo_database.backend, client.compared))
    await client.close()


# (backend, queries compared) per `gateway` fixture, for the end-of-run summary.
EXECUTOR_CHECKS: list[tuple[str, int]] = []


def pytest_terminal_summary(terminalreporter) -> None:
    """The executor check's comparisons, and the race tests' run counts and outcomes,
    per database."""
    from tests.support.finalize import RACE_STATS

    if EXECUTOR_CHECKS:
        terminalreporter.section("executor_twin: fast path compared with the standard executor")
        for backend, compared in EXECUTOR_CHECKS:
            terminalreporter.write_line(f"{backend}: {compared} query responses byte-identical")

    if RACE_STATS:
        terminalreporter.section("finalizeOrphanedBackfills race runs")
        for stats in RACE_STATS:
            terminalreporter.write_line(stats.line())


async def started_cluster(new, dataset: DemoDataset):
    """A primary + replica made by `new` (tests/support/pg_cluster.py, mariadb_cluster.py)
    with the demo dataset (Airflow 3.3) in database `airflow`, applied on the replica.
    Skipped where the server binaries are missing, unless REQUIRE_REPLICA_CLUSTERS=1 (CI)."""
    try:
        cluster = await asyncio.to_thread(new)
    except ClusterUnavailable as unavailable:
        if os.environ.get("REQUIRE_REPLICA_CLUSTERS") == "1":
            pytest.fail(str(unavailable), pytrace=False)
        pytest.skip(str(unavailable))
    try:
        await cluster.execute(
            "primary", f"CREATE DATABASE {cluster.database}", cluster.admin_database
        )
        from backfill_gateway.db.urls import to_async_url

        engine = await create_versioned_schema(to_async_url(cluster.url("primary")), LATEST)
        try:
            await load_versioned_dataset(engine, dataset_for(LATEST, dataset), LATEST)
        finally:
            await engine.dispose()
        await cluster.wait_for_replay()
    except BaseException:
        await asyncio.to_thread(cluster.destroy)
        raise
    return cluster


async def started_pg_cluster(dataset: DemoDataset) -> PgCluster:
    return await started_cluster(new_cluster, dataset)


@pytest.fixture(scope="session")
async def pg_cluster(demo_dataset) -> AsyncIterator[PgCluster]:
    """One primary + replica for the session (tests that stop or pause the replica bring
    it back; tests that promote it make their own with `started_pg_cluster`)."""
    cluster = await started_pg_cluster(demo_dataset)
    try:
        yield cluster
    finally:
        await asyncio.to_thread(cluster.destroy)
