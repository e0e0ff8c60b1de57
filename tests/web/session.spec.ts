/**
 * The session: tokens never reach browser JavaScript, the cookie is httpOnly, Secure and
 * SameSite=Lax, pages need a session, and signing out ends it here and at the identity provider.
 */
import { createHash } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { expect, signIn, test, webUrl } from './support/fixtures.ts';

test('pages need a session and return to the page asked for after sign-in', async ({ page }) => {
  await page.goto(`${webUrl()}/de/devices?state=active`);
  await expect(page).toHaveURL(/\/de\/sign-in\?returnTo=%2Fde%2Fdevices%3Fstate%3Dactive/);
  await signIn(page, 'operator', 'de', '/devices?state=active');
  await expect(page).toHaveURL(`${webUrl()}/de/devices?state=active`);
});

test('the session cookie is out of reach of scripts and holds no readable token', async ({
  page,
  context,
}) => {
  await signIn(page, 'operator');
  const cookies = await context.cookies(webUrl());
  const session = cookies.find((cookie) => cookie.name === 'custos_session');
  expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
  expect(await page.evaluate(() => document.cookie)).not.toContain('custos_session');
  // JWE compact form: five base64url parts, the payload encrypted (no JWT in clear).
  expect(session?.value.split('.')).toHaveLength(5);
  expect(session?.value).not.toContain('eyJhbGciOiJSUzI1NiI');
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  expect(storage).toBe('{}');
});

test('signing out ends the session here and at the identity provider', async ({ page }) => {
  await signIn(page, 'operator');
  await page.getByRole('button', { name: 'Sign out' }).click();
  // The provider asks to confirm (RP-initiated logout), then returns to the app.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/en\/sign-in/);
  await page.goto(`${webUrl()}/en/devices`);
  await expect(page).toHaveURL(/\/en\/sign-in/);
  // The provider session is gone too: signing in asks for the password again.
  await page.locator('main a.button').click();
  await expect(page.getByLabel('Password')).toBeVisible();
});

test('another site cannot sign the user out', async ({ page }) => {
  await signIn(page, 'operator');
  const forged = await page.request.post(`${webUrl()}/api/auth/logout`, {
    headers: { origin: 'https://evil.example' },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);
  await page.goto(`${webUrl()}/en/account`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/en\/account$/);
});

test('the session cookie stays well under the browsers’ 4 kB limit', async ({ page, context }) => {
  await signIn(page, 'compliance');
  const session = (await context.cookies(webUrl())).find((c) => c.name === 'custos_session');
  // Keycloak's tokens are about twice the development provider's: leave room for them.
  expect(session?.value.length ?? 0).toBeLessThan(2000);
});

test('a forged or foreign session cookie is treated as no session', async ({ page, context }) => {
  await context.addCookies([{ name: 'custos_session', value: 'a.b.c.d.e', url: webUrl() }]);
  await page.goto(`${webUrl()}/en/account`);
  await expect(page).toHaveURL(/\/en\/sign-in/);
});

test('the export route refuses requests without a session, and from other origins', async ({
  page,
  request,
}) => {
  const anonymous = await request.post(`${webUrl()}/api/audit-exports`, {
    headers: { 'content-type': 'application/json' },
    data: {},
  });
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()['content-type']).toContain('application/problem+json');

  await signIn(page, 'compliance');
  const foreign = await page.request.post(`${webUrl()}/api/audit-exports`, {
    headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
    data: {},
  });
  expect(foreign.status()).toBe(403);
  const bad = await page.request.post(`${webUrl()}/api/audit-exports`, {
    headers: { origin: webUrl(), 'content-type': 'application/json' },
    data: { from: 'yesterday' },
  });
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toMatchObject({ code: 'validation_failed' });
});

const sessionKey = () =>
  createHash('sha256')
    .update(process.env.CUSTOS_WEB_SESSION_SECRET ?? '')
    .digest();

