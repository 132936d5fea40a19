#!/usr/bin/env bash
# Builds the libsepol conformance harness (test/conformance/harness.c) and the load oracle
# (test/conformance/sepol-load.c, OUT_DIR/sepol-load) against the static libsepol.a from Debian's
# libsepol-dev, into a cache directory that is never committed.
#
#   test/conformance/build-harness.sh [OUT_DIR]     prints the path of the built binary
#
# OUT_DIR defaults to $SVIRT_CACHE_DIR/conformance, else node_modules/.cache/svirt/conformance.
# Rebuilds only when the source, sepol-common.h, libsepol.a or this script is newer than the binary.
# Exit 3 (with a message naming the packages) when gcc or libsepol.a is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out_dir="${1:-${SVIRT_CACHE_DIR:-$root/node_modules/.cache/svirt}/conformance}"
src="$here/harness.c"
bin="$out_dir/sepol-harness"

need="apt-get install selinux-policy-default checkpolicy libsepol-dev gcc"
command -v gcc >/dev/null 2>&1 || { echo "build-harness: gcc not found ($need)" >&2; exit 3; }
lib=""
if command -v dpkg >/dev/null 2>&1; then
  lib="$(dpkg -L libsepol-dev 2>/dev/null | grep -E '/libsepol\.a$' | head -n1 || true)"
fi
if [ -z "$lib" ]; then
  for cand in /usr/lib/x86_64-linux-gnu/libsepol.a /usr/lib/aarch64-linux-gnu/libsepol.a /usr/lib64/libsepol.a /usr/lib/libsepol.a; do
    if [ -f "$cand" ]; then lib="$cand"; break; fi
  done
fi
[ -n "$lib" ] && [ -f "$lib" ] || { echo "build-harness: static libsepol.a not found ($need)" >&2; exit 3; }
[ -f /usr/include/sepol/policydb/services.h ] || { echo "build-harness: libsepol headers not found ($need)" >&2; exit 3; }

mkdir -p "$out_dir"
build() { # build SRC BIN
  if [ ! -x "$2" ] || [ "$1" -nt "$2" ] || [ "$here/sepol-common.h" -nt "$2" ] || [ "$0" -nt "$2" ] || [ "$lib" -nt "$2" ]; then
    local tmp="$2.tmp.$$"
    gcc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -o "$tmp" "$1" "$lib"
    mv -f "$tmp" "$2"
  fi
}
build "$src" "$bin"
build "$here/sepol-load.c" "$out_dir/sepol-load"
echo "$bin"
