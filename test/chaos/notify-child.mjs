/**
 * The controller the notification crash test kills:
 *   node test/chaos/notify-child.mjs STORE POLICY STOPFILE
 *
 * The shared chaos controller (chaos-controller.mjs) with the policy's notification
 * channels: real notifier adapters (signed webhooks, Slack) delivering to the test's local
 * HTTP receivers, secrets from the environment. The smoke check fails for odd versions, so
 * every other release rolls back and opens an incident (with its escalation, cancelled
 * once resolved). Once STOPFILE exists it drains the outbox and the incidents.
 */
import { runChaosController } from './chaos-controller.mjs';

const [spec, policyFile, stopFile] = process.argv.slice(2);

await runChaosController({
  spec,
  policyFile,
  stopFile,
  owner: 'notify-chaos',
  arm: (requests) => ({
    requests,
    errors: 0,
    latency: { 0.1: Math.round(requests * 0.9), 0.5: requests, '+Inf': requests },
  }),
  check(name, ctx) {
    const n = Number(String(ctx.version).slice(1));
    const ok = !(name === 'smoke' && n % 2 === 1);
    return { ok, message: ok ? 'ok' : 'HTTP 500 on /checkout' };
  },
  // Drain: incidents reconciled, every message delivered or (an escalation) cancelled.
  async drain(app) {
    for (let i = 0; i < 400; i++) {
      await app.keeper.pass();
      await app.outbox.deliverDue();
      const pending = await app.store.listOutbox({ statuses: ['pending'] });
      const open = await app.store.listIncidents({ statuses: ['open', 'mitigated'] });
      if (pending.length === 0 && open.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  },
});
