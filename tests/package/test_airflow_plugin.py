"""The wheel as an Airflow plugin in a real `airflow api-server` (Airflow 3.3.2 from the
package registry), over HTTP: Airflow's login, Airflow's DAG permissions, GraphiQL.

Users (SimpleAuthManager through a test double with per-DAG grants): admin (ADMIN),
viewer (VIEWER), alpha_only (USER, reads and edits only bf_alpha), alpha_editor (USER,
reads both DAGs, edits only bf_alpha). Two orphaned backfills, one per DAG.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.support.airflow import AIRFLOW_VERSION, airflow_venv, install_wheel, running_airflow
from tests.support.dashboard_browser import open_dashboard
from tests.support.graphiql_browser import chromium_path
from tests.support.live_client import TransportWSClient

pytestmark = pytest.mark.slow

GATEWAY = "/backfill-gateway"
USERS = {
    "admin": ("ADMIN", "admin-pw"),
    "viewer": ("VIEWER", "viewer-pw"),
    "alpha_only": ("USER", "alpha-pw"),
    "alpha_editor": ("USER", "editor-pw"),
}
GRANTS = {
    "alpha_only": {"GET": ["bf_alpha"], "PUT": ["bf_alpha"]},
    "alpha_editor": {"GET": ["bf_alpha", "bf_beta"], "PUT": ["bf_alpha"]},
}
DAG_SOURCE = """\
from datetime import datetime

from airflow.sdk import DAG, task

with DAG("{dag_id}", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):

    @task
    def noop():
        pass

    noop()
