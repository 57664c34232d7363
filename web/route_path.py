"""The path an app's routes see, inside a mount or not."""

from __future__ import annotations

from starlette.types import Scope


def route_path(scope: Scope) -> str:
    """`scope["path"]` without the prefix of a mount: Starlette keeps the prefix in `path`
    and names it in `root_path` (the Airflow plugin is mounted under one)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path) and path[len(root_path) :][:1] in ("/", ""):
        return path[len(root_path) :]
    return path
