#!/usr/bin/env bash
# rollgate's command deployer (docs/adapters/command.md): puts ROLLGATE_VERSION in the
# ROLLGATE_TARGET pool. DEMO_CANARY_FAULTS (JSON, e.g. '{"errorRate":{"endpoint":"/v1/payment/process","rate":0.03}}') makes the
# new version misbehave, to see a rollback.
set -euo pipefail
faults='{}'
[ "$ROLLGATE_TARGET" = canary ] && faults="${DEMO_CANARY_FAULTS:-{\}}"
echo "deploy $ROLLGATE_SERVICE $ROLLGATE_VERSION to $ROLLGATE_TARGET (rollout $ROLLGATE_ROLLOUT_ID)"
exec "$(dirname "$0")/pool.sh" "$ROLLGATE_TARGET" "$ROLLGATE_VERSION" "$faults"
