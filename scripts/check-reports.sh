#!/usr/bin/env bash
# Fails unless every module's failsafe run executed at least one IT, with no failure, error or skip.
# Maven passes a suite whose tests were all skipped; for Docker-backed tests that would hide a
# missing engine, so it is checked here.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
for module in extension cli example-tests; do
  summary="$module/target/failsafe-reports/failsafe-summary.xml"
  if [ ! -f "$summary" ]; then
    echo "[check-reports] $module: no failsafe summary ($summary): the ITs did not run"
    status=1
    continue
  fi
  get() { sed -n "s:.*<$1>\([0-9]*\)</$1>.*:\1:p" "$summary"; }
  completed=$(get completed); errors=$(get errors); failures=$(get failures); skipped=$(get skipped)
  echo "[check-reports] $module: $completed ITs run, $failures failed, $errors errors, $skipped skipped"
  if [ "${completed:-0}" -eq 0 ] || [ "${errors:-1}" -ne 0 ] || [ "${failures:-1}" -ne 0 ] || [ "${skipped:-1}" -ne 0 ]; then
    status=1
  fi
done
[ $status -eq 0 ] && echo "[check-reports] ok" || echo "[check-reports] FAILED: Docker-backed tests must all run and pass"
exit $status
