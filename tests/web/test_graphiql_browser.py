"""GraphiQL in a real browser against the gateway as a real server, with no network.

Headless Chromium may reach only the gateway on 127.0.0.1 (tests/support/graphiql_browser).
The page must render GraphiQL and run its default query from the gateway's files alone,
and a GraphiQL link must open with its query and variables in the editors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.support.graphiql_browser import chromium_path, run_graphiql
from tests.support.server import running_server


@pytest.fixture
def gateway_url(empty_database_url, installed_assets, tmp_path) -> Iterator[str]:
    """`uvicorn app:app` over an empty Airflow database, as an operator starts it."""
    chromium_path()  # skip before starting a server when there is no browser
    env = {
        "DATABASE_URL": empty_database_url,
        "TEST_SERVER_LOG": str(tmp_path / "gateway.log"),
    }
    with running_server(env) as (base_url, _, _):
        yield base_url


def assert_offline_and_clean(run) -> None:
    assert run.outside_requests == []
    assert run.failed_responses == []
    assert run.page_errors == []
    assert run.csp_violations == []


@pytest.mark.slow
def test_graphiql_renders_and_runs_the_default_query_offline(gateway_url, tmp_path):
    run = run_graphiql(f"{gateway_url}/graphql", tmp_path / "graphiql.png")

    assert_offline_and_clean(run)
    assert "query RecentBackfills" in run.query_editor
    response = json.loads(run.response)
    assert response["data"] == {"backfills": {"totalCount": 0, "nodes": []}}
    # The query went to the gateway's endpoint, and only to the gateway.
    assert f"POST {gateway_url}/graphql" in run.requests


@pytest.mark.slow
def test_a_graphiql_link_opens_with_its_query_and_variables(gateway_url, tmp_path):
    query = "query Linked($n: Int) { backfills(first: $n) { totalCount } }"
    link = f"{gateway_url}/graphql?" + urlencode({"query": query, "variables": '{"n": 2}'})

    run = run_graphiql(link, tmp_path / "graphiql-link.png")

    assert_offline_and_clean(run)
    assert run.query_editor.strip() == query
    assert run.variables_editor.strip() == '{"n": 2}'
    assert json.loads(run.response)["data"] == {"backfills": {"totalCount": 0}}
