"""The project's wheel, built as a user builds it, and fresh virtual environments.

The wheel is built from a copy of the checkout (no stale `build/` directory, no
node_modules): `pip wheel .` runs setup.py's GraphiQL build there unless the copied
web/graphiql_dist/ is already current.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import venv
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", ".cache", "build", "dist", "node_modules", "*.egg-info", "__pycache__",
    ".pytest_cache", ".hypothesis", "demo.sqlite*", "bench",
)  # fmt: skip


@dataclass(frozen=True)
class BuiltWheel:
    path: Path
    build_seconds: float


def build_wheel(workdir: Path) -> BuiltWheel:
    source = workdir / "source"
    shutil.copytree(PROJECT_DIR, source, ignore=NOT_COPIED)
    out = workdir / "wheelhouse"
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True, cwd=workdir,
    )  # fmt: skip
    (wheel,) = out.glob("backfill_gateway-*.whl")
    return BuiltWheel(wheel, time.monotonic() - started)


def create_venv(path: Path, *requirements: str, timeout: float = 900) -> Path:
    """A new virtual environment with `requirements` pip-installed; its bin directory."""
    venv.create(path, with_pip=True)
    bin_dir = path / "bin"
    if requirements:
        pip_install(bin_dir, *requirements, timeout=timeout)
    return bin_dir


def pip_install(bin_dir: Path, *requirements: str, timeout: float = 900) -> None:
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", *requirements],
        check=True, timeout=timeout,
    )  # fmt: skip
