#!/usr/bin/env bash
# Stage validation on one stage (default prep): example-tests' ITs against the offline images, on a
# machine that may have no Docker engine and no images yet.
#
#   bash scripts/validate-stage.sh                 # stage prep
#   bash scripts/validate-stage.sh wip -X          # stage wip; extra arguments go to Maven
#
# It provisions like scripts/test.sh (lib/provision.sh), then runs
#   mvn -B -ntp verify -pl example-tests -am -Dproxystage.profile=offline \
#       -Dproxystage.stage=STAGE -Dproxystage.stages=STAGE
# -am builds the extension too, but only example-tests' tests run: Maven has no switch that skips
# one module's tests, so the test selection (-Dtest for surefire, -Dit.test for failsafe) is
# narrowed to example-tests' package, with each plugin's usual class-name conventions, and a module
# with nothing selected is not an error. The last line sums up example-tests' failsafe report.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=lib/provision.sh
. scripts/lib/provision.sh

stage=prep
if [ $# -gt 0 ] && [[ $1 != -* ]]; then
  stage=$1
  shift
fi

pkg='dev/proxystage/example/**'
unit_tests="$pkg/Test*,$pkg/*Test,$pkg/*Tests,$pkg/*TestCase"
its="$pkg/IT*,$pkg/*IT,$pkg/*ITCase"

provision

summary=example-tests/target/failsafe-reports/failsafe-summary.xml
rm -f "$summary"   # a report left by an earlier run must not stand in for this one
start=$SECONDS
echo "[validate-stage] stage $stage: example-tests' ITs with the offline profile"
rc=0
mvn -B -ntp verify -pl example-tests -am \
  -Dproxystage.profile=offline -Dproxystage.stage="$stage" -Dproxystage.stages="$stage" \
  -Dtest="$unit_tests" -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test="$its" -Dfailsafe.failIfNoSpecifiedTests=false \
  "$@" || rc=$?
echo   # Debian's Maven ends its output with colour resets and no newline

if [ ! -f "$summary" ]; then
  echo "[validate-stage] stage $stage: FAILED, no failsafe report ($summary): the example ITs did not run (mvn exit $rc, $((SECONDS - start)) s)"
  exit $((rc == 0 ? 1 : rc))
fi
get() { sed -n "s:.*<$1>\([0-9]*\)</$1>.*:\1:p" "$summary"; }
completed=$(get completed); failures=$(get failures); errors=$(get errors); skipped=$(get skipped)
if [ "$rc" -eq 0 ] && [ "${completed:-0}" -eq 0 ]; then
  rc=1   # a validation that ran nothing validated nothing
fi
verdict=$([ "$rc" -eq 0 ] && echo passed || echo FAILED)
echo "[validate-stage] stage $stage: $verdict, ${completed:-0} example ITs run, ${failures:-?} failed, ${errors:-?} errors, ${skipped:-?} skipped ($((SECONDS - start)) s)"
exit "$rc"
