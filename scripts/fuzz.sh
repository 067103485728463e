#!/usr/bin/env bash
# Fuzzes every Jazzer @FuzzTest in the reactor for a bounded time each:
#   scripts/fuzz.sh [seconds-per-target]      (default 30)
#   scripts/fuzz.sh --runs N                  N inputs per target from a fixed random seed: the same
#                                             inputs on every machine, so a CI result is reproducible
#
# A plain `mvn test` only replays the seed corpora (Jazzer's regression mode). Real fuzzing needs
# JAZZER_FUZZ=1, and Jazzer fuzzes a single @FuzzTest per JVM, so this runs Maven once per target
# with -Dtest=Class#method. The time limit reaches libFuzzer through Jazzer's JUnit configuration
# parameters jazzer.internal.arg.N (argv[0], then -max_total_time=N); they come after the
# @FuzzTest(maxDuration) value, and libFuzzer keeps the last one.
#
# A finding (an exception other than the ones the target allows, a timeout, an OOM) fails that
# Maven run; Jazzer leaves the input as crash-<sha1> in the target's seed directory
# (src/test/resources/<package>/<Class>Inputs/<method>/), where every later `mvn test` replays it
# until it is fixed. This script then exits 1 and lists the new crash files and logs.
set -u -o pipefail

if [ "${1:-}" = "--runs" ]; then
    limit="-runs=${2:-}"
    budget="${2:-} inputs from seed 1"
    value="${2:-}"
    extra=(-Djazzer.internal.arg.2=-seed=1)
else
    limit="-max_total_time=${1:-30}"
    budget="${1:-30}s"
    value="${1:-30}"
    extra=()
fi
if ! [[ "$value" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [seconds-per-target] | --runs N" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
root="$(pwd)"
logs="$root/target/fuzz-logs"
mkdir -p "$logs"

# module<TAB>fully.qualified.Class#method for every @FuzzTest method
list_targets() {
    grep -rl --include='*.java' '@FuzzTest' -- */src/test/java 2>/dev/null | sort | while read -r file; do
        module="${file%%/src/test/java/*}"
        class="${file#*/src/test/java/}"
        class="${class%.java}"
        class="${class//\//.}"
        # the method declared after each @FuzzTest annotation
        awk '/@FuzzTest/ { want = 1; next }
             want && match($0, /void[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/) {
                 m = substr($0, RSTART, RLENGTH); sub(/^void[ \t]+/, "", m); sub(/[ \t]*\($/, "", m)
                 print m; want = 0 }' "$file" | while read -r method; do
            printf '%s\t%s#%s\n' "$module" "$class" "$method"
        done
    done
}

mapfile -t targets < <(list_targets)
if [ "${#targets[@]}" -eq 0 ]; then
    echo "no @FuzzTest found" >&2
    exit 2
fi

failed=()
for entry in "${targets[@]}"; do
    module="${entry%%$'\t'*}"
    target="${entry#*$'\t'}"
    log="$logs/${target//[#.]/_}.log"
    marker="$(mktemp)"
    echo "== fuzzing $target ($module): $budget"
    if JAZZER_FUZZ=1 mvn -o -B -pl "$module" -am test -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
            -Djazzer.hooks=true -Djazzer.instrumentation_includes='org.tpmauth.**' \
            -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1="$limit" "${extra[@]}" >"$log" 2>&1; then
        grep -E '^Done [0-9]+ runs' "$log" | tail -1 | sed 's/^/   /'
    else
        failed+=("$target")
        echo "   FAILED, log: $log"
        grep -E 'FuzzTestFindingException|^== Java Exception|Caused by' "$log" | head -5 | sed 's/^/   /'
        find "$module" -path '*/target' -prune -o -name 'crash-*' -newer "$marker" -print | sed 's/^/   input: /'
    fi
    rm -f "$marker"
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]}"
    exit 1
fi
echo "fuzzed ${#targets[@]} target(s), $budget each: no findings"
