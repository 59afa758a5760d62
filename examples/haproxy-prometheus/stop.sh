#!/usr/bin/env bash
# Stops everything start.sh started (by the pids it recorded).
source "$(dirname "$0")/env.sh"
for name in prometheus haproxy stable canary; do
  pidfile="$RUN/$name.pid"
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
  rm -f "$pidfile"
done
echo stopped
