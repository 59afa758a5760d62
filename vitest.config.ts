import { defineConfig } from 'vitest/config';

// Three tiers (CONVENTIONS.md "Tests"): unit = pure core and engine on a virtual clock
// with fakes; integration = real SQLite/PostgreSQL/Prometheus/HAProxy/nginx processes on
// 127.0.0.1; e2e = the CLI as a subprocess and the dashboard in headless Chromium.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/chaos/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
