#!/usr/bin/env bash
# Leak check (not part of the test command): a fresh swtpm, `tpmauth tpm info`, 100k signatures by 16
# threads over 20 keys through the resource manager, `tpmauth tpm info` again. Prints the soak lines
# and exits non-zero when free slots, failures or heap growth show a leak.
#
#   bench/soak.sh [SIGNATURES] [THREADS]
set -euo pipefail
cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
signatures=${1:-100000}
threads=${2:-16}
state=$(mktemp -d)
trap 'kill "$(cat "$state/pid")" 2>/dev/null || true; rm -rf "$state"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
swtpm socket --tpm2 --tpmstate dir="$state" --server type=tcp,port="$port",bindaddr=127.0.0.1 \
  --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear --daemon --pid file="$state/pid"
tcti="swtpm:host=127.0.0.1,port=$port"
./tpmauth --tcti "$tcti" tpm info | grep free- > "$state/before"
./tpmauth --tcti "$tcti" bench --soak "$signatures" --threads "$threads"
./tpmauth --tcti "$tcti" tpm info | grep free- > "$state/after"
echo "# tpm info before / after:"
paste "$state/before" "$state/after"
diff -q "$state/before" "$state/after" >/dev/null || { echo "free slots differ after the run" >&2; exit 1; }
