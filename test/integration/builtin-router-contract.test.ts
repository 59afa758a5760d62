import { BuiltinRouterAdapter } from '../../src/adapters/routers/builtin/builtin-router-adapter.js';
import { routerContract } from '../contracts/router-contract.js';
import { startBuiltinStack } from '../helpers/builtin-stack.js';

// The Router contract for the built-in router, driven over its admin HTTP API as the
// controller does, with real demo upstreams answering.
routerContract('builtin', async () => {
  const stack = await startBuiltinStack();
  return {
    router: new BuiltinRouterAdapter({ adminUrl: stack.router.adminUrl }),
    target: { service: 'demo', environment: 'test' },
    send: async (o) => (await stack.send(o ?? {})).version,
    close: () => stack.close(),
  };
});
