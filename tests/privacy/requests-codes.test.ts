/**
 * The portal's one-time codes and limits on the real stack: codes are stored only as salted hashes,
 * expire, and are replaced by a new one; an address may file 3 requests an hour, a reference may
 * ask for 5 codes and guess 5 times an hour (then 429 with Retry-After, even for the right code),
 * and an unknown reference runs into the same limits as a known one. A code dies on its fifth wrong
 * guess, a request takes 20 wrong codes over its life, and asking for a code never waits for SMTP.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { demoTenants } from '../../backend/src/launcher/demo-data.js';
import { startTestMailCatcher, type TestMailCatcher } from '../support/mail-catcher.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let mail: TestMailCatcher;
beforeAll(async () => {
  mail = await startTestMailCatcher();
  t = await createTestApp({ env: { MAIL_URL: mail.mailUrl } });
});
afterAll(async () => {
  await t?.close();
  await mail?.stop();
});

const portal = '/api/v1/privacy/portal';
const address = () => `req.${randomUUID().slice(0, 8)}@example.org`;
const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] as string;

async function file(email: string) {
  return t.request('POST', `${portal}/${demoTenants.acme.slug}/requests`, {
    body: { type: 'access', email, locale: 'en' },
  });
}
const verify = (reference: string, code: string) =>
  t.request('POST', `${portal}/requests/${reference}/verification`, { body: { code } });

/** Ends the reference's hourly windows, as if an hour had passed. */
const endWindows = (reference: string) =>
  t.adminPool.query(sql.unsafe`
    UPDATE privacy_portal_throttle SET window_started_at = now() - interval '61 minutes' WHERE reference = ${reference}`);

