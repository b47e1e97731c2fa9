/**
 * Playwright e2e: the real renderer in Debian's Chromium through the loopback bridge (never a downloaded browser).
 * `npm run build` must have run first (the test command does it); global-setup starts the bridge on a temp database.
 *
 * Projects: "first-run" (set-up of the admin on the empty database) runs before "app" (everything else, which
 * signs in as that admin); "electron" is the _electron smoke test that skips where no Electron binary exists.
 */
import { defineConfig } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: '.',
  outputDir: '../../test-results/playwright',
  globalSetup: './global-setup.ts',
  // One worker: the specs share one database and a 2-core CI machine runs Chromium plus the bridge.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
    trace: 'off',
    actionTimeout: 15_000,
  },
  projects: [
    { name: 'first-run', testMatch: /first-run\.spec\.ts$/ },
    { name: 'app', testMatch: /\.spec\.ts$/, testIgnore: [/first-run\.spec\.ts$/, /electron-smoke\.spec\.ts$/], dependencies: ['first-run'] },
    { name: 'electron', testMatch: /electron-smoke\.spec\.ts$/ },
  ],
});