"""
BACKFILLS = "{ backfills { totalCount nodes { backfillId dagId status } } }"
FINALIZE = """mutation($dagIds: [String!], $ids: [Int!], $dryRun: Boolean) {
  finalizeOrphanedBackfills(input: {dagIds: $dagIds, backfillIds: $ids, dryRun: $dryRun}) {
    dryRun results { backfillId outcome } userErrors { code message }
  }
}"""


def insert_orphans(database) -> dict[str, int]:
    """One active, slot-less backfill per DAG, a day old (the grace period is 10 minutes)."""
    created = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    ids = {}
    with sqlite3.connect(database) as connection:
        for dag_id in ("bf_alpha", "bf_beta"):
            cursor = connection.execute(
                "INSERT INTO backfill (dag_id, from_date, to_date, dag_run_conf, is_paused, "
                "reprocess_behavior, max_active_runs, created_at, updated_at) "
                "VALUES (?, ?, ?, '{}', 0, 'none', 10, ?, ?)",
                (
                    dag_id,
                    "2026-01-01 00:00:00.000000",
                    "2026-01-05 00:00:00.000000",
                    created,
                    created,
                ),
            )
            ids[dag_id] = cursor.lastrowid
    return ids


@pytest.fixture(scope="module")
def airflow(built_wheel, tmp_path_factory):
    bin_dir = airflow_venv()
    install_wheel(bin_dir, built_wheel.path)
    dag_files = {f"{d}.py": DAG_SOURCE.format(dag_id=d) for d in ("bf_alpha", "bf_beta")}
    home = tmp_path_factory.mktemp("airflow-home")
    with running_airflow(
        bin_dir, home, users=USERS, dag_files=dag_files, dag_grants=GRANTS
    ) as server:
        server.orphans = insert_orphans(server.database)
        yield server


def token(airflow, user: str) -> str:
    response = httpx.post(
        f"{airflow.base_url}/auth/token",
        json={"username": user, "password": USERS[user][1]},
    )
    assert response.status_code == 201, response.text
    return response.json()["access_token"]


def graphql(airflow, query: str, user: str | None = None, variables=None, **kwargs):
    headers = {"Authorization": f"Bearer {token(airflow, user)}"} if user else {}
    return httpx.post(
        f"{airflow.base_url}{GATEWAY}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={**headers, **kwargs.pop("headers", {})},
        **kwargs,
    )


def codes(body) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def test_installed_airflow_version(airflow):
    version = httpx.get(f"{airflow.base_url}/api/v2/version", headers={
        "Authorization": f"Bearer {token(airflow, 'admin')}"}).json()["version"]  # fmt: skip
    assert version == AIRFLOW_VERSION


def test_without_a_login_every_path_but_health_is_401(airflow):
    for method, path in [
        ("POST", "/graphql"), ("GET", "/graphql?query=%7B__typename%7D"), ("GET", "/metrics"),
        ("GET", "/graphql/"), ("GET", "/graphiql/assets/nope.js"),
    ]:  # fmt: skip
        response = httpx.request(
            method, f"{airflow.base_url}{GATEWAY}{path}", json={"query": "{ __typename }"},
            headers={"Accept": "text/html"} if "assets" in path else {},
        )  # fmt: skip
        assert response.status_code == 401, path
        assert codes(response.json()) == ["UNAUTHENTICATED"], path
    page = httpx.get(f"{airflow.base_url}{GATEWAY}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 401
    forged = graphql(airflow, BACKFILLS, headers={"Authorization": "Bearer a.b.c"})
    assert forged.status_code == 401 and codes(forged.json()) == ["UNAUTHENTICATED"]
    assert httpx.get(f"{airflow.base_url}{GATEWAY}/healthz").status_code == 200
    assert httpx.get(f"{airflow.base_url}{GATEWAY}/readyz").status_code == 200


def test_a_viewer_reads_every_backfill(airflow):
    body = graphql(airflow, BACKFILLS, "viewer").json()

    assert "errors" not in body
    assert body["data"]["backfills"]["totalCount"] == 2
    assert {n["dagId"] for n in body["data"]["backfills"]["nodes"]} == {"bf_alpha", "bf_beta"}
    assert {n["status"] for n in body["data"]["backfills"]["nodes"]} == {"ORPHANED"}


def test_the_ui_cookie_logs_in_too(airflow):
    cookies = {"_token": token(airflow, "viewer")}
    body = httpx.post(
        f"{airflow.base_url}{GATEWAY}/graphql", json={"query": BACKFILLS}, cookies=cookies
    ).json()
    assert body["data"]["backfills"]["totalCount"] == 2


def test_a_viewers_finalize_is_forbidden(airflow):
    body = graphql(airflow, FINALIZE, "viewer", {"dryRun": True}).json()

    assert body["data"] == {"finalizeOrphanedBackfills": None}
    assert codes(body) == ["FORBIDDEN"]


def test_a_user_restricted_to_some_dags_sees_only_those(airflow):
    body = graphql(airflow, BACKFILLS, "alpha_only").json()
    beta = airflow.orphans["bf_beta"]
    node = graphql(
        airflow, '{ backfills(filter: {dagIds: ["bf_beta"]}) { totalCount } }', "alpha_only"
    ).json()
    finalize_beta = graphql(airflow, FINALIZE, "alpha_only", {"ids": [beta]}).json()

    assert body["data"]["backfills"]["totalCount"] == 1
    assert [n["dagId"] for n in body["data"]["backfills"]["nodes"]] == ["bf_alpha"]
    assert node["data"]["backfills"]["totalCount"] == 0
    # Out of its sight, a backfill of another DAG reads as unknown.
    results = finalize_beta["data"]["finalizeOrphanedBackfills"]["results"]
    assert results == [{"backfillId": beta, "outcome": "NOT_FOUND"}]


def test_finalize_needs_edit_permission_on_every_dag_it_touches(airflow):
    every_dag = graphql(airflow, FINALIZE, "alpha_editor", {"dryRun": True}).json()
    beta = graphql(airflow, FINALIZE, "alpha_editor", {"ids": [airflow.orphans["bf_beta"]]}).json()
    alpha = graphql(airflow, FINALIZE, "alpha_editor", {"dagIds": ["bf_alpha"]}).json()

    assert codes(every_dag) == ["FORBIDDEN"] and "bf_beta" in every_dag["errors"][0]["message"]
    assert codes(beta) == ["FORBIDDEN"]
    assert alpha["data"]["finalizeOrphanedBackfills"]["results"] == [
        {"backfillId": airflow.orphans["bf_alpha"], "outcome": "WOULD_FINALIZE"}
    ]


def test_an_admins_dry_run_and_a_cookie_finalize_with_the_airflow_user_in_the_audit_log(
    airflow,
):
    dry = graphql(airflow, FINALIZE, "admin", {"dryRun": True}).json()
    cookies = {"_token": token(airflow, "admin")}
    url = f"{airflow.base_url}{GATEWAY}/graphql"
    payload = {"query": FINALIZE, "variables": {"dagIds": ["bf_beta"], "dryRun": False}}
    # A cookie goes along with any cross-site request: the CSRF rules still apply.
    cross_site = httpx.post(
        url, content=httpx.Request("POST", url, json=payload).content, cookies=cookies,
        headers={"Content-Type": "text/plain"},
    )  # fmt: skip
    applied = httpx.post(url, json=payload, cookies=cookies).json()

    assert dry["data"]["finalizeOrphanedBackfills"]["results"] == [
        {"backfillId": airflow.orphans[d], "outcome": "WOULD_FINALIZE"}
        for d in ("bf_alpha", "bf_beta")
    ]
    assert cross_site.status_code == 400 and codes(cross_site.json()) == ["BAD_REQUEST"]
    assert applied["data"]["finalizeOrphanedBackfills"]["results"] == [
        {"backfillId": airflow.orphans["bf_beta"], "outcome": "FINALIZED"}
    ]
    with sqlite3.connect(airflow.database) as connection:
        audit = connection.execute(
            "SELECT dag_id, owner FROM log WHERE event = 'finalize_orphaned_backfill'"
        ).fetchall()
        completed = connection.execute(
            "SELECT dag_id FROM backfill WHERE completed_at IS NOT NULL"
        ).fetchall()
    assert audit == [("bf_beta", "admin")]
    assert completed == [("bf_beta",)]


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        if tag in ("script", "link") and (values.get("src") or values.get("href")):
            self.urls.append(values.get("src") or values["href"])


def test_graphiql_and_every_asset_it_references_come_from_airflow(airflow):
    cookies = {"_token": token(airflow, "viewer")}
    with httpx.Client(base_url=airflow.base_url, cookies=cookies) as client:
        page = client.get(f"{GATEWAY}/graphql", params={"query": BACKFILLS}, headers={
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})  # fmt: skip
        refs = References()
        refs.feed(page.text)
        pending, seen = list(refs.urls), set()
        while pending:  # the page's assets, then what they load (chunks, workers, fonts)
            url = pending.pop()
            if url in seen:
                continue
            seen.add(url)
            assert url.startswith(f"{GATEWAY}/graphiql/assets/"), url
            asset = client.get(url)
            assert asset.status_code == 200, url
            if url.endswith((".js", ".css")):
                for name in set(re.findall(r"[\w.-]+\.(?:js|css|ttf)", asset.text)):
                    if client.get(f"{GATEWAY}/graphiql/assets/{name}").status_code == 200:
                        pending.append(f"{GATEWAY}/graphiql/assets/{name}")
        plugins = client.get("/api/v2/plugins", headers={
            "Authorization": f"Bearer {token(airflow, 'admin')}"}).json()  # fmt: skip

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'data-endpoint="{GATEWAY}/graphql"' in page.text
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
    assert re.findall(r"https?://", page.text) == []
    assert (
        len(seen) >= 10
        and any("worker" in u for u in seen)
        and any(u.endswith(".ttf") for u in seen)
    )
    plugin = next(p for p in plugins["plugins"] if p["name"] == "backfill_gateway")
    links = {view["name"]: view["href"] for view in plugin["external_views"]}
    assert links == {"Backfills": f"{GATEWAY}/dashboard", "Backfills GraphQL": f"{GATEWAY}/graphql"}


def test_the_dashboard_is_served_through_airflow_under_the_prefix(airflow):
    cookies = {"_token": token(airflow, "viewer")}
    page = httpx.get(f"{airflow.base_url}{GATEWAY}/dashboard", cookies=cookies)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    refs = References()
    refs.feed(page.text)
    assets = [urljoin(str(page.url), url) for url in refs.urls]  # relative to the page
    assert assets and all(u.startswith(f"{airflow.base_url}{GATEWAY}/") for u in assets), assets
    for url in assets:
        assert httpx.get(url, cookies=cookies).status_code == 200, url
    assert httpx.get(f"{airflow.base_url}{GATEWAY}/dashboard").status_code == 401


# The live status line says `live` and has had an event for every card shown.
LIVE_FOR_EVERY_CARD = """() => {
  const live = document.getElementById('live-status');
  return live.dataset.state === 'live'
    && Number(live.dataset.events || 0) >= document.querySelectorAll('#backfills > li').length;
}"""


def test_the_dashboard_in_a_browser_logged_in_by_airflow_shows_only_readable_dags(airflow):
    """The page in Chromium with Airflow's UI cookie and nothing else: its assets, its
    listing and its live subscription all go through Airflow under the plugin's prefix,
    and each user sees the backfills of the DAGs Airflow lets them read."""
    chromium_path()  # skips (or fails, where a browser is required) before anything else
    page_url = f"{airflow.base_url}{GATEWAY}/dashboard"
    socket_prefix = airflow.base_url.replace("http://", "ws://", 1) + f"{GATEWAY}/"
    shown: dict[str, set[str]] = {}
    for user in ("alpha_only", "viewer"):
        with open_dashboard(page_url, cookies={"_token": token(airflow, user)}) as (page, record):
            page.wait_for_function(LIVE_FOR_EVERY_CARD)
            labels = page.eval_on_selector_all(
                "#backfills > li [role=progressbar]",
                "bars => bars.map(bar => bar.getAttribute('aria-label'))",
            )
            message = page.text_content("#message")
        record.assert_offline_and_clean()
        assert record.requests and all(
            request.split(" ", 1)[1].startswith(f"{airflow.base_url}{GATEWAY}/")
            for request in record.requests
        ), record.requests
        assert record.websockets and all(u.startswith(socket_prefix) for u in record.websockets)
        assert message == ""
        shown[user] = {label.rsplit(" of ", 1)[1] for label in labels}
    assert shown == {"alpha_only": {"bf_alpha"}, "viewer": {"bf_alpha", "bf_beta"}}


SUBSCRIPTION = "subscription { backfillUpdates { backfillId dagId status } }"


async def first_events(airflow, headers: dict, count: int) -> tuple[list[dict], bool]:
    """The subscription's first `count` events over Airflow's WebSocket, and whether
    nothing else came in the next second."""
    async with TransportWSClient.connect(
        airflow.base_url + GATEWAY, headers=headers
    ) as client:  # fmt: skip
        await client.subscribe(SUBSCRIPTION)
        events = [await client.receive(timeout=20) for _ in range(count)]
        return events, await client.silent_for(1.0)


def test_subscriptions_log_in_with_airflow_and_see_only_readable_dags(airflow):
    # The UI cookie (what the dashboard's browser sends on the upgrade), then a Bearer token.
    events, then_silent = asyncio.run(
        first_events(airflow, {"Cookie": f"_token={token(airflow, 'alpha_only')}"}, 1)
    )
    assert [e["payload"]["data"]["backfillUpdates"]["dagId"] for e in events] == ["bf_alpha"]
    assert then_silent  # bf_beta's backfill is not readable: never sent
    events, _ = asyncio.run(
        first_events(airflow, {"Authorization": f"Bearer {token(airflow, 'viewer')}"}, 2)
    )
    dag_ids = {e["payload"]["data"]["backfillUpdates"]["dagId"] for e in events}
    assert dag_ids == {"bf_alpha", "bf_beta"}
    for headers in ({}, {"Authorization": "Bearer a.b.c"}):
        with pytest.raises(InvalidStatus) as refused:
            asyncio.run(first_events(airflow, headers, 1))
        assert refused.value.response.status_code == 403
