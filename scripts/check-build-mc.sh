#!/usr/bin/env bash
# Cross-checks manto build's Monte Carlo against pmcontrols (PyPI), an open-source
# CPM/PERT Monte Carlo tool, on the Hillier-Lieberman PERT network (scripts/check_build_mc.py).
# Needs python3 with venv and pip reaching PyPI; builds manto in release if needed.
#   scripts/check-build-mc.sh [MANTO_BINARY]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
manto="${1:-$root/target/release/manto}"
[ -x "$manto" ] || cargo build --release --manifest-path "$root/Cargo.toml" -p manto
venv="$(mktemp -d)"
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet pmcontrols==0.2.1
"$venv/bin/python" "$root/scripts/check_build_mc.py" "$manto"
