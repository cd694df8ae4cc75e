#!/usr/bin/env bash
# The benchmarks: ProxyStage side by side with the docker CLI and hand-written
# Testcontainers code, in one run on this machine, with the offline images.
#
#   bash scripts/bench.sh                 # build, run everything, print the table, update docs/benchmarks.md
#   bash scripts/bench.sh --reps 9        # more repetitions per figure (at least 5; default 7)
#   bash scripts/bench.sh --no-write      # print only
#   bash scripts/bench.sh --only start,four,suite,client,parser,scale,coverage,report
#   bash scripts/bench.sh --only scale --scale-sizes 1,50 --scale-reps 1 --no-write   # a quick scale subset
#   bash scripts/bench.sh --only scale --scale-sizes 200 --scale-cases ps,cli32        # some cases (of ps,compose,cli8,cli32,engine)
#   bash scripts/bench.sh --smoke         # every case once, small stages, nothing written
#   BENCH_SKIP_BUILD=1 bash scripts/bench.sh   # reuse the last build
#   BENCH_REMOTE=1 bash scripts/bench.sh       # also: cold start on a second engine on its own test host (root)
#   BENCH_ENGINE=docker26 bash scripts/bench.sh --only scale --no-write   # the harness on Docker 26, on a test host of
#                                         # its own, run inside its network namespace as on the engine's machine (root)
#   bash scripts/bench.sh trace           # the routing-evidence row alone (TraceBench)
#   bash scripts/bench.sh report [--rounds N] [--no-write]  # what the run's report costs per request and per run
#                                         # (ReportBench); replaces its section (10) of docs/benchmarks.md's tables
#   bash scripts/bench.sh watch [--rounds N] [--backends N]   # the up --watch rows alone (WatchBench; default 10 rounds, the example)
#   bash scripts/bench.sh coverage [--requests 500] [--no-write]  # conf.d coverage's cost beside a request
#                                         # (CoverageBench); replaces its section (9) of docs/benchmarks.md's tables
#   bash scripts/bench.sh check [--rounds N]  # check's time, static and with nginx -t (CheckBench; default 7 rounds)
#   bash scripts/bench.sh soak [--engines host,docker26] [--rounds 50] [--backends 120]
#                                         # the teardown soak (SoakBench): networks left and teardown time, today's
#                                         # order against the earlier one, each engine on a test host of its own (root;
#                                         # `local`: the DOCKER_HOST engine as it is)
#   bash scripts/bench.sh faults [--requests N] [--rounds N] [--seconds N]   # the fault proxy's healthy-path cost (FaultProxyBench)
#
# It needs a running Docker engine and the offline images (scripts/docker-engine.sh,
# scripts/build-offline-images.sh). It is not a test: it never fails on a figure. The harness's log
# (progress, ProxyStage's per-stage step timings) goes to benchmarks/target/bench.log.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export TESTCONTAINERS_RYUK_DISABLED="${TESTCONTAINERS_RYUK_DISABLED:-true}"
export TESTCONTAINERS_HOST_OVERRIDE="${TESTCONTAINERS_HOST_OVERRIDE:-localhost}"

log() { printf '[bench] %s\n' "$*" >&2; }

docker info >/dev/null 2>&1 || { log "ERROR: no Docker engine answers (start one with scripts/docker-engine.sh)"; exit 1; }
for image in proxystage/nginx:offline proxystage/jre:17-offline; do
  docker image inspect "$image" >/dev/null 2>&1 \
    || { log "ERROR: image $image is missing (run scripts/build-offline-images.sh)"; exit 1; }
done

# wrk is the reference load generator; without it the table says so.
if ! command -v wrk >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log "installing wrk from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; } \
    || log "wrk could not be installed; the table will say so"
fi

# Compose v2 is the scale rows' reference (a user's `docker compose up`): Debian trixie's docker-compose 2.x, unpacked
# under /var/cache by scripts/trixie-docker.sh (this machine's release has only Compose v1); without it the table says so.
if [ -z "${BENCH_COMPOSE:-}" ] && [ "$(id -u)" = 0 ]; then
  BENCH_COMPOSE=$(bash "$root/scripts/trixie-docker.sh" compose) || log "Compose v2 could not be provisioned; the table will say so"
fi
export BENCH_COMPOSE="${BENCH_COMPOSE:-docker-compose}"

# WatchBench drives the CLI jar as a user runs it, so `watch` builds the cli module too.
modules=benchmarks
[ "${1:-}" = watch ] && modules=benchmarks,cli
[ "${1:-}" = check ] && modules=benchmarks,cli
# The soak's engines and test hosts are its own: only its images come from this machine's engine.
soak_engines=host,docker26
if [ "${1:-}" = soak ]; then
  shift
  soak_args=()
  while [ $# -gt 0 ]; do
    case $1 in
      --engines) soak_engines=$2; shift 2 ;;
      *) soak_args+=("$1"); shift ;;
    esac
  done
  set -- soak "${soak_args[@]}"
fi
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  # Built in the reactor (-am), nothing installed: the local repository may be shared.
  log "building the $modules module(s) and what they need (-Pbench -am)"
  # Online, so that a fresh machine resolves the plugins' dependencies first; nothing is measured until it built.
  mvn -q -B -ntp -Dstyle.color=never -Pbench -pl "$modules" -am package -DskipTests 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2 \
    || { log "ERROR: the build failed; nothing was measured"; exit 1; }
fi

classpath="$root/benchmarks/target/classes:$(cat "$root/benchmarks/target/classpath.txt")"
mkdir -p "$root/benchmarks/target"
# The routing-evidence row runs on its own: bash scripts/bench.sh trace [--backends 1,20,200] [--assertions 250]
if [ "${1:-}" = trace ]; then
  shift
  exec java -Xmx1g -cp "$classpath" dev.proxystage.bench.TraceBench --root "$root" "$@"
fi
# The fault proxy's healthy-path cost runs on its own: bash scripts/bench.sh faults [--requests N] [--rounds N] [--seconds N]
# Beside it, nginx's stream module as a C forwarder in the fault proxy's place (its image, the offline nginx image with
# Debian's libnginx-mod-stream, is built for the run when missing, and removed after it if it was), and the least a
# Java forwarder does there (BareForwarder, in the fault proxy's image).
if [ "${1:-}" = faults ]; then
  shift
  forwarder=proxystage/nginx-stream:bench
  if ! docker image inspect "$forwarder" >/dev/null 2>&1; then
    log "building $forwarder (scripts/images/nginx-stream)"
    docker build -q -t "$forwarder" "$root/scripts/images/nginx-stream" >/dev/null \
      || { log "ERROR: docker build of $forwarder failed; nothing was measured"; exit 1; }
    trap 'docker rmi "$forwarder" >/dev/null 2>&1 || true' EXIT
  fi
  java -Xmx1g -cp "$classpath" dev.proxystage.bench.FaultProxyBench --root "$root" "$@"
  exit $?
fi
# What conf.d coverage costs, beside a request through the example's stage: bash scripts/bench.sh coverage [--requests N]
if [ "${1:-}" = coverage ]; then
  shift
  exec java -cp "$classpath" dev.proxystage.bench.CoverageBench --root "$root" "$@"
fi
# The report's cost runs on its own too: bash scripts/bench.sh report [--rounds N]
if [ "${1:-}" = report ]; then
  shift
  exec java -Xmx1g -cp "$classpath" dev.proxystage.bench.ReportBench --root "$root" "$@"
fi
# check's time, static and with nginx -t, runs on its own too: bash scripts/bench.sh check [--rounds N]
if [ "${1:-}" = check ]; then
  shift
  exec java -cp "$classpath" dev.proxystage.bench.CheckBench --root "$root" "$@"
fi
# The up --watch rows run on their own too: bash scripts/bench.sh watch [--rounds N] [--backends N]
if [ "${1:-}" = watch ]; then
  shift
  exec java -cp "$classpath" dev.proxystage.bench.WatchBench --root "$root" "$@"
