#!/usr/bin/env bash
# Puts ROLLGATE_PREVIOUS_VERSION back (the router is already at 0 %). ROLLGATE_TARGET says
# how far the new version got: `canary` = the stable pool still runs the previous version
# and serves all traffic, so it is left alone (restarting it would drop that traffic until
# HAProxy's health check sees it up again); `stable` = both pools need it.
set -euo pipefail
echo "rollback $ROLLGATE_SERVICE to $ROLLGATE_PREVIOUS_VERSION (new version reached: $ROLLGATE_TARGET)"
"$(dirname "$0")/pool.sh" canary "$ROLLGATE_PREVIOUS_VERSION"
if [ "$ROLLGATE_TARGET" = stable ]; then
  "$(dirname "$0")/pool.sh" stable "$ROLLGATE_PREVIOUS_VERSION"
fi
