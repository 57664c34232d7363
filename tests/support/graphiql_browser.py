"""GraphiQL in headless Chromium (Debian's package, never a Playwright download), offline.

The browser may reach only 127.0.0.1/localhost; every other request is aborted and
recorded, as are failed responses, page errors and Content-Security-Policy violations.
Shared by the checkout's browser test and the wheel test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

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
BROWSER_TIMEOUT_MS = 60_000
# Monaco renders each line in a `.view-line`, spaces as no-break spaces.
EDITOR_TEXT = (
    "selector => [...document.querySelectorAll(selector + ' .view-line')]"
    ".map(line => line.textContent.replaceAll('\\u00a0', ' ')).join('\\n')"
)


def chromium_path() -> str:
    if CHROMIUM.exists():
        return str(CHROMIUM)
    message = "chromium not installed: apt-get install chromium"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@dataclass
class GraphiQLRun:
    query_editor: str = ""
    variables_editor: str = ""
    response: str = ""
    requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)


def record_offline(context, page, record) -> None:
    """Let `context` reach only 127.0.0.1/localhost and record on `record` (a GraphiQLRun or
    alike) every request, the aborted ones to other hosts, failed responses, page errors and
    Content-Security-Policy violations; the page's default timeout is BROWSER_TIMEOUT_MS."""

    def only_local(route) -> None:
        record.requests.append(f"{route.request.method} {route.request.url}")
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            record.outside_requests.append(route.request.url)
            route.abort()

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            record.csp_violations.append(message.text)

    def on_response(response) -> None:
        if response.status >= 400:
            record.failed_responses.append(f"{response.status} {response.url}")

    context.route("**/*", only_local)
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    page.on("pageerror", lambda error: record.page_errors.append(str(error)))
    page.on("console", on_console)
    page.on("response", on_response)


def run_graphiql(url: str, screenshot: Path, *, execute: bool = True) -> GraphiQLRun:
    """Open GraphiQL at `url`, wait for its editors, run the query if `execute`."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    run = GraphiQLRun()
    failure = None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            record_offline(context, page, run)
            try:
                page.goto(url)
                page.wait_for_function(
                    "() => document.querySelector('.graphiql-query-editor .view-line')"
                    "?.textContent.trim()"
                )
                run.query_editor = page.evaluate(EDITOR_TEXT, ".graphiql-query-editor")
                run.variables_editor = page.evaluate(
                    EDITOR_TEXT, ".graphiql-editor-tool .graphiql-editor:not(.hidden)"
                )
                if execute:
                    page.locator(".graphiql-execute-button").click()
                    page.wait_for_function(
                        f"() => ({EDITOR_TEXT})('.graphiql-response').includes('\"data\"')"
                    )
                    run.response = page.evaluate(EDITOR_TEXT, ".graphiql-response")
            finally:
                page.screenshot(path=screenshot)
        except PlaywrightError as error:
            failure = str(error)
        finally:
            browser.close()
    if failure:
        # Say why GraphiQL did not come up, not only which wait timed out.
        pytest.fail(f"{failure}\n{run}\nscreenshot: {screenshot}", pytrace=False)
    return run
