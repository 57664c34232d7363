"""GraphiQL, self-hosted: the page and every file it loads come from the gateway.

The page is GraphiQL 5 (Monaco editors, the Explorer plugin) built by Vite from
`graphiql/` (pinned by its package-lock.json) into `web/graphiql_dist/`: an
index.html and content-hashed files in `assets/`. The wheel carries that
directory; a checkout gets it from `make install`. Nothing is loaded from a CDN,
so GraphiQL works in closed networks.

Browsers GET the endpoint (`/graphql`) and receive the page; `?query=` and
`?variables=` fill its editors (GraphiQL links). The page is served with the
endpoint in `data-endpoint` and asset URLs under the app's root path, so it
works behind a proxy prefix and mounted inside Airflow. Only the files that are
in `assets/` are served, looked up by name: no part of a URL becomes a path.
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from backfill_gateway.web.built_assets import (  # noqa: F401 - ASSET_CACHE_CONTROL: tests
    ASSET_CACHE_CONTROL,
    BUILD_COMMAND,
    DIST_DIR,
    built_assets,
    serve_asset,
)

logger = logging.getLogger("gateway.graphiql")

ASSETS_PATH = "/graphiql/assets"
# Only self: Monaco and React set inline styles, GraphiQL's fonts are data: URLs in its CSS.
# frame-ancestors 'self': Airflow shows the page in an iframe of its own UI.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; img-src 'self' data:; worker-src 'self'; connect-src 'self'; "
    "base-uri 'self'; form-action 'none'; frame-ancestors 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Vary": "Accept",  # the same URL answers JSON to API clients
}

DEFAULT_QUERY = """\
# The newest backfills, their progress and first slots.
# Run: ▶ or Ctrl-Enter. To send a token, open "Headers"
# below and paste {"Authorization": "Bearer <token>"}
query RecentBackfills {
  backfills(first: 5, orderBy: {field: CREATED_AT, direction: DESC}) {
    totalCount
    nodes {
      backfillId
      dagId
      status
      progress {
        slotCount
        finishedFraction
      }
      dagRuns(first: 3) {
        nodes {
          sortOrdinal
          isSkipped
          exceptionReason
          dagRun {
            runId
            state
          }
        }
      }
    }
  }
}
"""


def json_for_html(value) -> str:
    """JSON that can sit inside a <script> element without closing it."""
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def prefers_html(accept: str | None) -> bool:
    """Whether an Accept header ranks an HTML page above a JSON response (a browser
    navigating to the endpoint). Wildcards count for JSON, as in content negotiation:
    `*/*` (curl, most clients) still gets JSON; ties go to the type listed first."""
    best_html: tuple[float, int] | None = None
    best_json: tuple[float, int] | None = None
    for position, part in enumerate((accept or "").split(",")):
        media, *params = (item.strip() for item in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        rank = (quality, -position)
        media = media.lower()
        if media in ("text/html", "application/xhtml+xml"):
            best_html = max(best_html or rank, rank)
        elif media in (
            "application/json", "application/graphql-response+json", "application/*", "*/*",
        ):  # fmt: skip
            best_json = max(best_json or rank, rank)
    return best_html is not None and (best_json is None or best_html > best_json)


class GraphiQL:
    """The built GraphiQL page for the `/graphql` endpoint, and the routes of its assets."""

    def __init__(self, dist_dir: Path | None = None) -> None:
        self.dist_dir = dist_dir or DIST_DIR
        index = self.dist_dir / "index.html"
        self.template = index.read_text(encoding="utf-8") if index.is_file() else None
        # The allow-list: the files the build produced, read once at start-up.
        self.assets: dict[str, Path] = built_assets(self.dist_dir)
        if self.template is not None:
            for marker in ('data-endpoint=""', '"./assets/', "</body>"):
                if marker not in self.template:
                    raise ValueError(f"{index}: the built page lacks {marker!r}")

    @property
    def installed(self) -> bool:
        return self.template is not None and bool(self.assets)

    def routes(self) -> list[BaseRoute]:
        # `{name}` never matches a "/", and only names in the allow-list resolve to a file.
        return [Route(f"{ASSETS_PATH}/{{name}}", self.serve_asset, methods=["GET"])]

    def warn_if_not_installed(self) -> None:
        if not self.installed:
            logger.warning(
                "GraphiQL's browser files are not built in %s: /graphql shows browsers a "
                "notice instead of GraphiQL. Run `%s` in the checkout, or install the wheel.",
                self.dist_dir,
                BUILD_COMMAND,
            )

    def response(self, request: Request) -> Response:
        """The page for a browser that GETs the endpoint (`request`)."""
        if not self.installed:
            return HTMLResponse(self._not_installed_page(request), headers=PAGE_HEADERS)
        return HTMLResponse(self.page(request), headers=PAGE_HEADERS)

    def page(self, request: Request) -> str:
        root_path = request.scope.get("root_path", "").rstrip("/")
        config = {"defaultQuery": DEFAULT_QUERY}
        config_block = f'<script type="application/json" id="graphiql-config">{json_for_html(config)}</script>\n'
        return (
            self.template.replace(
                'data-endpoint=""', f'data-endpoint="{html.escape(request.url.path)}"', 1
            )
            .replace('"./assets/', f'"{html.escape(root_path)}{ASSETS_PATH}/')
            .replace("</body>", config_block + "</body>", 1)
        )

    async def serve_asset(self, request: Request) -> Response:
        return await serve_asset(self.assets, request)

    def _not_installed_page(self, request: Request) -> str:
        endpoint = html.escape(request.url.path)
        return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>GraphiQL is not installed</title></head>
<body>
  <h1>GraphiQL is not installed</h1>
  <p>This gateway serves GraphiQL's browser files itself (no CDN), and they are not
  built. The operator should run <code>{BUILD_COMMAND}</code> in the gateway's checkout
  (a wheel carries them), then reload this page.</p>
  <p>The GraphQL endpoint works without it: send queries as
  <code>POST {endpoint}</code> with a JSON body.</p>
</body>
</html>
"""