/** A session cookie sealed like the web app does, with chosen contents. */
async function sealedSession(contents: Record<string, unknown>) {
  return new EncryptJWT({
    accessToken: 'x',
    accessTokenExpiresAt: Number(contents.lastSeenAt) + 300,
    refreshToken: null,
    idToken: null,
    username: 'operator',
    ...contents,
  })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setAudience('session')
    .setIssuedAt()
    .setExpirationTime('1h')
    .encrypt(sessionKey());
}

const openSession = async (value: string) =>
  (await jwtDecrypt(value, sessionKey(), { audience: 'session' })).payload;

test('an access token about to expire is renewed, and the page already uses the new one', async ({
  page,
  context,
}) => {
  await signIn(page, 'operator');
  const original = (await context.cookies(webUrl())).find((c) => c.name === 'custos_session');
  const session = await openSession(original?.value ?? '');
  const now = Math.floor(Date.now() / 1000);
  // The token is replaced by garbage that expires in 5 s: only a renewed token can load the page.
  const nearlyExpired = await sealedSession({
    ...session,
    accessToken: 'not-a-token',
    accessTokenExpiresAt: now + 5,
  });
  await context.addCookies([{ name: 'custos_session', value: nearlyExpired, url: webUrl() }]);
  // The seeded devices only (other tests claim devices of their own at North).
  await page.goto(`${webUrl()}/en/devices?q=ACME`);
  await expect(page.getByRole('table', { name: 'Devices' }).locator('tbody tr')).toHaveCount(3);
  const renewed = await openSession(
    (await context.cookies(webUrl())).find((c) => c.name === 'custos_session')?.value ?? '',
  );
  expect(renewed.accessToken).not.toBe('not-a-token');
  expect(Number(renewed.accessTokenExpiresAt)).toBeGreaterThan(now + 60);
  expect(renewed.signedInAt).toBe(session.signedInAt);
});

test('an expired access token whose renewal is refused ends the session', async ({ page, context }) => {
  const now = Math.floor(Date.now() / 1000);
  const cookie = await sealedSession({
    signedInAt: now - 600,
    lastSeenAt: now - 60,
    accessTokenExpiresAt: now - 1,
    refreshToken: 'revoked-or-made-up',
  });
  await context.addCookies([{ name: 'custos_session', value: cookie, url: webUrl() }]);
  await page.goto(`${webUrl()}/en/devices`);
  await expect(page).toHaveURL(/\/en\/sign-in\?.*reason=expired/);
});

test('an idle session ends (automatic logoff), and so does one past its maximum age', async ({
  page,
  context,
}) => {
  const now = Math.floor(Date.now() / 1000);
  // Default idle limit 15 minutes, maximum age 10 hours.
  for (const [times, reason] of [
    [{ signedInAt: now - 3600, lastSeenAt: now - 16 * 60 }, 'idle'],
    [{ signedInAt: now - 11 * 3600, lastSeenAt: now - 60 }, 'expired'],
  ] as const) {
    await context.clearCookies();
    await context.addCookies([{ name: 'custos_session', value: await sealedSession(times), url: webUrl() }]);
    await page.goto(`${webUrl()}/en/devices`);
    await expect(page).toHaveURL(new RegExp(`/en/sign-in\\?.*reason=${reason}`));
    await expect(page.getByRole('status')).toBeVisible();
    expect((await context.cookies(webUrl())).some((c) => c.name === 'custos_session')).toBe(false);
  }
});

test('a token the API refuses mid-session leads to sign-in, not to an error page', async ({
  page,
  context,
}) => {
  const now = Math.floor(Date.now() / 1000);
  const cookie = await sealedSession({ signedInAt: now - 60, lastSeenAt: now - 10, accessToken: 'revoked' });
  await context.addCookies([{ name: 'custos_session', value: cookie, url: webUrl() }]);
  await page.goto(`${webUrl()}/de/devices`);
  await expect(page).toHaveURL(/\/de\/sign-in\?reason=expired/);
  await expect(page.getByRole('status')).toBeVisible();
});
