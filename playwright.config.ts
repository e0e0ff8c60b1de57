/**
 * Browser tests: Playwright drives Debian's Chromium (never a downloaded browser) against the
 * whole platform started once by the global setup (tests/web/support/global-setup.ts).
 * Artefacts (screenshots at phone and desktop widths, traces of failures) go to test-results/web.
 */
import { defineConfig, devices } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './tests/web/support/chromium.ts';

export default defineConfig({
  testDir: 'tests/web',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/web/support/global-setup.ts',
  outputDir: 'test-results/web/output',
  fullyParallel: true,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'test-results/web/report' }]],
  use: {
    ...devices['Desktop Chrome'],
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
});
