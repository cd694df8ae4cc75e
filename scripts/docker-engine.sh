#!/usr/bin/env bash
# Installs (if missing) and starts (if not running) a Docker engine from Debian's packages,
# then waits until it answers. Exits non-zero when the engine cannot be made to answer.
set -euo pipefail

log() { printf '[docker-engine] %s\n' "$*"; }
# shellcheck source=lib/detached.sh
. "$(dirname "$0")/lib/detached.sh"

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing docker.io from Debian's packages"
  start=$SECONDS
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  log "installed in $((SECONDS - start)) s"
fi

if docker info >/dev/null 2>&1; then
  log "engine already running ($(docker version --format '{{.Server.Version}}'))"
  exit 0
fi

# A daemon that was killed leaves its pid file behind, and a new dockerd refuses to start then.
if ! pgrep -x dockerd >/dev/null; then
  rm -f /var/run/docker.pid
  log "starting dockerd (log: /tmp/dockerd.log)"
  detached nohup dockerd >/tmp/dockerd.log 2>&1 &
fi

start=$SECONDS
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine ready in $((SECONDS - start)) s ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 1
done

log "ERROR: the Docker engine did not answer within 60 s; last lines of /tmp/dockerd.log:"
tail -n 20 /tmp/dockerd.log >&2 || true
exit 1
