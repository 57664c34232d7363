"""The dashboard in headless Chromium (Debian's package, never a Playwright download), offline.

`open_dashboard(url)` yields a Playwright page on the dashboard and a record of what the
browser did: every request, those to any host but 127.0.0.1/localhost (aborted), failed
responses, page errors and Content-Security-Policy violations.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.support.graphiql_browser import (
    CHROMIUM_ARGS,
    LOCAL_HOSTS,
    chromium_path,
    record_offline,
)


@dataclass
class BrowserRecord:
    requests: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def assert_offline_and_clean(self) -> None:
        assert self.outside_requests == []
        assert [url for url in self.websockets if urlsplit(url).hostname not in LOCAL_HOSTS] == []
        assert self.failed_responses == []
        assert self.page_errors == []
        assert self.csp_violations == []


@contextmanager
def open_dashboard(
    url: str, *, token: str | None = None, cookies: dict[str, str] | None = None
) -> Iterator[tuple[object, BrowserRecord]]:
    """The dashboard at `url` in a fresh browser, once its first page of backfills is shown
    (with `token` typed into its token field first, when given; `cookies` set for the
    page's host beforehand, as a login elsewhere on that host would have left them)."""
    from playwright.sync_api import sync_playwright

    record = BrowserRecord()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            if cookies:
                context.add_cookies(
                    [{"name": name, "value": value, "url": url} for name, value in cookies.items()]
                )
            page = context.new_page()
            record_offline(context, page, record)
            # Playwright's routing does not see WebSockets: record (and check) them here.
            page.on("websocket", lambda socket: record.websockets.append(socket.url))
            page.goto(url)
            if token is not None:
                page.fill("#token", token)
                page.click("#token-form button[type=submit]")
            wait_until_loaded(page)
            yield page, record
        finally:
            browser.close()


def wait_until_loaded(page) -> None:
    """Until the listing has answered (a page, maybe empty, or a message) and nothing is loading."""
    page.wait_for_function(
        "() => !document.body.hasAttribute('aria-busy')"
        " && (document.getElementById('page-info').textContent"
        " || document.getElementById('message').textContent)"
    )

