import { describe } from 'vitest';
import { ShellCommandRunner } from '../../src/adapters/exec/shell-command-runner.js';
import { CommandRouter } from '../../src/adapters/routers/command/command-router.js';
import { routerContract } from '../contracts/router-contract.js';
import { HAPROXY, startHaproxyStack } from '../helpers/haproxy-stack.js';
import { haveBinary } from '../helpers/real-servers.js';

// A team's own scripts driving a real HAProxy through socat: what the command router is for.
const SET = `set -e
api() { echo "$1" | socat stdio "unix-connect:$HAPROXY_SOCKET"; }
c=$(awk "BEGIN { printf \\"%d\\", $ROLLGATE_WEIGHT * 2 }")
now=$(api "get weight demo/canary" | cut -d' ' -f1)
# Raise the gaining server first, so the two weights never sum to 0.
if [ "$c" -gt "$now" ]; then
  api "set server demo/canary weight $c"; api "set server demo/stable weight $((200 - c))"
else
  api "set server demo/stable weight $((200 - c))"; api "set server demo/canary weight $c"
fi`;
const GET = `set -e
c=$(echo "get weight demo/canary" | socat stdio "unix-connect:$HAPROXY_SOCKET" | cut -d' ' -f1)
s=$(echo "get weight demo/stable" | socat stdio "unix-connect:$HAPROXY_SOCKET" | cut -d' ' -f1)
awk "BEGIN { print $c * 100 / ($c + $s) }"`;

describe.skipIf(!haveBinary(HAPROXY) || !haveBinary('/usr/bin/socat'))(
  'command router (scripts driving a real haproxy)',
  () => {
    routerContract('command', async () => {
      const stack = await startHaproxyStack();
      return {
        router: new CommandRouter(new ShellCommandRunner(), {
          setWeight: SET,
          getWeight: GET,
          timeoutMs: 10_000,
          env: { HAPROXY_SOCKET: stack.socket },
        }),
        target: { service: 'demo', environment: 'test' },
        send: async (o) => (await stack.send(o ?? {})).version,
        close: () => stack.close(),
      };
    });
  },
);
