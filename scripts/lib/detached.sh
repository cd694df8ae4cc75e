# shellcheck shell=bash
# detached CMD... &: runs CMD with none of the caller's descriptors above 2. A daemon started by a
# script that runs under `flock` would otherwise hold the lock for its whole life, and the next
# script that waits for the lock waits for the daemon to stop. Only in the background (`&`): it
# closes and execs in the shell it runs in, which must be the subshell `&` made, so that $! is the
# daemon's pid.
detached() {
  if [ "$BASHPID" = "$$" ]; then
    echo "detached: run it in the background (detached $1 ... &)" >&2
    return 2
  fi
  local fd
  for fd in /proc/self/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
  exec "$@"
}
