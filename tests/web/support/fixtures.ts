/**
 * What every browser test uses: the web app's address, signing in through the real identity
 * provider (authorization code + PKCE), and screenshots kept as artefacts.
 */
import path from 'node:path';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';

export const DEMO_PASSWORD = 'custos-demo';
export const locales = ['en', 'de', 'ru', 'ar'] as const;
export type Locale = (typeof locales)[number];

export const webUrl = () => {
  const url = process.env.CUSTOS_WEB_URL;
  if (!url) throw new Error('CUSTOS_WEB_URL is not set: the global setup did not run');
  return url;
};

/** Signs in from the web app's sign-in page and waits until the app shows the user. */
export async function signIn(page: Page, username: string, locale: Locale = 'en', path = '') {
  await page.goto(`${webUrl()}/${locale}${path}`);
  await expect(page).toHaveURL(/\/sign-in\?/);
  await page.locator('main a.button').click();
  await expect(page.getByLabel('Username')).toBeVisible();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`^${webUrl()}/${locale}`));
  await expect(page.locator('.signed-in-as')).toContainText(username);
}

/** Where screenshots are kept: one file per page, locale and width, overwritten by each run. */
export const SCREENSHOT_DIR = path.resolve('test-results/web/screenshots');

/** A full-page screenshot kept as an artefact (a file, and attached to the HTML report). */
export async function keepScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  const body = await page.screenshot({ fullPage: true, path: file });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

/**
 * Waits until React has hydrated the element (it then carries React's own properties): a click on
 * a client component's button before that does nothing.
 */
export async function waitForHydration(page: Page, selector: string) {
  await page.waitForFunction((css) => {
    const element = document.querySelector(css);
    return element !== null && Object.keys(element).some((key) => key.startsWith('__reactProps'));
  }, selector);
}

/** How far the page scrolls sideways (0 when nothing overflows the viewport). */
export const horizontalOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

export const viewports = {
  phone: { width: 360, height: 780 },
  desktop: { width: 1280, height: 900 },
} as const;

export const test = base;
export { expect };
