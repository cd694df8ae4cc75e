#!/usr/bin/env bash
# The test command: every unit test and every Docker-backed IT, against the offline images, on a
# machine that may have no Docker engine and no images yet.
#   1. a Docker engine and the offline images (lib/provision.sh; both skipped when already there)
#   2. mvn -B -ntp verify -Dproxystage.profile=offline, with the Testcontainers variables
#   3. check-reports.sh: every failsafe suite ran at least one IT, none failed or was skipped
# Extra arguments go to Maven (e.g. -Dproxystage.stage=ship).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib/provision.sh
. scripts/lib/provision.sh

provision

start=$SECONDS
echo "[test] mvn -B -ntp verify -Dproxystage.profile=offline $*"
mvn -B -ntp verify -Dproxystage.profile=offline "$@"
echo   # Debian's Maven ends its output with colour resets and no newline
echo "[test] mvn verify passed in $((SECONDS - start)) s"

bash scripts/check-reports.sh
