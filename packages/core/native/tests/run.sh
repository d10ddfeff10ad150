#!/usr/bin/env bash
# Builds the native engine with plain CMake (no Node needed) and runs its test binary through ctest.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
build="${KILN_NATIVE_TEST_BUILD:-$here/native/build-tests}"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure
