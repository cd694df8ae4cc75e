#!/usr/bin/env bash
# The test command: every unit test and every Docker-backed IT, against the offline images.
# Extra arguments go to Maven (e.g. -Dproxystage.stage=ship).
set -euo pipefail
cd "$(dirname "$0")/.."

# Testcontainers on a machine without a registry: no Ryuk (its image can't be pulled; a shutdown
# hook cleans up instead), and no gateway detection (it would pull alpine).
export TESTCONTAINERS_RYUK_DISABLED="${TESTCONTAINERS_RYUK_DISABLED:-true}"
export TESTCONTAINERS_HOST_OVERRIDE="${TESTCONTAINERS_HOST_OVERRIDE:-localhost}"

exec mvn -B -ntp verify -Dproxystage.profile=offline "$@"
