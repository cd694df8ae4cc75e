#!/usr/bin/env bash
# Opt-in: the example suite against Podman's Docker-compatible service (`podman system service`), this
# machine's podman package (Debian bookworm: 4.3), on a network namespace of its own so that podman's
# bridges and firewall rules stay off this machine's (root; needs the offline images in the local engine).
#   1. namespace ps-podman-try (forwarding off), podman with its own storage, run root, network config
#      and containers.conf under a temp directory; the service on a unix socket there
#   2. the offline images copied in (docker save | docker load through the service)
#   3. the example suite, inside the namespace with DOCKER_HOST=unix://SOCKET: first as users get it
#      (ProxyStage refuses Podman 4 in one line), then with -Dproxystage.engineCheck=off, to see what
#      works and what does not (reports under target/failsafe-reports-podman)
# Everything is taken down at the end, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib/provision.sh
. scripts/lib/provision.sh   # the Testcontainers variables
# shellcheck source=lib/detached.sh
. scripts/lib/detached.sh

name=ps-podman-try
log() { printf '[podman-try] %s\n' "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (a network namespace, podman's rootful service)"
if ! command -v podman >/dev/null 2>&1; then
  log "installing podman (with netavark and aardvark-dns, for network aliases) from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman netavark aardvark-dns >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman netavark aardvark-dns >/dev/null; } \
    || die "podman could not be installed"
fi
[ ! -e "/run/netns/$name" ] || die "network namespace $name exists (an earlier run?): ip netns del $name"

tmp=$(mktemp -d /tmp/proxystage-podman.XXXXXX)
down() {
  local pid p
  pid=$(cat "$tmp/service.pid" 2>/dev/null || true)
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && sleep 1
  # podman's conmon processes outlive the service; each names the temp directory in its arguments
  for p in /proc/[0-9]*; do
    [[ $(tr '\0' ' ' 2>/dev/null <"$p/cmdline") == *"$tmp/"* ]] && kill -KILL "${p#/proc/}" 2>/dev/null
  done
  sleep 0.5
  findmnt -rn -o TARGET | awk -v d="$tmp/" 'index($0, d) == 1' | sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
  rm -rf "$tmp"
  ip netns del "$name" 2>/dev/null || true
  log "taken down"
}
trap down EXIT

ip netns add "$name"
ip -n "$name" link set lo up
nsenter --net="/run/netns/$name" sysctl -q -w net.ipv4.ip_forward=0
# A container may not get higher limits than the service has: podman asks for more by default.
cat >"$tmp/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_config_dir = "$tmp/networks"
EOF
CONTAINERS_CONF=$tmp/containers.conf detached nohup nsenter --net="/run/netns/$name" podman --root "$tmp/storage" \
  --runroot "$tmp/run" --tmpdir "$tmp/tmp" system service --time=0 "unix://$tmp/podman.sock" >"$tmp/service.log" 2>&1 &
echo $! >"$tmp/service.pid"
export DOCKER_HOST=unix://$tmp/podman.sock
for _ in $(seq 1 40); do docker version >/dev/null 2>&1 && break; sleep 0.25; done
log "$(docker version --format '{{range .Server.Components}}{{.Name}} {{.Version}}; {{end}}' | head -n 1 | cut -c1-120)"
t=$SECONDS
images="proxystage/debian:bookworm proxystage/nginx:offline proxystage/jre:17-offline"
# The tar a test host keeps (test-host-engine.sh, TEST_HOST_IMAGE_CACHE), when there is one for these images.
key=$(DOCKER_HOST='' docker image inspect --format '{{.Id}}' $images | sha1sum | cut -c1-16)
if [ -n "${TEST_HOST_IMAGE_CACHE:-}" ] && [ -s "$TEST_HOST_IMAGE_CACHE/images-$key.tar" ]; then
  docker load -q -i "$TEST_HOST_IMAGE_CACHE/images-$key.tar" >/dev/null
else
  # shellcheck disable=SC2086
  DOCKER_HOST='' docker save $images | docker load -q >/dev/null
fi
log "images loaded in $((SECONDS - t)) s"

its=PlainMainIT,PrepHardeningIT,PrepRoutingIT,ProgrammaticShipIT,RoutesIT,SelectedStageIT,StageIsolationIT,StageMatrixIT,WipRoutingIT
maven=(mvn -B -ntp -q verify -pl example-tests -am -Dproxystage.profile=offline -Dit.test="$its" -Dtest=skip
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dfailsafe.reports=failsafe-reports-podman)
rm -rf example-tests/target/failsafe-reports-podman
log "the example suite as users run it"
nsenter --net="/run/netns/$name" env DOCKER_HOST="$DOCKER_HOST" "${maven[@]}" >"$tmp/as-is.log" 2>&1 || true
grep -m1 -o 'the engine at .*' "$tmp/as-is.log" | sed 's/^/[podman-try]   /' || log "  (no refusal line: see the run)"
log "the example suite with -Dproxystage.engineCheck=off"
rm -rf example-tests/target/failsafe-reports-podman
nsenter --net="/run/netns/$name" env DOCKER_HOST="$DOCKER_HOST" "${maven[@]}" -DargLine=-Dproxystage.engineCheck=off \
  >"$tmp/check-off.log" 2>&1 || true
grep -E 'Tests run:.*(FAIL|Fail)|^(java\.lang\.)?AssertionError|not isolated|reaches ' "$tmp/check-off.log" | head -n 12 | sed 's/^/[podman-try]   /' || true
summary=example-tests/target/failsafe-reports-podman/failsafe-summary.xml
[ -f "$summary" ] && log "$(sed -n 's:.*<\(completed\|failures\|errors\)>\([0-9]*\)<.*:\1 \2:p' "$summary" | tr '\n' ' ')"
docker ps -aq | grep -q . && log "containers left on podman: $(docker ps -aq | wc -l)" || log "nothing left on podman"