fi
# The teardown soak: on each engine in turn, a test host of that engine (scripts/test-host-engine.sh, a unix socket
# only) and the harness run inside its network namespace, as on the engine's own machine.
if [ "${1:-}" = soak ]; then
  shift
  # Names, subnets, work directories and logs are per engine, so two soaks (--engines host, --engines docker26) can run
  # at the same time; each log is benchmarks/target/soak-ENGINE.log.
  rc=0
  for engine in ${soak_engines//,/ }; do
    if [ "$engine" = local ]; then
      java -Xmx1g -cp "$classpath" dev.proxystage.bench.SoakBench --root "$root" --engine "this machine's engine" \
        --work soak/local "$@" 2> >(tee -a "$root/benchmarks/target/soak-local.log" | grep --line-buffered "^\[soak\]" >&2) || rc=1
      continue
    fi
    name=ps-soak-$engine
    case $engine in
      host) subnet=241 ;;
      docker26) subnet=242 ;;
      *) log "ERROR: soak engines are host, docker26 or local (got '$engine')"; rc=1; continue ;;
    esac
    log "soak on $engine: a test host of its own ($name, 10.213.$subnet.0/24)"
    trap 'bash "$root/scripts/test-host-engine.sh" down "$name" >&2 || true' EXIT
    up=$(TEST_HOST_ENGINE=$engine TEST_HOST_IMAGES=proxystage/nginx:offline \
      bash "$root/scripts/test-host-engine.sh" up "$name" - "10.213.$subnet" | tail -n 1) \
      || { log "ERROR: the $engine test host did not come up"; rc=1; continue; }
    socket=${up#ready DOCKER_HOST=}
    nsenter --net="/run/netns/$name" env DOCKER_HOST="$socket" \
      java -Xmx1g -cp "$classpath" dev.proxystage.bench.SoakBench --root "$root" --engine "$engine test host" \
      --work "soak/$engine" "$@" 2> >(tee -a "$root/benchmarks/target/soak-$engine.log" | grep --line-buffered "^\[soak\]" >&2) || rc=1
    bash "$root/scripts/test-host-engine.sh" down "$name" >&2 || rc=1
    trap - EXIT
  done
  exit "$rc"
fi
log "running the harness; its log: benchmarks/target/bench.log"
# Another engine: a test host of its own, and the harness inside its network namespace (ports on its loopback).
in_engine=()
if [ -n "${BENCH_ENGINE:-}" ]; then
  name=ps-bench-$BENCH_ENGINE
  trap 'bash "$root/scripts/test-host-engine.sh" down "$name" >&2 || true' EXIT
  up=$(TEST_HOST_ENGINE=$BENCH_ENGINE TEST_HOST_IMAGES="proxystage/nginx:offline proxystage/jre:17-offline proxystage/debian:bookworm" \
    bash "$root/scripts/test-host-engine.sh" up "$name" - 10.213.248 | tail -n 1) \
    || { log "ERROR: the $BENCH_ENGINE test host did not come up"; exit 1; }
  in_engine=(nsenter --net="/run/netns/$name" env DOCKER_HOST="${up#ready DOCKER_HOST=}")
  log "on $BENCH_ENGINE: $("${in_engine[@]}" docker version --format '{{.Server.Version}}')"
fi
set +e
# stdout (the report) goes straight out; stderr goes to the log, and its progress lines to the terminal
{ "${in_engine[@]}" java -Xmx1g -XX:ActiveProcessorCount=2 -cp "$classpath" dev.proxystage.bench.BenchMain --root "$root" "$@" \
    2>&1 1>&3 3>&- | tee "$root/benchmarks/target/bench.log" | grep --line-buffered '^\[bench\]' >&2
  rc=${PIPESTATUS[0]}; } 3>&1
if [ -n "${BENCH_REMOTE:-}" ]; then
  log "remote engine: cold start here and on a test host's engine (dev.proxystage.bench.RemoteColdStart)"
  java -cp "$classpath" dev.proxystage.bench.RemoteColdStart --root "$root" 2>>"$root/benchmarks/target/bench.log" || rc=1
fi
exit "$rc"
