#!/usr/bin/env bash
# One-time installs for bench/run.py, all outside the repo (idempotent; run as root):
#   wrk (Debian), the peers of the shared harness (its setup.sh: /tmp/benchvenv with the
#   Python peers, PostGraphile in /tmp/pgl, node 22 in /tmp/node22), and py-spy
#   (PyPI) into the same bench venv for the profile.
# Our gateway itself runs from the project's .venv (make install) or from
# --gateway-python / BENCH_GATEWAY_PYTHON.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PEERS_DIR="${BENCH_PEERS_DIR:-}"
if [[ -z "$PEERS_DIR" ]]; then
  for d in /work/shared/bench "$HERE/../../shared/bench"; do
    if [[ -d "$d/peers" ]]; then PEERS_DIR="$(cd "$d" && pwd)"; break; fi
  done
fi
[[ -n "$PEERS_DIR" ]] || { echo "shared harness not found: set BENCH_PEERS_DIR" >&2; exit 2; }
VENV="${BENCH_VENV:-/tmp/benchvenv}"

if ! command -v wrk >/dev/null; then
  apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }
fi
bash "$PEERS_DIR/setup.sh"
"$VENV/bin/pip" install -q py-spy
echo "py-spy: $("$VENV/bin/py-spy" --version)"
