#!/usr/bin/env bash
# Runs the test suite from the repository root: installs what the tests need when it is missing
# (swtpm, tpm2-tools, tpm2-openssl, a JDK and Maven; see scripts/install-deps.sh), then runs the unit
# tests, the tests against real swtpm / libtpms TPMs and the fuzz corpora. Extra arguments go to
# Maven (e.g. -pl tss -Dtest=...).
set -euo pipefail
cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
scripts/install-deps.sh
exec mvn -B -ntp verify "$@"
