#!/usr/bin/env bash
# pool.sh <stable|canary> <version> [faults JSON]: (re)start one pool's demo service
# without losing a request. With HAProxy running, the pool's server is first taken out
# of the traffic: its weight, if it carries any, is handed to the other pool's server for
# the restart; it goes into maintenance (no new requests) and is stopped only once its
# requests in flight are answered. The new version is put back once it answers its
# health check, and the weights are restored.
set -euo pipefail
source "$(dirname "$0")/env.sh"
pool="$1" version="$2" faults="${3:-{\}}"
if [ "$pool" = stable ]; then port="$STABLE_PORT" other=canary; else port="$CANARY_PORT" other=stable; fi
pidfile="$RUN/$pool.pid"
sock="$RUN/haproxy.sock"

api() { echo "$1" | socat -t 2 stdio "unix-connect:$sock"; }
# One field of a demo server's row in `show stat`: 5 = scur (requests in flight), 18 = status.
field() { api "show stat demo 4 -1" | awk -F, -v s="$1" -v f="$2" '$1 == "demo" && $2 == s { print $f }'; }
weight() { api "get weight demo/$1" | cut -d' ' -f1; }

routed=false own=0 theirs=0
if [ -f "$pidfile" ] && [ -S "$sock" ] && api "show info" >/dev/null 2>&1; then
  routed=true
  own="$(weight "$pool")" theirs="$(weight "$other")"
  # A restart that failed after the hand-over left the weights to restore here.
  [ -f "$RUN/$pool.handover" ] && read -r own theirs <"$RUN/$pool.handover"
  if [ "$own" -gt 0 ] && [ ! -f "$RUN/$pool.handover" ]; then
    # This pool carries traffic: the other one takes it during the restart, if it can.
    case "$(field "$other" 18)" in UP*) ;; *)
      echo "$pool: carries traffic (weight $own) and $other is not UP in HAProxy to take it; not restarting" >&2
      exit 75 ;;  # EX_TEMPFAIL: rollgate retries
    esac
    api "set server demo/$other weight $(( own + theirs > 256 ? 256 : own + theirs ))" >/dev/null
    api "set server demo/$pool weight 0" >/dev/null
    echo "$own $theirs" >"$RUN/$pool.handover"
  fi
  api "set server demo/$pool state maint" >/dev/null
  for _ in $(seq 300); do [ "$(field "$pool" 5)" = 0 ] && break; sleep 0.1; done
fi
if [ -f "$pidfile" ]; then
  kill "$(cat "$pidfile")" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
fi
nohup node "$DEMO_MAIN" \
  "{\"version\":\"$version\",\"port\":$port,\"faults\":$faults}" \
  >"$RUN/$pool.log" 2>&1 &
echo $! >"$pidfile"
up=false
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && { up=true; break; }
  sleep 0.1
done
if ! $up; then
  # Left in maintenance (and its traffic, if any, with the other pool): nothing is sent to
  # a version that does not answer.
  echo "$pool: $version did not start, see $RUN/$pool.log" >&2
  exit 75   # EX_TEMPFAIL: rollgate retries
fi
if $routed; then
  # Out of maintenance HAProxy counts the server up at once (it answers: checked above);
  # the gaining server's weight goes up first, so the two never sum to less than before.
  api "set server demo/$pool state ready" >/dev/null
  if [ "$own" -gt 0 ]; then
    api "set server demo/$pool weight $own" >/dev/null
    api "set server demo/$other weight $theirs" >/dev/null
  fi
  rm -f "$RUN/$pool.handover"
fi
echo "$pool: $version on :$port"
