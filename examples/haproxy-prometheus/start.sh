#!/usr/bin/env bash
# Starts the example: demo service v1 in both pools, HAProxy, Prometheus (all on 127.0.0.1).
# `./start.sh prometheus` (re)starts Prometheus alone, on the same port and data.
set -euo pipefail
source "$(dirname "$0")/env.sh"
[ -f "$DEMO_MAIN" ] || { echo "build first: (cd $ROOT && npm run build)" >&2; exit 2; }
mkdir -p "$RUN/prometheus-data"
start_prometheus() {
  if [ -f "$RUN/prometheus.pid" ] && kill -0 "$(cat "$RUN/prometheus.pid")" 2>/dev/null; then
    echo "prometheus is already running (pid $(cat "$RUN/prometheus.pid"))"
    return 0
  fi
  nohup prometheus --config.file="$RUN/prometheus.yml" --storage.tsdb.path="$RUN/prometheus-data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >>"$RUN/prometheus.log" 2>&1 &
  echo $! >"$RUN/prometheus.pid"
  for _ in $(seq 150); do
    curl -fsS "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "prometheus did not become ready, see $RUN/prometheus.log" >&2
  return 1
}
if [ "${1:-}" = prometheus ]; then
  start_prometheus
  echo "prometheus: http://127.0.0.1:$PROM_PORT"
  exit 0
fi
fill() {
  sed -e "s|@RUN@|$RUN|g" -e "s|@FRONT_PORT@|$FRONT_PORT|g" -e "s|@METRICS_PORT@|$METRICS_PORT|g" \
      -e "s|@STABLE_PORT@|$STABLE_PORT|g" -e "s|@CANARY_PORT@|$CANARY_PORT|g" \
      -e "s|@SCRAPE_INTERVAL@|$SCRAPE_INTERVAL|g" "$1" >"$2"
}
fill "$HERE/haproxy.cfg.template" "$RUN/haproxy.cfg"
fill "$HERE/prometheus.yml.template" "$RUN/prometheus.yml"
"$HERE/pool.sh" stable "${STABLE_VERSION:-v1}"
"$HERE/pool.sh" canary "${STABLE_VERSION:-v1}"
haproxy -c -q -f "$RUN/haproxy.cfg"
haproxy -D -f "$RUN/haproxy.cfg"
start_prometheus
echo "traffic:    http://127.0.0.1:$FRONT_PORT"
echo "prometheus: http://127.0.0.1:$PROM_PORT"
echo "runtime API: $RUN/haproxy.sock"
