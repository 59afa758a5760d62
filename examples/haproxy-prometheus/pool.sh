#!/usr/bin/env bash
# pool.sh <stable|canary> <version> [faults JSON]: (re)start one pool's demo service.
set -euo pipefail
source "$(dirname "$0")/env.sh"
pool="$1" version="$2" faults="${3:-{\}}"
port=$([ "$pool" = stable ] && echo "$STABLE_PORT" || echo "$CANARY_PORT")
pidfile="$RUN/$pool.pid"
if [ -f "$pidfile" ]; then
  kill "$(cat "$pidfile")" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
fi
nohup node "$DEMO_MAIN" \
  "{\"version\":\"$version\",\"port\":$port,\"faults\":$faults}" \
  >"$RUN/$pool.log" 2>&1 &
echo $! >"$pidfile"
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && { echo "$pool: $version on :$port"; exit 0; }
  sleep 0.1
done
echo "$pool: $version did not start, see $RUN/$pool.log" >&2
exit 75   # EX_TEMPFAIL: rollgate retries
