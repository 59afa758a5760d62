#!/usr/bin/env bash
# Starts the example: demo service v1 in both pools, HAProxy, Prometheus (all on 127.0.0.1).
set -euo pipefail
source "$(dirname "$0")/env.sh"
[ -f "$DEMO_MAIN" ] || { echo "build first: (cd $ROOT && npm run build)" >&2; exit 2; }
mkdir -p "$RUN/prometheus-data"
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
nohup prometheus --config.file="$RUN/prometheus.yml" --storage.tsdb.path="$RUN/prometheus-data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$RUN/prometheus.log" 2>&1 &
echo $! >"$RUN/prometheus.pid"
for _ in $(seq 150); do
  curl -fsS "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "traffic:    http://127.0.0.1:$FRONT_PORT"
echo "prometheus: http://127.0.0.1:$PROM_PORT"
echo "runtime API: $RUN/haproxy.sock"
