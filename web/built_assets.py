"""The browser files Vite built into `web/graphiql_dist/assets/` (GraphiQL's and the
dashboard's), served by name from an allow-list read once at start-up: no part of a URL
becomes a path."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

DIST_DIR = Path(__file__).resolve().parent / "graphiql_dist"
BUILD_COMMAND = "make install"

# Vite names every asset after its content: a file never changes under its URL.
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".ttf": "font/ttf",
}
_ASSET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def built_assets(dist_dir: Path) -> dict[str, Path]:
    """The allow-list: the files the build produced in `dist_dir/assets`, by name."""
    assets_dir = dist_dir / "assets"
    return {
        path.name: path
        for path in (sorted(assets_dir.iterdir()) if assets_dir.is_dir() else [])
        if path.is_file() and path.suffix in MEDIA_TYPES and _ASSET_NAME.fullmatch(path.name)
    }


async def serve_asset(assets: dict[str, Path], request: Request) -> Response:
    """The asset `{name}` of the route, if the build produced it; 404 otherwise."""
    path = assets.get(request.path_params["name"])
    if path is None:
        return PlainTextResponse("Not Found", status_code=404)
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[path.suffix],
        headers={"Cache-Control": ASSET_CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
    )
