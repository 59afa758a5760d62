#!/usr/bin/env bash
# Puts ROLLGATE_PREVIOUS_VERSION back in both pools (the router is already at 0 %).
set -euo pipefail
echo "rollback $ROLLGATE_SERVICE to $ROLLGATE_PREVIOUS_VERSION"
"$(dirname "$0")/pool.sh" canary "$ROLLGATE_PREVIOUS_VERSION"
"$(dirname "$0")/pool.sh" stable "$ROLLGATE_PREVIOUS_VERSION"