describe('one-time codes', () => {
  it('keeps only a salted hash of the code, and accepts only the newest code while it is valid', async () => {
    const email = address();
    const { reference } = (await file(email)).body;
    const first = await mail.waitForMail(email, { subject: reference });
    const stored = await t.adminPool.any(sql.type(
      z.object({ code_hash: z.string(), code_salt: z.instanceof(Buffer) }),
    )`
      SELECT c.code_hash, c.code_salt FROM privacy_request_codes c JOIN privacy_requests r ON r.id = c.request_id
      WHERE r.reference = ${reference}`);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(codeIn(first.text));

    expect((await t.request('POST', `${portal}/requests/${reference}/code`)).status).toBe(202);
    const second = await mail.waitForMail(email, { subject: reference, afterId: first.id });
    expect(second.subject).toContain('confirmation code');
    if (codeIn(first.text) !== codeIn(second.text)) {
      expect((await verify(reference, codeIn(first.text))).status).toBe(422);
    }
    // An expired code is refused like a wrong one.
    await t.adminPool.query(sql.unsafe`
      UPDATE privacy_request_codes SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 minute'
      WHERE request_id = (SELECT id FROM privacy_requests WHERE reference = ${reference})`);
    const expired = await verify(reference, codeIn(second.text));
    expect(expired.status).toBe(422);
    expect(expired.body.code).toBe('invalid_code');
  });

  it('lets an address file three requests an hour', async () => {
    const email = address();
    for (let i = 0; i < 3; i++) expect((await file(email)).status).toBe(202);
    const fourth = await file(email.toUpperCase());
    expect(fourth.status).toBe(429);
    expect(fourth.body.code).toBe('too_many_attempts');
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
    expect((await file(address())).status).toBe(202);
  });

  it('locks a reference after five wrong codes in an hour, and the guessed code dies for good', async () => {
    const email = address();
    const { reference } = (await file(email)).body;
    const code = codeIn((await mail.waitForMail(email, { subject: reference })).text);
    const wrong = String((Number(code) + 7) % 1_000_000).padStart(6, '0');
    const left: number[] = [];
    for (let i = 0; i < 5; i++) left.push((await verify(reference, wrong)).body.attemptsLeft);
    expect(left).toEqual([4, 3, 2, 1, 0]);
    const locked = await verify(reference, code);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // An hour later the window is over, but the code that took five wrong guesses stays dead.
    await endWindows(reference);
    const dead = await verify(reference, code);
    expect(dead.status).toBe(422);
    expect(dead.body.code).toBe('invalid_code');
    const stored = await t.adminPool.one(sql.type(z.object({ attempts: z.number(), expired: z.boolean() }))`
      SELECT c.attempts, c.expires_at <= now() AS expired
      FROM privacy_request_codes c JOIN privacy_requests r ON r.id = c.request_id
      WHERE r.reference = ${reference}`);
    expect(stored).toEqual({ attempts: 5, expired: true });
    // A new code works.
    const before = mail.mailTo(email).at(-1)?.id ?? 0;
    expect((await t.request('POST', `${portal}/requests/${reference}/code`)).status).toBe(202);
    const fresh = codeIn((await mail.waitForMail(email, { subject: reference, afterId: before })).text);
    expect((await verify(reference, fresh)).status).toBe(200);
  });

  it('takes 20 wrong codes over a request’s life, then refuses even the right one (only an officer can help)', async () => {
    const email = address();
    const { reference } = (await file(email)).body;
    const wrongFor = (code: string) => String((Number(code) + 7) % 1_000_000).padStart(6, '0');
    let code = codeIn((await mail.waitForMail(email, { subject: reference })).text);
    for (let round = 0; round < 4; round++) {
      // Each hour five wrong guesses, then a new code (the guessed one is dead).
      for (let i = 0; i < 5; i++) expect((await verify(reference, wrongFor(code))).status).toBe(422);
      await endWindows(reference);
      const before = mail.mailTo(email).at(-1)?.id ?? 0;
      expect((await t.request('POST', `${portal}/requests/${reference}/code`)).status).toBe(202);
      if (round < 3)
        code = codeIn((await mail.waitForMail(email, { subject: reference, afterId: before })).text);
    }
    const locked = await verify(reference, code);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('too_many_attempts');
    expect(locked.headers['retry-after']).toBeUndefined();
    // The last ask for a code answered 202 like any other but sent nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mail.mailTo(email)).toHaveLength(4);
    const wrong = await t.adminPool.oneFirst(sql.type(z.object({ wrong_codes: z.number() }))`
      SELECT wrong_codes FROM privacy_requests WHERE reference = ${reference}`);
    expect(wrong).toBe(20);
  });

  it('limits new codes to five per reference and hour, known or not', async () => {
    const email = address();
    const { reference } = (await file(email)).body;
    for (const ref of [reference, 'DSR-ZZZZ-0000']) {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await t.request('POST', `${portal}/requests/${ref}/code`)).status);
      expect(statuses, ref).toEqual([202, 202, 202, 202, 202, 429]);
    }
    // Five new codes, besides the one sent on filing (sent after the answer).
    await vi.waitFor(() => expect(mail.mailTo(email)).toHaveLength(6), { timeout: 10_000 });
    const unknownGuesses: number[] = [];
    for (let i = 0; i < 6; i++) unknownGuesses.push((await verify('DSR-ZZZZ-0001', '123456')).status);
    expect(unknownGuesses).toEqual([422, 422, 422, 422, 422, 429]);
  });
});

describe('asking for a new code', () => {
  it('answers as fast for a known reference as for an unknown one while the mail server hangs', {
    timeout: 30_000,
  }, async () => {
    // A mail server that accepts connections and never greets: sending would wait 10 s for it.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const hung = await createTestApp({ sameDatabaseAs: t, env: { MAIL_URL: `smtp://127.0.0.1:${port}` } });
    try {
      const { reference } = (await file(address())).body;
      const timed = async (ref: string) => {
        const started = performance.now();
        const res = await hung.request('POST', `${portal}/requests/${ref}/code`);
        return { status: res.status, ms: performance.now() - started };
      };
      const known = await timed(reference);
      const unknown = await timed('DSR-ZZZZ-0002');
      expect([known.status, unknown.status]).toEqual([202, 202]);
      expect(known.ms).toBeLessThan(2_000);
      expect(unknown.ms).toBeLessThan(2_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await hung.close();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
