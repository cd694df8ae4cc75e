#!/usr/bin/env bash
# The engine-sensitive ITs again, on a second engine: Docker 26 (Debian trixie's docker.io, containerd
# and runc, scripts/trixie-docker.sh) as the daemon of a test host of its own (scripts/test-host-engine.sh),
# beside this machine's engine and without touching it. Run after the main `mvn verify` (scripts/test.sh),
# which has built everything; needs root.
#   1. the engine: provisioned once into /var/cache (then reused), and a test host with the offline images
#   2. as on the engine's own machine: Maven runs inside the test host's network namespace with
#      DOCKER_HOST=unix://SOCKET, so the engine is local to the tests (127.0.0.1 ports, the direct path to
#      backends), for stage start and teardown, isolation, attach, the sweeper, up/down, a 38-backend stage
#      and faults (pause and unpause, a restart under a new address, network disconnect and connect with
#      aliases, the fault proxy's published control port, the fault/heal commands, the cookbook's recipes)
#   3. as a remote engine: RemoteEngineIT with TEST_HOST_ENGINE=docker26, so its own test
#      host (TCP with TLS) runs Docker 26 (RemoteCliIT passes too, and is left out for CI's time)
#   4. check-reports.sh on both report sets (target/failsafe-reports-docker26*), each class named must have run
# The test host is taken down whatever happens. Extra arguments go to Maven.
#   ENGINE_MATRIX_ENGINE   the engine (default docker26; `host`: this machine's dockerd on a test host)
#   ENGINE_MATRIX_STEPS    `local,remote` (the default), or one of them
#   ENGINE_MATRIX_ITS      the local step's IT classes instead of its list below (space-separated), e.g. to
#                          run a few again; check-reports.sh then checks those
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib/provision.sh
. scripts/lib/provision.sh   # the Testcontainers variables

engine=${ENGINE_MATRIX_ENGINE:-docker26}
name=ps-matrix-$engine
prefix=10.213.249
reports=failsafe-reports-$engine

log() { printf '[engine-matrix] %s\n' "$*"; }

local_its="PipelineStageExtensionIT DataIsolationIT SweeperIT KilledJvmIT SecurityHygieneIT TraceDeliveryIT
CliAttachIT CliUpIT CliWatchIT InitIT StageIsolationIT StageMatrixIT RoutesIT PlainMainIT
FaultsIT FaultHealingIT CliFaultIT BackendDownIT BackendHangsIT RestartWithNewAddressIT OneOfTwoUpstreamsDownIT
SlowBodyIT WebSocketDroppedIT CookbookRoutesIT"
local_its=${ENGINE_MATRIX_ITS:-$local_its}
remote_its="RemoteEngineIT"
csv() { echo "$*" | tr -s ' \n' ',' | sed 's/,$//'; }

maven_its=(-B -ntp -fae verify -Dproxystage.profile=offline -Dtest=skip -Dsurefire.failIfNoSpecifiedTests=false
  -Dfailsafe.failIfNoSpecifiedTests=false)

started=$SECONDS
t=$SECONDS
if [ "$engine" = docker26 ]; then
  bin=$(bash scripts/trixie-docker.sh engine)
  log "Docker 26 ready in $((SECONDS - t)) s: $("$bin/dockerd" --version)"
fi

trap 'bash scripts/test-host-engine.sh down "$name" || true' EXIT
t=$SECONDS
# tee -a: stderr may be a log file, which opening /dev/stderr without append would truncate.
up=$(TEST_HOST_ENGINE=$engine bash scripts/test-host-engine.sh up "$name" - "$prefix" | tee -a /dev/stderr | tail -n 1)
socket=${up#ready DOCKER_HOST=}
[ "$socket" != "$up" ] || { log "ERROR: the test host did not say where its engine is"; exit 1; }
log "test host up in $((SECONDS - t)) s"

# A summary left by an earlier run would be read as this one's.
rm -rf extension/target/"$reports"* cli/target/"$reports"* example-tests/target/"$reports"*
steps=${ENGINE_MATRIX_STEPS:-local,remote}
status=0
if [[ ,$steps, == *,local,* ]]; then
t=$SECONDS
log "local to the tests: mvn verify -Dit.test=$(csv "$local_its") inside the test host's network namespace"
nsenter --net="/run/netns/$name" env DOCKER_HOST="$socket" \
  mvn "${maven_its[@]}" -pl extension,cli,example-tests -am -Dit.test="$(csv "$local_its")" \
  -Dfailsafe.reports="$reports" "$@" || status=1
echo
log "local ITs done in $((SECONDS - t)) s"
fi

if [[ ,$steps, == *,remote,* ]]; then
t=$SECONDS
log "remote: mvn verify -Dit.test=$(csv "$remote_its") with TEST_HOST_ENGINE=$engine"
TEST_HOST_ENGINE=$engine mvn "${maven_its[@]}" -pl extension -am -Dit.test="$(csv "$remote_its")" \
  -Dfailsafe.reports="$reports-remote" "$@" || status=1
echo
log "remote ITs done in $((SECONDS - t)) s"
fi

bash scripts/test-host-engine.sh down "$name" || status=1
trap - EXIT

if [[ ,$steps, == *,local,* ]]; then
  bash scripts/check-reports.sh "$reports" "extension cli example-tests" "$local_its" || status=1
fi
if [[ ,$steps, == *,remote,* ]]; then
  bash scripts/check-reports.sh "$reports-remote" "extension" "$remote_its" || status=1
fi
log "$engine: $([ $status -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - started)) s"
exit $status
