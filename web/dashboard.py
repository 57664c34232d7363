"""The backfills dashboard at `/dashboard`: a page built on the public GraphQL API and its
live subscription, served by the gateway itself (no CDN), like GraphiQL.

Vite builds it from `graphiql/dashboard.html` and `graphiql/dashboard/` next to GraphiQL,
into the same `web/graphiql_dist/` (package data). Every URL in the page is relative to
it: its scripts (`dashboard/assets/...`), the endpoint (`graphql`) and the WebSocket of the
same endpoint. So it works standalone, behind a proxy prefix and mounted inside Airflow
(web/airflow_plugin.py) without being told where it is.
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from backfill_gateway.web.built_assets import BUILD_COMMAND, DIST_DIR, built_assets, serve_asset

logger = logging.getLogger("gateway.dashboard")

PAGE_PATH = "/dashboard"
ASSETS_PATH = "/dashboard/assets"
# Vite writes `./assets/<name>`; the page's own URL is `.../dashboard`, so its assets are
# `dashboard/assets/<name>` relative to it.
BUILT_ASSET_PREFIX = '"./assets/'
SERVED_ASSET_PREFIX = '"dashboard/assets/'

# Only self: scripts and styles are files of the build (element styles are set through the
# DOM, which CSP does not restrict); the live updates' WebSocket is same-origin ('self'
# covers ws:/wss: of the page's host). frame-ancestors 'self': Airflow may show it in an iframe.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'self'; form-action 'none'; frame-ancestors 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Dashboard:
    """The built dashboard page and the routes of it and its assets."""

    def __init__(self, dist_dir: Path | None = None) -> None:
        self.dist_dir = dist_dir or DIST_DIR
        index = self.dist_dir / "dashboard.html"
        self.page: str | None = None
        if index.is_file():
            built = index.read_text(encoding="utf-8")
            for marker in (BUILT_ASSET_PREFIX, 'data-endpoint="graphql"'):
                if marker not in built:
                    raise ValueError(f"{index}: the built page lacks {marker!r}")
            self.page = built.replace(BUILT_ASSET_PREFIX, SERVED_ASSET_PREFIX)
        self.assets: dict[str, Path] = built_assets(self.dist_dir)

    @property
    def installed(self) -> bool:
        return self.page is not None and bool(self.assets)

    def routes(self) -> list[BaseRoute]:
        return [
            Route(PAGE_PATH, self.serve_page, methods=["GET"]),
            # `{name}` never matches a "/", and only names in the allow-list resolve to a file.
            Route(f"{ASSETS_PATH}/{{name}}", self.serve_asset, methods=["GET"]),
        ]

    def warn_if_not_installed(self) -> None:
        if not self.installed:
            logger.warning(
                "The dashboard's browser files are not built in %s: /dashboard shows a notice. "
                "Run `%s` in the checkout, or install the wheel.",
                self.dist_dir,
                BUILD_COMMAND,
            )

    async def serve_page(self, request: Request) -> Response:
        page = self.page if self.installed else NOT_INSTALLED_PAGE
        return HTMLResponse(page, headers=PAGE_HEADERS)

    async def serve_asset(self, request: Request) -> Response:
        return await serve_asset(self.assets, request)


NOT_INSTALLED_PAGE = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>The dashboard is not installed</title></head>
<body>
  <h1>The dashboard is not installed</h1>
  <p>This gateway serves the dashboard's browser files itself (no CDN), and they are not
  built. The operator should run <code>{BUILD_COMMAND}</code> in the gateway's checkout
  (a wheel carries them), then reload this page.</p>
</body>
</html>
"""
