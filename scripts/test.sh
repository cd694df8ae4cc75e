#!/usr/bin/env bash
# The test command: every unit test and every Docker-backed IT, against the offline images, on a
# machine that may have no Docker engine and no images yet.
#   1. a Docker engine and the offline images (lib/provision.sh; both skipped when already there)
#   2. mvn -B -ntp verify -Dproxystage.profile=offline, with the Testcontainers variables
#   3. the JUnit glue's tests again on JUnit 6 (EngineTestKit, no Docker): ProxyStage works on 5.14 and 6.x
#   4. check-reports.sh: every failsafe suite ran at least one IT, none failed or was skipped
#   5. engine-matrix.sh: the engine-sensitive ITs again on Docker 26, on a test host of its own (root;
#      TEST_ENGINE_MATRIX=0 leaves it out, e.g. on a machine without network namespaces)
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

start=$SECONDS
echo "[test] the JUnit glue on JUnit 6: mvn -B -ntp -pl extension -am test -Djunit.version=6.1.3"
mvn -B -ntp -q -pl extension -am test -Djunit.version=6.1.3 -Dtest='GlueTest,BadPipelineGlueTest' \
  -Dsurefire.failIfNoSpecifiedTests=false
echo
echo "[test] the JUnit glue passed on JUnit 6.1.3 in $((SECONDS - start)) s"

bash scripts/check-reports.sh

if [ "${TEST_ENGINE_MATRIX:-1}" != 0 ]; then
  start=$SECONDS
  echo "[test] the engine-sensitive ITs on Docker 26: scripts/engine-matrix.sh"
  bash scripts/engine-matrix.sh "$@"
  echo "[test] Docker 26 passed in $((SECONDS - start)) s"
fi
