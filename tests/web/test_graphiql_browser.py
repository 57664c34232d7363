"""GraphiQL in a real browser against the gateway as a real server, with no network.

Headless Chromium (Debian's package, never a Playwright download) may reach only
the gateway on 127.0.0.1; every other request is aborted and recorded. The page
must render GraphiQL and run its default query from the gateway's files alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.server import running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
BROWSER_TIMEOUT_MS = 30_000


@pytest.fixture
def chromium() -> str:
    if CHROMIUM.exists():
        return str(CHROMIUM)
    message = "chromium not installed: apt-get install chromium"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def gateway_url(empty_database_url, installed_assets, tmp_path) -> Iterator[str]:
    """`uvicorn app:app` over an empty Airflow database, as an operator starts it."""
    env = {
        "DATABASE_URL": empty_database_url,
        "TEST_SERVER_LOG": str(tmp_path / "gateway.log"),
    }
    with running_server(env) as (base_url, _, _):
        yield base_url


def record_if_failed(response, failed: list[str]) -> None:
    if response.status >= 400:
        failed.append(f"{response.status} {response.url}")


@pytest.mark.slow
def test_graphiql_renders_and_runs_the_default_query_offline(chromium, gateway_url, tmp_path):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    outside_requests: list[str] = []
    failed_responses: list[str] = []
    page_errors: list[str] = []
    browser_failure: str | None = None

    def only_the_gateway(route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside_requests.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route("**/*", only_the_gateway)
            page = context.new_page()
            page.set_default_timeout(BROWSER_TIMEOUT_MS)
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on("response", lambda response: record_if_failed(response, failed_responses))
            try:
                page.goto(f"{gateway_url}/graphql")
                editor = page.locator(".graphiql-query-editor .CodeMirror")
                editor.wait_for()
                assert "RecentBackfills" in editor.inner_text()

                page.locator(".graphiql-execute-button").click()
                page.wait_for_function(
                    "() => document.querySelector('.result-window')"
                    "?.innerText.includes('\"data\"')"
                )
                result_text = page.locator(".result-window").inner_text()
            finally:
                page.screenshot(path=tmp_path / "graphiql.png")
        except PlaywrightError as error:
            browser_failure = str(error)
        finally:
            browser.close()

    if browser_failure:
        # Say why GraphiQL did not come up, not only which wait timed out.
        pytest.fail(
            f"{browser_failure}\nrequests outside the gateway: {outside_requests}\n"
            f"failed responses: {failed_responses}\npage errors: {page_errors}\n"
            f"screenshot: {tmp_path / 'graphiql.png'}",
            pytrace=False,
        )
    assert outside_requests == []
    assert failed_responses == []
    assert page_errors == []
    assert '"totalCount": 0' in result_text
    assert '"errors"' not in result_text
