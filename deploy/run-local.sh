#!/usr/bin/env bash
# `make run`: the local broker, the worker, the ClickHouse sink (embedded chDB), a simulated shop
# sending events, and the moments printed as they happen with counts per class. Ctrl-C stops
# everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
MM=.venv/bin/micromoments
PY=.venv/bin/python
PROFILE=${PROFILE:-electronics-en}
RATE=${RATE:-100}
LOG_DIR=${MOMENTS_DATA_DIR:-.micromoments}/logs
mkdir -p "$LOG_DIR"
pids=()
stopped=0
cleanup() {
  [ "$stopped" = 1 ] && return  # Ctrl-C runs it, then the script's exit would again
  stopped=1
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # a clean stop takes a few seconds; one that hangs must not keep Ctrl-C from stopping everything
  for _ in $(seq 1 150); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then echo "process $pid did not stop in 30 s: killed"; kill -9 "$pid" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
  $MM broker stop || true
}
trap cleanup EXIT INT TERM
$MM broker start
BOOTSTRAP=$($MM broker status | sed -n 's/^broker running at \([^ ]*\).*/\1/p')
export MOMENTS_KAFKA_BOOTSTRAP=$BOOTSTRAP
$MM topics create > /dev/null
$MM worker > "$LOG_DIR/worker.log" 2>&1 & pids+=($!)
$MM sink > "$LOG_DIR/sink.log" 2>&1 & pids+=($!)
echo "worker and sink started (logs in $LOG_DIR); sending a simulated $PROFILE shop at $RATE events/s"
echo "analysts: micromoments query moments-per-minute (while this runs)"
$MM simulate --profile "$PROFILE" --sessions 5000 --seed "$RANDOM" --kafka --rate "$RATE" \
  > "$LOG_DIR/simulate.log" 2>&1 & pids+=($!)
# in the background too, so that Ctrl-C runs the cleanup at once: bash runs a trap only after its
# foreground command has exited, however long that takes
$PY examples/print_moments.py --bootstrap "$BOOTSTRAP" --group "local-run-$$" & pids+=($!)
wait "$!"
