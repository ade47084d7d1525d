#!/usr/bin/env bash
# Sets up (installs dependencies, builds) and runs every default test (labels unit, gui, fidelity)
# through CTest. Benchmarks (label bench) and the long runs of the papers' full experiments
# (label fidelity-full, hours) are kept out: `ctest -L bench`, `ctest -L fidelity-full`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
cd "$here/build"
QT_QPA_PLATFORM=offscreen ctest --output-on-failure -LE 'bench|fidelity-full' -j "$(nproc)"
