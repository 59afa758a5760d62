import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, BIN, childrenOf, REPO } from '../helpers/rollgate-cli.js';

// The dashboard end to end (issue #8): `rollgate demo --ui` serves the real server and the
// built dashboard on the demo's store; Debian's Chromium (never a downloaded browser) opens
// it. A healthy release (speed 10: each canary step holds 30 s) is watched advancing, paused
// and resumed; then, on the same store, an error-spike release is rolled back by the judge
// and its post-mortem opened (the spike is caught within seconds of the canary's first
// traffic, too fast to pause reliably; ADR 0164). Screenshots go to .reports/screenshots/.
const CHROMIUM = process.env.ROLLGATE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(REPO, '.reports', 'screenshots');
const haveBrowser = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';

let browser: Browser | undefined;
let dir: string | undefined;
const demos: Demo[] = [];

/** One `rollgate demo --ui --json` process: its JSON lines, stderr and children. */
class Demo {
  readonly lines: Record<string, unknown>[] = [];
  stderr = '';
  readonly children = new Set<number>();
  private readonly child: ChildProcess;
  private readonly sampler: NodeJS.Timeout;

  constructor(cwd: string, args: string[]) {
    this.child = spawn(process.execPath, [BIN, 'demo', '--ui', '--port', '0', '--json', ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.sampler = setInterval(() => {
      const pid = this.child.pid;
      if (pid !== undefined && this.child.exitCode === null)
        for (const p of childrenOf(pid)) this.children.add(p);
    }, 500);
    let buffer = '';
    this.child.stdout?.on('data', (c: Buffer) => {
      buffer += c.toString();
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(text) as Record<string, unknown>);
        } catch {
          this.stderr += `(not JSON) ${text}\n`;
        }
      }
    });
    this.child.stderr?.on('data', (c: Buffer) => {
      this.stderr += c.toString();
    });
  }

  /** The `{"type":"dashboard"}` line: the dashboard's URL and the rollout's. */
  async dashboard(ms = 60_000): Promise<{ url: string; rolloutUrl: string }> {
    const until = Date.now() + ms;
    for (;;) {
      const hit = this.lines.find((l) => l.type === 'dashboard');
      if (hit) return { url: String(hit.url), rolloutUrl: String(hit.rolloutUrl) };
      if (this.child.exitCode !== null)
        throw new Error(`the demo exited (${this.child.exitCode}): ${this.stderr}`);
      if (Date.now() > until) throw new Error(`no dashboard URL in ${ms} ms: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Ctrl-C (the demo stops its router, both versions and the server); its exit code. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (child.exitCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    clearInterval(this.sampler);
    return child.exitCode;
  }

  /** Whatever it started and left behind (it should leave nothing): killed, and listed. */
  leftovers(): number[] {
    const left = [...this.children].filter(alive);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    return left;
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Waits until the locator's text matches (Playwright's test runner's expect is not used here). */
async function textMatches(locator: Locator, pattern: RegExp, ms: number): Promise<string> {
  const until = Date.now() + ms;
  let last = '';
  for (;;) {
    last = ((await locator.textContent({ timeout: ms }).catch(() => '')) ?? '').trim();
    if (pattern.test(last)) return last;
    if (Date.now() > until) throw new Error(`"${last}" never matched ${pattern} in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function stepNumber(text: string): number {
  return Number(/^(\d+)\//.exec(text)?.[1] ?? Number.NaN);
}

async function confirm(page: Page, button: string, dialogTitle: string, reason?: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: dialogTitle });
  await dialog.waitFor();
  if (reason) await dialog.getByRole('textbox').fill(reason);
  return dialog;
}

describe.skipIf(!haveBrowser && !inCi)(
  'dashboard on rollgate demo --ui (headless Chromium)',
  () => {
    beforeAll(async () => {
      if (!haveBrowser)
        throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package`);
      mkdirSync(SHOTS, { recursive: true });
      dir = mkdtempSync(join(tmpdir(), 'rollgate-e2e-dashboard-'));
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
    });

    afterAll(async () => {
      await browser?.close().catch(() => undefined);
      const left: number[] = [];
      for (const d of demos) {
        await d.stop();
        left.push(...d.leftovers());
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
      expect(left).toEqual([]);
    });

    it('watches a healthy rollout advance, pauses, observes and resumes it', async () => {
      const demo = new Demo(dir as string, ['--scenario', 'healthy', '--speed', '10']);
      demos.push(demo);
      const { url, rolloutUrl } = await demo.dashboard();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));

      // The rollouts list: the demo's release.
      await page.goto(url);
      await page.getByRole('heading', { name: 'Rollouts', level: 1 }).waitFor();
      const row = page.getByRole('row').filter({ hasText: 'payment-service' }).first();
      await row.waitFor();
      expect(await row.textContent()).toContain('v2.1.0');
      await shot(page, '01-rollouts');

      // Its page, live.
      await row.getByRole('link', { name: 'v2.1.0' }).click();
      await page.getByRole('heading', { name: 'payment-service v2.1.0', level: 1 }).waitFor();
      expect(page.url()).toBe(rolloutUrl);
      const step = page.getByTestId('rollout-step');
      const state = page.getByTestId('rollout-state');
      const weight = page.getByTestId('rollout-weight');
      await textMatches(state, /^running$/, 30_000);
      await textMatches(weight, /^[1-9]\d* %$/, 30_000);
      await page.getByRole('img', { name: /Error rate/ }).waitFor();
      await shot(page, '02-rollout-running');

      // Pause, with the confirmation dialog.
      const pause = await confirm(
        page,
        'Pause',
        'Pause the rollout?',
        'e2e: checking the dashboard',
      );
      await shot(page, '03-pause-confirmation');
      await pause.getByRole('button', { name: 'Confirm pause' }).click();
      await textMatches(state, /^paused$/, 15_000);
      const pausedAt = stepNumber((await step.textContent()) ?? '');
      const pausedWeight = (await weight.textContent()) ?? '';
      await page.getByRole('button', { name: 'Resume', exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'Pause', exact: true }).count()).toBe(0);
      await page.getByRole('cell', { name: 'rollout.paused' }).first().waitFor();
      expect(await page.getByText('Paused: ').textContent()).toContain(
        'e2e: checking the dashboard',
      );

      // An observation lands in the event log.
      await page
        .getByRole('textbox', { name: 'Observation' })
        .fill('payments dashboard looks normal so far');
      await page.getByRole('button', { name: 'Add observation' }).click();
      await page.getByRole('cell', { name: 'payments dashboard looks normal so far' }).waitFor();
      await shot(page, '04-paused');

      // Resume: running again, and the rollout advances to the next step while we watch.
      const resume = await confirm(page, 'Resume', 'Resume the rollout?');
      await resume.getByRole('button', { name: 'Confirm resume' }).click();
      await textMatches(state, /^running$/, 15_000);
      await page.getByRole('cell', { name: 'rollout.resumed' }).first().waitFor();
      const next = await textMatches(step, new RegExp(`^(?!${pausedAt}/)\\d+/\\d+$`), 90_000).catch(
        async (e: Error) => {
          // Say what the rollout did instead (from the API), not only what the page showed.
          const api = rolloutUrl.replace('/rollouts/', '/api/v1/rollouts/');
          const body = (await (await fetch(`${api}/events`)).json()) as {
            events: { seq: number; type: string; message: string }[];
          };
          const tail = body.events.slice(-8).map((x) => `${x.seq} ${x.type}: ${x.message}`);
          throw new Error(`${e.message}; last events:\n${tail.join('\n')}`);
        },
      );
      expect(stepNumber(next)).toBeGreaterThan(pausedAt);
      expect(await weight.textContent()).not.toBe(pausedWeight);
      await shot(page, '05-resumed-advanced');

      expect(pageErrors).toEqual([]);
      await page.close();
      // Ctrl-C ends the demo half way (its rollout stays in flight in the store).
      expect(await demo.stop()).toBe(130);
    });

    it('sees an error-spike rollout rolled back and opens its post-mortem', async () => {
      // Same directory, same store: this demo aborts the healthy one left in flight first.
      const demo = new Demo(dir as string, ['--scenario', 'error-spike', '--speed', '10']);
      demos.push(demo);
      const { rolloutUrl } = await demo.dashboard();
      const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(rolloutUrl);
      await page.getByRole('heading', { name: 'payment-service v2.1.0', level: 1 }).waitFor();
      const state = page.getByTestId('rollout-state');
      try {
        await textMatches(state, /^rolled_back$/, 150_000);
      } catch (err) {
        await shot(page, '06-not-rolled-back');
        const why = await page
          .locator('.pause-reason')
          .textContent({ timeout: 1_000 })
          .catch(() => '');
        throw new Error(`${(err as Error).message}; ${why}; demo stderr: ${demo.stderr}`);
      }
      // It reached a canary step, which failed, and the judge's verdict says why.
      const failed = page
        .getByRole('table', { name: 'Steps' })
        .getByRole('row')
        .filter({ hasText: 'failed' });
      await failed.first().waitFor({ timeout: 15_000 });
      expect(await failed.count()).toBe(1);
      expect(await failed.textContent()).toMatch(/canary|\d+ %/);
      await page.getByRole('cell', { name: 'rollback.started' }).first().waitFor();
      await textMatches(page.locator('.verdict-reason'), /critical-endpoint|error/, 15_000);
      await shot(page, '06-rolled-back');

      // The post-mortem page of the rollback.
      await page.getByRole('link', { name: 'Post-mortem', exact: true }).click();
      await page
        .getByRole('heading', { name: /^Post-mortem: payment-service v2\.1\.0/, level: 1 })
        .waitFor({ timeout: 30_000 });
      await page.getByRole('heading', { name: 'Action items', exact: true }).waitFor();
      expect(await page.getByText(/Rolled back to v2\.0\.0/).count()).toBe(1);
      await shot(page, '07-post-mortem');

      // The post-mortems list shows it, with its deadline.
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Post-mortems' })
        .click();
      await page.getByRole('table', { name: 'Post-mortems' }).waitFor();
      expect(await page.getByRole('row').filter({ hasText: 'v2.1.0' }).count()).toBeGreaterThan(0);
      await shot(page, '08-post-mortems');
      expect(pageErrors).toEqual([]);
      await page.close();
    });

    it('hides the commands and the observation form from a viewer', async () => {
      const demo = demos.at(-1) as Demo;
      const { url, rolloutUrl } = await demo.dashboard();
      // No token exists yet, so loopback requests act as admin: create a viewer's token.
      const res = await fetch(`${url}api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'e2e-viewer', role: 'viewer' }),
      });
      expect(res.status).toBe(201);
      const { token } = (await res.json()) as { token: string };
      const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${rolloutUrl}?token=${encodeURIComponent(token)}`);
      await page.getByRole('heading', { name: 'payment-service v2.1.0', level: 1 }).waitFor();
      await page.getByText(/signed in as .* viewer/).waitFor();
      // The token left the address bar for sessionStorage.
      expect(page.url()).toBe(rolloutUrl);
      await page.getByRole('table', { name: 'Event log' }).getByRole('row').nth(1).waitFor();
      expect(await page.getByRole('region', { name: 'Commands' }).count()).toBe(0);
      expect(await page.getByRole('textbox', { name: 'Observation' }).count()).toBe(0);
      await shot(page, '09-viewer');
      // Without the token the API now refuses, and the page says how to sign in.
      const other = await (browser as Browser).newPage();
      await other.goto(rolloutUrl);
      await other.getByRole('alert').filter({ hasText: '?token=' }).first().waitFor();
      await other.close();
      await page.close();
    });
  },
);
