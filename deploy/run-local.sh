#!/usr/bin/env bash
# `make run`: the local broker, the worker, a simulated shop sending events, and the moments
# printed as they happen. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
MM=.venv/bin/micromoments
PY=.venv/bin/python
PROFILE=${PROFILE:-electronics-en}
RATE=${RATE:-100}
LOG_DIR=${MOMENTS_DATA_DIR:-.micromoments}/logs
mkdir -p "$LOG_DIR"
pids=()
cleanup() {
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  $MM broker stop || true
}
trap cleanup EXIT INT TERM
$MM broker start
BOOTSTRAP=$($MM broker status | sed -n 's/^broker running at \([^ ]*\).*/\1/p')
export MOMENTS_KAFKA_BOOTSTRAP=$BOOTSTRAP
$MM worker > "$LOG_DIR/worker.log" 2>&1 & pids+=($!)
echo "worker started (log $LOG_DIR/worker.log); sending a simulated $PROFILE shop at $RATE events/s"
$MM simulate --profile "$PROFILE" --sessions 5000 --seed "$RANDOM" --kafka --rate "$RATE" \
  > "$LOG_DIR/simulate.log" 2>&1 & pids+=($!)
$PY examples/print_moments.py --bootstrap "$BOOTSTRAP" --group "local-run-$$"
