"""The GraphiQL page, self-hosted: every script and stylesheet comes from the gateway.

Strawberry's stock page loads React and GraphiQL from unpkg.com and stays blank
in a closed network. This page loads the pinned npm packages the gateway serves
itself (`web.graphiql_assets`) and, when they are not installed, says how to
install them instead of showing nothing.
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path

from starlette.requests import Request
from starlette.routing import BaseRoute

from backfill_gateway.web.graphiql_assets import (
    INSTALL_COMMAND,
    NODE_MODULES_DIR,
    STATIC_PATH,
    AssetFiles,
)

logger = logging.getLogger("gateway.graphiql")

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

PAGE_TITLE = "GraphiQL · Airflow backfill gateway"

# Runs after the scripts above it; reads its settings from the JSON block so no
# request data is ever interpolated into JavaScript.
BOOT_SCRIPT = """\
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  if (!window.React || !window.ReactDOM || !window.GraphiQL) {
    root.textContent = config.loadFailedMessage;
    return;
  }
  // GraphiQL hands fetch a plain object of headers. Setting them one by one
  // lets a header typed in the Headers editor (say Content-Type) replace the
  // fetcher's own instead of being joined to it as "a, b".
  function fetchWithHeaders(url, init) {
    var headers = new Headers();
    Object.entries(init.headers || {}).forEach(function (entry) {
      headers.set(entry[0], entry[1]);
    });
    return window.fetch(url, Object.assign({}, init, { headers: headers }));
  }
  try {
    var fetcher = GraphiQL.createFetcher({
      url: config.endpoint,
      headers: { "content-type": "application/json" },
      enableIncrementalDelivery: false,  // the endpoint answers plain JSON
      fetch: fetchWithHeaders,
    });
    var plugins = window.GraphiQLPluginExplorer
      ? [GraphiQLPluginExplorer.explorerPlugin()]
      : [];
    ReactDOM.createRoot(root).render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultQuery: config.defaultQuery,
        plugins: plugins,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false,  // bearer tokens stay out of localStorage
      })
    );
  } catch (error) {
    root.textContent = config.loadFailedMessage + " (" + error + ")";
    throw error;
  }
})();
"""


def json_for_html(value) -> str:
    """JSON that can sit inside a <script> element without closing it."""
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


class GraphiQL:
    """The GraphiQL page for the `/graphql` endpoint, and the routes of its assets."""

    def __init__(self, node_modules: Path | None = None) -> None:
        self.assets = AssetFiles(node_modules or NODE_MODULES_DIR)

    def routes(self) -> list[BaseRoute]:
        return self.assets.routes()

    def warn_if_not_installed(self) -> None:
        missing = self.assets.missing()
        if missing:
            logger.warning(
                "GraphiQL's browser assets are not installed in %s (missing %s): /graphql "
                "shows browsers a notice instead of GraphiQL. Run `%s` in %s.",
                self.assets.node_modules, ", ".join(missing), INSTALL_COMMAND,
                self.assets.node_modules.parent.parent,
            )

    def page(self, request: Request) -> str:
        """The HTML page for a browser that GETs the endpoint (`request`)."""
        if self.assets.missing():
            return self._not_installed_page(request)

        def url(name: str) -> str:
            return html.escape(self.assets.url(request, name))

        config = {
            "endpoint": request.url.path,  # the page is served by the endpoint itself
            "defaultQuery": DEFAULT_QUERY,
            "loadFailedMessage": (
                "GraphiQL could not start: its scripts did not load from "
                f"{request.scope.get('root_path', '').rstrip('/')}{STATIC_PATH}/ "
                "(see the browser console)."
            ),
        }
        return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{html.escape(PAGE_TITLE)}</title>
  <style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
  <link rel="stylesheet" href="{url("graphiql.min.css")}">
  <link rel="stylesheet" href="{url("plugin-explorer.css")}">
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <noscript>GraphiQL needs JavaScript. The GraphQL endpoint also takes
  POST requests with a JSON body.</noscript>
  <script type="application/json" id="graphiql-config">{json_for_html(config)}</script>
  <script src="{url("react.production.min.js")}"></script>
  <script src="{url("react-dom.production.min.js")}"></script>
  <script src="{url("graphiql.min.js")}"></script>
  <script src="{url("plugin-explorer.umd.js")}"></script>
  <script>
{BOOT_SCRIPT}  </script>
</body>
</html>
"""

    def _not_installed_page(self, request: Request) -> str:
        endpoint = html.escape(request.url.path)
        return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{html.escape(PAGE_TITLE)}: not installed</title>
</head>
<body>
  <h1>GraphiQL is not installed</h1>
  <p>This gateway serves GraphiQL's browser files itself (no CDN), and they are
  not installed. The operator should run <code>{INSTALL_COMMAND}</code> in the
  gateway's project directory, then reload this page.</p>
  <p>The GraphQL endpoint works without it: send queries as
  <code>POST {endpoint}</code> with a JSON body.</p>
</body>
</html>
"""
