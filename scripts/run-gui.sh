#!/usr/bin/env bash
# Sets up (installs dependencies, builds) and launches the GUI on the default experiment.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/setup.sh"
exec "$here/build/app/crossbarlab" "$@"
