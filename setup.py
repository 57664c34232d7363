"""Builds GraphiQL's and the dashboard's browser files into the package when it is built.

Everything else is in pyproject.toml. `build_py` runs first for a wheel (`pip wheel .`,
`python -m build`) and for an editable install (`pip install -e .`): it runs `npm ci` and
`vite build` in graphiql/ (versions pinned by its package-lock.json), which writes
web/graphiql_dist/ (GraphiQL's index.html, the dashboard's dashboard.html, their assets/),
package data of `backfill_gateway.web`. A wheel user needs no Node.js.

Set BACKFILL_GATEWAY_SKIP_GRAPHIQL_BUILD=1 to package an existing web/graphiql_dist/ as is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SOURCE = ROOT / "graphiql"
DIST = ROOT / "web" / "graphiql_dist"
INPUTS = (
    "package.json", "package-lock.json", "vite.config.js", "index.html", "dashboard.html", "src",
    "dashboard",
)
PAGES = ("index.html", "dashboard.html")


def newest_input_mtime() -> float:
    paths = [SOURCE / name for name in INPUTS]
    paths += [p for d in ("src", "dashboard") for p in (SOURCE / d).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in paths if p.exists())


def is_current(stamp: Path, since: float) -> bool:
    return stamp.is_file() and stamp.stat().st_mtime >= since


def build_graphiql() -> None:
    if os.environ.get("BACKFILL_GATEWAY_SKIP_GRAPHIQL_BUILD") == "1":
        return
    if not (SOURCE / "package.json").is_file():
        return  # not a checkout: web/graphiql_dist/ came with the sources
    if all(is_current(DIST / page, newest_input_mtime()) for page in PAGES):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "Building backfill-gateway needs Node.js/npm to build GraphiQL's browser files "
            "(graphiql/). Install Node.js >= 20.19, or install a built wheel."
        )
    lock = SOURCE / "package-lock.json"
    if not is_current(SOURCE / "node_modules" / ".package-lock.json", lock.stat().st_mtime):
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=SOURCE, check=True
        )
    subprocess.run([npm, "run", "build", "--silent"], cwd=SOURCE, check=True)


class BuildPyWithGraphiQL(build_py):
    def run(self) -> None:
        build_graphiql()
        # Package data is listed lazily; drop a listing made before the files existed.
        self.__dict__.pop("data_files", None)
        super().run()

    def find_package_modules(self, package, package_dir):
        # The repository root is the package (pyproject's package-dir): leave this file out.
        modules = super().find_package_modules(package, package_dir)
        return [m for m in modules if not (package == "backfill_gateway" and m[1] == "setup")]


setup(cmdclass={"build_py": BuildPyWithGraphiQL})
