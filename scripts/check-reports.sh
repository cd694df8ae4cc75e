#!/usr/bin/env bash
# Fails unless every module's failsafe run executed at least one IT, with no failure, error or skip.
# Maven passes a suite whose tests were all skipped; for Docker-backed tests that would hide a
# missing engine, so it is checked here.
#
#   scripts/check-reports.sh                                  the main run: target/failsafe-reports of every module
#   scripts/check-reports.sh REPORTS "MODULE..." "CLASS..."   another run (-Dfailsafe.reports=REPORTS) of these
#                                                             modules; each IT class named must have run a test
set -euo pipefail
cd "$(dirname "$0")/.."

reports=${1:-failsafe-reports}
modules=${2:-extension cli example-tests}
classes=${3:-}

status=0
for module in $modules; do
  summary="$module/target/$reports/failsafe-summary.xml"
  if [ ! -f "$summary" ]; then
    echo "[check-reports] $module: no failsafe summary ($summary): the ITs did not run"
    status=1
    continue
  fi
  get() { sed -n "s:.*<$1>\([0-9]*\)</$1>.*:\1:p" "$summary"; }
  completed=$(get completed); errors=$(get errors); failures=$(get failures); skipped=$(get skipped)
  echo "[check-reports] $module ($reports): $completed ITs run, $failures failed, $errors errors, $skipped skipped"
  if [ "${completed:-0}" -eq 0 ] || [ "${errors:-1}" -ne 0 ] || [ "${failures:-1}" -ne 0 ] || [ "${skipped:-1}" -ne 0 ]; then
    status=1
  fi
done
# A class that was asked for and did not run (renamed, filtered out) would otherwise pass unnoticed.
for class in $classes; do
  found=""
  for module in $modules; do
    for report in "$module/target/$reports"/TEST-*."$class".xml; do
      [ -f "$report" ] || continue
      # Its test cases, not the suite's count: a dynamic container's report can say tests="0" and list them.
      grep -q '<testcase ' "$report" && found=1
    done
  done
  if [ -z "$found" ]; then
    echo "[check-reports] $class ($reports): did not run"
    status=1
  fi
done
[ $status -eq 0 ] && echo "[check-reports] ok" || echo "[check-reports] FAILED: Docker-backed tests must all run and pass"
exit $status
