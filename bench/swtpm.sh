# Sourced by the benchmarks: start_swtpm TRANSPORT WORKDIR [swtpm options] starts a daemonized swtpm with its
# state in WORKDIR/state and its pid in WORKDIR/swtpm.pid, on UNIX sockets (TRANSPORT unix: WORKDIR/tpm and
# WORKDIR/tpm.ctrl) or on two free 127.0.0.1 ports (tcp: data P, control P+1), and sets $tcti to the config
# string every stack takes. Exits with swtpm's error when it cannot start.

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { # a free port P with P+1 free too (swtpm's control channel)
  local p
  while :; do
    p=$((20000 + RANDOM % 12000)) # below the ephemeral range, where outgoing connections bind
    listening "$p" || listening $((p + 1)) || { echo "$p"; return; }
  done
}
start_swtpm() {
  local transport=$1 dir=$2 attempt port
  shift 2
  mkdir -p "$dir/state"
  if [[ $transport == unix ]]; then
    rm -f "$dir/tpm" "$dir/tpm.ctrl"
    swtpm socket --tpm2 --tpmstate dir="$dir/state" \
      --server type=unixio,path="$dir/tpm" --ctrl type=unixio,path="$dir/tpm.ctrl" \
      --flags not-need-init,startup-clear --daemon --pid file="$dir/swtpm.pid" "$@" 2>"$dir/swtpm.err" \
      && { tcti="swtpm:path=$dir/tpm"; return; }
  else
    for attempt in 1 2 3 4 5; do # another process may take the port between the check and the bind
      port=$(free_port)
      swtpm socket --tpm2 --tpmstate dir="$dir/state" \
        --server type=tcp,port="$port",bindaddr=127.0.0.1 --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
        --flags not-need-init,startup-clear --daemon --pid file="$dir/swtpm.pid" "$@" 2>"$dir/swtpm.err" \
        && { tcti="swtpm:host=127.0.0.1,port=$port"; return; }
    done
  fi
  cat "$dir/swtpm.err" >&2
  echo "cannot start swtpm ($transport)" >&2
  exit 1
}
