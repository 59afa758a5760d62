/**
 * The controller the crash test kills: node test/chaos/chaos-child.mjs STORE POLICY RECEIVER STOPFILE
 *
 * The shared chaos controller (chaos-controller.mjs) with healthy stand-ins (every check
 * passes, 1 % errors on both arms) and one notifier that POSTs every outbox message to the
 * test's HTTP receiver with its idempotency key.
 */
import { runChaosController } from './chaos-controller.mjs';

const [spec, policyFile, receiver, stopFile] = process.argv.slice(2);

const notifier = {
  name: 'chaos-receiver',
  async deliver(m, signal) {
    const res = await fetch(receiver, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': m.idempotencyKey },
      body: JSON.stringify({ key: m.idempotencyKey, eventType: m.eventType, route: m.route }),
      signal,
    });
    await res.text();
    return res.ok ? { ok: true } : { ok: false, retryable: true, error: `HTTP ${res.status}` };
  },
};

await runChaosController({
  spec,
  policyFile,
  stopFile,
  owner: 'chaos-controller',
  arm: (requests) => ({
    requests,
    errors: Math.floor(requests / 100),
    latency: {
      0.1: Math.round(requests * 0.9),
      0.5: Math.round(requests * 0.99),
      '+Inf': requests,
    },
  }),
  check: () => ({ ok: true, message: 'ok' }),
  notifiers: { notify: notifier, page: notifier },
  // Drain the outbox: every message delivered (or the test sees it pending).
  async drain(app) {
    for (let i = 0; i < 200; i++) {
      const due = await app.store.dueOutbox(new Date(Date.now() + 60_000).toISOString(), 1);
      if (due.length === 0) break;
      await app.outbox.deliverDue();
      await new Promise((r) => setTimeout(r, 50));
    }
  },
});
