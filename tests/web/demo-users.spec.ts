/**
 * Every demo user can sign in and use the pages their roles open to them: the dashboard and their
 * account always, devices and compliance only when the menu offers them (and then without error).
 */
import { demoUsers } from '../../backend/dist/launcher/demo-data.js';
import { expect, signIn, test, webUrl } from './support/fixtures.ts';

// The seeded accounts themselves, so a demo user added later is tested too.
const users = demoUsers.map((user: { username: string }) => user.username);

for (const user of users) {
  test(`${user} signs in and opens every page the menu offers`, async ({ page }) => {
    await signIn(page, user);
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
    const menu = page.getByRole('navigation', { name: 'Main' });
    const sections = await menu.getByRole('link').allTextContents();
    expect(sections).toEqual(expect.arrayContaining(['Dashboard', 'Account']));
    for (const [name, heading] of [
      ['Devices', 'Devices'],
      ['Compliance', 'Compliance'],
      ['Account', 'Your account'],
    ]) {
      if (!sections.includes(name)) continue;
      await menu.getByRole('link', { name }).click();
      await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      await expect(page.locator('main')).not.toContainText('Something went wrong');
      await expect(menu.getByRole('link', { name })).toHaveAttribute('aria-current', 'page');
    }
    await page.goto(`${webUrl()}/en/account`);
    await expect(page.locator('main')).toContainText(user);
  });
}
