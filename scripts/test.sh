#!/usr/bin/env bash
# Runs the test suite from the repository root: unit tests, the swtpm-backed tests (skipped where
# swtpm is not installed) and the fuzz targets. Extra arguments go to Maven (e.g. -pl tss -Dtest=...).
set -euo pipefail
cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
exec mvn -B -ntp verify "$@"
