#!/usr/bin/env bash
# load.sh [requests per second] [seconds]: payment requests through HAProxy (keyless, so
# HAProxy splits them by weight, round robin), with the demo's load generator. Ctrl-C stops.
set -euo pipefail
source "$(dirname "$0")/env.sh"
rate="${1:-100}" seconds="${2:-600}"
exec node --input-type=module -e "
import { runLoad } from '$ROOT/dist/demo/load-generator.js';
const stop = new AbortController();
process.on('SIGINT', () => stop.abort());
process.on('SIGTERM', () => stop.abort());
const r = await runLoad({
  url: 'http://127.0.0.1:$FRONT_PORT', rate: $rate, durationMs: $seconds * 1000, users: 0,
  mix: [{ method: 'POST', path: '/v1/payment/process', weight: 1 }], signal: stop.signal,
});
console.log(JSON.stringify({ sent: r.sent, failed: r.failed, byStatus: r.byStatus }));
"
