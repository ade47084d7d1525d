#!/usr/bin/env bash
# Sets up (installs dependencies, builds) and runs every default test (labels unit, gui, fidelity)
# through CTest. Benchmarks (label bench) are kept out: run them with `ctest -L bench`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
cd "$here/build"
QT_QPA_PLATFORM=offscreen ctest --output-on-failure -LE bench -j "$(nproc)"
