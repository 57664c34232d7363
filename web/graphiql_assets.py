"""GraphiQL's browser files, served by the gateway itself from `graphiql/node_modules`.

Airflow often runs in closed networks, so nothing the GraphiQL page needs may
come from a CDN. `npm ci --prefix graphiql` installs the pinned packages; this
module serves the few files the page loads. An explicit allow-list maps each
URL name to one file of one package: nothing else under node_modules is
reachable, and no part of a URL ever becomes part of a filesystem path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from backfill_gateway.settings import PROJECT_DIR

NODE_MODULES_DIR = PROJECT_DIR / "graphiql" / "node_modules"
INSTALL_COMMAND = "npm ci --prefix graphiql"
STATIC_PATH = "/graphiql/static"
ASSET_ROUTE_NAME = "graphiql_asset"

JAVASCRIPT = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"

# The packages are pinned in graphiql/package.json and every URL the page uses
# carries the package's version, so a file never changes under its URL.
CACHE_CONTROL = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    package: str  # the npm package the file comes from
    file: str  # the file's path inside the package
    media_type: str


# URL name -> file. The only files served; keep in step with the page's tags.
ASSETS: dict[str, Asset] = {
    "react.production.min.js": Asset("react", "umd/react.production.min.js", JAVASCRIPT),
    "react-dom.production.min.js": Asset(
        "react-dom", "umd/react-dom.production.min.js", JAVASCRIPT
    ),
    "graphiql.min.js": Asset("graphiql", "graphiql.min.js", JAVASCRIPT),
    "graphiql.min.css": Asset("graphiql", "graphiql.min.css", CSS),
    "plugin-explorer.umd.js": Asset(
        "@graphiql/plugin-explorer", "dist/index.umd.js", JAVASCRIPT
    ),
    "plugin-explorer.css": Asset("@graphiql/plugin-explorer", "dist/style.css", CSS),
}


class AssetFiles:
    """The allow-listed files of one node_modules directory, and their URLs."""

    def __init__(self, node_modules: Path) -> None:
        self.node_modules = node_modules

    def path(self, asset: Asset) -> Path:
        return self.node_modules / asset.package / asset.file

    def missing(self) -> list[str]:
        """The allow-listed files that are not installed, relative to node_modules."""
        return [
            f"{asset.package}/{asset.file}"
            for asset in ASSETS.values()
            if not self.path(asset).is_file()
        ]

    def version(self, package: str) -> str | None:
        try:
            manifest = json.loads((self.node_modules / package / "package.json").read_text())
        except (OSError, ValueError):
            return None
        version = manifest.get("version") if isinstance(manifest, dict) else None
        return version if isinstance(version, str) else None

    def url(self, request: Request, name: str) -> str:
        """The asset's path on this gateway, under the app's root path (proxy prefix)."""
        asset = ASSETS[name]  # a KeyError here is a typo in the page
        root_path = request.scope.get("root_path", "").rstrip("/")
        version = self.version(asset.package)
        return f"{root_path}{STATIC_PATH}/{name}" + (f"?v={version}" if version else "")

    async def serve(self, request: Request) -> Response:
        asset = ASSETS.get(request.path_params["name"])
        if asset is None:
            return PlainTextResponse("Not Found", status_code=404)
        path = self.path(asset)
        if not path.is_file():
            return PlainTextResponse(
                f"GraphiQL's assets are not installed: run `{INSTALL_COMMAND}`.", status_code=404
            )
        return FileResponse(
            path,
            media_type=asset.media_type,
            headers={"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
        )

    def routes(self) -> list[BaseRoute]:
        # `{name}` never matches a "/", and only ASSETS keys resolve to a file.
        return [
            Route(f"{STATIC_PATH}/{{name}}", self.serve, methods=["GET"], name=ASSET_ROUTE_NAME)
        ]
